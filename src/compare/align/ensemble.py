"""The ensemble aligner: a weighted mean of other aligners' class probabilities.

Any aligner of the common contract can be a member (``fit / predict / predict_proba /
explain`` and their batch forms). The default pairs the lexicon (the taxonomy's seed terms:
knows every category, even one nobody labelled) with the learned character model (knows how
the labelled measures are worded). ``explain`` names the evidence each member has for the
ensemble's choice: seed terms, the words or n-grams that weighed most, or nearest labelled
examples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from compare.align.base import _as_batch, _Batch
from compare.errors import CompareError


class EnsembleAligner(ClassifierMixin, BaseEstimator):
    """Weighted mean of the members' probabilities over the union of their classes.

    Parameters: ``members`` (a list of ``(name, aligner)`` pairs, unfitted; each is cloned
    and fitted on the same texts); ``weights`` (one per member, default equal; normalised to
    sum to one). Fitted state: ``members_`` (the fitted clones), ``weights_``, ``classes_``.
    """

    method = "ensemble"

    def __init__(
        self, members: Sequence[tuple[str, Any]] = (), weights: Sequence[float] | None = None
    ) -> None:
        self.members = members
        self.weights = weights

    def fit(self, X: Any, y: Sequence[str]) -> EnsembleAligner:
        """Fit a clone of every member on ``X``, ``y``."""
        if not self.members:
            raise CompareError("the ensemble needs at least one member aligner")
        weights = np.ones(len(self.members)) if self.weights is None else np.asarray(self.weights)
        if len(weights) != len(self.members) or (weights < 0).any() or weights.sum() <= 0:
            raise CompareError("ensemble weights: one non-negative weight per member, not all 0")
        labels = [str(v) for v in y]
        self.members_ = [(name, clone(m).fit(X, labels)) for name, m in self.members]
        self.weights_ = weights / weights.sum()
        self.classes_ = np.array(
            sorted({str(c) for _, m in self.members_ for c in m.classes_}), dtype=object
        )
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Weighted mean of the members' probabilities (columns: ``classes_``)."""
        return self._proba(_as_batch(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most likely class."""
        return self._predict(_as_batch(X))

    def explain(self, X: Any, top: int = 5) -> list[str]:
        """Evidence per text: what each member has for the chosen class, strongest first."""
        return self._explain(_as_batch(X), top)

    # the same on a batch of texts (shared work with align_measures)

    def _proba(self, batch: _Batch) -> np.ndarray:
        check_is_fitted(self, "members_")
        return batch.cached(self, "proba", lambda: self._mean_proba(batch))

    def _mean_proba(self, batch: _Batch) -> np.ndarray:
        index = {c: j for j, c in enumerate(self.classes_)}
        out = np.zeros((len(batch.texts), len(self.classes_)))
        for (_, member), w in zip(self.members_, self.weights_, strict=True):
            cols = [index[str(c)] for c in member.classes_]
            out[:, cols] += w * member._proba(batch)
        return out

    def _predict(self, batch: _Batch) -> np.ndarray:
        proba = self._proba(batch)
        if not len(proba):
            return np.array([], dtype=object)
        return self.classes_[np.argmax(proba, axis=1)]

    def _explain(self, batch: _Batch, top: int) -> list[str]:
        return self._evidence(batch, self._predict(batch), top)

    def _evidence(self, batch: _Batch, labels: Sequence[str], top: int) -> list[str]:
        """Each member's evidence for ``labels[i]`` (members by weight), pieces not repeated."""
        order = np.argsort(-self.weights_, kind="stable")
        parts = [self.members_[k][1]._evidence(batch, labels, top) for k in order]
        out = []
        for i in range(len(labels)):
            pieces: list[str] = []
            for member_parts in parts:
                for piece in member_parts[i].split("; "):
                    if piece and not any(piece in p or p in piece for p in pieces):
                        pieces.append(piece)
            out.append("; ".join(pieces[:top]))
        return out
