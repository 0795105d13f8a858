"""How far the alignment can be trusted (notebook 06): leave-one-document-out predictions on
the training labels, a reliability table of the calibrated score, and the built alignments of a
gold corpus (e.g. the frozen split of ``data/dev``) beside the reader's labels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

from compare.align.base import _as_texts
from compare.align.calibrate import held_out_predictions
from compare.errors import CompareError


def lodo_predictions(
    aligner: Any, labels: pd.DataFrame, documents: int | None = None
) -> pd.DataFrame:
    """Each labelled measure predicted by a clone of ``aligner`` fitted on every other document
    (leave-one-document-out on ``doc_id``): ``doc_id, measure_id, true, predicted, top``, and
    ``score``, the top probability calibrated by an isotonic map fitted on other documents'
    predictions (grouped 5-fold), so no figure comes from a text the model or its calibration
    saw. ``documents``: hold out only that many documents, evenly spaced in ``doc_id`` order
    (each still predicted by a model fitted on all the others) — for quick runs; ``None``
    holds out every one."""
    for col in ("doc_id", "category_id", "text"):
        if col not in labels.columns:
            raise CompareError(f"labels need a {col!r} column")
    texts = _as_texts(labels)
    y = labels["category_id"].astype(str).to_numpy()
    groups = labels["doc_id"].astype(str).to_numpy()
    held = np.unique(groups)
    if documents is not None:
        if documents < 2:
            raise CompareError(f"hold out at least 2 documents, not {documents}")
        held = held[np.unique(np.linspace(0, held.size - 1, min(documents, held.size)).round())
                    .astype(int)]  # fmt: skip
    splits = LeaveOneGroupOut().split(texts, y, groups)
    chosen = ((tr, te) for tr, te in splits if groups[te[0]] in held)
    pred, top = held_out_predictions(aligner, texts, y, chosen)
    keep = np.isin(groups, held)
    groups, y, pred, top = groups[keep], y[keep], pred[keep], top[keep]
    right = (pred == y).astype(float)
    score = np.zeros(len(y))
    folds = GroupKFold(n_splits=min(5, held.size)).split(top, y, groups)
    for fit_on, apply_to in folds:
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        score[apply_to] = iso.fit(top[fit_on], right[fit_on]).predict(top[apply_to])
    return pd.DataFrame(
        {
            "doc_id": groups,
            "measure_id": labels["measure_id"].astype(str).to_numpy()[keep],
            "true": y,
            "predicted": pred.astype(str),
            "top": top,
            "score": score,
        }
    )


def reliability_table(score: Any, correct: Any, bins: int = 10) -> pd.DataFrame:
    """Per score bin (``bins`` equal widths on [0, 1]): ``bin_lo, bin_hi, n, mean_score,
    accuracy`` (empty bins left out)."""
    s = np.asarray(score, dtype=float)
    c = np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(s, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        m = which == b
        if m.any():
            rows.append({"bin_lo": edges[b], "bin_hi": edges[b + 1], "n": int(m.sum()),
                         "mean_score": float(s[m].mean()), "accuracy": float(c[m].mean())})  # fmt: skip
    return pd.DataFrame(rows, columns=["bin_lo", "bin_hi", "n", "mean_score", "accuracy"])


def expected_calibration_error(table: pd.DataFrame) -> float:
    """Share-weighted mean gap between score and accuracy over a :func:`reliability_table`."""
    n = table["n"].sum()
    gap = (table["mean_score"] - table["accuracy"]).abs() * table["n"]
    return float(gap.sum() / n) if n else float("nan")


def abstention_curve(score: Any, correct: Any, thresholds: Any) -> pd.DataFrame:
    """For each threshold: the share left unassigned and the accuracy of the rest."""
    s = np.asarray(score, dtype=float)
    c = np.asarray(correct, dtype=bool)
    rows = []
    for t in thresholds:
        keep = s >= t
        acc = float(c[keep].mean()) if keep.any() else float("nan")
        rows.append({"threshold": float(t), "unassigned": float(1 - keep.mean()), "accuracy": acc})
    return pd.DataFrame(rows)


def confusion(true: Any, predicted: Any, labels: list[str]) -> pd.DataFrame:
    """Counts, rows = the reader's label, columns = the aligner's (``labels`` in order; any
    other predicted value, e.g. ``unassigned``, gets its own last column)."""
    t = pd.Series(list(true), dtype=str)
    p = pd.Series(list(predicted), dtype=str)
    cols = labels + sorted(set(p) - set(labels))
    table = pd.crosstab(t, p).reindex(index=labels, columns=cols, fill_value=0)
    return table.fillna(0).astype(int)
