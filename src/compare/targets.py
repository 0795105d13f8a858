"""Quantified commitments (targets) in clean policy text, and a side-by-side view of them.

``extract_targets(text, doc_id)`` finds numeric commitments — counts (``1-2名``), frequencies
(``每年不少于2次``), durations (``有效期一般不超过5年``), shares (``不少于…总数的5%``), deadlines
(``2023年年底前`` → 2023-12-31) — and reported results (``8部地方性法规先后颁布实施``, status
``achievement``). All vocabulary (units, comparators, frequency words, cues, exclusions) lives
in ``data/targets.yml``. Chinese numerals go through :mod:`cn2an`, deadline phrases through
``jionlp.parse_time``; small explicit rules cover what those libraries get wrong (see
:func:`parse_numeral` and :func:`resolve_deadline`).

Conventions where docs/design.md is silent:

- ``value`` is the number as written (``1-2名`` → value 1, value_max 2, comparator ``range``);
  percentages in %, fractions and 成 converted to % (三分之一 → 33.3), ratios ``1:2`` → 0.5
  (unit ``比``), 万/亿 multiplied out. Deadlines have no value.
- ``per`` is ``year``, ``half-year``, ``quarter``, ``month``, ``week``, ``term``, ``once``
  (a one-off 开展一次…), ``N-year``/``N-month``/``N-week`` for 每两年…, or empty.
- A frequency word with no number in its clause (每年部署…, 实行每周通报制度) is a commitment of
  once per period (value 1, 次); with a vague word after it (每年选取一些…) it is not quantified.
- ``kind``: frequency for counts of occurrences (次 期 轮 批 场), duration for time units,
  scope for a share of a population (…总数的5%, 覆盖率), deadline, else quantity.
- A deadline without a year (确保年底前…, 4月15日前) is kept with an empty ``deadline``; a
  recurring date after a frequency word (每年1月底前) is read as that frequency instead.
- ``status`` is ``achievement`` for reported results and states (累计…, 只有1人), decided by the
  cue lists in the YAML file; ``target`` otherwise.
- Not targets: 一个/一项 used as an article, conditions (…1年内发生…的，), numbers inside short
  quotes or named slogans, ordinals, placeholders (xx项), dates of issue, plan periods.

Every row's ``quote == text[char_start:char_end]``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from compare.errors import CompareError
from compare.paths import data_file

#: Columns of the ``targets`` table, in order (docs/design.md).
COLUMNS = [
    "doc_id",
    "measure_id",
    "quote",
    "char_start",
    "char_end",
    "value",
    "value_max",
    "comparator",
    "unit",
    "per",
    "deadline",
    "kind",
    "subject",
    "actor",
    "indicator",
    "status",
]

#: Columns of the side-by-side view.
SIDE_COLUMNS = [
    "indicator",
    "jurisdiction",
    "label",
    "year",
    "doc_id",
    "value",
    "value_max",
    "comparator",
    "unit",
    "per",
    "deadline",
    "quote",
    "n_targets",
]

_CN_DIGITS = "零〇○一二两三四五六七八九"
_CN_NUM = f"[{_CN_DIGITS}十百千万]+"
_AR_NUM = r"\d+(?:\.\d+)?"
_NUM = f"(?:{_AR_NUM}|{_CN_NUM})"
_AR_NUM_RE = re.compile(_AR_NUM)
_QUARTER_RE = re.compile(r"第?([一二三四1-4])季度")
_ISO_DATE_RE = re.compile(r"\d{4}-\d\d-\d\d")
_LEADING_PARTICLES_RE = re.compile(r"^[的地得\s]+")
_DIGIT_OR_STOP_RE = re.compile(r"\d|[。；]")
_DU_RE = re.compile(r"\s*度")
_CLAUSE_END = "，。；！？：\n,;"
_SENTENCE_END = "。；！？\n;"


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Vocabulary:
    """Compiled contents of ``data/targets.yml``."""

    raw: dict[str, Any]
    number_re: re.Pattern[str]
    deadline_re: re.Pattern[str]
    every_n_years_re: re.Pattern[str]
    frequency_re: re.Pattern[str]
    comparator_before_re: re.Pattern[str]
    exclusion_res: tuple[tuple[str, re.Pattern[str]], ...]
    condition_re: re.Pattern[str]

    def get(self, key: str, default: Any = None) -> Any:
        """A raw entry of the YAML file."""
        return self.raw.get(key, default)

    # Patterns and tables built from list entries, compiled once per vocabulary (not per call:
    # Python's own regex cache holds only 512 patterns and the whole pipeline overflows it).

    @functools.cached_property
    def slogan_res(self) -> tuple[re.Pattern[str], ...]:
        """One literal pattern per slogan."""
        return tuple(re.compile(re.escape(s)) for s in self.get("slogans", []))

    @functools.cached_property
    def quote_res(self) -> tuple[re.Pattern[str], ...]:
        """A short quoted phrase, per pair of quote marks."""
        limit = int(self.get("max_slogan_chars", 16))
        out = []
        for pair in self.get("quote_pairs", []):
            op, cl = re.escape(pair[0]), re.escape(pair[1])
            out.append(re.compile(f"{op}[^{op}{cl}\n]{{1,{limit}}}{cl}"))
        return tuple(out)

    @functools.cached_property
    def target_cue_res(self) -> tuple[re.Pattern[str], ...]:
        """``target_cues`` compiled."""
        return tuple(re.compile(c) for c in self.get("target_cues", []))

    @functools.cached_property
    def achievement_cue_res(self) -> tuple[re.Pattern[str], ...]:
        """``achievement_cues`` compiled."""
        return tuple(re.compile(c) for c in self.get("achievement_cues", []))

    @functools.cached_property
    def relative_deadline_re(self) -> re.Pattern[str] | None:
        """``relative_deadline`` compiled (None when absent or empty)."""
        rx = self.get("relative_deadline")
        return re.compile(rx) if rx else None

    @functools.cached_property
    def period_window_re(self) -> re.Pattern[str] | None:
        """``period_window`` compiled (None when absent or empty)."""
        rx = self.get("period_window")
        return re.compile(rx) if rx else None

    @functools.cached_property
    def unit_kind(self) -> dict[str, str]:
        """Unit -> kind, from ``unit_kinds``."""
        return {u: k for k, us in self.get("unit_kinds", {}).items() for u in us}

    @functools.cached_property
    def one_verbs(self) -> tuple[str, ...]:
        """``one_verbs``, longest first."""
        return tuple(sorted(self.get("one_verbs", []), key=len, reverse=True))

    def precompile(self) -> Vocabulary:
        """Build every derived pattern now (bad patterns raise here, at load time)."""
        for name in (
            "slogan_res", "quote_res", "target_cue_res", "achievement_cue_res",
            "relative_deadline_re", "period_window_re", "unit_kind", "one_verbs",
        ):  # fmt: skip
            getattr(self, name)
        return self


def _alternation(words: Any) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.lru_cache(maxsize=8)
def load_vocabulary(path: str | None = None) -> Vocabulary:
    """Load and compile ``data/targets.yml`` (or ``path``)."""
    file = Path(path) if path else data_file("targets.yml")
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise CompareError(f"cannot read targets vocabulary: {err}", file) from err
    required = ["units", "comparators_before", "comparators_after", "frequencies", "exclusions"]
    missing = [k for k in required if not isinstance(raw, dict) or k not in raw]
    if missing:
        raise CompareError(f"targets vocabulary lacks {', '.join(missing)}", file)
    try:
        return _compile(raw)
    except (re.error, TypeError, AttributeError, ValueError) as err:
        raise CompareError(f"bad pattern or list in targets vocabulary: {err}", file) from err


def _compile(raw: dict[str, Any]) -> Vocabulary:
    """Compile the regexes of a loaded vocabulary."""
    seps = _alternation(raw.get("range_separators", ["-"]))
    units = _alternation(raw["units"])
    after = _alternation(raw["comparators_after"])
    number_re = re.compile(
        rf"(?:百分之(?P<pct>{_NUM}|百)|(?P<den>{_NUM})分之(?P<num>{_NUM})"
        rf"|(?P<tenth>[一二三四五六七八九]|\d)成(?![员效果立为功熟本绩就都交长])"
        rf"|(?P<r1>\d+(?:\.\d+)?)\s*[:：∶]\s*(?P<r2>\d+(?:\.\d+)?)(?=[^\d:：∶]|$)"
        rf"|(?P<a>{_NUM})(?:\s*(?:{seps})\s*(?P<b>{_NUM}))?\s*(?P<more>余|多)?"
        rf"\s*(?P<mult>万|亿)?\s*(?P<unit>{units}))(?P<after>\s*(?:{after}))?"
    )
    pre = _alternation(raw.get("deadline_cues_before", []))
    post = _alternation(raw.get("deadline_cues_after", [])) or "(?!)"
    deadline_re = re.compile(
        rf"(?P<pre>(?<![关对由基属等])(?:{pre})\s*)?(?P<y>(?:19|20)\d{{2}})\s*年(?!度)\s*"
        r"(?:(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*日)?)?\s*"
        rf"(?P<post>{post})?\s*"
        r"(?P<qian>以前|之前|前)?"
    )
    every_n = re.compile(rf"每\s*(?P<n>\d+|[{_CN_DIGITS}十]+)\s*个?\s*(?P<p>年|月|周|季度)")
    frequency_re = re.compile(_alternation(raw["frequencies"]))
    cmp_before = re.compile(_alternation(raw["comparators_before"]))
    exclusions = tuple((name, re.compile(rx)) for name, rx in raw["exclusions"].items())
    condition = re.compile(raw.get("condition_pattern", r"(?!)"))
    return Vocabulary(
        raw, number_re, deadline_re, every_n, frequency_re, cmp_before, exclusions, condition
    ).precompile()


# --------------------------------------------------------------------------- numerals, dates


def parse_numeral(token: str) -> float | None:
    """A numeral (Arabic, Chinese, or a digit-by-digit year like 二○一二) as a number.

    cn2an does the work; two small rules cover what it rejects: the circle ``○`` (U+25CB),
    which it does not read as zero, and digit-by-digit strings (``二○二五``), read digit by digit.
    """
    import cn2an

    token = token.strip()
    if _AR_NUM_RE.fullmatch(token):
        return float(token)
    norm = token.replace("○", "〇")
    if len(norm) >= 3 and all(c in "零〇一二两三四五六七八九" for c in norm):
        return _digit_string(norm)
    try:
        return float(cn2an.cn2an(norm, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _digit_string(token: str) -> float:
    """二〇二五 → 2025 (each character one digit)."""
    digits = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
    digits |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    return float("".join(str(digits[c]) for c in token))


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


# --------------------------------------------------------------------------- helpers


def _clause_bounds(text: str, start: int, end: int, stops: str) -> tuple[int, int]:
    """Start and end of the clause (bounded by any char of ``stops``) around [start, end)."""
    left = max(text.rfind(c, 0, start) for c in stops) + 1
    rights = [i for i in (text.find(c, end) for c in stops) if i >= 0]
    return left, min(rights) if rights else len(text)


def _excluded_spans(text: str, vocab: Vocabulary) -> list[tuple[int, int, str]]:
    """Spans that never hold a target: exclusion patterns, slogans, short quoted phrases."""
    spans = [
        (m.start(), m.end(), name) for name, rx in vocab.exclusion_res for m in rx.finditer(text)
    ]
    for rx in vocab.slogan_res:
        spans += [(m.start(), m.end(), "slogan") for m in rx.finditer(text)]
    for rx in vocab.quote_res:
        spans += [(m.start(), m.end(), "quoted") for m in rx.finditer(text)]
    return spans


def _overlaps(a: int, b: int, spans: list[tuple[int, int, str]]) -> bool:
    return any(s < b and a < e for s, e, *_ in spans)


def _per_of(word: str, vocab: Vocabulary) -> str:
    m = vocab.every_n_years_re.fullmatch(word)
    if m:
        n = parse_numeral(m.group("n"))
        period = {"年": "year", "月": "month", "周": "week", "季度": "quarter"}[m.group("p")]
        return period if n == 1 else f"{int(n or 0)}-{period}"
    return vocab.get("frequencies", {}).get(word, "")


def _frequency_spans(text: str, vocab: Vocabulary) -> list[tuple[int, int, str]]:
    """Frequency words (每年, 每两年, 任期内 …) with their ``per``, in text order."""
    found = [
        (m.start(), m.end(), _per_of(m.group(), vocab))
        for m in vocab.every_n_years_re.finditer(text)
    ]
    window = vocab.period_window_re
    periods = {"年": "year", "个月": "month", "季度": "quarter", "周": "week"}
    for m in window.finditer(text) if window else ():
        found.append((m.start(), m.end(), periods[m.group("p")]))
    taken = [(s, e) for s, e, _ in found]
    weak = set(vocab.get("clause_start_frequencies", []))
    for m in vocab.frequency_re.finditer(text):
        prev = text[m.start() - 1] if m.start() else ""
        if m.group() in weak and prev and prev not in _CLAUSE_END + "、":
            continue
        if prev and prev in _CN_DIGITS + "十":
            continue  # 十一月一日 is a date, not 一月一 (once a month)
        if not any(s < m.end() and m.start() < e for s, e in taken):
            found.append((m.start(), m.end(), _per_of(m.group(), vocab)))
    return sorted(found)


def _cue_in(text: str, cues: tuple[re.Pattern[str], ...]) -> bool:
    return any(c.search(text) for c in cues)


def _status(text: str, start: int, end: int, vocab: Vocabulary) -> str:
    """``target`` or ``achievement``: a commitment cue before the number in its clause wins,
    then a reporting cue in the sentence, then a commitment cue in the sentence, then a
    reporting cue earlier in the paragraph; ``target`` when nothing decides."""
    c0, _ = _clause_bounds(text, start, end, _CLAUSE_END)
    s0, s1 = _clause_bounds(text, start, end, _SENTENCE_END)
    p0, _ = _clause_bounds(text, start, end, "\n")
    target_cues, done_cues = vocab.target_cue_res, vocab.achievement_cue_res
    if _cue_in(text[c0:end], target_cues):
        return "target"
    if _cue_in(text[s0:s1], done_cues):
        return "achievement"
    if _cue_in(text[s0:s1], target_cues):
        return "target"
    if _cue_in(text[p0:s0], done_cues):
        return "achievement"
    return _section_status(text, p0, vocab)


def _section_status(text: str, para_start: int, vocab: Vocabulary) -> str:
    """The status suggested by the nearest heading line above (…成效 → achievement)."""
    limit = int(vocab.get("max_heading_chars", 40))
    end = para_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip()
        if 0 < len(line) <= limit:
            if any(w in line for w in vocab.get("section_achievement", [])):
                return "achievement"
            if any(w in line for w in vocab.get("section_target", [])):
                return "target"
        end = start - 1
    return "target"


_ACTOR_HINT = re.compile(r"政府|部门|机关|班子|人员|单位|党委|领导|负责人|办|局|委|司法|法院|街|镇")
_ACTOR_STOP = re.compile(
    r"每|要|应|须|必须|至少|不少于|将|在|于|到|对|向|由|实行|实现|接受|举办|组织|开展|配备|"
    r"召开|选取|确定|集中|建立|完成|听取"
)


def _actor(text: str, start: int) -> str:
    """Who must act: the sentence opening before its first verb/frequency word, when it names
    a body (政府, 部门, 班子 …)."""
    s0, _ = _clause_bounds(text, start, start, _SENTENCE_END)
    c0 = max(s0, max(text.rfind(c, 0, start) for c in "，,") + 1)
    for lo in (c0, s0):
        head = text[lo:start]
        m = _ACTOR_STOP.search(head)
        cand = (head[: m.start()] if m else head).strip(" ，、")
        if 1 < len(cand) <= 25 and _ACTOR_HINT.search(cand):
            return cand
    return ""


def _subject(text: str, start: int, end: int, forward: bool = False) -> str:
    """What is counted: the rest of the clause after the number, else (``forward``, for
    deadlines) the next clause, else the words before it."""
    _, c1 = _clause_bounds(text, start, end, _CLAUSE_END + "、")
    after = _LEADING_PARTICLES_RE.sub("", text[end:c1]).strip()
    if not after and forward and c1 < len(text) and text[c1] in "，,：":
        _, c2 = _clause_bounds(text, c1 + 1, c1 + 1, _CLAUSE_END)
        after = text[c1 + 1 : c2].strip()
    if after:
        return after[:20]
    c0, _ = _clause_bounds(text, start, end, _CLAUSE_END + "、")
    before = text[c0:start].strip()
    return before[-15:]


# --------------------------------------------------------------------------- extraction


def _row(doc_id: str, text: str, start: int, end: int, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    row.update(doc_id=doc_id, quote=text[start:end], char_start=start, char_end=end)
    row.update(value=float("nan"), value_max=float("nan"))
    row.update(fields)
    return row


def _deadlines(
    text: str, doc_id: str, vocab: Vocabulary, excluded: list[tuple[int, int, str]]
) -> tuple[list[dict[str, Any]], list[tuple[int, int, str]]]:
    """Deadline rows, and the spans of every calendar-year phrase (never counted as numbers)."""
    rows: list[dict[str, Any]] = []
    years: list[tuple[int, int, str]] = []
    lo, hi = vocab.get("year_range", [1949, 2100])
    for m in vocab.deadline_re.finditer(text):
        year = int(m.group("y"))
        if not lo <= year <= hi:
            continue
        years.append((m.start("y"), m.end(), "year"))
        if not (m.group("pre") or m.group("post") or m.group("qian")):
            continue
        if _overlaps(m.start("y"), m.end("y") + 1, excluded):
            continue
        if m.group("post") in ("上半年", "下半年") and not (m.group("pre") or m.group("qian")):
            continue
        month = int(m.group("m")) if m.group("m") else None
        day = int(m.group("d")) if m.group("d") else None
        if day is not None and not m.group("qian"):
            continue
        start, end = m.start(), m.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        phrase = text[m.start("y") : end]
        starts = tuple(vocab.get("deadline_start_words", ["年初", "初"]))
        deadline = resolve_deadline(phrase, year, month, day, m.group("post") or "", starts)
        rows.append(
            _row(
                doc_id, text, start, end,
                comparator="by", deadline=deadline, kind="deadline", status="target",
                subject=_subject(text, start, end, forward=True), actor=_actor(text, start),
            )
        )  # fmt: skip
    relative = vocab.relative_deadline_re
    for m in relative.finditer(text) if relative else ():
        if _overlaps(m.start(), m.end(), excluded + years):
            continue
        c0, _ = _clause_bounds(text, m.start(), m.end(), _CLAUSE_END)
        years.append((m.start(), m.end(), "relative"))
        if vocab.frequency_re.search(text[max(c0, m.start() - 6) : m.start()]):
            continue  # 每年1月底前, 每季度末5日前: a recurring date, read with its frequency
        rows.append(
            _row(
                doc_id, text, m.start(), m.end(),
                comparator="by", kind="deadline", status="target",
                subject=_subject(text, m.start(), m.end(), forward=True),
                actor=_actor(text, m.start()),
            )
        )  # fmt: skip
    return rows, years


def _comparator_before(text: str, start: int, vocab: Vocabulary) -> tuple[str, int]:
    """The comparator standing before a number in its clause, and where it starts."""
    c0, _ = _clause_bounds(text, start, start, _CLAUSE_END + "、")
    lookback = int(vocab.get("comparator_lookback", 20))
    window_start = max(c0, start - lookback)
    window = text[window_start:start]
    best: tuple[str, int] = ("", start)
    for m in vocab.comparator_before_re.finditer(window):
        word = m.group()
        gap = window[m.end() :]
        if len(word) == 1 and gap.strip():
            continue  # single-character comparators (满, 达, 约, 仅) must touch the number
        if _DIGIT_OR_STOP_RE.search(gap):
            continue
        best = (vocab.get("comparators_before")[word], window_start + m.start())
    return best


def _reading(m: re.Match[str], units: dict[str, str]) -> tuple[float | None, float | None, str]:
    """Value, upper value and unit of a number match (百分之三十 → 30 %, 三分之一 → 33.3 %)."""
    if m.group("pct"):
        pct = 100.0 if m.group("pct") == "百" else parse_numeral(m.group("pct"))
        return pct, None, "%"
    if m.group("tenth"):
        tenth = parse_numeral(m.group("tenth"))
        return (None if tenth is None else 10.0 * tenth), None, "%"
    if m.group("r1"):
        r1, r2 = float(m.group("r1")), float(m.group("r2"))
        return (r1 / r2 if r2 else None), None, "比"
    if m.group("den"):
        den, num = parse_numeral(m.group("den")), parse_numeral(m.group("num"))
        return (100.0 * num / den if den and num is not None else None), None, "%"
    a = parse_numeral(m.group("a"))
    b = parse_numeral(m.group("b")) if m.group("b") else None
    scale = {"万": 1e4, "亿": 1e8}.get(m.group("mult") or "", 1.0)
    a, b = (None if a is None else a * scale), (None if b is None else b * scale)
    return a, b, units[m.group("unit")]


def _ratio_context(text: str, start: int, vocab: Vocabulary) -> bool:
    """A ratio like 1:2 counts only after a comparator or the word 比例 in its clause."""
    c0, _ = _clause_bounds(text, start, start, _CLAUSE_END)
    return "比例" in text[max(0, c0 - 20) : start] or bool(
        _comparator_before(text, start, vocab)[0]
    )


def _comparator_of(
    text: str, m: re.Match[str], is_range: bool, vocab: Vocabulary
) -> tuple[str, int]:
    """The comparator of a number match (``range`` for 1-2名; a word after the unit wins over
    one before, except ``approx``), and where the phrase starts."""
    after_map = vocab.get("comparators_after")
    after_word = (m.group("after") or "").strip()
    before, cmp_start = _comparator_before(text, m.start(), vocab)
    only = vocab.get("comparator_units", {}).get(text[cmp_start : m.start()].strip())
    if before and only is not None and m.group("unit") not in only:
        before, cmp_start = "", m.start()
    after = after_map[after_word] if after_word else ""
    if is_range:
        return "range", cmp_start
    if "approx" in (after, before):
        return "approx", cmp_start
    return after or before or (">=" if m.group("more") else ""), cmp_start


def _period_of(
    text: str, start: int, end: int, kind: str, freqs: list[tuple[int, int, str]]
) -> tuple[str, int | None]:
    """The ``per`` of a number and where its frequency word starts: the last frequency word
    before it in its clause, or in its sentence for counts of occurrences (每年…，举办两期以上)."""
    s0, _ = _clause_bounds(text, start, end, _SENTENCE_END)
    c0, _ = _clause_bounds(text, start, end, _CLAUSE_END)
    reach = s0 if kind == "frequency" else c0
    per, freq_start = "", None
    for fs, fe, fper in freqs:
        if reach <= fs and fe <= start:
            per, freq_start = fper, fs
    return per, freq_start


def _numbers(
    text: str,
    doc_id: str,
    vocab: Vocabulary,
    excluded: list[tuple[int, int, str]],
    freqs: list[tuple[int, int, str]],
) -> list[dict[str, Any]]:
    """Rows for every number+unit phrase that survives the exclusions."""
    rows = []
    units = vocab.get("units")
    kinds = vocab.unit_kind
    lo, hi = vocab.get("year_range", [1949, 2100])
    one_verbs = vocab.one_verbs
    for m in vocab.number_re.finditer(text):
        core_start, core_end = m.start(), m.end()
        if _overlaps(core_start, core_end, excluded):
            continue
        if any(s <= core_start < e for s, e, _ in freqs):
            continue
        a, b, unit = _reading(m, units)
        if a is None or (m.group("b") and b is None):
            continue
        if unit == "比" and not _ratio_context(text, core_start, vocab):
            continue
        if unit == "年" and lo <= a <= hi:
            continue  # a calendar year, handled by deadlines
        prev = text[core_start - 1] if core_start else ""
        if prev.isdigit() or prev in "．.":
            continue
        if vocab.condition_re.match(text[core_end:]):
            continue  # 对…1年内发生…的，…: a condition, not a commitment
        comparator, cmp_start = _comparator_of(text, m, b is not None, vocab)
        kind = kinds.get(unit, "quantity")
        per, freq_start = _period_of(text, core_start, core_end, kind, freqs)
        c0, _ = _clause_bounds(text, core_start, core_end, _CLAUSE_END + "、")
        clause_per = freq_start is not None and freq_start >= c0
        article = m.group("a") is not None and not m.group("a")[0].isdigit()
        if not comparator and not clause_per and a == 1 and b is None and article:
            head = text[max(0, core_start - 3) : core_start]
            if not any(head.endswith(v) for v in one_verbs):
                continue  # 一个/一次/一项 read as an article
            per = "once" if kinds.get(unit) == "frequency" else ""
        start = min(core_start, cmp_start)
        if clause_per:
            start = min(start, freq_start)
        if unit == "%":
            c0b, c1b = _clause_bounds(text, core_start, core_end, _CLAUSE_END)
            scope = any(w in text[c0b:c1b] for w in vocab.get("scope_words", []))
            scope = scope or text[core_start - 1 : core_start] == "的"
            kind = "scope" if scope else "quantity"
        rows.append(
            _row(
                doc_id, text, start, core_end,
                value=a, value_max=b if b is not None else float("nan"),
                comparator=comparator or "=", unit=unit, per=per, kind=kind,
                subject=_subject(text, start, core_end),
                actor=_actor(text, start), status=_status(text, core_start, core_end, vocab),
            )
        )  # fmt: skip
    return rows


def _bare_frequencies(
    text: str,
    doc_id: str,
    vocab: Vocabulary,
    freqs: list[tuple[int, int, str]],
    numbered: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """每年部署… / 实行每周通报制度: a period word with no number in its clause → once per period."""
    rows = []
    bare = set(vocab.get("bare_frequencies", []))
    vague = vocab.get("vague_after", [])
    for fs, fe, per in freqs:
        word = text[fs:fe]
        if word not in bare and not vocab.every_n_years_re.fullmatch(word):
            continue
        _, c1 = _clause_bounds(text, fs, fe, _CLAUSE_END)
        if any(fs <= r["char_end"] and r["char_start"] < c1 for r in numbered):
            continue
        rest = text[fe:c1]
        if any(v in rest for v in vague):
            continue
        if _DU_RE.match(rest):
            continue  # 每年度…: a yearly cycle, read with 年度
        end = min(c1, fe + 30)
        rows.append(
            _row(
                doc_id, text, fs, end,
                value=1.0, comparator="=", unit="次", per=per, kind="frequency",
                subject=rest.strip()[:20], actor=_actor(text, fs), status="target",
            )
        )  # fmt: skip
    return rows


def extract_targets(text: str, doc_id: str = "", vocab: Vocabulary | None = None) -> pd.DataFrame:
    """Every quantified commitment (and reported result) in a clean text, in text order.

    Returns the ``targets`` table with ``measure_id`` and ``indicator`` empty.
    """
    vocab = vocab or load_vocabulary()
    excluded = _excluded_spans(text, vocab)
    deadline_rows, years = _deadlines(text, doc_id, vocab, excluded)
    freqs = _frequency_spans(text, vocab)
    freqs = [f for f in freqs if not _overlaps(f[0], f[1], excluded)]
    blocked = (
        excluded + years + [(r["char_start"], r["char_end"], "deadline") for r in deadline_rows]
    )
    number_rows = _numbers(text, doc_id, vocab, blocked, freqs)
    bare_rows = _bare_frequencies(text, doc_id, vocab, freqs, number_rows)
    rows = sorted(
        deadline_rows + number_rows + bare_rows, key=lambda r: (r["char_start"], r["char_end"])
    )
    return _frame(rows)


def _text_cell(value: Any) -> str:
    """A cell of a text column: missing (None, NaN) -> empty, anything else -> ``str``."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return value if type(value) is str else str(value)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A targets DataFrame with fixed columns and dtypes: ``char_*`` int64, ``value*``
    float64, the rest text (missing -> ""). Built column by column (one call per document)."""
    columns: dict[str, Any] = {}
    for col in COLUMNS:
        cells = [row.get(col) for row in rows]
        if col in ("char_start", "char_end"):
            columns[col] = np.array(cells, dtype="int64")
        elif col in ("value", "value_max"):
            columns[col] = np.array([np.nan if v is None else v for v in cells], dtype="float64")
        else:
            columns[col] = pd.array([_text_cell(v) for v in cells], dtype=str)
    return pd.DataFrame(columns, columns=COLUMNS)


# --------------------------------------------------------------------------- linking


def assign_measures(targets: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Fill ``measure_id`` with the innermost measure of the same document containing the
    target's span (or, failing that, its start); empty when none does."""
    out = targets.copy()
    need = {"doc_id", "measure_id", "char_start", "char_end"}
    if not need <= set(measures.columns):
        raise CompareError(
            f"measures table lacks {', '.join(sorted(need - set(measures.columns)))}"
        )
    by_doc = {
        d: (g["char_start"].to_numpy(), g["char_end"].to_numpy(), g["measure_id"].to_numpy())
        for d, g in measures.groupby("doc_id", sort=False)
    }
    ids = []
    for doc_id, t_start, t_end in zip(
        out["doc_id"], out["char_start"], out["char_end"], strict=True
    ):
        found = ""
        if doc_id in by_doc:
            m_start, m_end, m_ids = by_doc[doc_id]
            for inside in (
                (m_start <= t_start) & (m_end >= t_end),
                (m_start <= t_start) & (m_end > t_start),
            ):
                if inside.any():
                    idx = np.flatnonzero(inside)
                    # innermost (narrowest) measure; ties go to the earliest start
                    best = idx[np.lexsort((m_start[idx], (m_end - m_start)[idx]))[0]]
                    found = m_ids[best]
                    break
        ids.append(found)
    out["measure_id"] = ids
    return out


_TIME_UNITS = {"年", "季度", "月", "周", "天", "工作日"}
_SAME_UNITS = ({"人", "名"},)


def _unit_fits(ind_unit: str, row: Any) -> bool:
    """Whether a target can carry an indicator of ``ind_unit``: same unit (人 = 名); any
    deadline; a time-unit indicator (a cycle, a period) for a duration or a per-period count."""
    if not ind_unit or ind_unit == row.unit or row.kind == "deadline":
        return True
    if any({ind_unit, row.unit} <= same for same in _SAME_UNITS):
        return True
    return ind_unit in _TIME_UNITS and (row.kind == "duration" or bool(row.per))


def map_indicators(targets: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Fill ``indicator`` with the indicator whose longest term occurs in the target's quote or
    subject and whose unit fits (:func:`_unit_fits`); on equal term length an exact unit match
    wins, then the earlier indicator. ``indicators`` has ``id`` (or ``indicator_id``), ``unit``
    and ``terms`` (a list of strings)."""
    id_col = "id" if "id" in indicators.columns else "indicator_id"
    if id_col not in indicators.columns or "terms" not in indicators.columns:
        raise CompareError("indicators need columns id (or indicator_id) and terms")
    specs = []
    for ind in indicators.to_dict("records"):
        terms = ind["terms"]
        terms = [terms] if isinstance(terms, str) else list(terms)
        unit = ind.get("unit")
        unit = "" if unit is None or pd.isna(unit) else str(unit)
        specs.append((str(ind[id_col]), unit, [str(t) for t in terms if str(t)]))
    out = targets.copy()
    chosen = []
    for row in out.itertuples(index=False):
        hay = f"{row.quote} {row.subject}"
        best, best_key = "", (0, False)
        for ind_id, unit, terms in specs:
            if not _unit_fits(unit, row):
                continue
            longest = max((len(t) for t in terms if t in hay), default=0)
            key = (longest, unit == row.unit)
            if longest and key > best_key:
                best, best_key = ind_id, key
        chosen.append(best)
    out["indicator"] = chosen
    return out


# --------------------------------------------------------------------------- side by side


def side_by_side(targets: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Indicator × jurisdiction: one row per pair, from the commitments (status ``target``)
    with an indicator. When a jurisdiction has several, the latest document wins, then the
    first in text; ``n_targets`` says how many there were."""
    t = targets[(targets["indicator"] != "") & (targets["status"] == "target")]
    docs = documents[["doc_id", "jurisdiction", "label", "year"]]
    t = t.merge(docs, on="doc_id", how="left")
    t["year_sort"] = pd.to_numeric(t["year"], errors="coerce").fillna(-1)
    t = t.sort_values(["indicator", "jurisdiction", "year_sort", "doc_id", "char_start"],
                      ascending=[True, True, False, True, True])  # fmt: skip
    counts = t.groupby(["indicator", "jurisdiction"]).size().rename("n_targets")
    first = t.drop_duplicates(["indicator", "jurisdiction"]).join(
        counts, on=["indicator", "jurisdiction"]
    )
    return first[SIDE_COLUMNS].reset_index(drop=True)


def describe_target(row: Any) -> str:
    """A short reading of one target, e.g. ``≥2 期/year`` or ``by 2023-12-31``."""
    if row["comparator"] == "by":
        return f"by {row['deadline']}"
    sign = {">=": "≥", "<=": "≤", "=": "", "approx": "≈", "range": ""}.get(row["comparator"], "")
    value = f"{row['value']:g}"
    if row["comparator"] == "range" and pd.notna(row["value_max"]):
        value += f"–{row['value_max']:g}"
    per = f"/{row['per']}" if row["per"] else ""
    return f"{sign}{value} {row['unit']}{per}".strip()


def export_side_by_side(df: pd.DataFrame, out_stem: str | Path) -> list[Path]:
    """Write ``<out_stem>.csv`` and ``<out_stem>.xlsx`` (sheets: long table, and a matrix of
    short readings with indicators as rows and jurisdictions as columns)."""
    from compare.io import write_csv, write_excel

    stem = Path(out_stem)
    csv = write_csv(df, stem.with_name(stem.name + ".csv"))
    if len(df):
        cells = df.assign(reading=[describe_target(r) for _, r in df.iterrows()])
        matrix = cells.pivot(index="indicator", columns="jurisdiction", values="reading")
        matrix = matrix.fillna("").reset_index()
    else:
        matrix = pd.DataFrame(columns=["indicator"])
    xlsx = write_excel({"side_by_side": df, "matrix": matrix}, stem.with_name(stem.name + ".xlsx"))
    return [csv, xlsx]
