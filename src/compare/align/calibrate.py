"""Calibrated confidence: the probability that an aligner's top category is the reader's.

:func:`fit_calibration` predicts every labelled measure with a copy of the aligner fitted
without that measure's document group (grouped k-fold, so no figure comes from a text the
model was trained on) and fits an isotonic map from the aligner's top probability to "was it
right". :class:`Calibration` applies it; below ``threshold`` a measure is ``unassigned``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import GroupKFold

from compare.align.base import _as_batch

#: Category written when the calibrated score is below the threshold.
UNASSIGNED = "unassigned"

#: Calibrated score below which a measure is left unassigned. Chosen on the development split
#: (leave-one-document-out over the seed labels and the dev gold, notebook 06): the highest
#: threshold that leaves at most 10 % of the dev measures unassigned.
UNASSIGNED_BELOW = 0.5

#: ``secondary`` names another category whose probability is at least this share of the top's.
SECONDARY_RATIO = 0.5


@dataclass(frozen=True)
class Calibration:
    """An isotonic map from an aligner's top probability to the chance it is right."""

    model: IsotonicRegression | None
    threshold: float = UNASSIGNED_BELOW

    def score(self, top_probability: np.ndarray) -> np.ndarray:
        """Calibrated probability of each top category (the raw one when not fitted)."""
        p = np.asarray(top_probability, dtype=float)
        if self.model is None or p.size == 0:
            return p
        return np.asarray(self.model.predict(p), dtype=float)

    def assigned(self, score: np.ndarray) -> np.ndarray:
        """Which calibrated scores pass the threshold."""
        return np.asarray(score) >= self.threshold


def top_probability(aligner: Any, proba: np.ndarray, predicted: Sequence[str]) -> np.ndarray:
    """Each row's probability of its predicted class."""
    index = {str(c): j for j, c in enumerate(aligner.classes_)}
    return np.array([proba[i, index[str(p)]] for i, p in enumerate(predicted)], dtype=float)


def fold_prediction(
    aligner: Any, texts: list[str], y: np.ndarray, train: Any, test: Any
) -> tuple[Any, np.ndarray, np.ndarray]:
    """``test``, and the class and its probability predicted for each ``test`` text by a clone of
    ``aligner`` fitted on the ``train`` texts."""
    model = clone(aligner).fit([texts[i] for i in train], y[train])
    chunk = _as_batch([texts[i] for i in test])  # one batch: the texts are transformed once
    predicted = model._predict(chunk)
    return test, predicted, top_probability(model, model._proba(chunk), predicted)


def gather_folds(
    n: int, folds: Iterable[tuple[Any, np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fold_prediction` results as one predicted class and probability per text (None
    and 0 where no fold tests)."""
    pred = np.empty(n, dtype=object)
    top = np.zeros(n)
    for test, predicted, probability in folds:
        pred[test] = predicted
        top[test] = probability
    return pred, top


def held_out_predictions(
    aligner: Any, texts: list[str], y: np.ndarray, splits: Iterable[tuple[Any, Any]]
) -> tuple[np.ndarray, np.ndarray]:
    """Predicted class and its probability for the ``test`` texts of each ``(train, test)`` split,
    from a clone of ``aligner`` fitted on the ``train`` texts (None and 0 where no split tests)."""
    folds = (fold_prediction(aligner, texts, y, train, test) for train, test in splits)
    return gather_folds(len(texts), folds)


def fold_splits(
    y: Sequence[str], groups: Sequence[str], folds: int = 5
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Grouped k-fold ``(train, test)`` splits (fewer folds when there are few groups), keeping
    those whose training part holds at least two classes."""
    y = np.asarray([str(v) for v in y], dtype=object)
    groups = np.asarray([str(g) for g in groups], dtype=object)
    n_folds = min(folds, len(set(groups)))
    if n_folds < 2:
        return []
    splits = GroupKFold(n_splits=n_folds).split(np.zeros(len(y)), y, groups)
    return [(tr, te) for tr, te in splits if len(set(y[tr])) >= 2]


def out_of_fold(
    aligner: Any, texts: list[str], y: Sequence[str], groups: Sequence[str], folds: int = 5
) -> tuple[np.ndarray, np.ndarray]:
    """Predicted class and its probability for every text, each from a clone of ``aligner``
    fitted on the other groups' texts (:func:`fold_splits`)."""
    labels = np.asarray([str(v) for v in y], dtype=object)
    return held_out_predictions(aligner, texts, labels, fold_splits(y, groups, folds))


def calibration_from(
    pred: np.ndarray, top: np.ndarray, y: Sequence[str], threshold: float = UNASSIGNED_BELOW
) -> Calibration:
    """Isotonic calibration of out-of-fold top probabilities ``top`` against whether the
    predicted class ``pred`` was the label."""
    done = np.array([p is not None for p in pred], dtype=bool)
    if done.sum() < 10:  # nothing to calibrate on: raw scores, nothing left unassigned
        return Calibration(None, 0.0)
    right = (pred[done] == np.asarray([str(v) for v in y], dtype=object)[done]).astype(float)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(top[done], right)
    return Calibration(iso, threshold)


def fit_calibration(
    aligner: Any,
    texts: list[str],
    y: Sequence[str],
    groups: Sequence[str],
    threshold: float = UNASSIGNED_BELOW,
    folds: int = 5,
) -> Calibration:
    """Isotonic calibration of ``aligner``'s top probability on grouped out-of-fold predictions."""
    pred, top = out_of_fold(aligner, texts, y, groups, folds)
    return calibration_from(pred, top, y, threshold)


def secondary(proba: np.ndarray, classes: Sequence[str], best: str, ratio: float) -> str:
    """Up to two other classes whose probability is at least ``ratio`` of the top one."""
    top = float(proba.max()) if len(proba) else 0.0
    if top <= 0:
        return ""
    order = np.argsort(-proba, kind="stable")
    out = [str(classes[j]) for j in order if str(classes[j]) != best and proba[j] >= ratio * top]
    return ";".join(out[:2])
