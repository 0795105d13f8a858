"""compare: turn Chinese 法治政府建设 policy texts into comparable tables.

The pipeline reads in the order of its modules:
``manifest -> read -> clean -> segment -> tokenize -> align / match -> targets -> tables -> charts``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from compare.errors import CompareError

__all__ = ["CompareError", "__version__"]
