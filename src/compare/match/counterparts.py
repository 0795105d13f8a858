"""Counterparts: for each measure, the most similar measures of every other document.

``match_measures(measures) -> matches``
    TF-IDF vectors of character 2-3-grams (no tokenizer needed for Chinese; sublinear tf;
    hashed features, so no vocabulary is held; n-grams counted by vectorised numpy), cosine
    similarity by chunked sparse products ``X[chunk] @ X.T``. Each chunk is cut down to its
    rows' best candidates before the next, so memory is bounded by ``chunk_size`` x (non-zeros
    of a product row). N-grams in more than ``max_df`` measures are left out of the product
    (they would make every row dense and the work quadratic); their share of the score is added
    back for the surviving candidates, so every reported ``score`` is the exact cosine.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from compare.errors import CompareError
from compare.match.topk import (
    Triple,
    best_pairs,
    check_measures,
    chunk_pairs,
    chunk_top_pairs,
    df_cap,
    doc_order,
    position_in_group,
    rowwise_dot,
    split_columns,
    stack_rows,
)
from compare.parallel import release_free_memory, run_tasks, runs_by_size
from compare.structure.config import Config, load_config
from compare.structure.measures import without_unit_note
from compare.structure.segment import leading_marker

__all__ = ["MATCH_COLUMNS", "match_measures", "match_text", "tfidf_matrix"]

#: Columns of the ``matches`` table (design.md), plus ``other_doc_id``.
MATCH_COLUMNS = ["measure_id", "other_measure_id", "score", "rank", "other_doc_id"]

#: Runs of anything that is not a letter, digit or CJK character.
_NON_WORD = re.compile(r"[\W_]+")

_N_FEATURES = 2**22

#: Characters of measure text counted into n-grams at once (a block of the TF-IDF's work).
TEXT_BLOCK_CHARS = 250_000


# ---------------------------------------------------------------------------------------------
# matches
# ---------------------------------------------------------------------------------------------


def match_text(text: str, number: str = "", config: Config | None = None) -> str:
    """The words of a measure given only its text: without its numbering marker and unit note.

    ``number`` is the marker as printed (the ``measures.number`` column); when the text starts
    with it, exactly that is removed, else any marker of ``data/segmentation.yml``
    (:func:`compare.structure.segment.leading_marker`). For rows of a measures table use
    :func:`measure_words`, which reads the table's ``heading`` and ``body``. ``config``: the
    segmentation vocabulary (read from ``data/`` when not given; pass it when calling per row).
    """
    body = text.lstrip()
    if number and body.startswith(number):
        body = body[len(number) :]
    else:
        body = body[len(leading_marker(body, config)) :]
    return _words(without_unit_note(body, config))


def measure_words(heading: str, body: str, config: Config | None = None) -> str:
    """The words of a measure for comparison, from the measures table's ``heading`` and
    ``body`` (never re-derived from the text): the trailing unit note
    (:func:`compare.structure.measures.without_unit_note`) left out, punctuation and whitespace
    runs made one space (n-grams never span a clause break)."""
    return _words(f"{heading} {without_unit_note(body, config)}")


def _words(text: str) -> str:
    return _NON_WORD.sub(" ", text).strip()


def _measure_words(measures: pd.DataFrame, config: Config | None = None) -> list[str]:
    """:func:`measure_words` of every row when the table has ``body`` (and ``heading``), else
    :func:`match_text` of ``text`` (and ``number``); markers and unit notes as ``config`` (the
    build's segmentation rules; default: the data folder's) defines them, read once."""
    n = len(measures)
    config = config or load_config()
    if "body" in measures.columns:
        heads = measures["heading"] if "heading" in measures.columns else pd.Series([""] * n)
        return [
            measure_words(str(h), str(b), config)
            for h, b in zip(heads.fillna(""), measures["body"].fillna(""), strict=True)
        ]
    numbers = (
        measures["number"].fillna("").astype(str).tolist()
        if "number" in measures.columns
        else [""] * n
    )
    texts = measures["text"].fillna("").astype(str).tolist()
    return [match_text(t, k, config) for t, k in zip(texts, numbers, strict=True)]


def _ngram_counts(texts: list[str], ngram_range: tuple[int, int], n_features: int) -> sp.csr_matrix:
    """Counts of hashed character n-grams (not spanning spaces), one row per text.

    Vectorised over the whole corpus: code points of all texts joined by spaces, a polynomial
    hash of every n-character window, windows containing a space dropped, and a
    multiplicative hash folding each n-gram into ``n_features`` buckets.
    """
    n = len(texts)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=n)
    codes = np.frombuffer(" ".join(texts).lower().encode("utf-32-le"), dtype=np.uint32)
    codes = np.r_[codes, np.uint32(32)].astype(np.uint64)  # a trailing space ends the last
    row_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
    spaces = np.r_[0, np.cumsum(codes == 32)]
    bits = int(np.log2(n_features))
    rows_parts, cols_parts = [], []
    with np.errstate(over="ignore"):
        h = codes.copy()
        for size in range(2, ngram_range[1] + 1):
            m = codes.size - size + 1
            h = h[:m] * np.uint64(0x100000001B3) + codes[size - 1 : size - 1 + m]
            if size < ngram_range[0]:
                continue
            ok = np.flatnonzero(spaces[size : size + m] - spaces[:m] == 0)
            mixed = (h[ok] ^ np.uint64(size)) * np.uint64(0x9E3779B97F4A7C15)
            cols_parts.append((mixed >> np.uint64(64 - bits)).astype(np.int64))
            rows_parts.append(row_of[ok])
    rows = np.concatenate(rows_parts) if rows_parts else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols_parts) if cols_parts else np.zeros(0, dtype=np.int64)
    x = sp.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=(n, n_features))
    x.sum_duplicates()
    return x


def tfidf_matrix(texts: list[str], ngram_range: tuple[int, int] = (2, 3)) -> sp.csr_matrix:
    """L2-normalised TF-IDF rows (float32 CSR) of character n-grams, sublinear tf.

    Features are hashed (2**22 buckets, no vocabulary to store); n-grams stay inside
    space-separated clauses and Latin letters are lower-cased. idf is the smoothed
    ``ln((1 + n) / (1 + df)) + 1``. Linear in the total length of the texts.
    """
    return _tfidf(texts, ngram_range, lambda df: [np.arange(df.size)])[0]


def tfidf_split(
    texts: list[str], cap: int, ngram_range: tuple[int, int] = (2, 3), jobs: int = 1
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """:func:`tfidf_matrix` of ``texts`` as its searched and common columns
    (:func:`~compare.match.topk.split_columns`), built block by block: the whole matrix is
    never held at once beside its parts; ``jobs`` processes share the work."""
    searched, common = _tfidf(texts, ngram_range, lambda df: split_columns(df, cap), jobs)
    return searched, common


def _tfidf(
    texts: list[str],
    ngram_range: tuple[int, int],
    columns: Callable[[np.ndarray], list[np.ndarray]],
    jobs: int = 1,
) -> list[sp.csr_matrix]:
    """The TF-IDF matrix of ``texts`` cut into the column sets ``columns(df)`` gives.

    Two passes over blocks of texts, each shared among ``jobs`` processes (the n-grams are
    counted twice): the first only sums the document frequencies, the second weighs each
    block and keeps its parts, so the counts of the whole corpus are never held (~300 MB at
    N = 10,000 documents). The same matrices whatever ``jobs`` is."""
    if ngram_range[0] < 2 or ngram_range[1] < ngram_range[0]:
        raise CompareError(f"ngram_range {ngram_range} must be (low, high) with 2 <= low <= high")
    runs = runs_by_size([len(t) + 1 for t in texts], TEXT_BLOCK_CHARS)
    n_shares = min(len(runs), 1 if jobs < 2 else 4 * jobs)  # small parts to gather
    shares = [
        runs[len(runs) * k // n_shares : len(runs) * (k + 1) // n_shares] for k in range(n_shares)
    ]

    def counts(a: int, b: int) -> sp.csr_matrix:
        return _ngram_counts(texts[a:b], ngram_range, _N_FEATURES)

    def frequencies(share: list[tuple[int, int]]) -> np.ndarray:
        df = np.zeros(_N_FEATURES, dtype=np.int64)
        for a, b in share:
            df += np.bincount(counts(a, b).indices, minlength=_N_FEATURES)
        return df

    df = sum(run_tasks([functools.partial(frequencies, share) for share in shares], jobs=jobs))
    idf = np.log((1.0 + len(texts)) / (1.0 + df.astype(np.float32)), dtype=np.float32)
    idf += np.float32(1.0)
    sets = columns(df)
    del df

    def weighted(share: list[tuple[int, int]]) -> list[sp.csr_matrix]:
        pieces: list[list[sp.csr_matrix]] = [[] for _ in sets]
        for a, b in share:
            block = counts(a, b)
            block.data = (1.0 + np.log(block.data, dtype=np.float32)) * idf[block.indices]
            sq = block.multiply(block).sum(axis=1)
            norms = np.sqrt(np.asarray(sq).ravel()).astype(np.float32)
            norms[norms == 0] = 1.0
            block.data /= np.repeat(norms, np.diff(block.indptr))
            block.sort_indices()
            for kept, cols in zip(pieces, sets, strict=True):
                kept.append(block[:, cols] if cols.size < block.shape[1] else block)
        return [stack_rows(kept, cols.size) for kept, cols in zip(pieces, sets, strict=True)]

    parts = run_tasks([functools.partial(weighted, share) for share in shares], jobs=jobs)
    return [stack_rows([p[i] for p in parts], cols.size) for i, cols in enumerate(sets)]


def _empty_matches() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure_id": pd.Series(dtype=object),
            "other_measure_id": pd.Series(dtype=object),
            "score": pd.Series(dtype=np.float64),
            "rank": pd.Series(dtype=np.int64),
            "other_doc_id": pd.Series(dtype=object),
        }
    )


def _as_matches(
    parts: list[Triple], perm: np.ndarray, ids: np.ndarray, doc_of: np.ndarray
) -> pd.DataFrame:
    """The matches table of the kept pairs, ranked, in the caller's row order."""
    rows = np.concatenate([p[0] for p in parts])
    cols = np.concatenate([p[1] for p in parts])
    vals = np.concatenate([p[2] for p in parts])
    if rows.size == 0:
        return _empty_matches()
    rank = position_in_group(rows) + 1
    order = np.lexsort((rank, perm[rows]))
    rows, cols, vals, rank = rows[order], cols[order], vals[order], rank[order]
    return pd.DataFrame(
        {
            "measure_id": ids[rows],
            "other_measure_id": ids[cols],
            "score": np.round(np.minimum(vals, 1.0), 6),
            "rank": rank,
            "other_doc_id": doc_of[cols],
        }
    )


def match_measures(
    measures: pd.DataFrame,
    k: int = 5,
    per_document: int = 1,
    min_score: float = 0.1,
    chunk_size: int = 250,
    max_df: int | float | None = 1000,
    n_candidates: int = 20,
    config: Config | None = None,
    jobs: int = 1,
) -> pd.DataFrame:
    """The ``matches`` table: each measure's closest measures in *other* documents.

    ``measures`` needs ``doc_id``, ``measure_id`` and ``text``; a measures table's ``heading``
    and ``body`` are read as they are (:func:`measure_words`), else the marker is stripped from
    ``text`` (:func:`match_text`, with ``number`` when present). For each measure: cosine
    similarity of TF-IDF character-2-3-gram vectors (:func:`tfidf_matrix`) against every
    measure of every other document; the best ``per_document`` counterparts of each other document with
    ``score >= min_score`` are kept, and of those the best ``k`` overall, ranked 1..k.
    Same-document pairs never appear; ties go to the smaller ``other_measure_id`` (so the row
    order of ``measures`` does not matter).

    Scale: rows are processed ``chunk_size`` at a time (``X[chunk] @ Xc.T``, sparse), each
    chunk reduced to its rows' best candidates before the next. ``Xc`` leaves out n-grams found
    in more than ``max_df`` measures (an int count, or a float fraction of the measures;
    ``None`` keeps all): they weigh little and would make every product row dense (work
    quadratic in n); with an absolute cap the work grows linearly. A corpus of up to
    ``max_df`` measures is never pruned (exact).
    When something was left out, each row keeps its ``4 * n_candidates`` best entries in other
    documents by the partial score (sparse_dot_topn's top-n product: the chunk's product is
    never stored), then the best ``per_document`` of each other document, then the best
    ``n_candidates``; these get the left-out n-grams' share added back (exact cosine), and the
    ``min_score`` / ``per_document`` / ``k`` selection is made on the exact scores. Only the
    choice of candidates is approximate: on synthetic corpora of 10k / 50k measures, 99.97 % /
    98.7 % of rank-1 matches equal the exact search's (with ``max_df=300``: 99.9 % / 96.8 %, at
    half the time); ``max_df=None`` is exact and quadratic.

    ``config``: segmentation rules whose markers and unit notes are left out (default: data/'s);
    ``jobs``: processes sharing the chunks (:func:`~compare.parallel.run_tasks`; same table).
    Returns :data:`MATCH_COLUMNS`, in the row order of ``measures``, then by rank.
    """
    check_measures(measures)
    if min(k, per_document, chunk_size, n_candidates) < 1:
        raise CompareError("k, per_document, chunk_size and n_candidates must be at least 1")
    n = len(measures)
    if n == 0:
        return _empty_matches()
    ids_in = measures["measure_id"].astype(str).to_numpy()
    docs_in = measures["doc_id"].astype(str).to_numpy()
    words = _measure_words(measures, config)

    # Work in (doc_id, measure_id) order: each document's measures are then a contiguous run of
    # columns, and inside it columns are in id order (ties go to the smaller id).
    perm, ids, doc_names, doc, id_rank = doc_order(ids_in, docs_in)
    n_docs = len(doc_names)
    xr, x_common = tfidf_split([words[i] for i in perm.tolist()], df_cap(max_df, n), jobs=jobs)
    xt = xr.T.tocsr()
    release_free_memory()  # the n-gram counts' blocks
    pruned = x_common.shape[1] > 0

    per_row_cand = max(n_candidates, k) if pruned else k
    largest = int(np.bincount(doc).max())  # measures of the largest document

    def best(triple: Triple, top: int) -> Triple:
        return best_pairs(triple, doc, n_docs, id_rank, per_document, top)

    def chunk(start: int) -> Triple:  # independent: the same here or in a forked worker
        block = xr[start : start + chunk_size]
        if not pruned:
            return best(chunk_pairs(block @ xt, start, doc, min_score), k)
        top = chunk_top_pairs(block, xt, start, doc, 4 * per_row_cand, largest)
        rows, cols, vals = best(top, per_row_cand)
        vals = vals + rowwise_dot(x_common, rows, cols)  # exact scores
        ok = vals >= min_score - 1e-6
        return best((rows[ok], cols[ok], vals[ok]), k)

    parts = run_tasks([functools.partial(chunk, s) for s in range(0, n, chunk_size)], jobs=jobs)
    return _as_matches(parts, perm, ids, doc_names[doc])


# ---------------------------------------------------------------------------------------------
# counterparts: the matches a reader would compare, per other jurisdiction
# ---------------------------------------------------------------------------------------------

#: Cosine score from which the closest measure is reported as a counterpart. Chosen on the
#: dev pairs of ``data/dev/gold/counterparts.csv`` (rank-1 pairs judged by a reader): the lowest
#: threshold from which precision@1 (``same`` = right) stays >= 0.85 (0.87 on 69 dev pairs).
COUNTERPART_MIN = 0.22

#: Columns of the ``counterparts`` table.
COUNTERPART_COLUMNS = [
    "measure_id", "doc_id", "jurisdiction", "category_id", "other_jurisdiction",
    "other_measure_id", "other_doc_id", "other_category_id", "score", "why", "status",
]  # fmt: skip


def shared_terms(
    text: str, other: str, top: int = 5, min_length: int = 2, words: bool = False
) -> str:
    """What two measures share (``why``): the longest pieces of ``text`` found verbatim in
    ``other`` (at least ``min_length`` characters, inside one clause), longest first.
    ``words``: both are already :func:`measure_words` (else :func:`match_text` is applied)."""
    a, b = (text, other) if words else (match_text(text), match_text(other))
    n = min_length
    grams = {b[i : i + n] for i in range(len(b) - n + 1) if " " not in b[i : i + n]}
    covered = [False] * len(a)
    for i in range(len(a) - n + 1):
        if a[i : i + n] in grams:
            covered[i : i + n] = [True] * n
    runs: list[str] = []
    start = None
    for i, c in enumerate([*covered, False]):
        if c and start is None:
            start = i
        elif not c and start is not None:
            runs.extend(_common_pieces(a[start:i], b, n))
            start = None
    unique = list(dict.fromkeys(sorted(runs, key=lambda r: (-len(r), a.index(r)))))
    return "; ".join(unique[:top])


def _common_pieces(run: str, other: str, n: int) -> list[str]:
    """``run`` cut, left to right, into the longest pieces found verbatim in ``other``."""
    out, i = [], 0
    while i <= len(run) - n:
        j = i + n
        if run[i:j] not in other or " " in run[i:j]:
            i += 1
            continue
        while j < len(run) and run[j] != " " and run[i : j + 1] in other:
            j += 1
        out.append(run[i:j])
        i = j
    return out


def counterparts(
    measures: pd.DataFrame,
    documents: pd.DataFrame,
    alignments: pd.DataFrame,
    min_score: float = COUNTERPART_MIN,
    config: Config | None = None,
    jobs: int = 1,
) -> pd.DataFrame:
    """The ``counterparts`` table: for every measure and every *other* jurisdiction of the corpus,
    its closest measure there with ``score >= min_score`` (``status = "counterpart"``), or a row
    with ``status = "none"`` and empty ``other_*`` when none passes. Rows carry both measures'
    ``category_id`` and ``why`` (:func:`shared_terms`)."""
    if len(measures) == 0:
        return pd.DataFrame(columns=COUNTERPART_COLUMNS)
    juris = documents.set_index("doc_id")["jurisdiction"].fillna("").astype(str).to_dict()
    juris = {d: (j or d) for d, j in juris.items()}
    cats = alignments.drop_duplicates("measure_id").set_index("measure_id")["category_id"]
    m = measures[["doc_id", "measure_id", "text"]].assign(
        jurisdiction=lambda f: f["doc_id"].map(lambda d: juris.get(d, d))
    )
    n_juris = m["jurisdiction"].nunique()
    if n_juris < 2:  # no other jurisdiction to look in: nothing to match
        return pd.DataFrame(columns=COUNTERPART_COLUMNS)
    found = match_measures(
        measures,
        k=max(1, min(n_juris * 2, 400)),
        per_document=1,
        min_score=min_score,
        config=config,
        jobs=jobs,
    )
    found["other_jurisdiction"] = found["other_doc_id"].map(lambda d: juris.get(d, d))
    own = m.set_index("measure_id")["jurisdiction"]
    found = found[found["other_jurisdiction"].to_numpy() != own.loc[found["measure_id"]].to_numpy()]
    best = found.sort_values(
        ["measure_id", "other_jurisdiction", "score"], ascending=[True, True, False]
    )
    best = best.drop_duplicates(["measure_id", "other_jurisdiction"])
    text = pd.Series(_measure_words(measures, config), index=measures["measure_id"].astype(str))
    all_j = sorted(m["jurisdiction"].unique())
    grid = m[["measure_id", "doc_id", "jurisdiction"]].merge(
        pd.DataFrame({"other_jurisdiction": all_j}), how="cross"
    )
    grid = grid[grid["jurisdiction"] != grid["other_jurisdiction"]]
    out = grid.merge(
        best[["measure_id", "other_jurisdiction", "other_measure_id", "other_doc_id", "score"]],
        on=["measure_id", "other_jurisdiction"],
        how="left",
    )
    hit = out["other_measure_id"].notna()
    out["status"] = np.where(hit, "counterpart", "none")
    out["other_measure_id"] = out["other_measure_id"].fillna("")
    out["other_doc_id"] = out["other_doc_id"].fillna("")
    out["category_id"] = out["measure_id"].map(cats).fillna("")
    out["other_category_id"] = out["other_measure_id"].map(cats).fillna("")
    out["why"] = [
        shared_terms(text[a], text[b], words=True) if b else ""
        for a, b in zip(out["measure_id"], out["other_measure_id"], strict=True)
    ]
    return out[COUNTERPART_COLUMNS].reset_index(drop=True)
