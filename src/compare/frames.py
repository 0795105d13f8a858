"""Per-document tables built fast: a DataFrame from columns of Python values, the same as
``pandas.DataFrame`` builds it, with each text column made into pandas' Arrow-backed ``str``
column directly. pandas infers the type of every column it is given as a list, which costs
about four times more than the rest of building a small frame; a build makes several
tables per document (segments, measures, targets, the cleaning log). Also what counts as a
missing cell (:func:`is_missing`), and a cell read as text (:func:`text_cell`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.arrays import ArrowStringArray

#: The dtype pandas infers for a column of strings (``str``: Arrow storage, NaN for missing).
TEXT_DTYPE = pd.StringDtype(na_value=np.nan)


def is_missing(value: Any) -> bool:
    """A missing cell: None, NaN, pandas' NA or NaT (``pandas.isna`` of one value, without its
    cost per call)."""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def text_cell(value: Any) -> str:
    """A cell of a text column as text: missing (:func:`is_missing`) -> ``""``, anything else
    ``str``."""
    if is_missing(value):
        return ""
    return value if type(value) is str else str(value)


def text_array(values: Sequence[Any]) -> Any:
    """``values`` as the ``str`` column pandas would infer when every one is a ``str`` (and
    there is at least one, and pandas stores strings in Arrow); otherwise ``values`` unchanged,
    for pandas to infer."""
    if not values or TEXT_DTYPE.storage != "pyarrow" or not all(type(v) is str for v in values):
        return values
    return ArrowStringArray(pa.array(values, type=pa.large_string()), dtype=TEXT_DTYPE)


def frame(columns: dict[str, Any], order: Sequence[str] | None = None) -> pd.DataFrame:
    """``pandas.DataFrame(columns, columns=order)``, the lists of strings among ``columns``
    turned into ``str`` columns first (:func:`text_array`): the same frame, cell for cell and
    dtype for dtype."""
    data = {
        name: text_array(values) if isinstance(values, list) else values
        for name, values in columns.items()
    }
    return pd.DataFrame(data, columns=list(order) if order is not None else None, copy=False)
