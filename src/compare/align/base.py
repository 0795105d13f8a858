"""What every aligner shares: the ``alignments`` columns, the input contract (texts, or a
measures table and its ``text`` column) and :class:`_Batch`, the work done once per list of texts
and shared by every aligner reading it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from compare.align.taxonomy import Taxonomy, load_taxonomy
from compare.config import DataFiles
from compare.errors import CompareError
from compare.frames import text_cell

ALIGNMENT_COLUMNS = [
    "doc_id",
    "measure_id",
    "category_id",
    "national2021",
    "topic_id",
    "score",
    "evidence",
    "method",
    "secondary",
]


LEVELS = ("category", "topic")


#: Category used when a text carries no evidence at all.
FALLBACK_CATEGORY = "C11_other"


def _as_texts(X: Any) -> list[str]:
    """Texts from a list/Series of str or a DataFrame with a ``text`` column; a table's
    ``parent_headings`` (the 章/节 or part headings above a measure) go before its text, for
    labels and measures alike, so a short item (两年内…被处罚3次以上的) is read with the matter
    its section names (从重处罚情形)."""
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise CompareError("measures need a 'text' column")
        if "parent_headings" in X.columns:
            pairs = zip(X["parent_headings"], X["text"], strict=True)
            return [with_headings_above(text_cell(a), text_cell(t)) for a, t in pairs]
        X = X["text"]
    if isinstance(X, str):
        raise TypeError("expected an iterable of texts, got one str")
    return [text_cell(v) for v in X]


def with_headings_above(above: str, text: str) -> str:
    """What an aligner reads of a measure: the headings above it, a newline, its text."""
    return f"{above}\n{text}" if above else text


def _as_batch(X: Any) -> _Batch:
    """A fresh :class:`_Batch` of ``X``: a measures table lends its ``heading`` and ``body``
    columns (read, never re-derived: design.md), plain texts are all body."""
    texts = _as_texts(X)
    if isinstance(X, pd.DataFrame) and {"heading", "body"} <= set(X.columns):
        return _Batch(
            texts, [text_cell(v) for v in X["heading"]], [text_cell(v) for v in X["body"]]
        )
    return _Batch(texts)


def _resolve_taxonomy(
    taxonomy: Taxonomy | str | Path | None, data: DataFiles | None = None
) -> Taxonomy:
    if isinstance(taxonomy, Taxonomy):
        return taxonomy
    return load_taxonomy(taxonomy, data=data)


def _normalise(scores: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to one; an all-zero row becomes uniform."""
    scores = np.asarray(scores, dtype=float)
    total = scores.sum(axis=1, keepdims=True)
    uniform = np.full_like(scores, 1.0 / scores.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, scores / np.where(total > 0, total, 1.0), uniform)


class _Batch:
    """Work done once per list of texts and shared by every aligner that reads it: each text's
    lexicon scores (per distinct lexicon), and each model's feature matrix and probabilities.

    The public estimator methods build a fresh batch per call; :func:`align_measures` builds one
    for all its aligners, so no text is scored, tokenised or transformed twice.
    """

    def __init__(
        self, texts: list[str], headings: list[str] | None = None, bodies: list[str] | None = None
    ) -> None:
        self.texts = texts
        #: Each measure's short heading and its body, as the measures table holds them (no
        #: heading, the whole text as body, when the texts came without them).
        self.headings = headings if headings is not None else [""] * len(texts)
        self.bodies = bodies if bodies is not None else texts
        if not len(self.headings) == len(self.bodies) == len(texts):
            raise CompareError("texts, headings and bodies differ in length")
        self.memo: dict[Any, Any] = {}

    def lexicon(self, lex: Any, heading_boost: float) -> tuple[np.ndarray, list[dict]]:
        """Topic scores (n, n_topics) and each text's term contributions."""
        key = ("lexicon", lex.signature, float(heading_boost))
        if key not in self.memo:
            rows = [
                lex.topic_scores(h, b, heading_boost)
                for h, b in zip(self.headings, self.bodies, strict=True)
            ]
            scores = np.vstack([r[0] for r in rows]) if rows else np.zeros((0, len(lex.topics)))
            self.memo[key] = (scores, [r[1] for r in rows])
        return self.memo[key]

    def memo_value(self, key: Any, make: Any) -> Any:
        """``make()`` once per hashable ``key``."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def cached(self, owner: Any, what: str, make: Any) -> Any:
        """``make()`` once per (object, what), for this batch only: the memo lives and dies
        with the batch, and keeps ``owner`` alive, so its identity cannot be reused."""
        key = (what, id(owner))
        if key not in self.memo:
            self.memo[key] = (owner, make())
        return self.memo[key][1]


def _first_topic(tax: Taxonomy, category_id: str) -> str:
    return str(tax.topics.loc[tax.topics["category_id"] == category_id, "topic_id"].iloc[0])
