"""Processing a corpus's files, document by document: in this process or in a pool of workers
that each hold the build's :class:`~compare.build.Pipeline` (set once by the pool's initializer),
cached per file, gathered compactly in order (:class:`Collected`)."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from compare.cache import DocCache
from compare.parallel import in_order, one_thread_each

if TYPE_CHECKING:
    from compare.build import DocResult, Pipeline

#: The pipeline of this worker process, set by the pool's initializer (:func:`_start_worker`).
_WORKER: Pipeline | None = None


def _start_worker(pipeline: Pipeline) -> None:
    global _WORKER
    _WORKER = pipeline
    one_thread_each()


#: One share of the work: a run of consecutive files, their cache keys and the cache.
Share = tuple[list[list[dict[str, Any]]], list[str], DocCache]


def _process_share(pipeline: Pipeline, share: Share) -> Part:
    """Process a run of files, cache each file's results, and gather them as one :class:`Part`."""
    groups, keys, cache = share
    gathered = Collected()
    for key, docs in zip(keys, pipeline.process_sources(groups), strict=True):
        cache.write(key, docs)
        for doc in docs:
            gathered.add(doc)
    return gathered.part()


def _process_in_worker(share: Share) -> Part:
    """:func:`_process_share` in a worker: what goes back to the build is one :class:`Part` (a
    few frames per table), not thousands of small per-document frames for it to unpickle and
    concatenate while the workers compete with it for the cores."""
    assert _WORKER is not None, "worker started without a pipeline"
    return _process_share(_WORKER, share)


def _runs(items: list[int], size: int) -> list[list[int]]:
    """``items`` (increasing) cut into runs of consecutive values, each at most ``size`` long."""
    runs: list[list[int]] = []
    for item in items:
        if runs and runs[-1][-1] == item - 1 and len(runs[-1]) < size:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


#: Files processed (and their measures aligned) together in one call, at most.
BATCH_FILES = 32


#: The tables computed document by document (the corpus-level ones come after).
PER_DOCUMENT_TABLES = ("cleaning_log", "segments", "measures", "alignments", "targets")


@dataclass(frozen=True)
class Part:
    """The results of a run of consecutive files, gathered (:meth:`Collected.part`)."""

    meta: list[dict[str, Any]]
    texts: dict[str, str]
    tables: dict[str, pd.DataFrame]
    empty: dict[str, pd.DataFrame]


class Collected:
    """Per-document results gathered compactly, in order: the many small frames are concatenated
    in batches as they arrive, so memory holds a few large frames, not thousands of small ones."""

    def __init__(self, batch: int = 256) -> None:
        self.meta: list[dict[str, Any]] = []
        self.texts: dict[str, str] = {}
        self._batch = batch
        self._unmerged = 0
        self._pending: dict[str, list[pd.DataFrame]] = {n: [] for n in PER_DOCUMENT_TABLES}
        self._merged: dict[str, list[pd.DataFrame]] = {n: [] for n in PER_DOCUMENT_TABLES}
        self._empty: dict[str, pd.DataFrame] = {}

    def add(self, doc: DocResult) -> None:
        """Take in one document's results."""
        frames = {name: getattr(doc, name) for name in PER_DOCUMENT_TABLES}
        # an empty frame of each table is kept from the first document only (add_part)
        empty = {n: f.iloc[0:0] for n, f in frames.items() if n not in self._empty}
        self.add_part(Part([doc.meta], {doc.meta["doc_id"]: doc.text}, frames, empty))

    def add_part(self, part: Part) -> None:
        """Take in the results of the documents of a :class:`Part`, which follow those taken so far."""
        self.meta.extend(part.meta)
        self.texts.update(part.texts)
        for name in PER_DOCUMENT_TABLES:
            if name in part.empty:
                self._empty.setdefault(name, part.empty[name])
            frame = part.tables.get(name)
            if frame is not None and len(frame):
                self._pending[name].append(frame)
        self._unmerged += len(part.meta)
        if self._unmerged >= self._batch:
            self._merge()

    def _merge(self) -> None:
        self._unmerged = 0
        for name, frames in self._pending.items():
            if frames:
                self._merged[name].append(pd.concat(frames, ignore_index=True))
                frames.clear()

    def table(self, name: str) -> pd.DataFrame:
        """One per-document table for the whole corpus."""
        self._merge()
        frames = self._merged[name]
        if not frames:
            return self._empty.get(name, pd.DataFrame())
        if len(frames) > 1:  # held once: the batches give way to the whole table
            frames[:] = [pd.concat(frames, ignore_index=True)]
        return frames[0]

    def part(self) -> Part:
        """Everything taken in so far, as one :class:`Part`."""
        tables = {name: self.table(name) for name in PER_DOCUMENT_TABLES}
        return Part(self.meta, self.texts, tables, dict(self._empty))


def process_all(
    pipeline: Pipeline,
    groups: list[list[dict[str, Any]]],
    keys: list[str],
    cache: DocCache,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    reuse: bool = True,
) -> tuple[Collected, int]:
    """Run :meth:`Pipeline.process_sources` on every file, in order: cached results are read
    back (unless ``reuse`` is False), the rest computed in batches of files (at most
    :data:`BATCH_FILES`) in ``jobs`` processes and cached."""
    hits = [reuse and cache.has(key) for key in keys]
    todo = [i for i, hit in enumerate(hits) if not hit]
    parallel = jobs > 1 and len(todo) > 1
    size = max(1, min(BATCH_FILES, len(todo) // (jobs * 4))) if parallel else BATCH_FILES
    runs = _runs(todo, size)
    shares = [([groups[i] for i in run], [keys[i] for i in run], cache) for run in runs]

    def computed() -> Iterator[Part]:
        """The results of each run of files to do, in order (cached as they are made)."""
        if parallel:
            pipeline.warm_up()
            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            with ProcessPoolExecutor(
                max_workers=jobs, mp_context=ctx, initializer=_start_worker, initargs=(pipeline,)
            ) as pool:
                yield from in_order(pool, _process_in_worker, shares)
        else:
            yield from (_process_share(pipeline, share) for share in shares)

    fresh = computed()
    run_at = {run[0]: len(run) for run in runs}
    collected = Collected()
    i = 0
    while i < len(groups):
        if i in run_at:
            part = next(fresh)
            collected.add_part(part)
            i += run_at[i]
            done = len(part.meta)
        else:
            rows = groups[i]
            docs = cache.read(keys[i])
            for doc in docs:  # the same content may have moved: report where it is now
                doc.meta["source_path"] = rows[0]["source_path"]
                doc.meta["source_file"] = rows[0]["source_file"]
                collected.add(doc)
            i += 1
            done = len(docs)
        if progress:
            progress(done)
    return collected, len(groups) - len(todo)
