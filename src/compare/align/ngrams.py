"""Character n-gram TF-IDF of a scikit-learn ``TfidfVectorizer``, counted with numpy.

``TfidfVectorizer`` counts n-grams in a Python loop (a dict lookup per n-gram): on the measures
of a build its ``transform`` was two thirds of the alignment's time, and its ``fit`` a third of
each of the seven fits of a build's aligners. :func:`tfidf_transform` gives the same matrix
(same counts, order, dtype; then the vectorizer's own idf weighting and normalisation) for a
plain character analyzer, by packing every n-gram of up to three characters into one integer
and looking it up in the sorted packed vocabulary; :class:`CharTfidfVectorizer` fits the same
vocabulary, idf and matrix (entries in scikit-learn's order) from the packed n-grams. Any other
vectorizer is left to scikit-learn. ``tests/test_align.py`` checks both identities on real
texts.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

#: Bits per character in a packed n-gram (code points are below 2**21).
_BITS = 21

#: Longest n-gram that fits in one int64 (three characters of 21 bits).
_MAX_N = 3


def _plain_char_settings(vec: Any) -> bool:
    """Whether ``vec``'s analyzer only cuts character n-grams of up to :data:`_MAX_N`
    characters (no lower-casing, accents, preprocessor or binary)."""
    return (
        type(vec) in (TfidfVectorizer, CharTfidfVectorizer)
        and vec.analyzer == "char"
        and vec.input == "content"
        and vec.preprocessor is None
        and not vec.lowercase
        and vec.strip_accents is None
        and not vec.binary
        and 1 <= vec.ngram_range[0] <= vec.ngram_range[1] <= _MAX_N
    )


def plain_char(vec: Any) -> bool:
    """Whether ``vec`` is a fitted TfidfVectorizer of :func:`_plain_char_settings`."""
    return _plain_char_settings(vec) and hasattr(vec, "vocabulary_")


def _codes(text: str) -> np.ndarray:
    """Code points + 1 (0 stands for "no character")."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64) + 1


def _packed(codes: np.ndarray, n: int) -> np.ndarray:
    """Every n-gram of ``codes`` packed into one integer: characters in the high bits first."""
    m = codes.size - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.int64)
    key = np.zeros(m, dtype=np.int64)
    for j in range(n):
        key |= codes[j : j + m] << (_BITS * (_MAX_N - 1 - j))
    return key


def packed_vocabulary(vec: TfidfVectorizer) -> tuple[np.ndarray, np.ndarray]:
    """The vocabulary's n-grams packed (sorted) and their column indices."""
    keys, cols = [], []
    by_length: dict[int, list[str]] = {}
    for term in vec.vocabulary_:
        by_length.setdefault(len(term), []).append(term)
    for n, terms in sorted(by_length.items()):
        keys.append(_packed(_codes("".join(terms)), n)[::n])
        cols.append(np.array([vec.vocabulary_[t] for t in terms], dtype=np.int64))
    key, col = np.concatenate(keys), np.concatenate(cols)
    order = np.argsort(key, kind="stable")
    return key[order], col[order]


def _occurrences(
    vec: Any, texts: list[str], ordered: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every character n-gram of ``texts`` as scikit-learn's analyzer cuts it (the texts are
    joined, and an n-gram counts when its first and last characters are in the same text):
    packed n-gram, text index, and (``ordered``; else empty) a key that sorts occurrences as
    the analyzer yields them (text by text; in a text, all n-grams of the shortest length
    first)."""
    cleaned = [vec._white_spaces.sub(" ", text) for text in texts]
    lengths = np.array([len(t) for t in cleaned], dtype=np.int64)
    codes = _codes("".join(cleaned))
    doc = np.repeat(np.arange(len(cleaned), dtype=np.int64), lengths)
    starts = np.r_[0, np.cumsum(lengths)[:-1]] if len(cleaned) else lengths
    lo, hi = vec.ngram_range
    keys, rows, order = [], [], []
    for n in range(lo, hi + 1):
        packed = _packed(codes, n)
        at = np.flatnonzero(doc[: packed.size] == doc[n - 1 :])
        where = doc[at]
        keys.append(packed[at])
        rows.append(where)
        if ordered:
            # texts hold disjoint ranges of the key; in a text, length n - lo comes after the
            # shorter ones (each text has fewer n-grams of a length than characters)
            local = at - starts[where]
            order.append((hi - lo + 1) * starts[where] + (n - lo) * lengths[where] + local)
    key = np.concatenate(order) if ordered else np.zeros(0, dtype=np.int64)
    return np.concatenate(keys), np.concatenate(rows), key


def _unpacked(keys: np.ndarray) -> list[str]:
    """The n-grams of packed ``keys`` as strings."""
    chars = np.stack([(keys >> (_BITS * (_MAX_N - 1 - j))) & ((1 << _BITS) - 1)
                      for j in range(_MAX_N)], axis=1)  # fmt: skip
    lengths = np.count_nonzero(chars, axis=1)
    out: list[str] = [""] * keys.size
    for n in np.unique(lengths):
        at = np.flatnonzero(lengths == n)
        joined = (chars[at, :n] - 1).astype("<u4").tobytes().decode("utf-32-le")
        for i, pos in enumerate(at.tolist()):
            out[pos] = joined[i * n : (i + 1) * n]
    return out


def fit_char_counts(vec: Any, texts: list[str]) -> tuple[Any, dict[str, int]]:
    """The count matrix and vocabulary ``CountVectorizer.fit_transform`` gives ``vec``'s
    settings (:func:`_plain_char_settings`, ``min_df``/``max_df``, no ``max_features``): the
    same terms and indices, and in each row the entries in scikit-learn's order (by where in
    the texts a term was first seen), so that what is fitted on them is the same too."""
    keys, rows, order = _occurrences(vec, texts)
    if keys.size == 0:
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    terms, col = np.unique(keys, return_inverse=True)
    first_seen = np.full(terms.size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_seen, col, order)
    cells, counts = np.unique(rows * terms.size + col, return_counts=True)
    row_of, col_of = np.divmod(cells, terms.size)
    n_docs = len(texts)
    df = np.bincount(col_of, minlength=terms.size)
    high = vec.max_df if isinstance(vec.max_df, Integral) else vec.max_df * n_docs
    low = vec.min_df if isinstance(vec.min_df, Integral) else vec.min_df * n_docs
    if high < low:
        raise ValueError("max_df corresponds to < documents than min_df")
    kept = (df <= high) & (df >= low)
    if not kept.any():
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    new_col = np.cumsum(kept) - 1
    keep = kept[col_of]
    row_of, col_of, counts = row_of[keep], col_of[keep], counts[keep]
    entries = np.lexsort((first_seen[col_of], row_of))
    index = np.int32 if cells.size <= np.iinfo(np.int32).max else np.int64
    indptr = np.r_[0, np.cumsum(np.bincount(row_of, minlength=n_docs))]
    x = sparse.csr_matrix(
        (counts[entries].astype(vec.dtype), new_col[col_of[entries]].astype(index),
         indptr.astype(index)),
        shape=(n_docs, int(kept.sum())),
    )  # fmt: skip
    # the dict in scikit-learn's insertion order too (first seen first)
    names = _unpacked(terms[kept])
    seen = np.argsort(first_seen[kept], kind="stable").tolist()
    return x, {names[i]: i for i in seen}


class CharTfidfVectorizer(TfidfVectorizer):
    """A ``TfidfVectorizer`` whose ``fit`` counts plain character n-grams with numpy
    (:func:`fit_char_counts`): the same fitted vectorizer as scikit-learn's; other settings
    (``max_features``, a fixed ``vocabulary``, word analyzers) are fitted by scikit-learn."""

    def fit(self, raw_documents: Any, y: Any = None) -> CharTfidfVectorizer:
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents: Any, y: Any = None) -> Any:
        if not (_plain_char_settings(self) and self.vocabulary is None
                and self.max_features is None):  # fmt: skip
            return super().fit_transform(raw_documents, y)
        if isinstance(raw_documents, str):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        self._validate_params()
        self._check_params()
        self._validate_ngram_range()
        self._validate_vocabulary()
        counts, self.vocabulary_ = fit_char_counts(self, list(raw_documents))
        self._tfidf = TfidfTransformer(norm=self.norm, use_idf=self.use_idf,
                                       smooth_idf=self.smooth_idf, sublinear_tf=self.sublinear_tf)  # fmt: skip
        self._tfidf.fit(counts)
        return self._tfidf.transform(counts, copy=False)


def char_counts(vec: TfidfVectorizer, texts: list[str], vocabulary: Any = None) -> Any:
    """The count matrix ``vec``'s ``CountVectorizer`` part gives for ``texts``
    (:func:`_occurrences`). N-grams are looked up in a hash table of the packed vocabulary
    (``pandas.Index``: three times faster than a binary search of it), and the counts summed
    by scipy."""
    keys, cols = vocabulary if vocabulary is not None else packed_vocabulary(vec)
    packed, where, _ = _occurrences(vec, texts, ordered=False)
    at = pd.Index(keys).get_indexer(packed)
    hit = at >= 0
    x = sparse.csr_matrix(
        (np.ones(int(hit.sum()), dtype=vec.dtype), (where[hit], cols[at[hit]])),
        shape=(len(texts), len(vec.vocabulary_)),
    )
    x.sum_duplicates()  # one entry per cell, indices sorted
    return x


def tfidf_transform(vec: Any, texts: list[str], vocabulary: Any = None) -> Any:
    """``vec.transform(texts)``, counted with numpy when ``vec`` is a :func:`plain_char` one."""
    if not plain_char(vec):
        return vec.transform(texts)
    return vec._tfidf.transform(char_counts(vec, texts, vocabulary), copy=False)
