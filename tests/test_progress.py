"""Progress inside a big document: one log line per stage, none for an ordinary document."""

from __future__ import annotations

import logging

import pytest

from compare import progress


def test_a_big_document_logs_each_stage(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="compare.build"):
        stages = progress.StageLog("big", 2_500_000)
        stages("clean")
        stages("align")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("big (2.5 M characters): clean done in ")
    assert "align done" in lines[1]


def test_a_small_document_logs_nothing(caplog: pytest.LogCaptureFixture,
                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    with caplog.at_level(logging.INFO, logger="compare.build"):
        progress.StageLog("small", progress.BIG_DOCUMENT - 1)("clean")
        monkeypatch.setattr(progress, "BIG_DOCUMENT", 10)
        progress.StageLog("now big", 10)("clean")
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["now big (0.0 M characters)"]
