"""Processing a corpus's files, document by document: in this process or in a pool of workers
that each hold the build's pipeline (a :class:`Processor`, :class:`compare.build.Pipeline`; set
once by the pool's initializer), cached per file, gathered compactly in order
(:class:`Collected`)."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from compare.cache import DocCache, where_now
from compare.parallel import in_order, one_thread_each


@dataclass
class DocResult:
    """Everything computed from one document alone."""

    meta: dict[str, Any]
    text: str
    cleaning_log: pd.DataFrame
    segments: pd.DataFrame
    measures: pd.DataFrame
    alignments: pd.DataFrame
    targets: pd.DataFrame


class Processor(Protocol):
    """What turns files into per-document results, :class:`DocResult` (the build's
    :class:`compare.build.Pipeline`)."""

    def process_sources(self, groups: list[list[dict[str, Any]]]) -> list[list[DocResult]]:
        """The documents of each file (each file given by its manifest rows), in order."""
        ...

    def warm_up(self) -> None:
        """Build now what forked workers should inherit rather than build each."""
        ...


#: The pipeline of this worker process, set by the pool's initializer (:func:`_start_worker`).
_WORKER: Processor | None = None


def _start_worker(pipeline: Processor) -> None:
    global _WORKER
    _WORKER = pipeline
    one_thread_each()


@dataclass(frozen=True)
class Share:
    """One share of the work: a run of consecutive files (their manifest rows), their cache
    keys and the cache; ``cached``: their results are read back from the cache, not computed."""

    groups: list[list[dict[str, Any]]]
    keys: list[str]
    cache: DocCache
    cached: bool = False


def cached_documents(cache: DocCache, key: str, rows: list[dict[str, Any]]) -> list[DocResult]:
    """The results of one file read back from ``cache``, with where the file is now (the same
    content may have moved)."""
    docs = cache.read(key)
    for doc in docs:
        doc.meta.update(where_now(rows))
    return docs


def _process_share(pipeline: Processor, share: Share) -> Part:
    """Process a run of files (or read it back from the cache: ``share.cached``), cache each
    file's results, and gather them as one :class:`Part`."""
    if share.cached:
        found = [cached_documents(share.cache, k, rows)
                 for k, rows in zip(share.keys, share.groups, strict=True)]  # fmt: skip
    else:
        found = pipeline.process_sources(share.groups)
        for key, docs in zip(share.keys, found, strict=True):
            share.cache.write(key, docs)
    gathered = Collected()
    for docs in found:
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

#: Files read back from the cache in one share of a parallel build, at most.
READ_FILES = 64


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


@dataclass(frozen=True)
class Kept:
    """A build's per-document results whole, as :class:`compare.cache.CorpusStore` keeps them:
    each file's key, how many of the documents and of each table's rows are that file's (in
    order), and the results as one :class:`Part`."""

    keys: list[str]
    n_docs: np.ndarray
    n_rows: dict[str, np.ndarray]
    part: Part

    @classmethod
    def of(cls, keys: list[str], collected: Collected) -> Kept | None:
        """What to keep of a build of the files ``keys`` (in order) that gathered ``collected``;
        ``None`` if a file's documents or a document's rows are not one run each (they always
        are: the check keeps a wrong slice from ever being served)."""
        part = collected.part()
        sources = pd.Series([str(m["source_path"]) for m in part.meta], dtype=object)
        starts = np.flatnonzero(sources.ne(sources.shift()).to_numpy())
        if len(starts) != len(keys) or sources.nunique() != len(keys):
            return None
        n_docs = np.diff(np.r_[starts, len(sources)])
        doc_ids = pd.Index([str(m["doc_id"]) for m in part.meta])
        n_rows = {}
        for name, table in part.tables.items():
            at = doc_ids.get_indexer(table["doc_id"].astype(str)) if len(table) else np.zeros(0)
            if (at < 0).any() or (np.diff(at) < 0).any():
                return None
            per_doc = np.bincount(at.astype(np.int64), minlength=len(doc_ids))
            n_rows[name] = np.add.reduceat(per_doc, starts) if len(starts) else per_doc
        return cls(list(keys), n_docs, n_rows, part)

    def runs(
        self, keys: list[str], groups: list[list[dict[str, Any]]]
    ) -> dict[int, tuple[int, Part]]:
        """The kept results of the files ``keys`` (their manifest rows ``groups``) this holds,
        as one :class:`Part` per run of files that follow each other here as they did when
        kept, with the run's length, keyed by its first file; each document says where its
        file is now."""
        at = {key: j for j, key in enumerate(self.keys)}
        runs: list[tuple[int, int, int]] = []  # (first file, first kept file, files)
        for i, key in enumerate(keys):
            j = at.get(key)
            if j is None:
                continue
            if runs and runs[-1][0] + runs[-1][2] == i and runs[-1][1] + runs[-1][2] == j:
                runs[-1] = (runs[-1][0], runs[-1][1], runs[-1][2] + 1)
            else:
                runs.append((i, j, 1))
        docs_at = np.r_[0, np.cumsum(self.n_docs)]  # each kept file's first document ...
        rows_at = {name: np.r_[0, np.cumsum(n)] for name, n in self.n_rows.items()}  # ... rows
        return {i: (n, self._part(j, n, groups[i : i + n], docs_at, rows_at)) for i, j, n in runs}

    def _part(
        self,
        first: int,
        n: int,
        groups: list[list[dict[str, Any]]],
        docs_at: np.ndarray,
        rows_at: dict[str, np.ndarray],
    ) -> Part:
        """The kept results of ``n`` files from the kept file ``first``, now at ``groups``
        (``docs_at``, ``rows_at``: where each kept file's documents and table rows begin)."""
        meta = []
        for j, rows in zip(range(first, first + n), groups, strict=True):
            where = where_now(rows)
            meta.extend({**m, **where} for m in self.part.meta[docs_at[j] : docs_at[j + 1]])
        tables = {name: table.iloc[rows_at[name][first] : rows_at[name][first + n]]
                  for name, table in self.part.tables.items()}  # fmt: skip
        texts = {m["doc_id"]: self.part.texts[m["doc_id"]] for m in meta}
        return Part(meta, texts, tables, self.part.empty)


def plan_runs(
    hits: list[bool], jobs: int, served: frozenset[int] = frozenset()
) -> tuple[list[tuple[list[int], bool]], bool]:
    """How :func:`process_all` shares out files, given which are cached (``hits``): runs of
    consecutive files to compute (``(run, False)``; at most :data:`BATCH_FILES`, fewer so that
    each of ``jobs`` processes gets about four), in file order, and whether ``jobs`` processes
    share them. They do when there are two files to compute or more cached files than one run
    reads (:data:`READ_FILES`); then the cached files are runs too (``(run, True)``). Files
    ``served`` from the kept build (:class:`Kept`) are in no run."""
    todo = [i for i, hit in enumerate(hits) if not hit]
    kept = [i for i, hit in enumerate(hits) if hit and i not in served]
    parallel = jobs > 1 and (len(todo) > 1 or len(kept) > READ_FILES)
    size = max(1, min(BATCH_FILES, len(todo) // (jobs * 4))) if parallel else BATCH_FILES
    runs = [(run, False) for run in _runs(todo, size)]
    if parallel:
        reads = max(1, min(READ_FILES, len(kept) // (jobs * 4)))
        runs += [(run, True) for run in _runs(kept, reads)]
    return sorted(runs, key=lambda r: r[0][0]), parallel


def process_all(
    pipeline: Processor,
    groups: list[list[dict[str, Any]]],
    keys: list[str],
    cache: DocCache,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    reuse: bool = True,
    kept: Kept | None = None,
) -> tuple[Collected, int]:
    """Run :meth:`Processor.process_sources` on every file, in order: cached results are read
    back (unless ``reuse`` is False), the rest computed in batches of files (at most
    :data:`BATCH_FILES`) and cached. With ``jobs`` processes and enough work to share, the
    workers do both: they read the cached files too, in runs of at most :data:`READ_FILES`,
    so the build gathers a few large frames per run instead of unpickling and concatenating
    every file's small ones alone (adding one file to 1,000 cached ones). Files whose results
    ``kept`` holds (the last build's, :class:`Kept`) are taken from it, a slice per run of files.
    Returns the results and how many files were not computed."""
    served = kept.runs(keys, groups) if reuse and kept is not None else {}
    from_kept = frozenset(i for start, (n, _) in served.items() for i in range(start, start + n))
    hits = [i in from_kept or (reuse and cache.has(key)) for i, key in enumerate(keys)]
    runs, parallel = plan_runs(hits, jobs, from_kept)
    shares = [Share([groups[i] for i in run], [keys[i] for i in run], cache, cached)
              for run, cached in runs]  # fmt: skip

    def computed() -> Iterator[Part]:
        """The results of each run of files, in order (cached as they are made)."""
        if parallel:
            if not all(hits):  # files to compute: the workers need the tokenizer engine
                pipeline.warm_up()
            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            with ProcessPoolExecutor(
                max_workers=jobs, mp_context=ctx, initializer=_start_worker, initargs=(pipeline,)
            ) as pool:
                yield from in_order(pool, _process_in_worker, shares)
        else:
            yield from (_process_share(pipeline, share) for share in shares)

    fresh = computed()
    run_at = {run[0]: len(run) for run, _ in runs}
    collected = Collected()
    i = 0
    while i < len(groups):
        if i in run_at:
            part = next(fresh)
            collected.add_part(part)
            i += run_at[i]
            done = len(part.meta)
        elif i in served:
            n, part = served.pop(i)
            collected.add_part(part)
            i += n
            done = len(part.meta)
        else:  # one process: a cached file's documents are gathered here
            docs = cached_documents(cache, keys[i], groups[i])
            for doc in docs:
                collected.add(doc)
            i += 1
            done = len(docs)
        if progress:
            progress(done)
    return collected, sum(hits)
