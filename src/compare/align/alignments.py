"""The ``alignments`` table: :func:`fit_aligners` fits the aligners once
(:class:`FittedAligners`, passed along), :func:`align_measures` aligns a measures table with them
and applies the researcher's overrides."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from compare.align.base import (
    ALIGNMENT_COLUMNS,
    _as_batch,
    _as_texts,
    _Batch,
    _resolve_taxonomy,
)
from compare.align.calibrate import (
    SECONDARY_RATIO,
    UNASSIGNED,
    Calibration,
    calibration_from,
    fold_prediction,
    fold_splits,
    gather_folds,
    top_probability,
)
from compare.align.calibrate import secondary as _secondary
from compare.align.ensemble import EnsembleAligner
from compare.align.labels import _as_frame, load_overrides, load_training, training_set
from compare.align.learned import LearnedAligner
from compare.align.lexicon import LexiconAligner
from compare.align.semantic import SemanticAligner
from compare.align.taxonomy import Taxonomy
from compare.config import DataFiles
from compare.errors import CompareError
from compare.parallel import run_tasks

# ---------------------------------------------------------------------------------------------
# the alignments table


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
    # each row's topics of its category: shares of the lexicon scores and of the learned
    # probabilities inside the category (a share of an all-zero row is left out), summed
    inside = parents[None, :] == np.asarray(categories, dtype=object)[:, None]
    score = np.zeros(inside.shape)
    for part in (lex_scores, tprob):
        if part is None:
            continue
        masked = np.where(inside, part, 0.0)
        total = masked.sum(axis=1, keepdims=True)
        score += np.divide(masked, total, out=np.zeros_like(masked), where=total > 0)
    score[~inside] = -1.0
    return [topic_ids[j] for j in np.argmax(score, axis=1).tolist()]


#: Fewest labelled measures (and classes) needed to train the learned model.
MIN_TRAINING = 20

#: Parameters of the learned category model: character 1-3-grams alone, no jieba words and no
#: lexicon features or blend. Chosen by leave-one-document-out on the seed labels and the dev
#: gold (notebook 06): accuracy 0.76 on dev texts against 0.69 for words + chars + lexicon,
#: 0.74 for e5 embeddings and 0.62 for the lexicon; and it needs no tokenising.
CATEGORY_MODEL: dict[str, Any] = {
    "word_features": False,
    "lexicon_weight": 0.0,
    "lexicon_blend": 0.0,
    "char_ngram": (1, 3),
}

#: Member weights of the ensemble (lexicon, learned character model): chosen by
#: leave-one-document-out on the dev documents (``benchmarks/align_methods.py``).
ENSEMBLE_WEIGHTS = (0.2, 0.8)


def _learned(tax: Taxonomy, data: DataFiles | None) -> LearnedAligner:
    return LearnedAligner(tax, level="category", data=data, **CATEGORY_MODEL)


def _ensemble(tax: Taxonomy, data: DataFiles | None) -> EnsembleAligner:
    members = [("lexicon", LexiconAligner(tax, level="category")), ("learned", _learned(tax, data))]
    return EnsembleAligner(members, weights=ENSEMBLE_WEIGHTS)


#: Every aligner ``fit_aligners`` can build for the category level, by method name. Each
#: implements ``fit / predict / predict_proba / explain`` (and their batch forms ``_proba``,
#: ``_predict``, ``_explain``, ``_evidence``); ``align_measures`` uses any of them alike.
ALIGNERS: dict[str, Callable[..., Any]] = {
    "lexicon": lambda tax, data, cache_dir: LexiconAligner(tax, level="category"),
    "learned": lambda tax, data, cache_dir: _learned(tax, data),
    "semantic": lambda tax, data, cache_dir: SemanticAligner(cache_dir=cache_dir),
    "ensemble": lambda tax, data, cache_dir: _ensemble(tax, data),
}

#: Aligners whose fitted state names the build's cache folder (their embeddings are kept there):
#: a fitted one is reused only by builds with the same cache folder.
KEEPS_CACHE_DIR = frozenset({"semantic"})

#: The aligner of a build unless told otherwise (``compare build --aligner``).
DEFAULT_ALIGNER = "learned"


@dataclass(frozen=True)
class FittedAligners:
    """Everything :func:`align_measures` needs, fitted once and reusable across documents:
    the category aligner (any of :data:`ALIGNERS`) and its calibration, the topic scorers, and
    the researcher's overrides (read with the labels, so one fit sees one state of the files)."""

    taxonomy: Taxonomy
    category: Any
    lex_topic: LexiconAligner
    calibration: Calibration
    topic_model: LearnedAligner | None = None
    overrides: pd.DataFrame | None = None

    @property
    def method(self) -> str:
        """Name of the category aligner's method (a key of :data:`ALIGNERS`)."""
        return str(self.category.method)

    @functools.cached_property
    def national(self) -> dict[str, int | None]:
        """``national2021`` of every category (looked up once, not per call)."""
        return {c: self.taxonomy.national2021(c) for c in self.taxonomy.category_ids}


def fit_aligners(
    taxonomy: Taxonomy | str | Path | None = None,
    method: str = DEFAULT_ALIGNER,
    labels: pd.DataFrame | str | Path | None = None,
    measures: pd.DataFrame | None = None,
    data: DataFiles | None = None,
    cache_dir: str | Path | None = None,
    jobs: int = 1,
) -> FittedAligners:
    """Fit the category aligner of ``method`` (:data:`ALIGNERS`) on the hand labels (default:
    :func:`~compare.align.labels.load_training`, the seed labels and the dev-corpus gold, which
    keep their texts; labels without a ``text`` column are joined to ``measures`` by
    ``measure_id``), calibrate its confidence on grouped out-of-fold predictions
    (:func:`~compare.align.calibrate.fit_calibration`) and fit the topic model. With fewer than
    ``MIN_TRAINING`` labelled texts it warns and falls back to the lexicon. ``data``: the data
    folder of the default taxonomy, labels, overrides and dictionary; ``cache_dir``: where the
    semantic aligner keeps its embeddings; ``jobs``: processes the fits are shared among (the
    result is the same).
    """
    if method not in ALIGNERS:
        raise CompareError(f"unknown alignment method {method!r} (use one of {sorted(ALIGNERS)})")
    tax = _resolve_taxonomy(taxonomy, data)
    lex_topic = LexiconAligner(tax, level="topic").fit(None)
    overrides = load_overrides(None, tax, data)
    lab = _as_frame(labels, load_training, tax, data)
    if measures is None:
        measures = pd.DataFrame(columns=["measure_id", "text"])
    train = training_set(measures, lab)
    learns = getattr(ALIGNERS[method](tax, data, cache_dir), "learns", True)
    if learns and (len(train) < MIN_TRAINING or train["category_id"].nunique() < 2):
        warnings.warn(
            f"only {len(train)} labelled measures match; aligning with the lexicon instead",
            stacklevel=2,
        )
        method = "lexicon"
    aligner = ALIGNERS[method](tax, data, cache_dir)
    texts, y = _as_texts(train), train["category_id"].astype(str).tolist()
    groups = (train["doc_id"] if "doc_id" in train else train["measure_id"]).astype(str)
    labels_y = np.asarray(y, dtype=object)
    splits = fold_splits(y, groups.tolist())
    fits: list[Callable[[], Any]] = [lambda: aligner.fit(texts, y)]
    if getattr(aligner, "learns", True) and train["topic_id"].nunique() >= 2:
        topic = LearnedAligner(tax, level="topic", data=data)
        fits.append(lambda: topic.fit(train, train["topic_id"]))
    folds = [
        functools.partial(fold_prediction, aligner, texts, labels_y, tr, te) for tr, te in splits
    ]
    # the fits are independent: several processes share them (an aligner that keeps files in
    # cache_dir is fitted here, one fit at a time)
    done = run_tasks([*fits, *folds], jobs if method not in KEEPS_CACHE_DIR else 1)
    calibration = calibration_from(*gather_folds(len(texts), done[len(fits) :]), y)
    topic_model = done[1] if len(fits) > 1 else None
    return FittedAligners(tax, done[0], lex_topic, calibration, topic_model, overrides)


def align_measures(
    measures: pd.DataFrame,
    taxonomy: Taxonomy | str | Path | None = None,
    method: str = DEFAULT_ALIGNER,
    labels: pd.DataFrame | str | Path | None = None,
    overrides: pd.DataFrame | str | Path | None = None,
    secondary_ratio: float = SECONDARY_RATIO,
    aligners: FittedAligners | None = None,
) -> pd.DataFrame:
    """The ``alignments`` table: one row per measure (design.md).

    The aligners are fitted by :func:`fit_aligners` (pass ``aligners`` to reuse fitted ones).
    ``score`` is the calibrated probability that the best category is right; below the
    calibration's threshold ``category_id`` and ``topic_id`` are ``unassigned`` and the best
    guess leads ``secondary``. ``secondary`` otherwise lists up to two other categories whose
    probability is at least ``secondary_ratio`` of the best one's. ``evidence``: the aligner's
    ``explain`` (terms, or nearest labelled examples). Overrides (default: the aligners', read
    from ``data/labels/overrides.csv``) win and are marked ``method="override"``.
    """
    if aligners is None:
        aligners = fit_aligners(taxonomy, method, labels, measures)
    tax = aligners.taxonomy
    if len(measures) == 0:
        return pd.DataFrame(columns=ALIGNMENT_COLUMNS)
    for col in ("doc_id", "measure_id", "text"):
        if col not in measures.columns:
            raise CompareError(f"measures need a {col!r} column")
    batch = _as_batch(measures)
    scored = _score(aligners, batch, secondary_ratio)
    out = pd.DataFrame(
        {
            "doc_id": measures["doc_id"].astype(str).to_numpy(),
            "measure_id": measures["measure_id"].astype(str).to_numpy(),
            "category_id": np.where(scored["assigned"], scored["best"], UNASSIGNED),
            "topic_id": np.where(scored["assigned"], scored["topics"], UNASSIGNED),
            "score": np.round(scored["score"], 4),
            "evidence": scored["evidence"],
            "method": aligners.method,
            "secondary": scored["secondary"],
        }
    )

    if overrides is None:
        ov = aligners.overrides if aligners.overrides is not None else load_overrides(None, tax)
    else:
        ov = _as_frame(overrides, load_overrides, tax)
    if len(ov):
        _apply_overrides(out, ov, batch, tax, aligners.lex_topic, aligners.topic_model)

    nat = aligners.national
    out["national2021"] = pd.array([nat.get(c) for c in out["category_id"]], dtype="Int64")
    return out[ALIGNMENT_COLUMNS]


def _score(aligners: FittedAligners, batch: _Batch, secondary_ratio: float) -> dict[str, Any]:
    """Best category, calibrated score, assigned or not, secondary, evidence and topic of each
    text of ``batch`` (one batch: each text is scored by the lexicon, tokenised and transformed
    by each model once)."""
    model = aligners.category
    probs = model._proba(batch)
    classes = [str(c) for c in model.classes_]
    best = [str(b) for b in model._predict(batch)]
    score = aligners.calibration.score(top_probability(model, probs, best))
    assigned = aligners.calibration.assigned(score)
    secondary = [_secondary(probs[i], classes, b, secondary_ratio) for i, b in enumerate(best)]
    for i in np.flatnonzero(~assigned):
        secondary[i] = ";".join([best[i], *[s for s in secondary[i].split(";") if s]][:3])
    topics = _pick_topics(batch.texts, best, aligners.taxonomy, aligners.lex_topic,
                          aligners.topic_model, batch)  # fmt: skip
    return {"best": np.asarray(best, dtype=object), "score": np.asarray(score, dtype=float),
            "assigned": np.asarray(assigned, dtype=bool), "secondary": secondary,
            "evidence": list(model._explain(batch, 5)), "topics": np.asarray(topics, dtype=object)}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# evaluation


def _apply_overrides(
    out: pd.DataFrame,
    ov: pd.DataFrame,
    batch: _Batch,
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
            one = _Batch([batch.texts[i]], [batch.headings[i]], [batch.bodies[i]])
            topic = _pick_topics(one.texts, [cat], tax, lex_topic, topic_model, one)[0]
        note = str(ov.at[mid, "note"] or "") if "note" in ov.columns else ""
        out.loc[i, ["category_id", "topic_id", "score", "method", "secondary"]] = [
            cat,
            topic,
            1.0,
            "override",
            "",
        ]
        out.at[i, "evidence"] = f"override: {note}" if note else "override"
