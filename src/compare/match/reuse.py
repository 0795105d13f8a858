"""Reuse: passages two documents share, found without comparing every pair.

``find_reuse(texts) -> reuse``
    Maximal shared passages between documents: k-character shingles of each text's content
    characters (punctuation and whitespace ignored) are hashed with a rolling hash and sorted
    (numpy), equal shingles in different documents are seeds, and consecutive seeds on the same
    diagonal merge into one maximal passage. Offsets point into the real texts.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from compare.errors import CompareError

#: Bases of the two rolling hashes of a shingle.
_B1 = np.uint64(0x100000001B3)
_B2 = np.uint64(0x9E3779B97F4A7C15)

#: Columns of the ``reuse`` table (design.md), plus ``other_length`` (see :func:`find_reuse`).
REUSE_COLUMNS = [
    "doc_id",
    "char_start",
    "other_doc_id",
    "other_char_start",
    "length",
    "text",
    "other_length",
]


def _content(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Code points of a text's letters, digits and CJK characters, and their offsets.

    Full-width ASCII becomes half-width and Latin letters lower case, so ``２０２１`` = ``2021``.
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if codes.size == 0:
        return codes, codes
    uniq, inverse = np.unique(codes, return_inverse=True)
    is_word = np.array([chr(c).isalnum() for c in uniq.tolist()], dtype=bool)
    mask = is_word[inverse]
    pos = np.flatnonzero(mask)
    cps = codes[pos]
    fw = (cps >= 0xFF01) & (cps <= 0xFF5E)
    cps[fw] -= 0xFEE0
    upper = (cps >= 0x41) & (cps <= 0x5A)
    cps[upper] += 0x20
    return cps, pos


def _shingle_hashes(cps: np.ndarray, q: int, base: np.uint64) -> np.ndarray:
    """Polynomial hash (mod 2**64) of every q-long window of ``cps``."""
    m = cps.size - q + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    c = cps.astype(np.uint64)
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(q):
            h = h * base + c[j : j + m] + np.uint64(1)
    return h


def _group_pairs(
    sorted_hash: np.ndarray, sorted_doc: np.ndarray, max_docs: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i, j), i < j, of positions in ``sorted_hash`` holding equal values, in groups
    that span 2 to ``max_docs`` documents (``sorted_doc`` is in document order inside a group).

    Work is proportional to the number of pairs: each pass over ``gap`` only touches the groups
    still larger than ``gap``.
    """
    n = sorted_hash.size
    empty = np.zeros(0, dtype=np.int64)
    if n < 2:
        return empty, empty
    new_group = np.r_[True, sorted_hash[1:] != sorted_hash[:-1]]
    starts = np.flatnonzero(new_group)
    sizes = np.diff(np.r_[starts, n])
    new_doc = new_group | np.r_[True, sorted_doc[1:] != sorted_doc[:-1]]
    n_docs = np.add.reduceat(new_doc, starts, dtype=np.int64)
    wanted = n_docs >= 2
    if max_docs is not None:
        wanted &= n_docs <= max_docs
    starts, sizes = starts[wanted], sizes[wanted]
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    gap = 1
    while starts.size:
        alive = sizes > gap
        starts, sizes = starts[alive], sizes[alive]
        g = sizes - gap
        # positions s + t, t in 0..g-1, paired with s + t + gap
        i = np.repeat(starts, g) + (np.arange(g.sum()) - np.repeat(np.cumsum(g) - g, g))
        left.append(i)
        right.append(i + gap)
        gap += 1
    if not left:
        return empty, empty
    return np.concatenate(left), np.concatenate(right)


_REUSE_DTYPES = {
    "char_start": np.int64,
    "other_char_start": np.int64,
    "length": np.int64,
    "other_length": np.int64,
}


def _empty_reuse() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in REUSE_COLUMNS}).astype(
        {c: _REUSE_DTYPES.get(c, object) for c in REUSE_COLUMNS}
    )


def find_reuse(
    texts: Mapping[str, str],
    min_length: int = 10,
    max_docs: int | None = None,
) -> pd.DataFrame:
    """The ``reuse`` table: maximal passages that two documents share, with both locations.

    Comparison ignores punctuation and whitespace (and full-/half-width and letter case), so
    ``有件必备、有备必审`` matches ``有件必备，有备必审``; a passage is kept when it has at least
    ``min_length`` content characters (letters, digits, CJK). Each row is one maximal match
    between a location in ``doc_id`` and one in ``other_doc_id``, reported once, with
    ``doc_id < other_doc_id``; a passage repeated inside a document gives one row per location
    pair. Offsets are into the given texts: ``text == texts[doc_id][char_start:char_start +
    length]``, and the other document's copy is
    ``texts[other_doc_id][other_char_start:other_char_start + other_length]`` (the lengths differ
    only when the copies differ in punctuation or whitespace). Spans start and end on a content
    character.

    ``max_docs``: shingles found in more than this many documents are not used as seeds (default
    ``None``: all are used). A stock phrase shared by N documents gives N(N-1)/2 rows, so for a
    national corpus a cap bounds the output; capped passages may then come out in pieces or not
    at all. Work is linear in the total text length plus the number of seed pairs.
    """
    if min_length < 2:
        raise CompareError("min_length must be at least 2")
    q = int(min_length)
    names = sorted(str(d) for d in texts)
    if len(names) != len(texts):
        raise CompareError("document ids are not unique as strings")
    seeds, pos_list = _seed_pairs(texts, names, q, max_docs)
    if seeds[0].size == 0:
        return _empty_reuse()
    da, db, ci, cj, clen = _maximal_runs(*seeds, q)
    return _as_reuse(texts, names, pos_list, da, db, ci, cj, clen)


def _seed_pairs(
    texts: Mapping[str, str], names: list[str], q: int, max_docs: int | None
) -> tuple[tuple[np.ndarray, ...], list[np.ndarray]]:
    """Shingle pairs of ``q`` content characters shared by two documents: ``(i, j, da, db)``,
    shingle starts in each document's content string and the documents (``da < db``), and
    each document's content positions in its text."""
    by_name = {str(d): t for d, t in texts.items()}
    pos_list: list[np.ndarray] = []
    h1_list: list[np.ndarray] = []
    h2_list: list[np.ndarray] = []
    for name in names:
        text = by_name[name]
        if not isinstance(text, str):
            raise CompareError(f"text of document {name!r} is not a string")
        cps, pos = _content(text)
        pos_list.append(pos.astype(np.int32) if len(text) < 2**31 else pos)
        h1_list.append(_shingle_hashes(cps, q, _B1))
        # the second hash only weeds out collisions of the first: its low 32 bits suffice
        h2_list.append(_shingle_hashes(cps, q, _B2).astype(np.uint32))
    n_shingles = np.array([h.size for h in h1_list], dtype=np.int64)
    offsets = np.r_[0, np.cumsum(n_shingles)]
    h1 = np.concatenate(h1_list) if h1_list else np.zeros(0, dtype=np.uint64)
    del h1_list
    # memory is the limit at scale (benchmarks/README.md): per content character, only the
    # sort order, the sorted hashes and the sorted documents are held at once
    order = np.argsort(h1, kind="stable")
    sorted_hash = h1[order]
    del h1
    sorted_doc = (np.searchsorted(offsets, order, side="right") - 1).astype(np.int32)
    li, ri = _group_pairs(sorted_hash, sorted_doc, max_docs)
    del sorted_hash
    # the sort is stable, so inside a group a < b and the document of a <= that of b
    a, b = order[li], order[ri]
    da, db = sorted_doc[li], sorted_doc[ri]
    del order, li, ri, sorted_doc
    h2 = np.concatenate(h2_list) if h2_list else np.zeros(0, dtype=np.uint32)
    del h2_list
    keep = (da != db) & (h2[a] == h2[b])  # h2 weeds out h1 collisions
    a, b, da, db = a[keep], b[keep], da[keep], db[keep]
    i = a - offsets[da]  # shingle start in each document's content string
    j = b - offsets[db]
    del a, b

    return (i, j, da, db), pos_list


def _maximal_runs(i: np.ndarray, j: np.ndarray, da: np.ndarray, db: np.ndarray, q: int) -> tuple:
    """Consecutive seeds on one diagonal of one document pair joined into maximal matches:
    ``(da, db, ci, cj, clen)`` in content characters."""
    # consecutive seeds on one diagonal of one document pair form one maximal match
    order = np.lexsort((i, j - i, db, da))
    da, db, i, j = da[order], db[order], i[order], j[order]
    new = np.r_[
        True,
        (da[1:] != da[:-1])
        | (db[1:] != db[:-1])
        | ((j - i)[1:] != (j - i)[:-1])
        | (i[1:] != i[:-1] + 1),
    ]
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], i.size] - 1
    da, db = da[starts], db[starts]
    ci, cj = i[starts], j[starts]
    clen = i[ends] - ci + q

    return da, db, ci, cj, clen


def _as_reuse(
    texts: Mapping[str, str],
    names: list[str],
    pos_list: list[np.ndarray],
    da: np.ndarray,
    db: np.ndarray,
    ci: np.ndarray,
    cj: np.ndarray,
    clen: np.ndarray,
) -> pd.DataFrame:
    """The reuse table of the matches, with offsets into the real texts."""
    by_name = {str(d): t for d, t in texts.items()}
    # content positions -> offsets in the real texts
    pos_all = np.concatenate(pos_list)
    content_off = np.r_[0, np.cumsum([p.size for p in pos_list])]
    start1 = pos_all[content_off[da] + ci]
    end1 = pos_all[content_off[da] + ci + clen - 1] + 1
    start2 = pos_all[content_off[db] + cj]
    end2 = pos_all[content_off[db] + cj + clen - 1] + 1
    doc_texts = [by_name[name] for name in names]
    name_arr = np.array(names, dtype=object)
    out = pd.DataFrame(
        {
            "doc_id": name_arr[da],
            "char_start": start1,
            "other_doc_id": name_arr[db],
            "other_char_start": start2,
            "length": end1 - start1,
            "text": [
                doc_texts[d][s:e]
                for d, s, e in zip(da.tolist(), start1.tolist(), end1.tolist(), strict=True)
            ],
            "other_length": end2 - start2,
        }
    ).astype(_REUSE_DTYPES)
    return out.sort_values(
        ["doc_id", "other_doc_id", "char_start", "other_char_start"], ignore_index=True
    )
