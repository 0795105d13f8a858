"""Quantified commitments (targets) in clean policy text: the rows of the ``targets`` table.

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
- A deadline without a year (确保年底前…, 4月15日前) takes the document's year when known, else
  an empty ``deadline``; a recurring date after a frequency word (每年1月底前) is read as that
  frequency instead; a 年内 in a clause with a quantity belongs to that quantity's row.
- ``status`` (target, achievement, baseline): :mod:`compare.targets.status`.
- Not targets: 一个/一批 used as an article, conditions (…1年内发生…的，), numbers inside short
  quotes or named slogans, ordinals, placeholders (xx项), dates of issue, plan periods, years
  before the document's, URLs, a report's glossary.

Every row's ``quote == text[char_start:char_end]``.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import numpy as np
import pandas as pd

from compare.targets.normalise import relative_deadline, resolve_deadline
from compare.targets.spans import CLAUSE_END as _CLAUSE_END
from compare.targets.spans import SENTENCE_END as _SENTENCE_END
from compare.targets.spans import SpanIndex, last_stop
from compare.targets.spans import clause_bounds as _clause_bounds
from compare.targets.status import (
    NOT_QUANTITIES,
    Passages,
    deadline_status,
    passages,
    quantity_status,
)
from compare.targets.vocabulary import (
    _CN_DIGITS,
    Vocabulary,
    load_vocabulary,
)
from compare.text.numerals import parse_numeral

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


_LEADING_PARTICLES_RE = re.compile(r"^[的地得\s]+")
_DIGIT_OR_STOP_RE = re.compile(r"\d|[。；]")
_DU_RE = re.compile(r"\s*度")


# --------------------------------------------------------------------------- vocabulary


# --------------------------------------------------------------------------- numerals, dates


# --------------------------------------------------------------------------- helpers


#: How far after a number ``condition_pattern`` (data/targets.yml) may look: the slice it is
#: matched against ends here, instead of copying the rest of the text for every number.
_LOOKAHEAD = 500


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


def _overlaps(a: int, b: int, spans: SpanIndex) -> bool:
    return spans.overlaps(a, b)


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
    taken = SpanIndex(found)
    weak = set(vocab.get("clause_start_frequencies", []))
    for m in vocab.frequency_re.finditer(text):
        prev = text[m.start() - 1] if m.start() else ""
        if m.group() in weak and prev and prev not in _CLAUSE_END + "、":
            continue
        if prev and prev in _CN_DIGITS + "十":
            continue  # 十一月一日 is a date, not 一月一 (once a month)
        if not taken.overlaps(m.start(), m.end()):
            found.append((m.start(), m.end(), _per_of(m.group(), vocab)))
    return sorted(found)


def _actor(text: str, start: int, vocab: Vocabulary) -> str:
    """Who must act: the sentence opening before its first ``actor_stop_words`` word (a verb,
    a frequency word), when it names a body (``actor_words``: 政府, 部门, 班子 …)."""
    s0, _ = _clause_bounds(text, start, start, _SENTENCE_END)
    c0 = max(s0, last_stop(text, start, "，,") + 1)
    for lo in (c0, s0):
        head = text[lo:start]
        m = vocab.actor_stop_re.search(head)
        cand = (head[: m.start()] if m else head).strip(" ，、")
        if 1 < len(cand) <= 25 and vocab.actor_re.search(cand):
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
    text: str,
    doc_id: str,
    vocab: Vocabulary,
    excluded: list[tuple[int, int, str]],
    where: Passages,
    doc_year: int | None,
) -> tuple[list[dict[str, Any]], list[tuple[int, int, str]]]:
    """Deadline rows, and the spans of every calendar-year phrase (never counted as numbers).
    A year before the document's is a time reference, not a deadline; a phrase without a year
    (年内, 8月底前) takes the document's year when it is known."""
    rows: list[dict[str, Any]] = []
    years: list[tuple[int, int, str]] = []
    excluded_index = SpanIndex(excluded)
    lo, hi = vocab.get("year_range", [1949, 2100])
    for m in vocab.deadline_re.finditer(text):
        year = int(m.group("y"))
        if not lo <= year <= hi:
            continue
        years.append((m.start("y"), m.end(), "year"))
        if not (m.group("pre") or m.group("post") or m.group("qian") or m.group("since")):
            continue
        if _overlaps(m.start("y"), m.end("y") + 1, excluded_index):
            continue
        if m.group("post") in ("上半年", "下半年") and not (m.group("pre") or m.group("qian")):
            continue
        month = int(m.group("m")) if m.group("m") else None
        day = int(m.group("d")) if m.group("d") else None
        if day is not None and not (m.group("qian") or m.group("since")):
            continue
        if doc_year and year < doc_year:
            continue  # 于2009年…: a past date used as a time reference
        start, end = m.start(), m.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        phrase = text[m.start("y") : end]
        starts = tuple(vocab.get("deadline_start_words", ["年初", "初"]))
        deadline = resolve_deadline(phrase, year, month, day, m.group("post") or "", starts)
        rows.append(
            _row(
                doc_id, text, start, end,
                comparator="by", deadline=deadline, kind="deadline",
                status=deadline_status(where.mode_at(start)),
                subject=_subject(text, start, end, forward=True), actor=_actor(text, start, vocab),
            )
        )  # fmt: skip
    relative = vocab.relative_deadline_re
    # relative matches never overlap one another (finditer), so the spans they add below
    # cannot block a later one: one index of what is blocked before the loop is exact
    blocked = SpanIndex(excluded + years)
    for m in relative.finditer(text) if relative else ():
        if _overlaps(m.start(), m.end(), blocked):
            continue
        c0, _ = _clause_bounds(text, m.start(), m.end(), _CLAUSE_END)
        years.append((m.start(), m.end(), "relative"))
        if vocab.frequency_re.search(text[max(c0, m.start() - 6) : m.start()]):
            continue  # 每年1月底前, 每季度末5日前: a recurring date, read with its frequency
        rows.append(
            _row(
                doc_id, text, m.start(), m.end(),
                comparator="by", kind="deadline", status=deadline_status(where.mode_at(m.start())),
                _relative="month" if any(c.isdigit() for c in m.group()) else "year",
                deadline=relative_deadline(m.group(), doc_year) if doc_year else "",
                subject=_subject(text, m.start(), m.end(), forward=True),
                actor=_actor(text, m.start(), vocab),
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
    text: str,
    start: int,
    end: int,
    kind: str,
    freqs: list[tuple[int, int, str]],
    freq_starts: list[int],
) -> tuple[str, int | None]:
    """The ``per`` of a number and where its frequency word starts: the last frequency word
    before it in its clause, or in its sentence for counts of occurrences (每年…，举办两期以上).

    ``freqs`` is sorted and ``freq_starts`` holds their starts: only the words starting inside
    the clause are looked at."""
    s0, _ = _clause_bounds(text, start, end, _SENTENCE_END)
    c0, _ = _clause_bounds(text, start, end, _CLAUSE_END)
    reach = s0 if kind == "frequency" else c0
    first = bisect.bisect_left(freq_starts, reach)
    for i in range(bisect.bisect_left(freq_starts, start) - 1, first - 1, -1):
        fs, fe, fper = freqs[i]
        if fe <= start:
            return fper, fs
    return "", None


def _numbers(
    text: str,
    doc_id: str,
    vocab: Vocabulary,
    excluded: list[tuple[int, int, str]],
    freqs: list[tuple[int, int, str]],
    where: Passages,
) -> list[dict[str, Any]]:
    """Rows for every number+unit phrase that survives the exclusions."""
    rows = []
    excluded_index, freq_index = SpanIndex(excluded), SpanIndex(freqs)
    freq_starts = [f[0] for f in freqs]
    units = vocab.get("units")
    kinds = vocab.unit_kind
    lo, hi = vocab.get("year_range", [1949, 2100])
    one_verbs = vocab.one_verbs
    for m in vocab.number_re.finditer(text):
        core_start, core_end = m.start(), m.end()
        if _overlaps(core_start, core_end, excluded_index):
            continue
        if freq_index.covers(core_start):
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
        if vocab.condition_re.match(text[core_end : core_end + _LOOKAHEAD]):
            continue  # 对…1年内发生…的，…: a condition, not a commitment
        comparator, cmp_start = _comparator_of(text, m, b is not None, vocab)
        kind = kinds.get(unit, "quantity")
        per, freq_start = _period_of(text, core_start, core_end, kind, freqs, freq_starts)
        c0, _ = _clause_bounds(text, core_start, core_end, _CLAUSE_END + "、")
        clause_per = freq_start is not None and freq_start >= c0
        article = m.group("a") is not None and not m.group("a")[0].isdigit()
        if not comparator and not clause_per and a == 1 and b is None and article:
            if unit in vocab.get("article_units", []):
                continue  # 培育一批…, 建立一套…: always an article
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
                actor=_actor(text, start, vocab), status=quantity_status(
                    text, core_start, core_end, vocab, where.mode_at(core_start)
                ),
            )
        )  # fmt: skip
    return rows


def _bare_frequencies(
    text: str,
    doc_id: str,
    vocab: Vocabulary,
    freqs: list[tuple[int, int, str]],
    numbered: list[dict[str, Any]],
    where: Passages,
) -> list[dict[str, Any]]:
    """每年部署… / 实行每周通报制度: a period word with no number in its clause → once per period."""
    rows = []
    bare = set(vocab.get("bare_frequencies", []))
    vague = vocab.get("vague_after", [])
    # a numbered row [char_start, char_end] (end inclusive) blocks a frequency whose clause
    # [fs, c1) it touches
    numbered_index = SpanIndex((r["char_start"], r["char_end"] + 1) for r in numbered)
    for fs, fe, per in freqs:
        word = text[fs:fe]
        if word not in bare and not vocab.every_n_years_re.fullmatch(word):
            continue
        _, c1 = _clause_bounds(text, fs, fe, _CLAUSE_END)
        if numbered_index.overlaps(fs, c1):
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
                subject=rest.strip()[:20], actor=_actor(text, fs, vocab),
                status=quantity_status(text, fs, fe, vocab, where.mode_at(fs)),
            )
        )  # fmt: skip
    return rows


def extract_targets(
    text: str,
    doc_id: str = "",
    vocab: Vocabulary | None = None,
    *,
    year: int | None = None,
    measures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every quantity in a clean text, in text order, each with its ``status``.

    ``year`` (the document's) resolves deadlines written without one and drops past years;
    ``measures`` (with a ``mode`` column) gives the passage of each number
    (:mod:`compare.targets.status`). Returns the ``targets`` table with ``measure_id`` and
    ``indicator`` empty.
    """
    vocab = vocab or load_vocabulary()
    where = passages(text, vocab, year, measures)
    excluded = _excluded_spans(text, vocab)
    deadline_rows, years = _deadlines(text, doc_id, vocab, excluded, where, year)
    freqs = _frequency_spans(text, vocab)
    excluded_index = SpanIndex(excluded)
    freqs = [f for f in freqs if not _overlaps(f[0], f[1], excluded_index)]
    blocked = (
        excluded + years + [(r["char_start"], r["char_end"], "deadline") for r in deadline_rows]
    )
    number_rows = _merge_ranges(text, _numbers(text, doc_id, vocab, blocked, freqs, where))
    bare_rows = _bare_frequencies(text, doc_id, vocab, freqs, number_rows, where)
    deadline_rows = [
        r
        for r in deadline_rows
        if not (r.get("_relative") == "year" and _clause_holds(text, r, number_rows))
    ]
    rows = sorted(
        deadline_rows + number_rows + bare_rows, key=lambda r: (r["char_start"], r["char_end"])
    )
    return _frame([r for r in rows if where.mode_at(r["char_start"]) not in NOT_QUANTITIES])


def _merge_ranges(text: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``X以上Y以下`` as one range (处五万元以上五十万元以下罚款: value 5万, value_max 50万):
    a ``>=`` row directly followed by a ``<=`` row of the same unit."""
    out: list[dict[str, Any]] = []
    for row in sorted(rows, key=lambda r: r["char_start"]):
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev["comparator"] == ">="
            and row["comparator"] == "<="
            and prev["unit"] == row["unit"]
            and not text[prev["char_end"] : row["char_start"]].strip()
            and prev["value"] <= row["value"]
        ):
            prev.update(value_max=row["value"], comparator="range", char_end=row["char_end"])
            prev["quote"] = text[prev["char_start"] : prev["char_end"]]
            continue
        out.append(row)
    return out


def _clause_holds(text: str, row: dict[str, Any], others: list[dict[str, Any]]) -> bool:
    """Whether the clause of ``row`` holds one of ``others`` (年内完成查违235万平方米: a 年内
    without a month belongs to that quantity's commitment)."""
    c0, c1 = _clause_bounds(text, row["char_start"], row["char_end"], _CLAUSE_END)
    return any(c0 <= o["char_start"] < c1 for o in others)


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


# --------------------------------------------------------------------------- side by side
