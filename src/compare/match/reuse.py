"""Reuse: passages two documents share, found without comparing every pair.

``find_reuse(texts) -> reuse``
    Maximal shared passages between documents: k-character shingles of each text's content
    characters (punctuation and whitespace ignored) are hashed with a polynomial hash and
    sorted (numpy), equal shingles in different documents are seeds, and consecutive seeds on
    the same diagonal merge into one maximal passage. Offsets point into the real texts.
    A large corpus is sorted in passes split by the hash's top bits (at most
    :data:`PASS_SHINGLES` shingles each; equal shingles share a pass), so the hashes of the
    whole corpus are never held at once: memory is the content's code points and offsets
    plus one pass.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from compare.errors import CompareError
from compare.parallel import run_tasks, runs_by_size

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


#: Shingles sorted in one pass at most: larger corpora are split by the hash's top bits into
#: passes that share nothing (equal shingles fall in the same pass), so memory stays bounded.
PASS_SHINGLES = 2_000_000

#: Characters of text turned into content characters at once.
BLOCK_CHARS = 4_000_000


@dataclass(frozen=True)
class Content:
    """The content characters (letters, digits, CJK) of a list of texts, concatenated: their
    code points (full-width ASCII as half-width, Latin letters lower case, so ``２０２１`` =
    ``2021``), each one's offset in its own text, and where each text's run starts."""

    codes: np.ndarray
    offsets: np.ndarray
    starts: np.ndarray  # len(texts) + 1 entries

    @classmethod
    def of(cls, texts: list[str], block_chars: int = BLOCK_CHARS) -> Content:
        """The content of ``texts``, converted ``block_chars`` characters at a time into arrays
        sized once (no concatenation: memory is the limit at scale)."""
        lengths = [len(t) for t in texts]
        total = sum(lengths)
        codes = np.empty(total, dtype=np.uint32)
        offsets = np.empty(total, dtype=np.int32 if max(lengths, default=0) < 2**31 else np.int64)
        counts = np.zeros(len(texts), dtype=np.int64)
        is_word = np.zeros(0x110000, dtype=np.int8) - 1  # -1: not looked up yet
        done = 0
        for a, b in runs_by_size(lengths, block_chars):
            if a < b:
                c, o, counts[a:b] = _content_of_block(texts[a:b], is_word)
                codes[done : done + c.size], offsets[done : done + c.size] = c, o
                done += c.size
        starts = np.r_[0, np.cumsum(counts)].astype(np.int64)
        return cls(codes[:done], offsets[:done], starts)


def _content_of_block(
    texts: list[str], is_word: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:class:`Content`'s codes and offsets of a few texts, and each text's count; ``is_word``
    (per code point: 1, 0, or -1 for not looked up yet) is filled in as needed."""
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    joined = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    new = np.unique(joined[is_word[joined] < 0])
    is_word[new] = [chr(c).isalnum() for c in new.tolist()]
    where = np.flatnonzero(is_word[joined] == 1)
    text_start = np.r_[0, np.cumsum(lengths)]
    doc = np.searchsorted(text_start, where, side="right") - 1
    offsets = where - text_start[doc]
    codes = joined[where]
    full_width = (codes >= 0xFF01) & (codes <= 0xFF5E)
    codes[full_width] -= 0xFEE0
    codes[(codes >= 0x41) & (codes <= 0x5A)] += 0x20
    return codes, offsets, np.bincount(doc, minlength=len(texts))


def _window_hashes(codes: np.ndarray, at: np.ndarray, q: int, base: np.uint64) -> np.ndarray:
    """Polynomial hash (mod 2**64) of the q-long windows of ``codes`` starting at ``at``."""
    h = np.zeros(at.size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(q):
            h *= base
            np.add(h, codes[at + j], out=h, casting="unsafe")
            h += np.uint64(1)
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
    jobs: int = 1,
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
    ``jobs``: processes sharing the sorting passes (the same table).
    """
    if min_length < 2:
        raise CompareError("min_length must be at least 2")
    q = int(min_length)
    names = sorted(str(d) for d in texts)
    if len(names) != len(texts):
        raise CompareError("document ids are not unique as strings")
    by_name = {str(d): t for d, t in texts.items()}
    for name, text in by_name.items():
        if not isinstance(text, str):
            raise CompareError(f"text of document {name!r} is not a string")
    ordered = [by_name[name] for name in names]
    content = Content.of(ordered)
    seeds = _seed_pairs(content, q, max_docs, jobs=jobs)
    if seeds[0].size == 0:
        return _empty_reuse()
    located = replace(content, codes=np.zeros(0, dtype=np.uint32))  # code points: done with
    del content
    da, db, ci, cj, clen = _maximal_runs(*seeds, q)
    del seeds
    return _as_reuse(ordered, names, located, da, db, ci, cj, clen)


def _inside_one_text(starts: np.ndarray, q: int, n_windows: int) -> np.ndarray:
    """Which of the ``n_windows`` q-long windows of the concatenated content lie inside one
    text (``starts``: where each text's content starts)."""
    inside = np.ones(max(n_windows, 0), dtype=bool)
    ends = starts[1:]
    lo = np.maximum(starts[:-1], ends - q + 1)  # the last q - 1 starts of each text
    n = np.maximum(ends - lo, 0)
    bad = np.repeat(lo, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    inside[bad[bad < inside.size]] = False
    return inside


def _top_bits(codes: np.ndarray, q: int, bits: int, n: int, block: int = 1 << 22) -> np.ndarray:
    """The top ``bits`` (< 8) bits of the first hash of each of the ``n`` first windows, as
    uint8, a block at a time (the hashes are never held all at once)."""
    out = np.zeros(max(n, 0), dtype=np.uint8)
    if bits:
        for s in range(0, n, block):
            at = np.arange(s, min(s + block, n), dtype=np.int64)
            out[at] = _window_hashes(codes, at, q, _B1) >> np.uint64(64 - bits)
    return out


def _seed_pairs(
    content: Content,
    q: int,
    max_docs: int | None,
    pass_shingles: int = PASS_SHINGLES,
    jobs: int = 1,
) -> tuple[np.ndarray, ...]:
    """Shingle pairs of ``q`` content characters shared by two documents: ``(i, j, da, db)``,
    shingle starts in each document's content and the documents (``da < db``). The passes
    share nothing: ``jobs`` processes share them (:func:`~compare.parallel.run_tasks`; the
    same pairs in the same order)."""
    codes, starts = content.codes, content.starts
    whole = _inside_one_text(starts, q, codes.size - q + 1)
    bits = min(8, int(np.ceil(np.log2(max(1, whole.sum() / pass_shingles)))))
    key = _top_bits(codes, q, bits, whole.size)
    passes = [
        functools.partial(_pass_pairs, content, q, max_docs, whole, key, part)
        for part in range(2**bits)
    ]
    found = run_tasks(passes, jobs)
    return tuple(np.concatenate(col) for col in zip(*found, strict=True))


def _pass_pairs(
    content: Content,
    q: int,
    max_docs: int | None,
    whole: np.ndarray,
    key: np.ndarray,
    part: int,
) -> tuple[np.ndarray, ...]:
    """The seed pairs of one pass of :func:`_seed_pairs`: the windows ``whole`` marks as inside
    one text whose ``key`` (top bits of the hash) is ``part``."""
    codes, starts = content.codes, content.starts
    at = np.flatnonzero(whole & (key == part))
    hashes = _window_hashes(codes, at, q, _B1)
    # memory is the limit at scale: per shingle of the pass, only the sort order, the
    # sorted hashes and the sorted documents are held at once
    perm = np.argsort(hashes, kind="stable")
    order, sorted_hash = at[perm], hashes[perm]
    del at, hashes, perm
    sorted_doc = (np.searchsorted(starts, order, side="right") - 1).astype(np.int32)
    li, ri = _group_pairs(sorted_hash, sorted_doc, max_docs)
    del sorted_hash
    # the sort is stable, so inside a group a < b and the document of a <= that of b
    a, b, da, db = order[li], order[ri], sorted_doc[li], sorted_doc[ri]
    del order, sorted_doc, li, ri
    keep = da != db
    a, b, da, db = a[keep], b[keep], da[keep], db[keep]
    # a second hash (its low 32 bits) weeds out collisions of the first
    same = (_window_hashes(codes, a, q, _B2) ^ _window_hashes(codes, b, q, _B2)) << 32 == 0
    a, b, da, db = a[same], b[same], da[same], db[same]
    return a - starts[da], b - starts[db], da, db


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
    doc_texts: list[str],
    names: list[str],
    content: Content,
    da: np.ndarray,
    db: np.ndarray,
    ci: np.ndarray,
    cj: np.ndarray,
    clen: np.ndarray,
) -> pd.DataFrame:
    """The reuse table of the matches, with offsets into the real texts (``doc_texts`` in
    the order of ``names``)."""
    pos, first = content.offsets, content.starts
    start1 = pos[first[da] + ci].astype(np.int64)
    end1 = pos[first[da] + ci + clen - 1].astype(np.int64) + 1
    start2 = pos[first[db] + cj].astype(np.int64)
    end2 = pos[first[db] + cj + clen - 1].astype(np.int64) + 1
    order = np.lexsort((start2, start1, db, da))  # names are sorted: by doc_id, other_doc_id, ...
    da, db, start1, end1, start2, end2 = (a[order] for a in (da, db, start1, end1, start2, end2))
    name_arr = np.array(names, dtype=object)
    return pd.DataFrame(
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
