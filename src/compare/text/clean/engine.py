"""The cleaning engine: edits proposed by steps, applied in order, with the log that maps every
change of the clean text back to the source (:func:`apply_steps`, :func:`restore_source`).

A step is a function ``step(text) -> list[Edit]`` proposing non-overlapping edits on its input
(``remove``/``replace``; a ``flag`` marks text and changes nothing). The engine keeps an
alignment between the current text and the input, so every log row knows where its replacement
sits in the clean text (``char_*``) and which input text it replaced (``source_*``).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from compare import frames

ACTIONS = ("remove", "replace", "flag")


LOG_COLUMNS = [
    "char_start",
    "char_end",
    "source_start",
    "source_end",
    "original",
    "replacement",
    "action",
    "reason",
]


class Edit(NamedTuple):
    """Replace ``text[start:end]`` by ``replacement``; ``action`` in remove/replace/flag.

    A ``flag`` marks text (``replacement`` equals it) and changes nothing. Immutable.
    """

    start: int
    end: int
    replacement: str
    action: str
    reason: str


@dataclass(frozen=True)
class CleanResult:
    """Clean text and its log (columns :data:`LOG_COLUMNS`, one row per change or flag)."""

    text: str
    log: pd.DataFrame


Step = Callable[[str], list[Edit]]


@dataclass
class _Rows:
    """The changes so far: ``cur[cs:ce]`` replaced ``source[ss:se]``; disjoint, in order.

    Between rows the current text equals the source, shifted by the previous row's
    ``se - ce``. This is the offset map kept through the steps.
    """

    cs: np.ndarray
    ce: np.ndarray
    ss: np.ndarray
    se: np.ndarray
    reasons: list[str]
    merged: np.ndarray  # rows that merged several changes (may have become no-ops)

    @classmethod
    def build(
        cls, cs: Any, ce: Any, ss: Any, se: Any, reasons: list[str], merged: Any = None
    ) -> _Rows:
        """Rows from sequences of offsets."""
        arrays = [np.asarray(x, dtype=np.int64).reshape(-1) for x in (cs, ce, ss, se)]
        flags = np.zeros(len(reasons), dtype=bool) if merged is None else np.asarray(merged)
        return cls(*arrays, reasons, flags.astype(bool).reshape(-1))

    def __len__(self) -> int:
        return len(self.reasons)

    def take(self, order: np.ndarray) -> _Rows:
        """Rows reordered by ``order``."""
        picked = [self.reasons[i] for i in order.tolist()]
        return _Rows(
            self.cs[order], self.ce[order], self.ss[order], self.se[order], picked,
            self.merged[order],
        )  # fmt: skip


def apply_steps(text: str, steps: Sequence[Step]) -> CleanResult:
    """Apply ``steps`` in order; return the clean text and its log."""
    rows = _Rows.build([], [], [], [], [])
    flags: list[tuple[int, int, str]] = []  # (start, end, reason) in current coordinates
    current = text
    for step in steps:
        current, rows, flags = _apply(current, rows, flags, step(current))
    return CleanResult(current, _log(text, current, rows, flags))


def restore_source(clean: str, log: pd.DataFrame) -> str:
    """Rebuild the input of :func:`clean_text` from its clean text and log (flags ignored)."""
    changes = log[log["action"] != "flag"]
    order = changes.sort_values(["source_start", "source_end", "char_start"], kind="stable")
    pieces: list[str] = []
    pos = 0
    for start, end, original in zip(
        order["char_start"].tolist(), order["char_end"].tolist(), order["original"], strict=True
    ):
        pieces += [clean[pos:start], original]
        pos = end
    pieces.append(clean[pos:])
    return "".join(pieces)


def _apply(
    text: str, rows: _Rows, flags: list[tuple[int, int, str]], edits: list[Edit]
) -> tuple[str, _Rows, list[tuple[int, int, str]]]:
    """Apply one step's edits: new text, rows with the changes folded in, flags moved."""
    _check_edits(text, edits)
    changes = sorted(
        (e for e in edits if e.action != "flag" and text[e.start : e.end] != e.replacement),
        key=lambda e: (e.start, e.end),
    )
    _check_overlaps(changes)
    flags = flags + [(e.start, e.end, e.reason) for e in edits if e.action == "flag"]
    if not changes:
        return text, rows, flags
    pieces, pos = [], 0
    for edit in changes:
        pieces += [text[pos : edit.start], edit.replacement]
        pos = edit.end
    pieces.append(text[pos:])
    move = _mover(changes)
    flags = [(move(s, True), move(e, False), r) for s, e, r in flags]
    return "".join(pieces), _fold(rows, _split_at_rows(text, rows, changes)), flags


def _check_edits(text: str, edits: list[Edit]) -> None:
    """Edits must lie inside the text and use a known action; a flag must not change text."""
    for edit in edits:
        if edit.action not in ACTIONS or not 0 <= edit.start <= edit.end <= len(text):
            raise ValueError(f"bad edit {edit!r} on text of length {len(text)}")
        if edit.action == "flag" and edit.replacement != text[edit.start : edit.end]:
            raise ValueError(f"a flag must keep the text: {edit!r}")


def _check_overlaps(changes: list[Edit]) -> None:
    """A step's changes must not overlap (two insertions at one point are ambiguous)."""
    starts = np.array([e.start for e in changes], dtype=np.int64)
    ends = np.array([e.end for e in changes], dtype=np.int64)
    bad = (starts[1:] < ends[:-1]) | ((starts[1:] == ends[:-1]) & (starts[1:] == ends[1:])
                                      & (starts[:-1] == ends[:-1]))  # fmt: skip
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(f"overlapping edits {changes[k]!r} and {changes[k + 1]!r}")


def _fold(rows: _Rows, changes: list[Edit]) -> _Rows:
    """Fold a step's changes (in its input coordinates) into the rows, vectorised.

    A change overlapping earlier rows forms a cluster with them: one row whose source span
    covers them all. Other rows shift by the length change of the changes before them; a
    plain change maps to the source through the offset of the row before it.
    """
    starts = np.array([e.start for e in changes], dtype=np.int64)
    ends = np.array([e.end for e in changes], dtype=np.int64)
    deltas = np.array([len(e.replacement) for e in changes], dtype=np.int64) - (ends - starts)
    shift_after = np.concatenate(([0], np.cumsum(deltas)))
    cs, ce, offsets = rows.cs, rows.ce, rows.se - rows.ce
    first = np.searchsorted(ce, starts, "right")  # first row ending after the start
    last = np.searchsorted(cs, ends, "left")  # rows starting before the end
    clusters = _clusters(first, last)
    plain = np.ones(len(changes), dtype=bool)
    kept = np.ones(len(rows), dtype=bool)
    extra: list[tuple[int, int, int, int, str]] = []
    for j0, j1, r0, r1 in clusters:
        plain[j0 : j1 + 1] = False
        kept[r0:r1] = False
        s0, e1 = int(starts[j0]), int(ends[j1])
        lo, hi = min(s0, int(cs[r0])), max(e1, int(ce[r1 - 1]))
        ss = int(rows.ss[r0]) if cs[r0] <= s0 else s0 + (int(offsets[r0 - 1]) if r0 else 0)
        se = int(rows.se[r1 - 1]) if ce[r1 - 1] >= e1 else e1 + int(offsets[r1 - 1])
        delta = int(deltas[j0 : j1 + 1].sum())
        new_reasons = [changes[j].reason for j in range(j0, j1 + 1)]
        removed = hi - lo + delta == 0  # a removal is explained by the removal alone
        reason = join_reasons(new_reasons if removed else [*rows.reasons[r0:r1], *new_reasons])
        start = lo + int(shift_after[j0])
        extra.append((start, start + hi - lo + delta, ss, se, reason))
    n_before = np.where(  # changes before a row (a zero-width one at its start counts)
        ce > cs, np.searchsorted(starts, cs, "right"), np.searchsorted(starts, cs, "left")
    )
    row_shift = shift_after[n_before][kept]
    idx_s = first - 1  # last row ending at/before the start
    idx_e = last - 1  # last row starting before the end
    off_s = np.where(idx_s >= 0, offsets[np.maximum(idx_s, 0)] if len(rows) else 0, 0)
    off_e = np.where(idx_e >= 0, offsets[np.maximum(idx_e, 0)] if len(rows) else 0, 0)
    new_starts = (starts + shift_after[:-1])[plain]
    lengths = (ends - starts + deltas)[plain]
    src_s = (starts + off_s)[plain]
    src_e = np.where(ends > starts, ends + off_e, starts + off_s)[plain]
    kept_idx = np.flatnonzero(kept).tolist()
    merged = _Rows.build(
        np.concatenate((cs[kept] + row_shift, new_starts, [x[0] for x in extra])),
        np.concatenate((ce[kept] + row_shift, new_starts + lengths, [x[1] for x in extra])),
        np.concatenate((rows.ss[kept], src_s, [x[2] for x in extra])),
        np.concatenate((rows.se[kept], src_e, [x[3] for x in extra])),
        [rows.reasons[k] for k in kept_idx]
        + [e.reason for e, p in zip(changes, plain.tolist(), strict=True) if p]
        + [x[4] for x in extra],
        np.concatenate((rows.merged[kept], np.zeros(int(plain.sum()), bool), [True] * len(extra))),
    )
    return merged.take(np.lexsort((merged.ce, merged.cs, merged.se, merged.ss)))


def _clusters(first: np.ndarray, last: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Groups of consecutive changes sharing rows: ``(j0, j1, r0, r1)`` = changes
    ``j0..j1`` (inclusive) overlap rows ``r0..r1-1``."""
    out: list[list[int]] = []
    for j in np.flatnonzero(last > first).tolist():
        r0, r1 = int(first[j]), int(last[j])
        if out and r0 < out[-1][3]:
            out[-1][1] = j
            out[-1][3] = max(out[-1][3], r1)
        else:
            out.append([j, j, r0, r1])
    return [(a, b, c, d) for a, b, c, d in out]


def _split_at_rows(text: str, rows: _Rows, changes: list[Edit]) -> list[Edit]:
    """Split changes at zero-width rows (earlier removals) strictly inside them, so those
    stay separate log rows and the fold stays vectorised. A same-length replacement (a t2s
    run) is split character-wise; otherwise the first piece carries the replacement and the
    other pieces are removals."""
    points = rows.cs[rows.cs == rows.ce].tolist()
    if not points:
        return changes
    out: list[Edit] = []
    for edit in changes:
        if edit.end - edit.start < 2:
            out.append(edit)
            continue
        lo = bisect.bisect_right(points, edit.start)
        hi = bisect.bisect_left(points, edit.end)
        if hi <= lo:
            out.append(edit)
            continue
        cuts = [edit.start, *dict.fromkeys(points[lo:hi]), edit.end]
        same_length = len(edit.replacement) == edit.end - edit.start
        for a, b in itertools.pairwise(cuts):
            if same_length:
                part = edit.replacement[a - edit.start : b - edit.start]
            else:
                part = edit.replacement if a == edit.start else ""
            if part != text[a:b]:
                out.append(Edit(a, b, part, edit.action, edit.reason))
    return out


def join_reasons(reasons: list[str]) -> str:
    """Unique reasons in order, joined by ``; ``."""
    if len(reasons) == 1:
        return reasons[0]
    return "; ".join(dict.fromkeys(r for part in reasons for r in part.split("; ")))


def _mover(changes: list[Edit]) -> Callable[[int, bool], int]:
    """Map a position in a step's input to its output (start side or end side)."""
    starts = [e.start for e in changes]
    ends = [e.end for e in changes]
    after = list(itertools.accumulate(len(e.replacement) - (e.end - e.start) for e in changes))

    def move(pos: int, is_start: bool) -> int:
        if is_start:
            k = bisect.bisect_right(ends, pos)
            if k < len(changes) and starts[k] < pos:
                return starts[k] + (after[k - 1] if k else 0)
            return pos + (after[k - 1] if k else 0)
        k = bisect.bisect_left(starts, pos)
        if k and ends[k - 1] > pos:
            return ends[k - 1] + after[k - 1]
        return pos + (after[k - 1] if k else 0)

    return move


def _log(source: str, clean: str, rows: _Rows, flags: list[tuple[int, int, str]]) -> pd.DataFrame:
    """The log DataFrame: changes and flags, in clean-text order."""
    rows = _drop_noops(source, clean, rows)
    cs, ce, ss, se = (a.tolist() for a in (rows.cs, rows.ce, rows.ss, rows.se))
    replacement = [clean[a:b] for a, b in zip(cs, ce, strict=True)]
    columns: dict[str, list[Any]] = {
        "char_start": cs,
        "char_end": ce,
        "source_start": ss,
        "source_end": se,
        "original": [source[a:b] for a, b in zip(ss, se, strict=True)],
        "replacement": replacement,
        "action": ["replace" if r else "remove" for r in replacement],
        "reason": list(rows.reasons),
    }
    for fs, fe, reason in sorted(flags):
        f_ss, f_se = _flag_source(rows, fs, fe)
        for name, value in zip(
            LOG_COLUMNS,
            (fs, fe, f_ss, f_se, clean[fs:fe], clean[fs:fe], "flag", reason),
            strict=True,
        ):
            columns[name].append(value)
    if flags and len(rows):
        is_flag = np.array([a == "flag" for a in columns["action"]])
        order = np.lexsort((is_flag, columns["source_start"], columns["char_start"])).tolist()
        columns = {name: [values[k] for k in order] for name, values in columns.items()}
    for name in LOG_COLUMNS[:4]:
        columns[name] = np.asarray(columns[name], dtype=np.int64)
    return frames.frame(columns)


def _drop_noops(source: str, clean: str, rows: _Rows) -> _Rows:
    """Rows whose later changes undid them (e.g. an insertion removed again) say nothing."""
    suspects = np.flatnonzero(rows.merged & (rows.ce - rows.cs == rows.se - rows.ss)).tolist()
    noops = [
        k for k in suspects if clean[rows.cs[k] : rows.ce[k]] == source[rows.ss[k] : rows.se[k]]
    ]
    if not noops:
        return rows
    return rows.take(np.setdiff1d(np.arange(len(rows)), noops))


def _flag_source(rows: _Rows, start: int, end: int) -> tuple[int, int]:
    """Source span of a flagged clean span (widened to any change it cuts into)."""
    k = int(np.searchsorted(rows.ce, start, "right"))
    if k < len(rows) and rows.cs[k] < start:
        s_src = int(rows.ss[k])
    else:
        s_src = start + (int(rows.se[k - 1] - rows.ce[k - 1]) if k else 0)
    k = int(np.searchsorted(rows.cs, end, "left"))
    if k and rows.ce[k - 1] > end:
        e_src = int(rows.se[k - 1])
    else:
        e_src = end + (int(rows.se[k - 1] - rows.ce[k - 1]) if k else 0)
    return s_src, max(s_src, e_src)
