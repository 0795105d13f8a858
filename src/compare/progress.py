"""Where a build's time goes: a line on stderr as each stage of one big document ends, so that a
build of a text of many megabytes shows where it is (the progress bar counts whole documents),
and the wall seconds of a build's phases (:class:`Phases`)."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("compare.build")

#: Documents of at least this many characters report each stage.
BIG_DOCUMENT = 500_000


class StageLog:
    """``stages = StageLog(doc_id, n_chars)``, then ``stages("clean")`` after each stage: logs
    ``<doc_id> (<size>): <stage> done in <s>s`` on the ``compare.build`` logger for a big
    document, nothing for the others."""

    def __init__(self, doc_id: str, n_chars: int, threshold: int | None = None) -> None:
        self.doc_id, self.n_chars = doc_id, n_chars
        self.active = n_chars >= (BIG_DOCUMENT if threshold is None else threshold)
        self.last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        if not self.active:
            return
        now = time.perf_counter()
        log.info("%s (%.1f M characters): %s done in %.1fs", self.doc_id, self.n_chars / 1e6,
                 stage, now - self.last)  # fmt: skip
        self.last = now


class Phases:
    """``phases = Phases()``, then ``phases("match")`` as each phase of a build ends: the wall
    seconds since the previous phase ended, by name, in order (``seconds``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.last = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + now - self.last
        self.last = now
