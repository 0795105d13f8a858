"""Errors a user can act on: one line naming the file and the problem."""

from __future__ import annotations

from pathlib import Path


class CompareError(Exception):
    """An input problem the user can fix.

    ``str(err)`` is a single line: ``<file>: <problem>`` (or just the problem when no file
    is involved). The CLI prints it and exits non-zero, never a traceback.
    """

    def __init__(self, problem: str, path: str | Path | None = None) -> None:
        self.problem = problem
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {problem}" if self.path else problem)
