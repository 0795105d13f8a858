"""The transparent aligner: each topic scored by the taxonomy's weighted seed terms found in the
text (sublinear term frequency; terms in the measure's heading count ``heading_boost`` times);
a category's score is the sum of its topics'.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from compare.align.base import (
    FALLBACK_CATEGORY,
    LEVELS,
    _as_batch,
    _Batch,
    _first_topic,
    _normalise,
    _resolve_taxonomy,
)
from compare.align.taxonomy import Taxonomy
from compare.errors import CompareError


def longest_match_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """One regex matching, at each position, the longest of ``terms`` that starts there (what
    the alternation of the terms longest first matches), written as a trie: at each character
    one branch can follow, so the regex engine reads the text once instead of trying every
    term at every position (half the time of the alternation on the seed measures)."""
    trie: dict[str, dict] = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: dict[str, dict]) -> str:
        alternatives = [re.escape(ch) + branch(node[ch]) for ch in sorted(node) if ch]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
        # a term ends here: the longer terms are tried first, then the match stops here
        return f"(?:{body})?" if "" in node else body

    return re.compile(branch(trie))


class _Lexicon:
    """Seed terms compiled into one longest-match regex (:func:`longest_match_pattern`);
    counts non-overlapping matches."""

    def __init__(self, tax: Taxonomy) -> None:
        self.topics: list[str] = tax.topic_ids
        self.categories: list[str] = tax.category_ids
        topic_index = {t: i for i, t in enumerate(self.topics)}
        cat_index = {c: i for i, c in enumerate(self.categories)}
        self.topic_to_cat = np.array([cat_index[c] for c in tax.topics["category_id"]], dtype=int)
        self.term_topics: dict[str, list[tuple[int, float]]] = {}
        for tid, terms, weights in zip(
            tax.topics["topic_id"], tax.topics["terms"], tax.topics["weights"], strict=True
        ):
            for term, w in zip(terms, weights, strict=True):
                self.term_topics.setdefault(term, []).append((topic_index[tid], float(w)))
        self.pattern = longest_match_pattern(self.term_topics) if self.term_topics else None
        #: Equal for lexicons built from equal taxonomies: they may share their scores.
        value = (
            tuple(self.topics),
            tuple(self.categories),
            tuple(self.topic_to_cat.tolist()),
            tuple((t, tuple(v)) for t, v in self.term_topics.items()),
        )
        self.signature = hashlib.sha256(repr(value).encode()).hexdigest()

    def counts(self, text: str) -> dict[str, int]:
        """Non-overlapping counts of each term (longest match wins at a position)."""
        out: dict[str, int] = {}
        if self.pattern is None or not text:
            return out
        return dict(Counter(self.pattern.findall(text)))

    def topic_scores(
        self, heading: str, body: str, heading_boost: float
    ) -> tuple[np.ndarray, dict[str, float]]:
        """Topic score vector of a measure (its ``heading`` and ``body`` columns) and each
        matched term's contribution (for evidence)."""
        scores = np.zeros(len(self.topics))
        contrib: dict[str, float] = {}
        in_head = self.counts(heading)
        in_body = self.counts(body)
        for term in sorted(set(in_head) | set(in_body)):  # fixed order: same floats every run
            n = in_body.get(term, 0)
            tf = (1.0 + math.log(n)) if n else 0.0
            tf += heading_boost * min(in_head.get(term, 0), 1)
            for ti, w in self.term_topics[term]:
                scores[ti] += w * tf
                contrib[term] = contrib.get(term, 0.0) + w * tf
        return scores, contrib

    def category_scores(self, topic_scores: np.ndarray) -> np.ndarray:
        """Sum topic scores into their categories (works on one row or a matrix)."""
        ts = np.atleast_2d(topic_scores)
        out = np.zeros((ts.shape[0], len(self.categories)))
        np.add.at(out.T, self.topic_to_cat, ts.T)
        return out


class LexiconAligner(ClassifierMixin, BaseEstimator):
    """Transparent scorer: weighted seed terms of each topic found in the text.

    Parameters: ``taxonomy`` (a :class:`Taxonomy`, a path, or None for the default file);
    ``level`` (``"topic"`` or ``"category"``: what ``predict`` returns); ``heading_boost``
    (extra weight of a term found in the measure's short heading).
    """

    method = "lexicon"
    #: Fitted from the taxonomy alone: labels are only checked (``fit_aligners`` needs none).
    learns = False

    def __init__(
        self,
        taxonomy: Taxonomy | str | Path | None = None,
        level: str = "topic",
        heading_boost: float = 2.0,
    ) -> None:
        self.taxonomy = taxonomy
        self.level = level
        self.heading_boost = heading_boost

    def fit(self, X: Any, y: Sequence[str] | None = None) -> LexiconAligner:
        """Record ``classes_`` (every id of the level); checks that labels ``y`` are known."""
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {self.level!r}")
        tax = _resolve_taxonomy(self.taxonomy)
        self.taxonomy_ = tax
        self.lexicon_ = _Lexicon(tax)
        ids = self.lexicon_.topics if self.level == "topic" else self.lexicon_.categories
        self.classes_ = np.array(ids, dtype=object)
        if y is not None:
            unknown = sorted(set(map(str, y)) - set(ids))
            if unknown:
                raise CompareError(f"labels not in the taxonomy ({self.level}): {unknown[:5]}")
        return self

    def _check(self) -> None:
        check_is_fitted(self, "lexicon_")

    def topic_scores(self, X: Any) -> np.ndarray:
        """Raw topic scores, shape (n, n_topics)."""
        return self._topic_scores(_as_batch(X))

    def decision_function(self, X: Any) -> np.ndarray:
        """Raw scores for ``classes_``: topic scores, or category sums of them."""
        return self._decision(_as_batch(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Scores normalised to sum to one (uniform when nothing matched)."""
        return self._proba(_as_batch(X))

    def predict(self, X: Any) -> np.ndarray:
        """Best-scoring class; texts without any seed term get the C11 fallback."""
        return self._predict(_as_batch(X))

    def explain(self, X: Any, top: int = 5) -> list[str]:
        """Evidence per text: the matched seed terms of the predicted class, strongest first."""
        batch = _as_batch(X)
        return self._evidence(batch, self._predict(batch), top)

    def evidence_for(self, X: Any, labels: Sequence[str], top: int = 5) -> list[str]:
        """Matched seed terms that support the given class of each text, strongest first."""
        return self._evidence(_as_batch(X), labels, top)

    # the same on a batch of texts (shared work)

    def _topic_scores(self, batch: _Batch) -> np.ndarray:
        self._check()
        return batch.lexicon(self.lexicon_, self.heading_boost)[0]

    def _decision(self, batch: _Batch) -> np.ndarray:
        ts = self._topic_scores(batch)
        return ts if self.level == "topic" else self.lexicon_.category_scores(ts)

    def _proba(self, batch: _Batch) -> np.ndarray:
        return _normalise(self._decision(batch))

    def _predict(self, batch: _Batch) -> np.ndarray:
        scores = self._decision(batch)
        pred = self.classes_[np.argmax(scores, axis=1)] if len(scores) else np.array([])
        empty = scores.sum(axis=1) <= 0 if len(scores) else np.array([], dtype=bool)
        if empty.any():
            fallback = (
                FALLBACK_CATEGORY
                if self.level == "category"
                else _first_topic(self.taxonomy_, FALLBACK_CATEGORY)
            )
            pred = pred.copy()
            pred[empty] = fallback
        return pred

    def _explain(self, batch: _Batch, top: int) -> list[str]:
        return self._evidence(batch, self._predict(batch), top)

    def _evidence(self, batch: _Batch, labels: Sequence[str], top: int) -> list[str]:
        self._check()
        contribs = batch.lexicon(self.lexicon_, self.heading_boost)[1]
        out = []
        for contrib, label in zip(contribs, labels, strict=True):
            keep = [
                (term, c)
                for term, c in contrib.items()
                if any(self._belongs(ti, label) for ti, _ in self.lexicon_.term_topics[term])
            ]
            keep.sort(key=lambda tc: (-tc[1], tc[0]))
            out.append("; ".join(t for t, _ in keep[:top]))
        return out

    def _belongs(self, topic_index: int, label: str) -> bool:
        if self.level == "topic":
            return self.lexicon_.topics[topic_index] == label
        return self.lexicon_.categories[self.lexicon_.topic_to_cat[topic_index]] == label


class LexiconFeatures(TransformerMixin, BaseEstimator):
    """The lexicon's normalised category (or topic) scores as dense features, times ``weight``."""

    def __init__(
        self,
        taxonomy: Taxonomy | str | Path | None = None,
        level: str = "category",
        weight: float = 1.0,
    ) -> None:
        self.taxonomy = taxonomy
        self.level = level
        self.weight = weight

    def fit(self, X: Any, y: Any = None) -> LexiconFeatures:
        """Build the lexicon."""
        self.scorer_ = LexiconAligner(self.taxonomy, level=self.level).fit(None)
        self.n_features_in_ = 1
        return self

    def transform(self, X: Any) -> sparse.csr_matrix:
        """Normalised lexicon scores (rows without any match are all zero)."""
        return self._transform(_as_batch(X))

    def _transform(self, batch: _Batch) -> sparse.csr_matrix:
        raw = self.scorer_._decision(batch)
        total = raw.sum(axis=1, keepdims=True)
        norm = np.divide(raw, total, out=np.zeros_like(raw), where=total > 0)
        return sparse.csr_matrix(norm * self.weight)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``lex:<id>`` per class of the scorer."""
        return np.array([f"lex:{c}" for c in self.scorer_.classes_], dtype=object)
