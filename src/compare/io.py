"""Atomic writers: every output is written to a temp file beside it, then renamed into place."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

_UMASK = os.umask(0)
os.umask(_UMASK)

#: Fixed creation time written into Excel files so that re-runs give identical bytes.
EXCEL_CREATED = dt.datetime(2000, 1, 1)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temp path beside ``path``; rename it onto ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a CSV in UTF-8 with BOM (so Excel shows Chinese), atomically."""
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    return Path(path)


def write_parquet(df: pd.DataFrame, path: str | Path) -> Path:
    """Write Parquet atomically, the same bytes for the same table: each column is written as
    one array (a column pieced together from slices is joined first; how a string column is
    cut into arrays changes where its dictionary encoding gives way, so the bytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    if any(column.num_chunks > 1 for column in table.columns):
        table = table.combine_chunks()
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="snappy")
    return Path(path)


def write_table(
    df: pd.DataFrame, out_dir: str | Path, name: str, csv_drop: tuple[str, ...] = ()
) -> None:
    """Write ``<out_dir>/<name>.parquet`` and ``<name>.csv`` (CSV without ``csv_drop`` columns)."""
    out_dir = Path(out_dir)
    write_parquet(df, out_dir / f"{name}.parquet")
    write_csv(df.drop(columns=[c for c in csv_drop if c in df.columns]), out_dir / f"{name}.csv")


def write_excel(sheets: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write several DataFrames as sheets of one .xlsx with fixed metadata (same bytes each run)."""
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="xlsxwriter") as writer:
        writer.book.set_properties({"created": EXCEL_CREATED})
        for name, df in sheets.items():
            df.to_excel(writer, sheet_name=name[:31], index=False)
    return Path(path)
