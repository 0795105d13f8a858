"""The ``alignments`` table: :func:`fit_aligners` fits the aligners once
(:class:`FittedAligners`, passed along), :func:`align_measures` aligns a measures table with them
and applies the researcher's overrides."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from compare.align.base import ALIGNMENT_COLUMNS, _as_texts, _Batch, _resolve_taxonomy
from compare.align.labels import _as_frame, load_labels, load_overrides, training_set
from compare.align.learned import LearnedAligner
from compare.align.lexicon import LexiconAligner
from compare.align.taxonomy import Taxonomy
from compare.config import DataFiles
from compare.errors import CompareError

# ---------------------------------------------------------------------------------------------
# inputs


# ---------------------------------------------------------------------------------------------
# the lexicon


# ---------------------------------------------------------------------------------------------
# the learned model


# ---------------------------------------------------------------------------------------------
# labels and overrides


# ---------------------------------------------------------------------------------------------
# the alignments table


def _secondary(scores: np.ndarray, classes: Sequence[str], best: str, ratio: float) -> str:
    """Up to two other classes whose score is at least ``ratio`` of the highest score."""
    top = float(scores.max()) if len(scores) else 0.0
    if top <= 0:
        return ""
    order = np.argsort(-scores, kind="stable")
    out = [str(classes[j]) for j in order if str(classes[j]) != best and scores[j] >= ratio * top]
    return ";".join(out[:2])


def _pick_topics(
    texts: list[str],
    categories: Sequence[str],
    tax: Taxonomy,
    lex: LexiconAligner,
    topic_model: LearnedAligner | None,
    batch: _Batch | None = None,
) -> list[str]:
    """Best topic inside each text's category: lexicon share + learned topic probability
    (``batch``: the shared work on ``texts``, when the caller has one)."""
    batch = batch if batch is not None else _Batch(texts)
    lex_scores = lex._topic_scores(batch)
    topic_ids = lex.lexicon_.topics
    tprob = None
    if topic_model is not None:
        check_is_fitted(topic_model, "model_")
        p = topic_model._proba(batch)
        tprob = np.zeros((len(texts), len(topic_ids)))
        index = {t: i for i, t in enumerate(topic_ids)}
        for j, c in enumerate(topic_model.classes_):
            tprob[:, index[c]] = p[:, j]
    parents = tax.topics["category_id"].to_numpy()
    out = []
    for i, cat in enumerate(categories):
        mask = parents == cat
        score = np.zeros(len(topic_ids))
        ls = np.where(mask, lex_scores[i], 0.0)
        if ls.sum() > 0:
            score += ls / ls.sum()
        if tprob is not None:
            tp = np.where(mask, tprob[i], 0.0)
            if tp.sum() > 0:
                score += tp / tp.sum()
        score[~mask] = -1.0
        out.append(topic_ids[int(np.argmax(score))])
    return out


#: Fewest labelled measures (and classes) needed to train the learned model.
MIN_TRAINING = 20


@dataclass(frozen=True)
class FittedAligners:
    """Everything :func:`align_measures` needs, fitted once and reusable across documents:
    the lexicon scorers, the learned models (``None`` with the lexicon method) and the
    researcher's overrides (read with the labels, so one fit sees one state of the files)."""

    taxonomy: Taxonomy
    method: str  # what is used: "learned", or "lexicon" (asked for, or fallen back to)
    lex_cat: LexiconAligner
    lex_topic: LexiconAligner
    cat_model: LearnedAligner | None = None
    topic_model: LearnedAligner | None = None
    overrides: pd.DataFrame | None = None

    @functools.cached_property
    def national(self) -> dict[str, int | None]:
        """``national2021`` of every category (looked up once, not per call)."""
        return {c: self.taxonomy.national2021(c) for c in self.taxonomy.category_ids}


def fit_aligners(
    taxonomy: Taxonomy | str | Path | None = None,
    method: str = "learned",
    labels: pd.DataFrame | str | Path | None = None,
    measures: pd.DataFrame | None = None,
    data: DataFiles | None = None,
) -> FittedAligners:
    """Fit the aligners: the lexicon scorers, and for ``method="learned"`` the models trained on
    the hand labels (default ``data/labels/measures.csv``, which keep their texts; labels without
    a ``text`` column are joined to ``measures`` by ``measure_id``). With fewer than
    ``MIN_TRAINING`` labelled texts it warns and falls back to the lexicon. ``data``: the data
    folder of the default taxonomy, labels, overrides and dictionary.
    """
    if method not in ("learned", "lexicon"):
        raise CompareError(f"unknown alignment method {method!r} (use 'learned' or 'lexicon')")
    tax = _resolve_taxonomy(taxonomy, data)
    lex_cat = LexiconAligner(tax, level="category").fit(None)
    lex_topic = LexiconAligner(tax, level="topic").fit(None)
    overrides = load_overrides(None, tax, data)
    if method == "lexicon":
        return FittedAligners(tax, "lexicon", lex_cat, lex_topic, overrides=overrides)
    lab = _as_frame(labels, load_labels, tax, data)
    if measures is None:
        measures = pd.DataFrame(columns=["measure_id", "text"])
    train = training_set(measures, lab)
    if len(train) < MIN_TRAINING or train["category_id"].nunique() < 2:
        warnings.warn(
            f"only {len(train)} labelled measures match; aligning with the lexicon instead",
            stacklevel=2,
        )
        return FittedAligners(tax, "lexicon", lex_cat, lex_topic, overrides=overrides)
    cat_model = LearnedAligner(tax, level="category", data=data).fit(train, train["category_id"])
    topic_model = None
    if train["topic_id"].nunique() >= 2:
        topic_model = LearnedAligner(tax, level="topic", data=data).fit(train, train["topic_id"])
    return FittedAligners(tax, "learned", lex_cat, lex_topic, cat_model, topic_model, overrides)


def align_measures(
    measures: pd.DataFrame,
    taxonomy: Taxonomy | str | Path | None = None,
    method: str = "learned",
    labels: pd.DataFrame | str | Path | None = None,
    overrides: pd.DataFrame | str | Path | None = None,
    secondary_ratio: float = 0.5,
    aligners: FittedAligners | None = None,
) -> pd.DataFrame:
    """The ``alignments`` table: one row per measure (design.md).

    The aligners are fitted by :func:`fit_aligners` (pass ``aligners`` to reuse fitted ones).
    Overrides (default: the aligners', read from ``data/labels/overrides.csv``) win and are
    marked ``method="override"``.
    ``secondary`` lists up to two other categories whose lexicon score is at least
    ``secondary_ratio`` of the highest lexicon score (the transparent scorer, so that a model's
    confidence on its own training measures does not hide a measure spanning two chapters).
    """
    if aligners is None:
        aligners = fit_aligners(taxonomy, method, labels, measures)
    tax = aligners.taxonomy
    if len(measures) == 0:
        return pd.DataFrame(columns=ALIGNMENT_COLUMNS)
    for col in ("doc_id", "measure_id", "text"):
        if col not in measures.columns:
            raise CompareError(f"measures need a {col!r} column")
    texts = _as_texts(measures)
    lex_cat, lex_topic = aligners.lex_cat, aligners.lex_topic
    cat_model, topic_model = aligners.cat_model, aligners.topic_model
    used = aligners.method
    # one batch: each text is scored by the lexicon, tokenised and transformed by each model once
    batch = _Batch(texts)

    if used == "learned":
        check_is_fitted(cat_model, "model_")
        probs = cat_model._proba(batch)
        classes = [str(c) for c in cat_model.classes_]
        best = [classes[j] for j in np.argmax(probs, axis=1)]
        evidence = cat_model._explain(batch, 5)
    else:
        probs = lex_cat._proba(batch)
        classes = [str(c) for c in lex_cat.classes_]
        best = list(lex_cat._predict(batch))
        evidence = lex_cat._evidence(batch, lex_cat._predict(batch), 5)
    score = [float(probs[i, classes.index(b)]) for i, b in enumerate(best)]
    lex_raw = lex_cat._decision(batch)
    lex_classes = [str(c) for c in lex_cat.classes_]
    secondary = [
        _secondary(lex_raw[i], lex_classes, b, secondary_ratio) for i, b in enumerate(best)
    ]
    topics = _pick_topics(texts, best, tax, lex_topic, topic_model, batch)

    out = pd.DataFrame(
        {
            "doc_id": measures["doc_id"].astype(str).to_numpy(),
            "measure_id": measures["measure_id"].astype(str).to_numpy(),
            "category_id": best,
            "topic_id": topics,
            "score": np.round(score, 4),
            "evidence": evidence,
            "method": used,
            "secondary": secondary,
        }
    )

    if overrides is None:
        ov = aligners.overrides if aligners.overrides is not None else load_overrides(None, tax)
    else:
        ov = _as_frame(overrides, load_overrides, tax)
    if len(ov):
        _apply_overrides(out, ov, texts, tax, lex_topic, topic_model)

    nat = aligners.national
    out["national2021"] = pd.array([nat[c] for c in out["category_id"]], dtype="Int64")
    return out[ALIGNMENT_COLUMNS]


# ---------------------------------------------------------------------------------------------
# evaluation


def _apply_overrides(
    out: pd.DataFrame,
    ov: pd.DataFrame,
    texts: list[str],
    tax: Taxonomy,
    lex_topic: LexiconAligner,
    topic_model: LearnedAligner | None,
) -> None:
    """Write the overrides ``ov`` into the alignments ``out`` (in place); an override without a
    topic gets the best topic of its category."""
    ov = ov.drop_duplicates("measure_id", keep="last").set_index("measure_id")
    hit = out["measure_id"].isin(ov.index)
    for i in np.flatnonzero(hit.to_numpy()):
        mid = out.at[i, "measure_id"]
        cat = str(ov.at[mid, "category_id"])
        topic = str(ov.at[mid, "topic_id"] or "")
        if not topic:
            topic = _pick_topics([texts[i]], [cat], tax, lex_topic, topic_model)[0]
        note = str(ov.at[mid, "note"] or "") if "note" in ov.columns else ""
        out.loc[i, ["category_id", "topic_id", "score", "method", "secondary"]] = [
            cat,
            topic,
            1.0,
            "override",
            "",
        ]
        out.at[i, "evidence"] = f"override: {note}" if note else "override"
