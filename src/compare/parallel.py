"""Running independent pieces of work in forked worker processes (a build's documents, an
aligner's fits): the settings every worker starts with, and :func:`run_tasks`."""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

import threadpoolctl

#: The tasks of this worker process, set by the pool's initializer (:func:`_start_tasks`).
_TASKS: Sequence[Callable[[], Any]] = ()

T = TypeVar("T")


def one_thread() -> threadpoolctl.threadpool_limits:
    """``with one_thread():`` numeric libraries (OpenBLAS, OpenMP) use one thread inside the
    block, as in every worker (:func:`one_thread_each`): results do not depend on the number of
    threads (a BLAS product's rounding does), so a 1-process build equals a ``jobs``-process one
    bit for bit, and a single process loses nothing measurable (fit: 17.2 s, 19.1 s threaded)."""
    return threadpoolctl.threadpool_limits(1)


def one_thread_each() -> None:
    """Settings of every worker process. Each runs numeric libraries on one thread: ``jobs``
    workers each starting a thread per core oversubscribe the machine (measured: each aligner fit
    3-10x slower in two workers than alone), and results stay those of one process. Ctrl-C
    reaches every process of the terminal's group: the parent alone handles it (and stops the
    workers), so no worker prints a traceback."""
    threadpoolctl.threadpool_limits(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def release_free_memory() -> None:
    """Give the memory freed so far back to the operating system (glibc's ``malloc_trim``;
    nothing elsewhere). A build frees many blocks of a few MB between its corpus stages; the
    allocator keeps them, so without this the process's resident size carries each stage's
    leftovers into the next (measured at N = 10,000: 1,658 -> 1,238 MB after the match)."""
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # the C library's, where it has one
    if trim is not None:
        trim(0)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """End a pool's workers now (after an interrupt), without waiting for their current task.
    Waiting tasks are not cancelled: in Python 3.11 a future cancelled while the pool's manager
    thread is handing it out makes that thread fail (``InvalidStateError``, a traceback printed
    after the interrupt; reproduced in about one of six interrupted builds)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=False)


def in_order(
    pool: ProcessPoolExecutor, fn: Callable[[Any], T], items: Sequence[Any]
) -> Iterator[T]:
    """``fn(item)`` for every item, computed in ``pool`` and yielded in order. Unlike
    ``pool.map`` nothing is cancelled when the caller is interrupted: the pool is stopped
    (:func:`stop_pool`) and the interrupt goes on."""
    try:
        futures = [pool.submit(fn, item) for item in items]
        for future in futures:
            yield future.result()
    except BaseException:
        stop_pool(pool)
        raise


def _start_tasks(tasks: Sequence[Callable[[], Any]]) -> None:
    global _TASKS
    _TASKS = tasks
    one_thread_each()


def _run_task(index: int) -> Any:
    return _TASKS[index]()


def run_tasks(tasks: Sequence[Callable[[], T]], jobs: int = 1) -> list[T]:
    """Each task's result, in order: in ``jobs`` forked processes (which inherit the tasks, so
    they need not pickle; their results must) when there are several tasks, ``jobs > 1`` and the
    platform forks; else one after the other here. One numeric thread each way (:func:`one_thread`)."""
    if jobs < 2 or len(tasks) < 2 or "fork" not in mp.get_all_start_methods():
        with one_thread():
            return [task() for task in tasks]
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(tasks)),
        mp_context=mp.get_context("fork"),
        initializer=_start_tasks,
        initargs=(tasks,),
    ) as pool:
        return list(in_order(pool, _run_task, range(len(tasks))))


def runs_by_size(sizes: Sequence[int], size: int) -> list[tuple[int, int]]:
    """``(start, end)`` of the consecutive runs of items whose ``sizes`` add up to about
    ``size``: a run ends at the item that makes it reach ``size`` (the last run may be smaller;
    no items give one empty run). How a corpus stage cuts its texts into blocks of work."""
    runs, start, total = [], 0, 0
    for i, n in enumerate(sizes):
        total += n
        if total >= size:
            runs.append((start, i + 1))
            start, total = i + 1, 0
    if start < len(sizes) or not runs:
        runs.append((start, len(sizes)))
    return runs
