"""Deadline rows (``2023年年底前`` → 2023-12-31, ``年内``, ``8月底前``) and the spans of every
calendar-year phrase, which are never read as numbers."""

from __future__ import annotations

from typing import Any

from compare.targets.normalise import relative_deadline, resolve_deadline
from compare.targets.rows import actor_of, make_row, subject_of
from compare.targets.spans import CLAUSE_END, SpanIndex, clause_bounds
from compare.targets.status import Passages, deadline_status
from compare.targets.vocabulary import Vocabulary


def deadline_rows(
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
        if excluded_index.overlaps(m.start("y"), m.end("y") + 1):
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
            make_row(
                doc_id, text, start, end,
                comparator="by", deadline=deadline, kind="deadline",
                status=deadline_status(where.mode_at(start)),
                subject=subject_of(text, start, end, forward=True), actor=actor_of(text, start, vocab),
            )
        )  # fmt: skip
    relative = vocab.relative_deadline_re
    # relative matches never overlap one another (finditer), so the spans they add below
    # cannot block a later one: one index of what is blocked before the loop is exact
    blocked = SpanIndex(excluded + years)
    for m in relative.finditer(text) if relative else ():
        if blocked.overlaps(m.start(), m.end()):
            continue
        c0, _ = clause_bounds(text, m.start(), m.end(), CLAUSE_END)
        years.append((m.start(), m.end(), "relative"))
        if vocab.frequency_re.search(text[max(c0, m.start() - 6) : m.start()]):
            continue  # 每年1月底前, 每季度末5日前: a recurring date, read with its frequency
        rows.append(
            make_row(
                doc_id, text, m.start(), m.end(),
                comparator="by", kind="deadline", status=deadline_status(where.mode_at(m.start())),
                _relative="month" if any(c.isdigit() for c in m.group()) else "year",
                deadline=relative_deadline(m.group(), doc_year) if doc_year else "",
                subject=subject_of(text, m.start(), m.end(), forward=True),
                actor=actor_of(text, m.start(), vocab),
            )
        )  # fmt: skip
    return rows, years
