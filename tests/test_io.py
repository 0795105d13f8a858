"""Atomic writers: all-or-nothing, ordinary permissions, Excel-friendly CSV, stable Excel and
Parquet bytes."""

from __future__ import annotations

import stat
from pathlib import Path

import pandas as pd
import pytest

from compare.build import BuildResult
from compare.io import atomic_path, write_csv, write_excel, write_parquet, write_text


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.txt"]


def test_outputs_are_readable_by_others(tmp_path: Path) -> None:
    mode = stat.S_IMODE(write_text(tmp_path / "t.txt", "x").stat().st_mode)
    assert mode & stat.S_IROTH


def test_csv_has_bom_and_round_trips_chinese(tmp_path: Path) -> None:
    df = pd.DataFrame({"标题": ["法治政府", "行政复议"], "n": [1, 2]})
    path = write_csv(df, tmp_path / "t.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(path, encoding="utf-8-sig").equals(df)


def test_excel_same_bytes_each_run(tmp_path: Path) -> None:
    df = pd.DataFrame({"指标": ["执法人员年度培训学时"], "value": [60]})
    a = write_excel({"targets": df}, tmp_path / "a.xlsx").read_bytes()
    b = write_excel({"targets": df}, tmp_path / "b.xlsx").read_bytes()
    assert a == b


def test_parquet_bytes_do_not_depend_on_how_a_table_was_pieced_together(
    seed_build: tuple[BuildResult, Path], tmp_path: Path
) -> None:
    """A rebuild joins kept slices and new rows, so a column may come in many pieces: the same
    table must give the same bytes (a long string column's dictionary encoding gives way at a
    size, and where depends on the pieces unless they are joined)."""
    measures = seed_build[0].tables["measures"]
    copies = [measures.assign(text=measures["text"] + f"（{k}）") for k in range(40)]
    pieced = pd.concat(copies, ignore_index=True)  # 40 pieces a column; > 1 MB of unique text
    assert pieced["text"].str.len().sum() > 2**20
    write_parquet(pieced, tmp_path / "pieced.parquet")
    whole = pd.read_parquet(tmp_path / "pieced.parquet")  # read back: one piece per column
    pd.testing.assert_frame_equal(whole, pieced)
    write_parquet(whole, tmp_path / "whole.parquet")
    assert (tmp_path / "whole.parquet").read_bytes() == (tmp_path / "pieced.parquet").read_bytes()
