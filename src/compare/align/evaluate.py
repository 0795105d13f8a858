"""How good an aligner is: cross-validation against the hand labels, the held-out texts, and
a summary table of both methods at both levels."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold, cross_val_predict

from compare.align.alignments import align_measures, fit_aligners
from compare.align.base import LEVELS, _resolve_taxonomy
from compare.align.labels import _as_frame, load_heldout, load_labels, training_set
from compare.align.learned import LearnedAligner
from compare.align.lexicon import LexiconAligner
from compare.align.taxonomy import Taxonomy
from compare.errors import CompareError


def make_aligner(
    method: str, level: str = "category", taxonomy: Taxonomy | None = None, **params: Any
) -> LexiconAligner | LearnedAligner:
    """An unfitted aligner by name (``"lexicon"`` or ``"learned"``)."""
    if method == "lexicon":
        return LexiconAligner(taxonomy, level=level, **params)
    if method == "learned":
        return LearnedAligner(taxonomy, level=level, **params)
    raise CompareError(f"unknown alignment method {method!r} (use 'learned' or 'lexicon')")


def evaluate(
    measures: pd.DataFrame,
    labels: pd.DataFrame | str | Path | None = None,
    method: str = "learned",
    cv: int | str = 5,
    level: str = "category",
    taxonomy: Taxonomy | None = None,
    random_state: int = 0,
    **params: Any,
) -> dict[str, Any]:
    """Cross-validated quality of an aligner against the hand labels.

    ``cv`` is a number of stratified folds (shuffled with ``random_state``) or ``"doc"`` for
    leave-one-document-out (train on the other plans, predict this one). Returns ``macro_f1``,
    ``accuracy``, ``per_class`` (class, precision, recall, f1, support), ``confusion`` (rows:
    true, columns: predicted), ``predictions`` (measure_id, doc_id, true, predicted), ``n``.
    """
    if level not in LEVELS:
        raise CompareError(f"level must be one of {LEVELS}, got {level!r}")
    tax = _resolve_taxonomy(taxonomy)
    lab = _as_frame(labels, load_labels, tax)
    data = training_set(measures, lab)
    if len(data) == 0:
        raise CompareError("no labelled measures among the given measures")
    y = data["category_id" if level == "category" else "topic_id"].to_numpy(dtype=object)
    est = make_aligner(method, level, tax, **params)
    if cv == "doc":
        groups = data["doc_id"] if "doc_id" in data else data["measure_id"].str.split("/").str[0]
        splitter: Any = LeaveOneGroupOut()
        split_kw: dict[str, Any] = {"groups": groups.to_numpy()}
    else:
        splitter = StratifiedKFold(n_splits=int(cv), shuffle=True, random_state=random_state)
        split_kw = {}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        pred = cross_val_predict(clone(est), data["text"], y, cv=splitter, **split_kw)
    report = score_predictions(y, pred, data["measure_id"].to_numpy())
    return {"method": method, "level": level, "cv": cv, **report}


def score_predictions(
    y: Sequence[str], pred: Sequence[str], measure_ids: Sequence[str]
) -> dict[str, Any]:
    """Macro-F1 (over the classes present in ``y``), accuracy, per-class precision/recall/F1,
    confusion matrix (rows: true, columns: predicted) and the predictions themselves."""
    y, pred = np.asarray(y, dtype=object), np.asarray(pred, dtype=object)
    classes = sorted(set(y) | set(pred))
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=classes, zero_division=0)
    present = sorted(set(y))
    return {
        "n": len(y),
        "macro_f1": float(f1_score(y, pred, labels=present, average="macro", zero_division=0)),
        "accuracy": float(np.mean(y == pred)),
        "per_class": pd.DataFrame(
            {"class": classes, "precision": p, "recall": r, "f1": f, "support": s}
        ),
        "confusion": pd.DataFrame(
            confusion_matrix(y, pred, labels=classes), index=classes, columns=classes
        ),
        "predictions": pd.DataFrame({"measure_id": measure_ids, "true": y, "predicted": pred}),
    }


def evaluate_heldout(
    method: str = "learned",
    level: str = "category",
    taxonomy: Taxonomy | None = None,
    labels: pd.DataFrame | str | Path | None = None,
    heldout: pd.DataFrame | str | Path | None = None,
) -> dict[str, Any]:
    """Fit on the labels, align the held-out texts (no overrides), score against their labels."""
    if level not in LEVELS:
        raise CompareError(f"level must be one of {LEVELS}, got {level!r}")
    tax = _resolve_taxonomy(taxonomy)
    held = _as_frame(heldout, load_heldout, tax)
    aligners = fit_aligners(tax, method, labels)
    no_overrides = pd.DataFrame(columns=["measure_id", "category_id", "topic_id", "note"])
    measures = held.assign(doc_id=held["measure_id"].str.split("/").str[0])
    out = align_measures(measures, aligners=aligners, overrides=no_overrides)
    col = f"{level}_id"
    report = score_predictions(
        held[col].to_numpy(), out[col].to_numpy(), held["measure_id"].to_numpy()
    )
    return {"method": method, "level": level, "cv": "held-out", **report}


def quality_summary(
    methods: Sequence[str] = ("lexicon", "learned"), levels: Sequence[str] = ("category", "topic")
) -> pd.DataFrame:
    """Macro-F1 and accuracy of each method and level: 5-fold CV and leave-one-plan-out on the
    labelled plans, and the held-out texts."""
    labels = load_labels()
    rows = []
    for method in methods:
        for level in levels:
            runs = {
                "5-fold CV (labelled plans)": evaluate(labels, method=method, cv=5, level=level),
                "leave-one-plan-out": evaluate(labels, method=method, cv="doc", level=level),
                "held-out speeches": evaluate_heldout(method=method, level=level),
            }
            for name, r in runs.items():
                rows.append({"method": method, "level": level, "evaluation": name, "n": r["n"],
                             "macro_f1": round(r["macro_f1"], 3), "accuracy": round(r["accuracy"], 3)})  # fmt: skip
    return pd.DataFrame(rows)
