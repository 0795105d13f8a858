"""Helpers every analysis shares: blank values, required columns, id columns, years."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from compare.errors import CompareError
from compare.frames import is_missing

_KEYS = {"category": "category_id", "topic": "topic_id"}


def blank(s: pd.Series) -> pd.Series:
    """True where a value is missing or an empty/whitespace string."""
    return s.isna() | s.astype("string").str.strip().fillna("").eq("")


def _require(df: pd.DataFrame, cols: Iterable[str], name: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise CompareError(f"table {name!r} lacks column(s): {', '.join(missing)}")


def _id_col(table: pd.DataFrame, name: str) -> str:
    """The id column of a taxonomy table: ``id``, else its own (``category_id``, ``topic_id``,
    ``indicator_id``) as :mod:`compare.taxonomy` names it."""
    for col in ("id", "indicator_id", "topic_id", "category_id"):
        if col in table.columns:
            return col
    raise CompareError(f"table {name!r} has no id column (id, category_id, topic_id, indicator_id)")


def _year_of(value: object) -> float:
    """The first four-digit year in a deadline/date value (``2025``, ``2025-12-31``, ``2025年底``)."""
    if is_missing(value):
        return np.nan
    if isinstance(value, pd.Timestamp):
        return float(value.year)
    if hasattr(value, "year") and not isinstance(value, str):
        return float(value.year)  # type: ignore[attr-defined]
    if isinstance(value, (int, np.integer)) or (
        isinstance(value, (float, np.floating)) and float(value).is_integer()
    ):
        v = int(value)
        return float(v) if 1900 <= v <= 2100 else np.nan
    m = re.search(r"(?<!\d)(19|20)(\d{2})(?!\d)", str(value))
    return float(m.group(1) + m.group(2)) if m else np.nan


def is_blank(value: Any) -> bool:
    return is_missing(value) or (isinstance(value, str) and not value.strip())
