"""Work shared among forked processes gives exactly what it gives in one process."""

from __future__ import annotations

import os

import numpy as np

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
