"""Align measures to the taxonomy: a transparent lexicon scorer, a learned model, and overrides.

Every aligner (lexicon, learned, semantic, ensemble) is a scikit-learn classifier with one
interface (``fit`` / ``predict`` / ``predict_proba`` / ``explain``; :mod:`.base`); they take an
iterable of measure texts or a ``measures`` table (its ``text``, and its ``heading`` and
``body`` columns as they are), so a notebook can swap them and ``cross_val_score`` treats all
alike:

- :class:`LexiconAligner` (:mod:`.lexicon`) scores each topic by the taxonomy's weighted seed
  terms found in the text; a category's score is the sum of its topics'.
- :class:`LearnedAligner` (:mod:`.learned`) is TF-IDF on jieba words + character n-grams + the
  lexicon's category scores feeding a class-balanced linear classifier (the default keeps only
  character 1-3-grams).
- :class:`SemanticAligner` (:mod:`.semantic`): sentence embeddings (e5 or USE, weights inside
  pinned packages) into a logistic regression.
- :class:`EnsembleAligner` (:mod:`.ensemble`): a weighted mean of other aligners' probabilities
  (by default the lexicon and the learned model).

:func:`fit_aligners` fits them once into a :class:`FittedAligners` that is passed along;
:func:`align_measures` builds the ``alignments`` table (:mod:`.alignments`); :mod:`.labels` reads
the hand labels and overrides; :func:`evaluate` cross-validates either method (:mod:`.evaluate`).
All fitted state lives on these objects; nothing is kept in module globals.
"""

from __future__ import annotations

from compare.align.alignments import (
    ALIGNERS,
    DEFAULT_ALIGNER,
    ENSEMBLE_WEIGHTS,
    KEEPS_CACHE_DIR,
    MIN_TRAINING,
    FittedAligners,
    align_measures,
    fit_aligners,
)
from compare.align.base import ALIGNMENT_COLUMNS, FALLBACK_CATEGORY, LEVELS
from compare.align.calibrate import UNASSIGNED, UNASSIGNED_BELOW, Calibration, fit_calibration
from compare.align.ensemble import EnsembleAligner
from compare.align.evaluate import (
    evaluate,
    evaluate_heldout,
    make_aligner,
    quality_summary,
    score_predictions,
)
from compare.align.labels import (
    LABEL_COLUMNS,
    OVERRIDE_COLUMNS,
    load_heldout,
    load_labels,
    load_overrides,
    load_training,
    training_set,
)
from compare.align.learned import LearnedAligner
from compare.align.lexicon import LexiconAligner, LexiconFeatures
from compare.align.semantic import EmbeddingCache, SemanticAligner
from compare.align.taxonomy import Taxonomy, load_taxonomy

__all__ = [
    "ALIGNERS",
    "ALIGNMENT_COLUMNS",
    "DEFAULT_ALIGNER",
    "ENSEMBLE_WEIGHTS",
    "FALLBACK_CATEGORY",
    "KEEPS_CACHE_DIR",
    "LABEL_COLUMNS",
    "LEVELS",
    "MIN_TRAINING",
    "OVERRIDE_COLUMNS",
    "UNASSIGNED",
    "UNASSIGNED_BELOW",
    "Calibration",
    "EmbeddingCache",
    "EnsembleAligner",
    "FittedAligners",
    "LearnedAligner",
    "LexiconAligner",
    "LexiconFeatures",
    "SemanticAligner",
    "Taxonomy",
    "align_measures",
    "evaluate",
    "evaluate_heldout",
    "fit_aligners",
    "fit_calibration",
    "load_heldout",
    "load_labels",
    "load_overrides",
    "load_taxonomy",
    "load_training",
    "make_aligner",
    "quality_summary",
    "score_predictions",
    "training_set",
]  # fmt: skip
