"""Processing a corpus's files, document by document: in this process or in a pool of workers
that each hold the build's :class:`~compare.build.Pipeline` (set once by the pool's initializer),
cached per file, gathered compactly in order (:class:`Collected`)."""

from __future__ import annotations

import multiprocessing as mp
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
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


#: One worker's share: a batch of files, their cache keys and the cache.
Job = tuple[list[list[dict[str, Any]]], list[str], DocCache]


def _process_in_worker(job: Job) -> list[bytes]:
    """Process a batch of files and cache each file's results here, in the worker: they are
    pickled once, for the cache and for the way back (the build process only unpickles)."""
    assert _WORKER is not None, "worker started without a pipeline"
    groups, keys, cache = job
    done = _WORKER.process_sources(groups)
    blobs = [pickle.dumps(docs, protocol=pickle.HIGHEST_PROTOCOL) for docs in done]
    for key, blob in zip(keys, blobs, strict=True):
        cache.write_pickled(key, blob)
    return blobs


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
        """The results of the files to do, in order (cached as they are made)."""
        if jobs > 1 and len(todo) > 1:
            pipeline.warm_up()
            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            with ProcessPoolExecutor(
                max_workers=jobs, mp_context=ctx, initializer=_start_worker, initargs=(pipeline,)
            ) as pool:
                size = max(1, min(BATCH_FILES, len(todo) // (jobs * 4)))
                shares = [([groups[i] for i in part], [keys[i] for i in part], cache)
                          for part in _batches(todo, size)]  # fmt: skip
                for blobs in in_order(pool, _process_in_worker, shares):
                    yield from map(pickle.loads, blobs)
        else:
            for part in _batches(todo, BATCH_FILES):
                done = pipeline.process_sources([groups[i] for i in part])
                for i, docs in zip(part, done, strict=True):
                    cache.write(keys[i], docs)
                    yield docs

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
        for doc in docs:
            collected.add(doc)
        if progress:
            progress(len(docs))
    return collected, len(groups) - len(todo)
