"""Progress inside one big document: a line on stderr as each stage of it ends, so that a build
of a text of many megabytes shows where it is (the progress bar counts whole documents)."""

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
