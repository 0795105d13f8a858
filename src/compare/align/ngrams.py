"""Character n-gram TF-IDF of a fitted scikit-learn ``TfidfVectorizer``, counted with numpy.

``TfidfVectorizer.transform`` counts n-grams in a Python loop (a dict lookup per n-gram): on
the measures of a build it was two thirds of the alignment's time. :func:`tfidf_transform`
gives the same matrix (same counts, order, dtype; then the vectorizer's own idf weighting and
normalisation) for a plain character analyzer, by packing every n-gram of up to three
characters into one integer and looking it up in the sorted packed vocabulary; any other
vectorizer is left to scikit-learn. ``tests/test_align.py`` checks the identity on real texts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

#: Bits per character in a packed n-gram (code points are below 2**21).
_BITS = 21

#: Longest n-gram that fits in one int64 (three characters of 21 bits).
_MAX_N = 3


def plain_char(vec: Any) -> bool:
    """Whether ``vec`` is a fitted TfidfVectorizer whose analyzer only cuts character n-grams
    of up to :data:`_MAX_N` characters (no lower-casing, accents, preprocessor or binary)."""
    return (
        type(vec) is TfidfVectorizer
        and vec.analyzer == "char"
        and vec.input == "content"
        and vec.preprocessor is None
        and not vec.lowercase
        and vec.strip_accents is None
        and not vec.binary
        and 1 <= vec.ngram_range[0] <= vec.ngram_range[1] <= _MAX_N
        and hasattr(vec, "vocabulary_")
    )


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


def char_counts(vec: TfidfVectorizer, texts: list[str], vocabulary: Any = None) -> Any:
    """The count matrix ``vec``'s ``CountVectorizer`` part gives for ``texts``: the texts are
    joined, and an n-gram counts when its first and last characters are in the same text."""
    keys, cols = vocabulary if vocabulary is not None else packed_vocabulary(vec)
    cleaned = [vec._white_spaces.sub(" ", text) for text in texts]
    codes = _codes("".join(cleaned))
    doc = np.repeat(np.arange(len(cleaned), dtype=np.int64), [len(t) for t in cleaned])
    rows, found = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for n in range(vec.ngram_range[0], vec.ngram_range[1] + 1):
        packed = _packed(codes, n)
        inside = doc[: packed.size] == doc[n - 1 :]
        packed, where = packed[inside], doc[: inside.size][inside]
        at = np.minimum(np.searchsorted(keys, packed), keys.size - 1)
        hit = keys[at] == packed
        rows.append(where[hit])
        found.append(cols[at[hit]])
    n_cols = len(vec.vocabulary_)
    cells, counts = np.unique(np.concatenate(rows) * n_cols + np.concatenate(found),
                              return_counts=True)  # fmt: skip
    row_of, col_of = np.divmod(cells, n_cols)
    indptr = np.r_[0, np.cumsum(np.bincount(row_of, minlength=len(texts)))]
    index = np.int32 if cells.size <= np.iinfo(np.int32).max else np.int64
    x = sparse.csr_matrix(
        (counts.astype(vec.dtype), col_of.astype(index), indptr.astype(index)),
        shape=(len(texts), n_cols),
    )
    x.has_sorted_indices = True
    return x


def tfidf_transform(vec: Any, texts: list[str], vocabulary: Any = None) -> Any:
    """``vec.transform(texts)``, counted with numpy when ``vec`` is a :func:`plain_char` one."""
    if not plain_char(vec):
        return vec.transform(texts)
    return vec._tfidf.transform(char_counts(vec, texts, vocabulary), copy=False)
