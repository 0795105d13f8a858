"""Work shared among forked processes gives exactly what it gives in one process."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compare import align
from compare.align.labels import load_training
from compare.config import DataFiles
from compare.parallel import run_tasks


def test_run_tasks_returns_every_result_in_order_from_other_processes() -> None:
    tasks = [lambda i=i: (i * i, os.getpid()) for i in range(6)]
    here = run_tasks(tasks, jobs=1)
    there = run_tasks(tasks, jobs=2)
    assert [v for v, _ in here] == [v for v, _ in there] == [0, 1, 4, 9, 16, 25]
    assert {pid for _, pid in here} == {os.getpid()}
    assert os.getpid() not in {pid for _, pid in there}


def test_aligners_fitted_in_two_processes_equal_those_fitted_in_one() -> None:
    data = DataFiles.resolve()
    labels = load_training(data=data)
    labels = labels[labels["doc_id"].isin(sorted(labels["doc_id"].unique())[:12])]
    one = align.fit_aligners(labels=labels, data=data, jobs=1)
    two = align.fit_aligners(labels=labels, data=data, jobs=2)
    texts = labels["text"].astype(str).tolist()[:40]
    assert np.array_equal(one.category.predict_proba(texts), two.category.predict_proba(texts))
    assert np.array_equal(
        one.topic_model.predict_proba(texts), two.topic_model.predict_proba(texts)
    )
    grid = np.linspace(0, 1, 21)
    assert np.array_equal(one.calibration.score(grid), two.calibration.score(grid))
    assert one.calibration.model is not None  # the folds were fitted and calibrated on


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="resident size read from /proc")
def test_release_free_memory_gives_freed_blocks_back() -> None:
    # in a fresh process: ~300 MB of 100 kB blocks freed (every 50th kept, so the heap cannot
    # simply shrink from the top) stays resident until the memory is released
    code = textwrap.dedent(
        """
        from compare.parallel import release_free_memory
        def rss():
            return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
        blocks = [bytes(100_000) + bytes([i % 256]) for i in range(3000)]
        kept = blocks[::50]
        del blocks
        before = rss()
        release_free_memory()
        print(before, rss(), len(kept))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after, _ = (float(v) for v in out.stdout.split())
    assert before > 250 and after < before - 200


def test_runs_by_size_cut_texts_into_contiguous_blocks() -> None:
    """Runs cover every item once, in order; each but the last reaches the size and would not
    without its last item (checked on the dev texts' lengths as well as small cases)."""
    from pathlib import Path

    from compare.parallel import runs_by_size

    assert runs_by_size([3, 3, 3, 3, 3], 6) == [(0, 2), (2, 4), (4, 5)]
    assert runs_by_size([10, 1], 5) == [(0, 1), (1, 2)]
    assert runs_by_size([], 5) == [(0, 0)]
    raw = Path(__file__).parents[1] / "data" / "dev" / "raw"
    sizes = [len(p.read_text(encoding="utf-8", errors="replace")) for p in sorted(raw.iterdir())]
    runs = runs_by_size(sizes, 20_000)
    assert len(runs) > 3 and runs[0][0] == 0 and runs[-1][1] == len(sizes)
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in itertools.pairwise(runs))
    for a, b in runs[:-1]:
        assert sum(sizes[a:b]) >= 20_000 > sum(sizes[a : b - 1])
