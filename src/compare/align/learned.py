"""The learned aligner: TF-IDF on jieba words + character n-grams + the lexicon's category
scores (a ``FeatureUnion``) feeding a class-balanced linear classifier, blended with the
lexicon's probabilities so that a class without training examples can still be predicted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse, special
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from compare.align.base import _as_batch, _as_texts, _Batch, _resolve_taxonomy
from compare.align.lexicon import LexiconAligner, LexiconFeatures
from compare.align.ngrams import (
    CharTfidfVectorizer,
    packed_vocabulary,
    plain_char,
    tfidf_transform,
)
from compare.align.taxonomy import Taxonomy
from compare.config import DataFiles
from compare.errors import CompareError
from compare.tokenize import get_tokenizer


class LearnedAligner(ClassifierMixin, BaseEstimator):
    """TF-IDF (jieba words + character n-grams) + lexicon scores -> linear classifier.

    Parameters: ``taxonomy``; ``level`` (the level of the labels it is fitted on, only used
    for the lexicon features); ``C`` (inverse regularisation); ``classifier`` (``"logreg"`` or
    ``"svm"``); ``char_ngram`` (range of character n-grams); ``lexicon_weight`` (0 turns the
    lexicon features off); ``lexicon_blend`` (share of the lexicon's normalised scores mixed
    into the probabilities: with it every taxonomy class is in ``classes_``, so a class without
    training examples can still be predicted from its seed terms; 0 = purely learned);
    ``random_state``; ``data`` (the data folder whose dictionary the word tokenizer uses);
    ``word_features`` (False leaves the jieba words out: character n-grams only, no
    tokenising).

    Fitted state: ``features_``, ``model_``, ``classes_``, ``tokenizer_`` (jieba with the
    taxonomy's seed terms), ``transform_keys_`` (a content key per fitted vectorizer: models
    fitted on the same texts share one transform of a batch), ``packed_vocabularies_`` (each
    character vectorizer's vocabulary packed for :func:`~compare.align.ngrams.tfidf_transform`),
    ``stacked_`` (the one-vs-rest weights in one matrix). :meth:`feature_kinds` (what each feature is) is worked
    out when ``explain`` first needs it: the fits of the calibration folds never do.
    """

    method = "learned"

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
        data: DataFiles | None = None,
        word_features: bool = True,
    ) -> None:
        self.taxonomy = taxonomy
        self.level = level
        self.C = C
        self.classifier = classifier
        self.char_ngram = char_ngram
        self.lexicon_weight = lexicon_weight
        self.lexicon_blend = lexicon_blend
        self.random_state = random_state
        self.data = data
        self.word_features = word_features

    def _features(self) -> FeatureUnion:
        parts: list[tuple[str, Any]] = [
            (
                "w",
                TfidfVectorizer(
                    tokenizer=self.tokenizer_,
                    preprocessor=None,
                    lowercase=False,
                    token_pattern=None,
                    sublinear_tf=True,
                ),
            ),
            (
                "c",
                CharTfidfVectorizer(
                    analyzer="char",
                    ngram_range=tuple(self.char_ngram),
                    lowercase=False,
                    sublinear_tf=True,
                    min_df=2,
                ),
            ),
        ]
        if not self.word_features:
            parts = parts[1:]
        if self.lexicon_weight:
            parts.append(("lex", LexiconFeatures(self.taxonomy, self.level, self.lexicon_weight)))
        return FeatureUnion(parts)

    def _model(self) -> Any:
        if self.classifier == "logreg":
            # one-vs-rest liblinear: much faster than multinomial lbfgs on wide sparse features;
            # the dual problem, as there are far more features than texts (about 100,000 to
            # 1,400): the same optimum (probabilities within 3e-5, the same top class on every
            # held-out text tried) in half the time of the primal
            return OneVsRestClassifier(
                LogisticRegression(
                    C=self.C,
                    class_weight="balanced",
                    solver="liblinear",
                    dual=True,
                    max_iter=1000,
                    random_state=self.random_state,
                )
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
        tax = _resolve_taxonomy(self.taxonomy, self.data)
        self.tokenizer_ = get_tokenizer(self.data, tax.seed_terms())
        self.features_ = self._features()
        self.model_ = self._model().fit(self.features_.fit_transform(texts, y), y)
        self.transform_keys_ = [_transform_key(t) for _, t in self.features_.transformer_list]
        self.packed_vocabularies_ = [
            packed_vocabulary(t) if plain_char(t) else None
            for _, t in self.features_.transformer_list
        ]
        self.stacked_ = _stacked(self.model_)
        # the lexicon: blended into the probabilities, and the seed terms of explain()
        self.lexicon_ = LexiconAligner(self.taxonomy, level=self.level).fit(None, y)
        if self.lexicon_blend:
            self.classes_ = self.lexicon_.classes_
        else:
            self.classes_ = self.model_.classes_
        return self

    def __getstate__(self) -> dict[str, Any]:
        """The fitted state without ``stacked_``, a copy of the weights in ``model_``: pickled
        (the build's model cache, a fit sent back from a worker) at about half the size."""
        state = dict(super().__getstate__())
        state.pop("stacked_", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        if "model_" in state:
            self.stacked_ = _stacked(self.model_)

    # each public method works on a fresh batch; align_measures shares one between calls

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (logistic, or softmax of SVM margins), blended with the lexicon."""
        check_is_fitted(self, "model_")
        return self._proba(_as_batch(X))

    def decision_function(self, X: Any) -> np.ndarray:
        """Classifier margins; with ``lexicon_blend``, log blended probabilities."""
        check_is_fitted(self, "model_")
        return self._decision(_as_batch(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most likely class."""
        check_is_fitted(self, "model_")
        return self._predict(_as_batch(X))

    def explain(self, X: Any, top: int = 5) -> list[str]:
        """Evidence per text: seed terms of the predicted class found in it, then the words
        (jieba tokens) that pushed the classifier hardest toward it; character n-grams only
        when neither exists."""
        check_is_fitted(self, "model_")
        return self._explain(_as_batch(X), top)

    def feature_kinds(self) -> tuple[np.ndarray, list[str]]:
        """:func:`_feature_kinds` of the fitted features' names (kept once worked out)."""
        check_is_fitted(self, "model_")
        if getattr(self, "feature_kinds_", None) is None:
            self.feature_kinds_ = _feature_kinds(self.features_.get_feature_names_out())
        return self.feature_kinds_

    def _transform(self, batch: _Batch) -> Any:
        """``features_.transform(texts)``, computed once per batch."""
        return batch.cached(self, "features", lambda: self._union_transform(batch))

    def _model_scores(self, batch: _Batch) -> np.ndarray:
        scores = self.model_.decision_function(self._transform(batch))
        if scores.ndim == 1:  # binary case
            scores = np.column_stack([-scores, scores])
        return scores

    def _model_proba(self, batch: _Batch) -> np.ndarray:
        if hasattr(self.model_, "predict_proba"):
            return _ovr_proba(self.model_, self._transform(batch), self.stacked_)
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
        return self._evidence(batch, self._predict(batch), top)

    def _evidence(self, batch: _Batch, preds: Sequence[str], top: int) -> list[str]:
        """What supports class ``preds[i]`` of each text: its seed terms found there, then the
        words (else character n-grams) that push the classifier toward it."""
        feats = self._transform(batch).tocsr()
        coef = _coef(self.model_)
        if coef.shape[0] == 1:
            coef = np.vstack([-coef[0], coef[0]])
        model_index = {c: i for i, c in enumerate(self.model_.classes_)}
        lex_terms = self.lexicon_._evidence(batch, preds, 3)
        kinds, values = self.feature_kinds()
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
                words = ranked[kind == 0]
                if words.size:
                    candidates = (values[j] for j in words.tolist())
                elif not chosen:
                    candidates = (
                        values[j] for j in ranked[kind == 1].tolist() if len(values[j]) > 1
                    )
                else:
                    candidates = iter(())
                for value in candidates:  # read only as far as needed
                    if len(chosen) >= top:
                        break
                    if not any(value in c or c in value for c in chosen):
                        chosen.append(value)
            out.append("; ".join(chosen))
        return out

    def _union_transform(self, batch: _Batch) -> Any:
        """``features_.transform(batch.texts)``, with the lexicon part read from the batch and
        each vectorizer's output shared, through ``transform_keys_``, with every model fitted on
        the same texts."""
        union = self.features_
        plain = (
            union.transformer_weights is None
            and union.n_jobs is None
            and not getattr(union, "_sklearn_output_config", None)
        )
        parts = [trans for _, trans in union.transformer_list]
        if not plain or not parts or any(isinstance(t, str) for t in parts):
            return union.transform(batch.texts)
        out = []
        packed = self.packed_vocabularies_
        for t, key, voc in zip(parts, self.transform_keys_, packed, strict=True):
            if isinstance(t, LexiconFeatures):
                out.append(t._transform(batch))
            elif key is not None:
                make = lambda t=t, voc=voc: tfidf_transform(t, batch.texts, voc)  # noqa: E731
                out.append(batch.memo_value(("tfidf", key), make))
            else:
                out.append(tfidf_transform(t, batch.texts, voc))
        if not any(sparse.issparse(x) for x in out):
            return union.transform(batch.texts)
        return sparse.hstack(out).tocsr()


def _feature_kinds(names: Any) -> tuple[np.ndarray, list[str]]:
    """Per feature name ``<part>__<value>``: kind 0 for ``w`` (words), 1 for ``c`` (char
    n-grams), 2 otherwise (the lexicon), and the value."""
    parts = [str(n).partition("__") for n in names]
    kinds = np.array([{"w": 0, "c": 1}.get(k, 2) for k, _, _ in parts], dtype=np.int8)
    return kinds, [v for _, _, v in parts]


def _transform_key(vec: Any) -> str | None:
    """A content key of a fitted :class:`TfidfVectorizer`: equal for vectorizers whose
    ``transform`` gives the same result (same parameters, tokenizer, vocabulary and idf
    weights); ``None`` for anything else."""
    tfidf = getattr(vec, "_tfidf", None)
    if (
        type(vec) not in (TfidfVectorizer, CharTfidfVectorizer)
        or tfidf is None
        or not hasattr(tfidf, "idf_")
    ):
        return None
    params = {
        k: (getattr(v, "key", None) or repr(v)) if k == "tokenizer" and v is not None else v
        for k, v in vec.get_params().items()
    }
    h = hashlib.sha256(repr(sorted(params.items(), key=lambda kv: kv[0])).encode())
    h.update(repr(sorted(tfidf.get_params().items())).encode())
    terms = [""] * len(vec.vocabulary_)  # the terms in index order: the same mapping
    for term, i in vec.vocabulary_.items():
        terms[i] = term
    h.update("\n".join(terms).encode())
    h.update(str(tfidf.idf_.dtype).encode())
    h.update(np.ascontiguousarray(tfidf.idf_).tobytes())
    return h.hexdigest()


def _ovr_proba(
    model: Any, X: Any, stacked: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """``model.predict_proba(X)``; for one-vs-rest binary logistic regressions (the default)
    computed with one product against all classes' weights instead of one validated
    ``predict_proba`` call per class: the same arithmetic, element by element (csr rows times
    each weight column, plus the intercept, through ``expit``), then sklearn's normalisation.
    ``stacked``: :func:`_stacked` of the model, when the caller kept it."""
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
    coef_t, intercept = stacked or _stacked(model) or (np.zeros((0, 0)), np.zeros(0))
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


def _stacked(model: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """Weights, transposed to (n_features, n_classes) in C order, and intercepts of a
    one-vs-rest model of logistic regressions (``None`` for another model)."""
    ests = getattr(model, "estimators_", None)
    if not isinstance(model, OneVsRestClassifier) or not ests:
        return None
    if any(type(e) is not LogisticRegression or e.coef_.shape[0] != 1 for e in ests):
        return None
    coef = np.vstack([np.asarray(e.coef_, dtype=np.float64) for e in ests])
    intercept = np.array([float(np.ravel(e.intercept_)[0]) for e in ests])
    return np.ascontiguousarray(coef.T), intercept


def _coef(model: Any) -> np.ndarray:
    """Weights (n_classes, n_features) of a linear model or a one-vs-rest wrapper of them."""
    if hasattr(model, "coef_"):
        coef = model.coef_
    else:
        coef = np.vstack([e.coef_ for e in model.estimators_])
    return coef.toarray() if sparse.issparse(coef) else np.asarray(coef)
