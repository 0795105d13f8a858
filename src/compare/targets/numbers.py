"""Number+unit phrases (``1-2名``, ``不少于…总数的5%``, ``每年不少于2次``) as ``targets`` rows, and
frequency words (每年, 每两年, 任期内) with their ``per``: the conventions are in
:mod:`compare.targets.extract`."""

from __future__ import annotations

import bisect
import re
from typing import Any

from compare.targets.rows import actor_of, make_row, subject_of
from compare.targets.spans import CLAUSE_END, SENTENCE_END, SpanIndex, clause_bounds
from compare.targets.status import Passages, quantity_status
from compare.targets.vocabulary import _CN_DIGITS, MULTIPLIERS, Vocabulary
from compare.text.numerals import parse_numeral

_DIGIT_OR_STOP_RE = re.compile(r"\d|[。；]")
_DU_RE = re.compile(r"\s*度")

#: How far after a number ``condition_pattern`` (data/targets.yml) may look: the slice it is
#: matched against ends here, instead of copying the rest of the text for every number.
_LOOKAHEAD = 500


def excluded_spans(text: str, vocab: Vocabulary) -> list[tuple[int, int, str]]:
    """Spans that never hold a target: exclusion patterns, slogans, short quoted phrases."""
    spans = [
        (m.start(), m.end(), name) for name, rx in vocab.exclusion_res for m in rx.finditer(text)
    ]
    for rx in vocab.slogan_res:
        spans += [(m.start(), m.end(), "slogan") for m in rx.finditer(text)]
    for rx in vocab.quote_res:
        spans += [(m.start(), m.end(), "quoted") for m in rx.finditer(text)]
    return spans


def overlaps(a: int, b: int, spans: SpanIndex) -> bool:
    return spans.overlaps(a, b)


def _per_of(word: str, vocab: Vocabulary) -> str:
    m = vocab.every_n_years_re.fullmatch(word)
    if m:
        n = parse_numeral(m.group("n"))
        period = {"年": "year", "月": "month", "周": "week", "季度": "quarter"}[m.group("p")]
        return period if n == 1 else f"{int(n or 0)}-{period}"
    return vocab.get("frequencies", {}).get(word, "")


def frequency_spans(text: str, vocab: Vocabulary) -> list[tuple[int, int, str]]:
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
        if m.group() in weak and prev and prev not in CLAUSE_END + "、":
            continue
        if prev and prev in _CN_DIGITS + "十":
            continue  # 十一月一日 is a date, not 一月一 (once a month)
        if not taken.overlaps(m.start(), m.end()):
            found.append((m.start(), m.end(), _per_of(m.group(), vocab)))
    return sorted(found)


def _comparator_before(text: str, start: int, vocab: Vocabulary) -> tuple[str, int]:
    """The comparator standing before a number in its clause, and where it starts."""
    c0, _ = clause_bounds(text, start, start, CLAUSE_END + "、")
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
    """Value, upper value and unit of a number match (百分之三十 → 30 %, 三分之一 → 33.3 %,
    一半 → 50 %)."""
    if m.group("pct"):
        pct = 100.0 if m.group("pct") == "百" else parse_numeral(m.group("pct"))
        return pct, None, "%"
    if m.group("half"):
        return 50.0, None, "%"
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
    scale = MULTIPLIERS.get(m.group("mult") or "", 1.0)
    a, b = (None if a is None else a * scale), (None if b is None else b * scale)
    return a, b, units[m.group("unit")]


def _ratio_context(text: str, start: int, vocab: Vocabulary) -> bool:
    """A ratio like 1:2 counts only after a comparator or the word 比例 in its clause."""
    c0, _ = clause_bounds(text, start, start, CLAUSE_END)
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
    s0, _ = clause_bounds(text, start, end, SENTENCE_END)
    c0, _ = clause_bounds(text, start, end, CLAUSE_END)
    reach = s0 if kind == "frequency" else c0
    first = bisect.bisect_left(freq_starts, reach)
    for i in range(bisect.bisect_left(freq_starts, start) - 1, first - 1, -1):
        fs, fe, fper = freqs[i]
        if fe <= start:
            return fper, fs
    return "", None


def number_rows(
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
        if overlaps(core_start, core_end, excluded_index):
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
        c0, _ = clause_bounds(text, core_start, core_end, CLAUSE_END + "、")
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
            c0b, c1b = clause_bounds(text, core_start, core_end, CLAUSE_END)
            scope = any(w in text[c0b:c1b] for w in vocab.get("scope_words", []))
            scope = scope or text[core_start - 1 : core_start] == "的"
            kind = "scope" if scope else "quantity"
        rows.append(
            make_row(
                doc_id, text, start, core_end,
                value=a, value_max=b if b is not None else float("nan"),
                comparator=comparator or "=", unit=unit, per=per, kind=kind,
                subject=subject_of(text, start, core_end),
                actor=actor_of(text, start, vocab), status=quantity_status(
                    text, core_start, core_end, vocab, where.mode_at(core_start)
                ),
            )
        )  # fmt: skip
    return rows


def bare_frequency_rows(
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
        _, c1 = clause_bounds(text, fs, fe, CLAUSE_END)
        if numbered_index.overlaps(fs, c1):
            continue
        rest = text[fe:c1]
        if any(v in rest for v in vague):
            continue
        if _DU_RE.match(rest):
            continue  # 每年度…: a yearly cycle, read with 年度
        end = min(c1, fe + 30)
        rows.append(
            make_row(
                doc_id, text, fs, end,
                value=1.0, comparator="=", unit="次", per=per, kind="frequency",
                subject=rest.strip()[:20], actor=actor_of(text, fs, vocab),
                status=quantity_status(text, fs, fe, vocab, where.mode_at(fs)),
            )
        )  # fmt: skip
    return rows
