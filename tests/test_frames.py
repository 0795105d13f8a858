"""compare.frames builds the same frames as pandas, column for column and dtype for dtype."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pandas.arrays import ArrowStringArray

from compare import frames, targets
from compare.align.base import _as_texts
from tests.conftest import dev_measures

#: Dev-split texts of three kinds (a regulation, a work report, a plan).
DEV_DOCS = ("sh_2018_chengguan_zhifa", "nanshan_2023_gzbg", "gov_2019_zhijiao_fangan")


def _same(columns: dict[str, list], order: list[str]) -> pd.DataFrame:
    built = frames.frame(columns, order)
    expected = pd.DataFrame(columns, columns=order)
    pd.testing.assert_frame_equal(built, expected, check_exact=True)
    assert built.dtypes.tolist() == expected.dtypes.tolist()
    return built


@pytest.mark.parametrize("doc_id", DEV_DOCS)
def test_frames_of_dev_tables_equal_pandas_own(doc_id: str) -> None:
    text, segments, measures = dev_measures(doc_id)
    found = targets.extract_targets(text, doc_id=doc_id, measures=measures)
    for table in (segments, measures, found):
        assert len(table), f"{doc_id}: an empty table tests nothing"
        columns = {c: table[c].tolist() for c in table.columns}
        built = _same(columns, list(table.columns))
        # the text column took the fast path (an Arrow string array made directly)
        assert isinstance(built["doc_id"].array, ArrowStringArray)


def test_frames_leave_other_columns_to_pandas() -> None:
    columns = {
        "mixed": ["a", None, "b"],  # a missing cell: pandas infers it
        "nan": ["a", math.nan, "c"],
        "ints": [1, 2, 3],
        "flags": [True, False, True],
        "none": [None, None, None],
        "objects": ["a", 1, "c"],
    }
    built = _same(columns, list(columns))
    assert built["objects"].dtype == object
    empty = {"a": [], "b": []}
    assert _same(empty, ["a", "b"]).empty


#: Cells of every kind a table holds, missing or not.
CELLS = [None, math.nan, np.float64("nan"), pd.NA, pd.NaT, "", " ", "x", "nan", 0, 0.0, 2.5,
         False, np.int64(3), pd.Timestamp("2023-12-31")]  # fmt: skip


def test_a_missing_cell_is_what_pandas_calls_missing() -> None:
    for value in CELLS:
        assert frames.is_missing(value) is bool(pd.isna(value)), repr(value)


def test_text_cell_reads_missing_as_empty_and_the_rest_as_str() -> None:
    got = [frames.text_cell(v) for v in CELLS]
    assert got == ["", "", "", "", "", "", " ", "x", "nan", "0", "0.0", "2.5", "False", "3",
                   "2023-12-31 00:00:00"]  # fmt: skip


def test_a_pandas_na_is_no_text_in_targets_or_for_the_aligner() -> None:
    text = "行政机关负责人出庭应诉率达到100%"
    row = targets.rows.make_row("d", text, 14, 18, unit=pd.NA, measure_id=None)
    table = targets.rows.to_frame([row])
    assert table.loc[0, "quote"] == "100%"
    assert table.loc[0, "unit"] == "" and table.loc[0, "measure_id"] == ""
    measures = pd.DataFrame({"parent_headings": [pd.NA, "二、深化行政复议"], "text": [text] * 2})
    assert _as_texts(measures) == [text, f"二、深化行政复议\n{text}"]
