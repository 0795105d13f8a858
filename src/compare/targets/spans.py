"""Spans of a clean text: clause and sentence bounds found in windows that grow with the clause
(never a scan of the whole text), and :class:`SpanIndex` for overlap queries by binary search."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable

#: What ends a clause, and what ends a sentence.
CLAUSE_END = "，。；！？：\n,;"
SENTENCE_END = "。；！？\n;"

#: First window searched for a clause boundary; it grows fourfold until a boundary is found, so
#: the cost follows the clause's length, never the text's (a 30 MB text stays linear).
_WINDOW = 256


def last_stop(text: str, start: int, stops: str) -> int:
    """Index of the last char of ``stops`` before ``start`` (-1 when there is none)."""
    width = _WINDOW
    while True:
        lo = max(0, start - width)
        found = max(text.rfind(c, lo, start) for c in stops)
        if found >= 0 or lo == 0:
            return found
        width *= 4


def next_stop(text: str, end: int, stops: str) -> int:
    """Index of the first char of ``stops`` at or after ``end`` (``len(text)`` when none)."""
    width = _WINDOW
    while True:
        hi = min(len(text), end + width)
        found = [i for i in (text.find(c, end, hi) for c in stops) if i >= 0]
        if found:
            return min(found)
        if hi == len(text):
            return hi
        width *= 4


def clause_bounds(text: str, start: int, end: int, stops: str) -> tuple[int, int]:
    """Start and end of the clause (bounded by any char of ``stops``) around [start, end)."""
    return last_stop(text, start, stops) + 1, next_stop(text, end, stops)


class SpanIndex:
    """Spans ``[start, end)`` sorted by start with the running maximum of their ends, so that
    "does ``[a, b)`` overlap any span?" costs a binary search instead of a scan of every span
    (a scan per number made extraction quadratic in the document's length)."""

    def __init__(self, spans: Iterable[tuple[int, int] | tuple[int, int, str]]) -> None:
        pairs = sorted((s[0], s[1]) for s in spans)
        self.starts = [s for s, _ in pairs]
        self.max_end = list(itertools.accumulate((e for _, e in pairs), max))

    def overlaps(self, a: int, b: int) -> bool:
        """Whether some span has ``start < b`` and ``a < end``."""
        i = bisect.bisect_left(self.starts, b)
        return i > 0 and self.max_end[i - 1] > a

    def covers(self, point: int) -> bool:
        """Whether some span has ``start <= point < end``."""
        i = bisect.bisect_right(self.starts, point)
        return i > 0 and self.max_end[i - 1] > point
