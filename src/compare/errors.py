"""Errors a user can act on: one line naming the file and the problem."""

from __future__ import annotations

from pathlib import Path


class CompareError(Exception):
    """An input problem the user can fix.

    ``str(err)`` is a single line: ``<file>: <problem>``, or ``<file>:<line>:<column>: <problem>``
    when the place in the file is known (1-based, as editors count), or just the problem when no
    file is involved. The CLI prints it and exits non-zero, never a traceback.
    """

    def __init__(
        self,
        problem: str,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.problem = problem
        self.path = None if path is None else str(path)
        self.line, self.column = line, column
        where = self.path
        if where and line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {problem}" if where else problem)
