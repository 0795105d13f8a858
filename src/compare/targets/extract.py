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

from typing import Any

import pandas as pd

from compare.targets.deadlines import deadline_rows
from compare.targets.numbers import (
    bare_frequency_rows,
    excluded_spans,
    frequency_spans,
    number_rows,
    overlaps,
)
from compare.targets.rows import COLUMNS, to_frame
from compare.targets.spans import CLAUSE_END, SpanIndex, clause_bounds
from compare.targets.status import NOT_QUANTITIES, passages
from compare.targets.vocabulary import Vocabulary, load_vocabulary

__all__ = ["COLUMNS", "extract_targets"]


def extract_targets(
    text: str,
    doc_id: str = "",
    vocab: Vocabulary | None = None,
    *,
    year: int | None = None,
    measures: pd.DataFrame | None = None,
    kind: str | None = None,
) -> pd.DataFrame:
    """Every quantity in a clean text, in text order, each with its ``status``.

    ``year`` (the document's) resolves deadlines written without one and drops past years;
    ``measures`` (with a ``mode`` column) gives the passage of each number
    (:mod:`compare.targets.status`); ``kind`` is the document's structure (``regulation``,
    ``plan``, ``report``…, :mod:`compare.structure.kinds`). Returns the ``targets`` table with
    ``measure_id`` and ``indicator`` empty.
    """
    vocab = vocab or load_vocabulary()
    where = passages(text, vocab, year, measures, kind)
    excluded = excluded_spans(text, vocab)
    dated, years = deadline_rows(text, doc_id, vocab, excluded, where, year)
    excluded_index = SpanIndex(excluded)
    freqs = [f for f in frequency_spans(text, vocab) if not overlaps(f[0], f[1], excluded_index)]
    blocked = excluded + years + [(r["char_start"], r["char_end"], "deadline") for r in dated]
    numbered = merge_ranges(text, number_rows(text, doc_id, vocab, blocked, freqs, where))
    bare = bare_frequency_rows(text, doc_id, vocab, freqs, numbered, where)
    dated = [
        r for r in dated if not (r.get("_relative") == "year" and clause_holds(text, r, numbered))
    ]
    rows = sorted(dated + numbered + bare, key=lambda r: (r["char_start"], r["char_end"]))
    return to_frame([r for r in rows if where.mode_at(r["char_start"]) not in NOT_QUANTITIES])


def merge_ranges(text: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
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


def clause_holds(text: str, row: dict[str, Any], others: list[dict[str, Any]]) -> bool:
    """Whether the clause of ``row`` holds one of ``others`` (年内完成查违235万平方米: a 年内
    without a month belongs to that quantity's commitment)."""
    c0, c1 = clause_bounds(text, row["char_start"], row["char_end"], CLAUSE_END)
    return any(c0 <= o["char_start"] < c1 for o in others)
