"""One row of the ``targets`` table and the table itself: the fixed columns, who acts
(:func:`actor_of`) and what is counted (:func:`subject_of`) for a quantity."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from compare import frames
from compare.targets.spans import CLAUSE_END, SENTENCE_END, clause_bounds, last_stop
from compare.targets.vocabulary import Vocabulary

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


def actor_of(text: str, start: int, vocab: Vocabulary) -> str:
    """Who must act: the sentence opening before its first ``actor_stop_words`` word (a verb,
    a frequency word), when it names a body (``actor_words``: 政府, 部门, 班子 …)."""
    s0, _ = clause_bounds(text, start, start, SENTENCE_END)
    c0 = max(s0, last_stop(text, start, "，,") + 1)
    for lo in (c0, s0):
        head = text[lo:start]
        m = vocab.actor_stop_re.search(head)
        cand = (head[: m.start()] if m else head).strip(" ，、")
        if 1 < len(cand) <= 25 and vocab.actor_re.search(cand):
            return cand
    return ""


def subject_of(text: str, start: int, end: int, forward: bool = False) -> str:
    """What is counted: the rest of the clause after the number, else (``forward``, for
    deadlines) the next clause, else the words before it."""
    _, c1 = clause_bounds(text, start, end, CLAUSE_END + "、")
    after = _LEADING_PARTICLES_RE.sub("", text[end:c1]).strip()
    if not after and forward and c1 < len(text) and text[c1] in "，,：":
        _, c2 = clause_bounds(text, c1 + 1, c1 + 1, CLAUSE_END)
        after = text[c1 + 1 : c2].strip()
    if after:
        return after[:20]
    c0, _ = clause_bounds(text, start, end, CLAUSE_END + "、")
    before = text[c0:start].strip()
    return before[-15:]


def make_row(doc_id: str, text: str, start: int, end: int, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    row.update(doc_id=doc_id, quote=text[start:end], char_start=start, char_end=end)
    row.update(value=float("nan"), value_max=float("nan"))
    row.update(fields)
    return row


def to_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
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
            texts = [frames.text_cell(v) for v in cells]
            columns[col] = frames.text_array(texts) if texts else pd.array(texts, dtype=str)
    return frames.frame(columns, COLUMNS)
