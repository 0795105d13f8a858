"""Processing a corpus's files, document by document: in this process or in a pool of workers
that each hold the build's :class:`~compare.build.Pipeline` (set once by the pool's initializer),
cached per file, gathered compactly in order (:class:`Collected`)."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

import pandas as pd

from compare.cache import DocCache
from compare.parallel import one_thread_each, stop_pool

if TYPE_CHECKING:
    from compare.build import DocResult, Pipeline

#: The pipeline of this worker process, set by the pool's initializer (:func:`_start_worker`).
_WORKER: Pipeline | None = None


def _start_worker(pipeline: Pipeline) -> None:
    global _WORKER
    _WORKER = pipeline
    one_thread_each()


def _process_in_worker(groups: list[list[dict[str, Any]]]) -> list[list[DocResult]]:
    assert _WORKER is not None, "worker started without a pipeline"
    return _WORKER.process_sources(groups)


def _batches(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


#: Files processed (and their measures aligned) together in one call, at most.
BATCH_FILES = 32


#: The tables computed document by document (the corpus-level ones come after).
PER_DOCUMENT_TABLES = ("cleaning_log", "segments", "measures", "alignments", "targets")


class Collected:
    """Per-document results gathered compactly, in order: the many small frames are concatenated
    in batches as they arrive, so memory holds a few large frames, not thousands of small ones."""

    def __init__(self, batch: int = 256) -> None:
        self.meta: list[dict[str, Any]] = []
        self.texts: dict[str, str] = {}
        self._batch = batch
        self._pending: dict[str, list[pd.DataFrame]] = {n: [] for n in PER_DOCUMENT_TABLES}
        self._merged: dict[str, list[pd.DataFrame]] = {n: [] for n in PER_DOCUMENT_TABLES}
        self._empty: dict[str, pd.DataFrame] = {}

    def add(self, doc: DocResult) -> None:
        """Take in one document's results."""
        self.meta.append(doc.meta)
        self.texts[doc.meta["doc_id"]] = doc.text
        for name in PER_DOCUMENT_TABLES:
            frame = getattr(doc, name)
            self._empty.setdefault(name, frame.iloc[0:0])
            if len(frame):
                self._pending[name].append(frame)
        if len(self.meta) % self._batch == 0:
            self._merge()

    def _merge(self) -> None:
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
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


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

    def computed() -> Iterator[list[DocResult]]:
        if jobs > 1 and len(todo) > 1:
            pipeline.warm_up()
            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            with ProcessPoolExecutor(
                max_workers=jobs, mp_context=ctx, initializer=_start_worker, initargs=(pipeline,)
            ) as pool:
                size = max(1, min(BATCH_FILES, len(todo) // (jobs * 4)))
                batches = _batches([groups[i] for i in todo], size)
                try:
                    for done in pool.map(_process_in_worker, batches):
                        yield from done
                except BaseException:
                    stop_pool(pool)
                    raise
        else:
            for batch in _batches([groups[i] for i in todo], BATCH_FILES):
                yield from pipeline.process_sources(batch)

    fresh = computed()
    collected = Collected()
    for rows, key, hit in zip(groups, keys, hits, strict=True):
        if hit:
            docs = cache.read(key)
            for doc in docs:  # the same content may have moved: report where it is now
                doc.meta["source_path"] = rows[0]["source_path"]
                doc.meta["source_file"] = rows[0]["source_file"]
        else:
            docs = next(fresh)
            cache.write(key, docs)
        for doc in docs:
            collected.add(doc)
        if progress:
            progress(len(docs))
    return collected, len(groups) - len(todo)
