"""Reading what a target says as values: Chinese numerals (:func:`parse_numeral`, from
:mod:`compare.text.numerals`) and deadline phrases as ISO dates (:func:`resolve_deadline`:
jionlp first, an explicit rule where it fails)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import re
from typing import Any

_QUARTER_RE = re.compile(r"第?([一二三四1-4])季度")


_ISO_DATE_RE = re.compile(r"\d{4}-\d\d-\d\d")


@functools.lru_cache(maxsize=1)
def _jionlp() -> Any:
    """jionlp, imported once with its start-up banner swallowed."""
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp

    return jionlp


def deadline_by_rule(year: int, month: int | None, day: int | None, post: str) -> str:
    """The explicit fallback: the last day meant by a year/month phrase (first day for 初)."""
    if month is None:
        if post in ("年初", "初"):
            return f"{year:04d}-01-01"
        if post == "上半年":
            return f"{year:04d}-06-30"
        quarter = _QUARTER_RE.fullmatch(post or "")
        if quarter:
            q = "一二三四".find(quarter.group(1)) + 1 or int(quarter.group(1))
            month = 3 * q
        else:
            return f"{year:04d}-12-31"
    if day is not None:
        return dt.date(year, month, day).isoformat()
    if post in ("初",):
        return f"{year:04d}-{month:02d}-01"
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).isoformat()


def deadline_by_jionlp(phrase: str, start: bool = False) -> str | None:
    """``jionlp.parse_time`` on a deadline phrase: the span's end (its start when ``start``)."""
    try:
        parsed = _jionlp().parse_time(phrase, time_base={"year": 2000, "month": 1, "day": 1})
        when = parsed["time"][0 if start else 1]
    except Exception:  # jionlp raises bare exceptions on phrases it cannot read
        return None
    return when[:10] if isinstance(when, str) and _ISO_DATE_RE.match(when) else None


def resolve_deadline(
    phrase: str,
    year: int,
    month: int | None,
    day: int | None,
    post: str,
    start_words: tuple[str, ...] = ("年初", "初"),
) -> str:
    """ISO date of a deadline phrase: jionlp first, the explicit rule when jionlp fails or
    disagrees on the year. ``post`` in ``start_words`` (年初) means the period's first day."""
    start = post in start_words
    by_lib = deadline_by_jionlp(phrase, start=start)
    if by_lib and by_lib.startswith(f"{year:04d}"):
        return by_lib
    return deadline_by_rule(year, month, day, post)


_MONTH_RE = re.compile(r"(\d{1,2})\s*月")
_DAY_RE = re.compile(r"(\d{1,2})\s*日")


def relative_deadline(phrase: str, year: int) -> str:
    """ISO date of a deadline written without a year (年内, 年底前, 8月底前, 5月1日前) in a
    document of ``year``; empty for a day with no month (末5日前)."""
    month = _MONTH_RE.search(phrase)
    day = _DAY_RE.search(phrase)
    if month is None:
        return "" if day else f"{year:04d}-12-31"
    try:
        return deadline_by_rule(year, int(month.group(1)), int(day.group(1)) if day else None, "")
    except ValueError:  # 2月30日: not a date
        return ""
