"""Align measures to the taxonomy: a transparent lexicon scorer, a learned model, and overrides.

Both aligners are scikit-learn classifiers with one interface (``fit`` / ``predict`` /
``predict_proba`` / ``decision_function`` / ``explain``); they take an iterable of measure texts
(or a ``measures`` DataFrame, whose ``text`` column is used), so a notebook can swap them and
``cross_val_score`` treats both alike:

- :class:`LexiconAligner` scores each topic by the taxonomy's weighted seed terms found in the
  text (sublinear term frequency; terms in the measure's heading count ``heading_boost`` times);
  a category's score is the sum of its topics'. ``fit`` only records ``classes_``.
- :class:`LearnedAligner` is TF-IDF on jieba words + character n-grams + the lexicon's category
  scores (a ``FeatureUnion``) feeding a class-balanced linear classifier.

:func:`align_measures` builds the ``alignments`` table (design.md); :func:`evaluate`
cross-validates either method against the hand labels in ``data/labels/measures.csv``.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import warnings
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, special
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from compare.errors import CompareError
from compare.paths import data_file
from compare.taxonomy import Taxonomy, load_taxonomy
from compare.tokenize import tokenize

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
LABEL_COLUMNS = ["doc_id", "measure_id", "heading", "category_id", "topic_id", "note"]
OVERRIDE_COLUMNS = ["measure_id", "category_id", "topic_id", "note"]
LEVELS = ("category", "topic")
#: Category used when a text carries no evidence at all.
FALLBACK_CATEGORY = "C11_other"

_MARKER = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十百零〇\d]+[)）]|[一二三四五六七八九十百]+[、.．]|"
    r"\d+[、.．]|第[一二三四五六七八九十百零〇\d]+[条项点])\s*"
)
_HEAD_END = re.compile(r"[。：:；;！!？?]")
#: A heading longer than this is not a short title (matches design.md ``heading``).
MAX_HEADING = 40


# ---------------------------------------------------------------------------------------------
# inputs


def _as_texts(X: Any) -> list[str]:
    """Texts from a list/Series of str or a DataFrame with a ``text`` column."""
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise CompareError("measures need a 'text' column")
        X = X["text"]
    if isinstance(X, str):
        raise TypeError("expected an iterable of texts, got one str")
    return ["" if (v is None or (isinstance(v, float) and math.isnan(v))) else str(v) for v in X]


def split_heading(text: str) -> tuple[str, str]:
    """``(heading, body)`` of a measure: its short title up to the first 。/： (else empty)."""
    stripped = _MARKER.sub("", text, count=1)
    m = _HEAD_END.search(stripped)
    if m and 0 < m.start() <= MAX_HEADING:
        return stripped[: m.start()], stripped[m.end() :]
    return "", stripped


def _resolve_taxonomy(taxonomy: Taxonomy | str | Path | None) -> Taxonomy:
    if isinstance(taxonomy, Taxonomy):
        return taxonomy
    return load_taxonomy(taxonomy)


# ---------------------------------------------------------------------------------------------
# the lexicon


class _Signature:
    """A hashable value whose hash is computed once (a lexicon's contents are large)."""

    __slots__ = ("_hash", "value")

    def __init__(self, value: tuple[Any, ...]) -> None:
        self.value = value
        self._hash = hash(value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Signature, (self.value,))  # str hashes differ between processes

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Signature) and (
            self is other or (self._hash == other._hash and self.value == other.value)
        )


#: One signature object per distinct lexicon content, so that lookups compare by identity.
_SIGNATURES: dict[tuple[Any, ...], _Signature] = {}


class _Lexicon:
    """Seed terms compiled into one longest-first regex; counts non-overlapping matches."""

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
        ordered = sorted(self.term_topics, key=lambda s: (-len(s), s))
        self.pattern = re.compile("|".join(re.escape(t) for t in ordered)) if ordered else None
        #: Equal for lexicons built from equal taxonomies: they may share their scores.
        value = (
            tuple(self.topics),
            tuple(self.categories),
            tuple(self.topic_to_cat.tolist()),
            tuple((t, tuple(v)) for t, v in self.term_topics.items()),
        )
        if len(_SIGNATURES) > 64:
            _SIGNATURES.clear()
        self.signature = _SIGNATURES.setdefault(value, _Signature(value))

    def counts(self, text: str) -> dict[str, int]:
        """Non-overlapping counts of each term (longest match wins at a position)."""
        out: dict[str, int] = {}
        if self.pattern is None or not text:
            return out
        for m in self.pattern.finditer(text):
            out[m.group(0)] = out.get(m.group(0), 0) + 1
        return out

    def topic_scores(self, text: str, heading_boost: float) -> tuple[np.ndarray, dict[str, float]]:
        """Topic score vector and each matched term's contribution (for evidence)."""
        heading, body = split_heading(text)
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

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.memo: dict[Any, Any] = {}

    def lexicon(self, lex: _Lexicon, heading_boost: float) -> tuple[np.ndarray, list[dict]]:
        """Topic scores (n, n_topics) and each text's term contributions."""
        key = ("lexicon", lex.signature, float(heading_boost))
        if key not in self.memo:
            rows = [lex.topic_scores(t, heading_boost) for t in self.texts]
            scores = np.vstack([r[0] for r in rows]) if rows else np.zeros((0, len(lex.topics)))
            self.memo[key] = (scores, [r[1] for r in rows])
        return self.memo[key]

    def memo_value(self, key: Any, make: Any) -> Any:
        """``make()`` once per hashable ``key``."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def cached(self, owner: Any, what: str, make: Any) -> Any:
        """``make()`` once per (object, what); the object is kept alive with its value."""
        key = (what, id(owner))
        if key not in self.memo:
            self.memo[key] = (owner, make())
        return self.memo[key][1]


class LexiconAligner(ClassifierMixin, BaseEstimator):
    """Transparent scorer: weighted seed terms of each topic found in the text.

    Parameters: ``taxonomy`` (a :class:`Taxonomy`, a path, or None for the default file);
    ``level`` (``"topic"`` or ``"category"``: what ``predict`` returns); ``heading_boost``
    (extra weight of a term found in the measure's short heading).
    """

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
        return self._topic_scores(_Batch(_as_texts(X)))

    def decision_function(self, X: Any) -> np.ndarray:
        """Raw scores for ``classes_``: topic scores, or category sums of them."""
        return self._decision(_Batch(_as_texts(X)))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Scores normalised to sum to one (uniform when nothing matched)."""
        return self._proba(_Batch(_as_texts(X)))

    def predict(self, X: Any) -> np.ndarray:
        """Best-scoring class; texts without any seed term get the C11 fallback."""
        return self._predict(_Batch(_as_texts(X)))

    def explain(self, X: Any, top: int = 5) -> list[str]:
        """Evidence per text: the matched seed terms of the predicted class, strongest first."""
        batch = _Batch(_as_texts(X))
        return self._evidence(batch, self._predict(batch), top)

    def evidence_for(self, X: Any, labels: Sequence[str], top: int = 5) -> list[str]:
        """Matched seed terms that support the given class of each text, strongest first."""
        return self._evidence(_Batch(_as_texts(X)), labels, top)

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


def _first_topic(tax: Taxonomy, category_id: str) -> str:
    return str(tax.topics.loc[tax.topics["category_id"] == category_id, "topic_id"].iloc[0])


# ---------------------------------------------------------------------------------------------
# the learned model


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
        return self._transform(_Batch(_as_texts(X)))

    def _transform(self, batch: _Batch) -> sparse.csr_matrix:
        raw = self.scorer_._decision(batch)
        total = raw.sum(axis=1, keepdims=True)
        norm = np.divide(raw, total, out=np.zeros_like(raw), where=total > 0)
        return sparse.csr_matrix(norm * self.weight)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``lex:<id>`` per class of the scorer."""
        return np.array([f"lex:{c}" for c in self.scorer_.classes_], dtype=object)


@functools.lru_cache(maxsize=20000)
def _cached_tokens(text: str) -> tuple[str, ...]:
    return tuple(tokenize(text))


def word_tokens(text: str) -> list[str]:
    """:func:`compare.tokenize.tokenize`, memoised (cross-validation re-tokenises each fold)."""
    return list(_cached_tokens(text))


class LearnedAligner(ClassifierMixin, BaseEstimator):
    """TF-IDF (jieba words + character n-grams) + lexicon scores -> linear classifier.

    Parameters: ``taxonomy``; ``level`` (the level of the labels it is fitted on, only used
    for the lexicon features); ``C`` (inverse regularisation); ``classifier`` (``"logreg"`` or
    ``"svm"``); ``char_ngram`` (range of character n-grams); ``lexicon_weight`` (0 turns the
    lexicon features off); ``lexicon_blend`` (share of the lexicon's normalised scores mixed
    into the probabilities: with it every taxonomy class is in ``classes_``, so a class without
    training examples can still be predicted from its seed terms; 0 = purely learned);
    ``random_state``.
    """

    def __init__(
        self,
        taxonomy: Taxonomy | str | Path | None = None,
        level: str = "category",
        C: float = 10.0,
        classifier: str = "logreg",
        char_ngram: tuple[int, int] = (2, 3),
        lexicon_weight: float = 1.0,
        lexicon_blend: float = 0.5,
        random_state: int = 0,
    ) -> None:
        self.taxonomy = taxonomy
        self.level = level
        self.C = C
        self.classifier = classifier
        self.char_ngram = char_ngram
        self.lexicon_weight = lexicon_weight
        self.lexicon_blend = lexicon_blend
        self.random_state = random_state

    def _features(self) -> FeatureUnion:
        parts: list[tuple[str, Any]] = [
            (
                "w",
                TfidfVectorizer(
                    tokenizer=word_tokens,
                    preprocessor=None,
                    lowercase=False,
                    token_pattern=None,
                    sublinear_tf=True,
                ),
            ),
            (
                "c",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=tuple(self.char_ngram),
                    lowercase=False,
                    sublinear_tf=True,
                    min_df=2,
                ),
            ),
        ]
        if self.lexicon_weight:
            parts.append(("lex", LexiconFeatures(self.taxonomy, self.level, self.lexicon_weight)))
        return FeatureUnion(parts)

    def _model(self) -> Any:
        if self.classifier == "logreg":
            # one-vs-rest liblinear: much faster than multinomial lbfgs on wide sparse features
            return OneVsRestClassifier(
                LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear")
            )
        if self.classifier == "svm":
            return LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state)
        raise ValueError(f"classifier must be 'logreg' or 'svm', got {self.classifier!r}")

    def fit(self, X: Any, y: Sequence[str]) -> LearnedAligner:
        """Fit features and classifier on texts ``X`` with labels ``y``."""
        texts = _as_texts(X)
        y = np.asarray([str(v) for v in y], dtype=object)
        if len(texts) != len(y):
            raise ValueError("X and y differ in length")
        if len(set(y)) < 2:
            raise CompareError("the learned aligner needs labels of at least two classes")
        self.features_ = self._features().fit(texts, y)
        self.model_ = self._model().fit(self.features_.transform(texts), y)
        self.feature_names_ = self.features_.get_feature_names_out()
        if self.lexicon_blend:
            self.lexicon_ = LexiconAligner(self.taxonomy, level=self.level).fit(None, y)
            self.classes_ = self.lexicon_.classes_
        else:
            self.classes_ = self.model_.classes_
        return self

    # each public method works on a fresh batch; align_measures shares one between calls

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (logistic, or softmax of SVM margins), blended with the lexicon."""
        check_is_fitted(self, "model_")
        return self._proba(_Batch(_as_texts(X)))

    def decision_function(self, X: Any) -> np.ndarray:
        """Classifier margins; with ``lexicon_blend``, log blended probabilities."""
        check_is_fitted(self, "model_")
        return self._decision(_Batch(_as_texts(X)))

    def predict(self, X: Any) -> np.ndarray:
        """The most likely class."""
        check_is_fitted(self, "model_")
        return self._predict(_Batch(_as_texts(X)))

    def explain(self, X: Any, top: int = 5) -> list[str]:
        """Evidence per text: seed terms of the predicted class found in it, then the words
        (jieba tokens) that pushed the classifier hardest toward it; character n-grams only
        when neither exists."""
        check_is_fitted(self, "model_")
        return self._explain(_Batch(_as_texts(X)), top)

    def _transform(self, batch: _Batch) -> Any:
        """``features_.transform(texts)``, computed once per batch."""
        return batch.cached(self, "features", lambda: _union_transform(self.features_, batch))

    def _model_scores(self, batch: _Batch) -> np.ndarray:
        scores = self.model_.decision_function(self._transform(batch))
        if scores.ndim == 1:  # binary case
            scores = np.column_stack([-scores, scores])
        return scores

    def _model_proba(self, batch: _Batch) -> np.ndarray:
        if hasattr(self.model_, "predict_proba"):
            return _ovr_proba(self.model_, self._transform(batch))
        s = self._model_scores(batch)
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def _proba(self, batch: _Batch) -> np.ndarray:
        return batch.cached(self, "proba", lambda: self._blended_proba(batch))

    def _blended_proba(self, batch: _Batch) -> np.ndarray:
        p = self._model_proba(batch)
        if not self.lexicon_blend:
            return p
        index = {c: i for i, c in enumerate(self.classes_)}
        full = np.zeros((len(batch.texts), len(self.classes_)))
        for j, c in enumerate(self.model_.classes_):
            full[:, index[c]] = p[:, j]
        b = float(self.lexicon_blend)
        return (1.0 - b) * full + b * self.lexicon_._proba(batch)

    def _decision(self, batch: _Batch) -> np.ndarray:
        if not self.lexicon_blend:
            return self._model_scores(batch)
        return np.log(np.clip(self._proba(batch), 1e-12, None))

    def _predict(self, batch: _Batch) -> np.ndarray:
        return self.classes_[np.argmax(self._decision(batch), axis=1)]

    def _explain(self, batch: _Batch, top: int) -> list[str]:
        feats = self._transform(batch).tocsr()
        coef = _coef(self.model_)
        if coef.shape[0] == 1:
            coef = np.vstack([-coef[0], coef[0]])
        model_index = {c: i for i, c in enumerate(self.model_.classes_)}
        preds = self._predict(batch)
        lexicon = getattr(self, "lexicon_", None) or LexiconAligner(
            self.taxonomy, level=self.level
        ).fit(None)
        lex_terms = lexicon._evidence(batch, preds, 3)
        kinds, values = _feature_kinds(self.feature_names_)
        out = []
        for i, label in enumerate(preds):
            chosen = [t for t in lex_terms[i].split("; ") if t]
            if label in model_index:
                lo, hi = feats.indptr[i], feats.indptr[i + 1]
                indices = feats.indices[lo:hi]
                contrib = feats.data[lo:hi] * coef[model_index[label], indices]
                # features with a positive contribution, strongest first (argsort of -contrib
                # puts them first), split by kind: jieba words ("w__"), char n-grams ("c__")
                order = np.argsort(-contrib)[: int(np.count_nonzero(contrib > 0))]
                ranked = indices[order]
                kind = kinds[ranked]
                words = [values[j] for j in ranked[kind == 0]]
                chars = [values[j] for j in ranked[kind == 1]]
                for value in words or ([] if chosen else chars):
                    if len(chosen) >= top:
                        break
                    if not any(value in c or c in value for c in chosen):
                        chosen.append(value)
            out.append("; ".join(chosen))
        return out


def _union_transform(union: FeatureUnion, batch: _Batch) -> Any:
    """``union.transform(batch.texts)``, with the lexicon part read from the batch."""
    plain = (
        union.transformer_weights is None
        and union.n_jobs is None
        and not getattr(union, "_sklearn_output_config", None)
    )
    parts = [trans for _, trans in union.transformer_list]
    if not plain or not parts or any(isinstance(t, str) for t in parts):
        return union.transform(batch.texts)
    out = []
    for t in parts:
        if isinstance(t, LexiconFeatures):
            out.append(t._transform(batch))
        elif isinstance(t, TfidfVectorizer):
            # models fitted on the same texts hold equal vectorizers: transform once for all
            out.append(
                batch.memo_value(
                    ("tfidf", _vectorizer_key(t)), lambda t=t: t.transform(batch.texts)
                )
            )
        else:
            out.append(t.transform(batch.texts))
    if not any(sparse.issparse(x) for x in out):
        return union.transform(batch.texts)
    return sparse.hstack(out).tocsr()


def _feature_kinds(names: Any) -> tuple[np.ndarray, list[str]]:
    """Per feature name ``<part>__<value>``: kind 0 for ``w`` (words), 1 for ``c`` (char
    n-grams), 2 otherwise (the lexicon), and the value; built once per fitted name list."""
    hit = _KINDS.get(id(names))
    if hit is None or hit[0] is not names:
        parts = [str(n).partition("__") for n in names]
        kinds = np.array([{"w": 0, "c": 1}.get(k, 2) for k, _, _ in parts], dtype=np.int8)
        hit = (names, kinds, [v for _, _, v in parts])
        if len(_KINDS) > 16:
            _KINDS.clear()
        _KINDS[id(names)] = hit
    return hit[1], hit[2]


_KINDS: dict[int, tuple[Any, np.ndarray, list[str]]] = {}


def _vectorizer_key(vec: TfidfVectorizer) -> int:
    """A number shared by fitted vectorizers whose ``transform`` gives the same result (same
    parameters, vocabulary and idf weights); found once per vectorizer (again after a refit)."""
    tfidf = getattr(vec, "_tfidf", None)
    stamp = (id(getattr(vec, "vocabulary_", None)), id(tfidf), id(getattr(tfidf, "idf_", None)))
    hit = _VEC_KEYS.get(vec)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    key = None
    for ref, k in _VEC_CANON:
        other = ref()
        if other is not None and other is not vec and _same_vectorizer(vec, other):
            key = k
            break
    if key is None:
        key = next(_VEC_COUNTER)
        _VEC_CANON[:] = [(r, k) for r, k in _VEC_CANON if r() is not None]
        _VEC_CANON.append((weakref.ref(vec), key))
    _VEC_KEYS[vec] = (stamp, key)
    return key


def _same_vectorizer(a: TfidfVectorizer, b: TfidfVectorizer) -> bool:
    ta, tb = getattr(a, "_tfidf", None), getattr(b, "_tfidf", None)
    try:
        return (
            type(a) is type(b)
            and a.get_params() == b.get_params()
            and ta is not None
            and tb is not None
            and ta.get_params() == tb.get_params()
            and a.vocabulary_ == b.vocabulary_
            and np.array_equal(ta.idf_, tb.idf_)
            and ta.idf_.dtype == tb.idf_.dtype
        )
    except (AttributeError, ValueError, TypeError):
        return False


_VEC_KEYS: weakref.WeakKeyDictionary[Any, tuple[tuple[int, int, int], int]] = (
    weakref.WeakKeyDictionary()
)
_VEC_CANON: list[tuple[weakref.ref, int]] = []
_VEC_COUNTER = itertools.count()


def _ovr_proba(model: Any, X: Any) -> np.ndarray:
    """``model.predict_proba(X)``; for one-vs-rest binary logistic regressions (the default)
    computed with one product against all classes' weights instead of one validated
    ``predict_proba`` call per class: the same arithmetic, element by element (csr rows times
    each weight column, plus the intercept, through ``expit``), then sklearn's normalisation."""
    ests = getattr(model, "estimators_", None)
    if (
        not isinstance(model, OneVsRestClassifier)
        or getattr(model, "multilabel_", True)
        or not ests
        or len(ests) < 2
        or not sparse.issparse(X)
        or any(
            type(e) is not LogisticRegression or len(e.classes_) != 2 or e.coef_.shape[0] != 1
            for e in ests
        )
    ):
        return model.predict_proba(X)
    coef_t, intercept = _stacked(model)
    if X.shape[1] != coef_t.shape[0]:
        return model.predict_proba(X)
    X = sparse.csr_matrix(X)
    if X.dtype != np.float64:
        return model.predict_proba(X)
    scores = np.asarray(X @ coef_t) + intercept
    p = special.expit(scores)
    Y = np.array([p[:, k] for k in range(p.shape[1])]).T  # the layout sklearn builds
    row_sums = np.sum(Y, axis=1)[:, np.newaxis]
    np.divide(Y, row_sums, out=Y, where=row_sums != 0)
    return Y


def _stacked(model: OneVsRestClassifier) -> tuple[np.ndarray, np.ndarray]:
    """Weights, transposed to (n_features, n_classes) in C order, and intercepts of a
    one-vs-rest model, built once per fitted model (rebuilt if its estimators change)."""
    ests = model.estimators_
    key = tuple(id(e.coef_) for e in ests) + tuple(id(e.intercept_) for e in ests)
    hit = _STACKED.get(model)
    if hit is None or hit[0] != key:
        coef = np.vstack([np.asarray(e.coef_, dtype=np.float64) for e in ests])
        intercept = np.array([float(np.ravel(e.intercept_)[0]) for e in ests])
        hit = (key, np.ascontiguousarray(coef.T), intercept)
        _STACKED[model] = hit
    return hit[1], hit[2]


_STACKED: weakref.WeakKeyDictionary[Any, tuple[Any, np.ndarray, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)


def _coef(model: Any) -> np.ndarray:
    """Weights (n_classes, n_features) of a linear model or a one-vs-rest wrapper of them."""
    if hasattr(model, "coef_"):
        coef = model.coef_
    else:
        coef = np.vstack([e.coef_ for e in model.estimators_])
    return coef.toarray() if sparse.issparse(coef) else np.asarray(coef)


# ---------------------------------------------------------------------------------------------
# labels and overrides


def _read_csv(path: Path, columns: list[str], required: Iterable[str]) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise CompareError("file not found", path) from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise CompareError(f"missing columns {missing}", path)
    for c in columns:
        if c not in df.columns:
            df[c] = ""
    return df


def _check_ids(df: pd.DataFrame, tax: Taxonomy, path: Path | str, topic_required: bool) -> None:
    cats = set(tax.category_ids)
    for row in df.itertuples(index=False):
        mid = row.measure_id
        if not mid:
            raise CompareError("a row has no measure_id", path)
        if row.category_id not in cats:
            raise CompareError(f"{mid}: unknown category_id {row.category_id!r}", path)
        if not row.topic_id:
            if topic_required:
                raise CompareError(f"{mid}: missing topic_id", path)
            continue
        if row.topic_id not in tax.topic_ids:
            raise CompareError(f"{mid}: unknown topic_id {row.topic_id!r}", path)
        if tax.parent(row.topic_id) != row.category_id:
            raise CompareError(
                f"{mid}: topic {row.topic_id} belongs to {tax.parent(row.topic_id)}, "
                f"not {row.category_id}",
                path,
            )
    dup = df["measure_id"][df["measure_id"].duplicated()]
    if len(dup):
        raise CompareError(f"duplicate measure_id {dup.iloc[0]!r}", path)


def load_labels(path: str | Path | None = None, taxonomy: Taxonomy | None = None) -> pd.DataFrame:
    """Hand labels (``data/labels/measures.csv``), checked against the taxonomy."""
    p = Path(path) if path else data_file("labels", "measures.csv")
    df = _read_csv(p, LABEL_COLUMNS, ["measure_id", "category_id", "topic_id"])
    _check_ids(df, taxonomy or load_taxonomy(), p, topic_required=True)
    return df


def load_overrides(
    path: str | Path | None = None, taxonomy: Taxonomy | None = None
) -> pd.DataFrame:
    """Researcher overrides (``data/labels/overrides.csv``); ``topic_id`` may be empty."""
    p = Path(path) if path else data_file("labels", "overrides.csv")
    if path is None and not p.exists():
        return pd.DataFrame(columns=OVERRIDE_COLUMNS)
    df = _read_csv(p, OVERRIDE_COLUMNS, ["measure_id", "category_id"])
    _check_ids(df, taxonomy or load_taxonomy(), p, topic_required=False)
    return df[OVERRIDE_COLUMNS]


def _default_overrides(tax: Taxonomy) -> pd.DataFrame:
    """:func:`load_overrides` of the default file, read again only when the file changes
    (align_measures runs once per document)."""
    p = data_file("labels", "overrides.csv")
    try:
        st = p.stat()
        stamp: tuple[Any, ...] = (str(p), st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError:
        stamp = (str(p), None)
    hit = _OVERRIDES.get("default")
    if hit is None or hit[0] != stamp or hit[1] is not tax:
        hit = (stamp, tax, load_overrides(None, tax))
        _OVERRIDES["default"] = hit
    return hit[2].copy()


_OVERRIDES: dict[str, tuple[tuple[Any, ...], Taxonomy, pd.DataFrame]] = {}


def _as_frame(value: pd.DataFrame | str | Path | None, loader: Any, tax: Taxonomy) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        return value.fillna("").astype({c: str for c in ("category_id", "topic_id") if c in value})
    return loader(value, tax)


def training_set(measures: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Labelled measures with their text: labels' own ``text`` column, else joined on measure_id."""
    if "text" in labels.columns and (labels["text"].astype(str).str.len() > 0).all():
        return labels.reset_index(drop=True)
    if "text" not in measures.columns:
        raise CompareError("measures need a 'text' column")
    cols = ["measure_id", "text"]
    return labels.drop(columns=["text"], errors="ignore").merge(
        measures[cols], on="measure_id", how="inner"
    )


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
    """Everything :func:`align_measures` needs, fitted once and reusable across documents."""

    taxonomy: Taxonomy
    method: str  # what is used: "learned", or "lexicon" (asked for, or fallen back to)
    lex_cat: LexiconAligner
    lex_topic: LexiconAligner
    cat_model: LearnedAligner | None = None
    topic_model: LearnedAligner | None = None

    @functools.cached_property
    def national(self) -> dict[str, int | None]:
        """``national2021`` of every category (looked up once, not per call)."""
        return {c: self.taxonomy.national2021(c) for c in self.taxonomy.category_ids}


def fit_aligners(
    taxonomy: Taxonomy | str | Path | None = None,
    method: str = "learned",
    labels: pd.DataFrame | str | Path | None = None,
    measures: pd.DataFrame | None = None,
) -> FittedAligners:
    """Fit the aligners: the lexicon scorers, and for ``method="learned"`` the models trained on
    the hand labels (default ``data/labels/measures.csv``, which keep their texts; labels without
    a ``text`` column are joined to ``measures`` by ``measure_id``). With fewer than
    ``MIN_TRAINING`` labelled texts it warns and falls back to the lexicon.
    """
    if method not in ("learned", "lexicon"):
        raise CompareError(f"unknown alignment method {method!r} (use 'learned' or 'lexicon')")
    tax = _resolve_taxonomy(taxonomy)
    lex_cat = LexiconAligner(tax, level="category").fit(None)
    lex_topic = LexiconAligner(tax, level="topic").fit(None)
    if method == "lexicon":
        return FittedAligners(tax, "lexicon", lex_cat, lex_topic)
    lab = _as_frame(labels, load_labels, tax)
    if measures is None:
        measures = pd.DataFrame(columns=["measure_id", "text"])
    train = training_set(measures, lab)
    if len(train) < MIN_TRAINING or train["category_id"].nunique() < 2:
        warnings.warn(
            f"only {len(train)} labelled measures match; aligning with the lexicon instead",
            stacklevel=2,
        )
        return FittedAligners(tax, "lexicon", lex_cat, lex_topic)
    cat_model = LearnedAligner(tax, level="category").fit(train, train["category_id"])
    topic_model = None
    if train["topic_id"].nunique() >= 2:
        topic_model = LearnedAligner(tax, level="topic").fit(train, train["topic_id"])
    return FittedAligners(tax, "learned", lex_cat, lex_topic, cat_model, topic_model)


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
    Overrides (default ``data/labels/overrides.csv``) win and are marked ``method="override"``.
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

    ov = _default_overrides(tax) if overrides is None else _as_frame(overrides, load_overrides, tax)
    if len(ov):
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

    nat = aligners.national
    out["national2021"] = pd.array([nat[c] for c in out["category_id"]], dtype="Int64")
    return out[ALIGNMENT_COLUMNS]


# ---------------------------------------------------------------------------------------------
# evaluation


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


def load_heldout(path: str | Path | None = None, taxonomy: Taxonomy | None = None) -> pd.DataFrame:
    """Labels of the held-out texts (``data/labels/heldout.csv``): never used for fitting or tuning."""
    return load_labels(path or data_file("labels", "heldout.csv"), taxonomy)


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
