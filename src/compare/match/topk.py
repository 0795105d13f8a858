"""Sparse top-k selection for the ``matches`` table: the primitives
:func:`compare.match.counterparts.match_measures` is built from — column pruning of common
n-grams, one chunk's candidate pairs of a sparse product (of a top-n product when columns
were pruned), the best per document and per row (ties to the smaller id) — vectorised with
numpy so memory stays linear in the corpus."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sparse_dot_topn import sp_matmul_topn

from compare.errors import CompareError
from compare.parallel import release_free_memory


def position_in_group(group: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal values of a sorted ``group``."""
    if group.size == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    lengths = np.diff(np.r_[starts, group.size])
    return np.arange(group.size, dtype=np.int64) - np.repeat(starts, lengths)


def best_per_group(group: np.ndarray, vals: np.ndarray, keep: int) -> np.ndarray:
    """Indices of the ``keep`` largest ``vals`` of each run of equal ``group`` values.

    ``group`` is sorted and, inside a run, entries are in column (= id) order, so taking the
    first maximum breaks ties by id. O(keep x len) with no sort.
    """
    if group.size == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    gid = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, group.size]))
    work = vals.copy()
    chosen = []
    for _ in range(keep):
        gmax = np.maximum.reduceat(work, starts)
        hit = np.flatnonzero((work == gmax[gid]) & (work > -np.inf))
        if hit.size == 0:
            break
        first = hit[np.r_[True, gid[hit][1:] != gid[hit][:-1]]]
        chosen.append(first)
        work[first] = -np.inf
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)


def top_per_row(rows: np.ndarray, vals: np.ndarray, tie: np.ndarray, keep: int) -> np.ndarray:
    """Indices of the ``keep`` best entries of each row (score desc, then ``tie`` asc),
    ordered by row, then rank."""
    order = np.lexsort((tie, -vals, rows))
    return order[position_in_group(rows[order]) < keep]


def rowwise_dot(x: sp.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact ``x[a[i]] . x[b[i]]`` for every i (sparse, no dense rows)."""
    if a.size == 0:
        return np.zeros(0, dtype=np.float64)
    return np.asarray(x[a].multiply(x[b]).sum(axis=1), dtype=np.float64).ravel()


def df_cap(max_df: int | float | None, n: int) -> int:
    """``max_df`` as a count of measures: ``None`` is all, a float a fraction of ``n``."""
    if max_df is None:
        return n
    return int(max_df * n) if isinstance(max_df, float) else int(max_df)


Triple = tuple[np.ndarray, np.ndarray, np.ndarray]  # rows, columns, scores of pairs


def check_measures(measures: pd.DataFrame) -> None:
    """A clear error when ``measures`` lacks a needed column or repeats a ``measure_id``."""
    missing = [c for c in ("doc_id", "measure_id", "text") if c not in measures.columns]
    if missing:
        raise CompareError(f"measures table lacks column(s) {', '.join(missing)}")
    ids = measures["measure_id"].astype(str)
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        raise CompareError(f"measure_id {dup!r} is not unique")


def best_pairs(
    triple: Triple,
    doc: np.ndarray,
    n_docs: int,
    id_rank: np.ndarray,
    per_document: int,
    top: int,
) -> Triple:
    """Of candidate pairs, the best ``per_document`` of each other document, then the best
    ``top`` of each row (ties to the smaller id), in (row, document, id) order."""
    rows, cols, vals = triple
    order = np.lexsort((cols, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    sel = best_per_group(rows * n_docs + doc[cols], vals, per_document)
    rows, cols, vals = rows[sel], cols[sel], vals[sel]
    sel = top_per_row(rows, vals, id_rank[cols], top)
    return rows[sel], cols[sel], vals[sel]


def split_columns(df: np.ndarray, cap: int) -> list[np.ndarray]:
    """Of n-gram columns with document frequencies ``df``: those searched (in at least two and
    at most ``cap`` measures: a column in fewer cannot add to any pair's score) and the
    left-out common ones (more than ``cap``), kept to complete candidates' scores exactly."""
    return [np.flatnonzero((df >= 2) & (df <= cap)), np.flatnonzero(df > cap)]


def stack_rows(blocks: list[sp.csr_matrix], n_cols: int) -> sp.csr_matrix:
    """``scipy.sparse.vstack(blocks)`` into arrays sized once, emptying ``blocks`` as it goes
    (so the blocks and the result are not both held whole)."""
    nnz = sum(b.nnz for b in blocks)
    n_rows = sum(b.shape[0] for b in blocks)
    data = np.empty(nnz, dtype=np.float32)
    indices = np.empty(nnz, dtype=np.int32 if max(nnz, n_cols) < 2**31 else np.int64)
    indptr = np.zeros(n_rows + 1, dtype=indices.dtype)
    at = row = 0
    while blocks:
        b = blocks.pop(0)
        data[at : at + b.nnz], indices[at : at + b.nnz] = b.data, b.indices
        indptr[row + 1 : row + 1 + b.shape[0]] = b.indptr[1:] + at
        at, row = at + b.nnz, row + b.shape[0]
        if len(blocks) % 32 == 0:  # the copied blocks' memory goes back as the result fills
            release_free_memory()
    return sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_cols))


def chunk_pairs(prod: sp.csr_matrix, start: int, doc: np.ndarray, min_score: float) -> Triple:
    """The candidate pairs of one chunk's product rows (rows ``start``…): pairs in other
    documents scoring at least ``min_score``."""
    local = np.repeat(np.arange(prod.shape[0], dtype=np.int64), np.diff(prod.indptr))
    cols = prod.indices.astype(np.int64)
    ok = (doc[local + start] != doc[cols]) & (prod.data >= min_score - 1e-6)
    return local[ok] + start, cols[ok], prod.data[ok].astype(np.float64)


def chunk_top_pairs(
    rows: sp.csr_matrix, xt: sp.csr_matrix, start: int, doc: np.ndarray, keep: int, largest: int
) -> Triple:
    """About the ``keep`` best pairs in other documents of each of the chunk's ``rows``
    (rows ``start``…) by the product ``rows @ xt``, computed by sparse_dot_topn's top-n
    product so the full product is never stored. Each row asks for ``keep`` plus ``largest``
    (the largest document's measure count), so that dropping its own document's entries
    still leaves ``keep``."""
    prod = sp_matmul_topn(rows, xt, top_n=keep + largest, threshold=0.0, sort=False)
    local = np.repeat(np.arange(prod.shape[0], dtype=np.int64), np.diff(prod.indptr))
    cols = prod.indices.astype(np.int64)
    ok = doc[local + start] != doc[cols]
    return local[ok] + start, cols[ok], prod.data[ok].astype(np.float64)


def doc_order(ids_in: np.ndarray, docs_in: np.ndarray) -> tuple[np.ndarray, ...]:
    """``perm`` to (doc_id, measure_id) order, the ids in it, the document names, each row's
    document number and each id's rank (for ties)."""
    perm = np.lexsort((ids_in, docs_in))
    ids = ids_in[perm]
    doc_names, doc = np.unique(docs_in[perm], return_inverse=True)
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
    return perm, ids, doc_names, doc.astype(np.int64), id_rank
