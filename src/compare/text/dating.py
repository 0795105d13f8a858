"""When was a text written? Dates it states, dates its signature gives, bounds from what it cites.

Metadata that contradicts the text is flagged (``date_flags``), never silently chosen.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from compare.config import DataFiles, parse_yaml
from compare.errors import CompareError
from compare.text import numerals

_CN_YEAR = "".join(numerals.DIGITS).replace("两", "")
_DATE_RE = re.compile(
    rf"(?P<y>(?:19|20)\d{{2}}|[{_CN_YEAR}]{{4}})\s*年\s*"
    r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月\s*"
    r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日"
)
_ISO_RE = re.compile(r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")


@dataclass(frozen=True)
class DateEvidence:
    """Dates found in one text and the lower bound its citations give."""

    stated: tuple[tuple[str, dt.date], ...]  # (label, date) from header fields such as 成文日期
    signature: dt.date | None  # the date closing the text (落款)
    earliest: str | None  # 'YYYY-MM': the latest of the cited events' dates
    basis: tuple[str, ...]  # the cited events behind ``earliest``


def _to_date(y: str, m: str, d: str) -> dt.date | None:
    year = int(y) if y.isdigit() else numerals.digit_string(y)
    try:
        return dt.date(year, numerals.parse_int(m), numerals.parse_int(d))
    except (ValueError, KeyError):
        return None


def signature_date(text: str, tail: int = 200) -> dt.date | None:
    """The date in the last ``tail`` characters (the signature), e.g. 二○一二年四月五日."""
    found = [_to_date(*m.group("y", "m", "d")) for m in _DATE_RE.finditer(text[-tail:])]
    found = [d for d in found if d]
    return found[-1] if found else None


def stated_dates(
    text: str, head: int = 800, data: DataFiles | None = None
) -> list[tuple[str, dt.date]]:
    """Dates given in labelled header fields (成文日期 | 2012-08-23, 发布时间:2017-7-26; the
    labels are ``date_labels`` of ``data/dating.yml``)."""
    out = []
    for label in load_rules(data=data).labelled.finditer(text[:head]):
        rest = text[label.end() : label.end() + 20]
        m = _ISO_RE.match(rest) or _DATE_RE.match(rest)
        if m and (date := _to_date(*m.group("y", "m", "d"))):
            out.append((label.group(1), date))
    return out


@dataclass(frozen=True)
class DatingRules:
    """``data/dating.yml``: the cited events that bound a date, and the header labels of
    stated dates."""

    events: tuple[tuple[re.Pattern[str], str, str], ...]
    labelled: re.Pattern[str]

    @classmethod
    def parse(cls, path: Path) -> DatingRules:
        """Read one dating.yml."""
        raw = parse_yaml(path, "dating rules")
        try:
            events = tuple(
                (re.compile(e["pattern"]), str(e["after"]), str(e["note"])) for e in raw["events"]
            )
            labels = "|".join(map(re.escape, raw.get("date_labels") or ())) or "(?!)"
            return cls(events, re.compile(rf"({labels})\s*[|:：]?\s*"))
        except (KeyError, TypeError, AttributeError, re.error) as exc:
            raise CompareError(f"malformed dating rules: {exc}", path) from None


def load_rules(path: str | Path | None = None, data: DataFiles | None = None) -> DatingRules:
    """``data/dating.yml`` (or the file ``path``); read again when the file changes."""
    return DataFiles.resolve(data).load(Path(path) if path else "dating.yml", DatingRules.parse)


def cited_events(
    text: str, path: Path | None = None, data: DataFiles | None = None
) -> pd.DataFrame:
    """Every dated event the text cites: columns ``after`` (YYYY-MM), ``note``, ``char_start``.

    The events are ``data/dating.yml`` (or the file ``path``)."""
    return pd.DataFrame(_cited(text, path, data), columns=["after", "note", "char_start", "quote"])


def _cited(
    text: str, path: Path | None = None, data: DataFiles | None = None
) -> list[tuple[str, str, int, str]]:
    """(after, note, char_start, quote) of every dated event the text cites, in rule order."""
    found = []
    for pattern, after, note in load_rules(path, data).events:
        if m := pattern.search(text):
            found.append((after, note, m.start(), m.group()))
    return found


def date_evidence(source_text: str, clean_text: str, data: DataFiles | None = None) -> DateEvidence:
    """Collect stated dates and signature (from the source) and citation bounds (from clean text)."""
    events = _cited(clean_text, data=data)
    earliest, basis = None, ()
    if events:
        earliest = max(after for after, *_ in events)
        basis = tuple(note for after, note, *_ in events if after == earliest)
    return DateEvidence(
        stated=tuple(stated_dates(source_text, data=data)),
        signature=signature_date(source_text),
        earliest=earliest,
        basis=basis,
    )


def resolve_dates(meta: dict[str, str], evidence: DateEvidence) -> dict[str, object]:
    """Combine manifest metadata with the evidence: year, date, bounds, basis and flags.

    The manifest's date wins as *the* date, but every disagreement with the text is flagged.
    Without a stated year, ``year`` is the earliest year the citations allow (and says so).
    """
    flags: list[str] = []
    date = meta.get("date") or ""
    year = meta.get("year") or ""
    basis = [meta.get("year_basis") or ""]
    text_dates = [(label, d) for label, d in evidence.stated]
    if evidence.signature:
        text_dates.append(("signature", evidence.signature))
    for label, d in text_dates:
        if date and d.isoformat() != date:
            flags.append(f"manifest date {date} ≠ {label} date {d.isoformat()}")
    distinct = {d for _, d in text_dates}
    if len(distinct) > 1 and not date:
        listing = "; ".join(f"{label} {d.isoformat()}" for label, d in text_dates)
        flags.append(f"the text gives conflicting dates: {listing}")
    year_min = int(evidence.earliest[:4]) if evidence.earliest else None
    if evidence.earliest:
        basis.append(f"cites {', '.join(evidence.basis)} → written in or after {evidence.earliest}")
    if year and year_min and int(year) < year_min:
        flags.append(
            f"year {year} is earlier than cited {', '.join(evidence.basis)} ({evidence.earliest})"
        )
    if not year and not date and len(distinct) == 1:
        only = next(iter(distinct))
        year, date = str(only.year), only.isoformat()
        basis.append(f"date taken from the text ({text_dates[0][0]})")
    if not year and year_min:
        year = str(year_min)
        basis.append(f"year is the earliest the citations allow ({year_min})")
    return {
        "year": int(year) if year else None,
        "date": date or None,
        "year_min": year_min,
        "year_max": int(year) if meta.get("year") or meta.get("date") else None,
        "year_basis": " | ".join(b for b in basis if b),
        "date_flags": " | ".join(flags),
    }
