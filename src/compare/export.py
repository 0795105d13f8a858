"""Excel files an analyst can open: ``reports/tables.xlsx`` (every table of a build, one sheet
each) and ``reports/targets_matrix.xlsx`` (the targets comparison matrix, cell for cell the
figure :func:`compare.charts.plot_target_matrix` draws).

Sheets carry Chinese column labels (``data/columns.csv``) in the first header row and the
English column id in the second, a frozen header, filters and column widths that fit. Written
with xlsxwriter and a fixed creation date, so a re-run gives the same bytes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from compare.analysis.comparison import comparison_matrix
from compare.config import DataFiles
from compare.errors import CompareError
from compare.frames import is_missing
from compare.io import EXCEL_CREATED, atomic_path

#: Build tables in the order their sheets appear.
TABLE_ORDER = (
    "documents", "segments", "measures", "alignments", "matches", "counterparts", "reuse",
    "targets", "cleaning_log",
)  # fmt: skip
#: Excel's limit on the characters of one cell.
MAX_CELL = 32767
_MAX_WIDTH = 60
_SAMPLE = 500


def column_labels(data: DataFiles | str | None = None) -> dict[tuple[str, str], str]:
    """``(table, column) -> Chinese label`` from ``data/columns.csv`` (``*`` as the table: any
    table; ``*`` as the column: the table's own name)."""
    df = DataFiles.resolve(data).csv("columns.csv")
    missing = {"table", "column", "label_zh"} - set(df.columns)
    if missing:
        raise CompareError(f"columns.csv lacks column(s): {', '.join(sorted(missing))}")
    return {(r.table, r.column): r.label_zh for r in df.itertuples(index=False)}


def label_of(labels: Mapping[tuple[str, str], str], column: str, *tables: str) -> str:
    """The Chinese label of ``column``: the first of ``tables`` that labels it, then the
    generic (``*``) label, else ``""``."""
    for table in (*tables, "*"):
        if (table, column) in labels:
            return labels[(table, column)]
    return ""


def _width(value: Any) -> int:
    text = str(value)
    line = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _cell(value: Any) -> Any:
    """A value xlsxwriter writes as is: blanks for NA, text for lists and objects."""
    if is_missing(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        if isinstance(value, str) and len(value) > MAX_CELL:
            return value[: MAX_CELL - 1] + "…"
        return value
    if hasattr(value, "item"):
        return _cell(value.item())
    return str(value)


def _write_sheet(wb: Any, name: str, df: pd.DataFrame, heads: list[list[str]], fmt: dict) -> None:
    """One sheet: ``heads`` (header rows), then the rows of ``df``; frozen header, a filter on
    the last header row, widths fitted to the header and the first rows."""
    ws = wb.add_worksheet(name[:31])
    for r, head in enumerate(heads):
        ws.write_row(r, 0, head, fmt["head"] if r == 0 else fmt["id"])
    top = len(heads)
    for i, row in enumerate(df.itertuples(index=False), start=top):
        for j, value in enumerate(row):
            v = _cell(value)
            if v is None:
                continue
            ws.write(i, j, v, fmt["wrap"] if isinstance(v, str) and len(v) > _MAX_WIDTH else None)
    for j, col in enumerate(df.columns):
        sample = [h[j] for h in heads] + df[col].head(_SAMPLE).tolist()
        width = max((_width(v) for v in sample if _cell(v) is not None), default=4)
        ws.set_column(j, j, min(max(width + 2, 6), _MAX_WIDTH))
    ws.freeze_panes(top, 0)
    if len(df.columns):
        ws.autofilter(top - 1, 0, top - 1 + max(len(df), 1), len(df.columns) - 1)


def _workbook(path: Path) -> tuple[Any, dict]:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_urls": False, "strings_to_formulas": False})
    wb.set_properties({"created": EXCEL_CREATED})
    fmt = {
        "head": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True}),
        "id": wb.add_format({"italic": True, "font_color": "#555555", "bg_color": "#F2F2F2"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
    }
    return wb, fmt


def write_tables_xlsx(
    tables: Mapping[str, pd.DataFrame],
    path: str | Path,
    data: DataFiles | str | None = None,
) -> Path:
    """``tables.xlsx``: a legend sheet (说明: each sheet's Chinese name, English id and rows),
    then one sheet per table (:data:`TABLE_ORDER` first), headed by the Chinese column label
    and the English id."""
    labels = column_labels(data)
    names = [n for n in TABLE_ORDER if n in tables] + sorted(set(tables) - set(TABLE_ORDER))
    with atomic_path(path) as tmp:
        wb, fmt = _workbook(tmp)
        legend = pd.DataFrame(
            {
                "sheet": names,
                "label": [label_of(labels, "*", n) for n in names],
                "rows": [len(tables[n]) for n in names],
            }
        )
        _write_sheet(
            wb, "说明", legend, [["工作表", "名称", "行数"], ["sheet", "name", "rows"]], fmt
        )
        for name in names:
            df = tables[name]
            cols = [str(c) for c in df.columns]
            zh = [label_of(labels, c, name) or c for c in cols]
            _write_sheet(wb, name, df, [zh, cols], fmt)
        wb.close()
    return Path(path)


def write_matrix_xlsx(
    cells: pd.DataFrame, path: str | Path, data: DataFiles | str | None = None
) -> Path:
    """``targets_matrix.xlsx``: sheet 对照矩阵 (the zh figure's cells), ``matrix_en`` (the en
    figure's) and 明细 (every cell with its document, quote and the number of targets)."""
    labels = column_labels(data)
    with atomic_path(path) as tmp:
        wb, fmt = _workbook(tmp)
        for sheet, lang, corner in (("对照矩阵", "zh", "指标"), ("matrix_en", "en", "indicator")):
            grid = comparison_matrix(cells, lang)
            body = grid.reset_index()
            heads = [[corner, *[str(c) for c in grid.columns]]]
            _write_sheet(wb, sheet, body, heads, fmt)
        detail = cells.drop(columns=["row", "col"])
        cols = [str(c) for c in detail.columns]
        zh = [label_of(labels, c, "targets_matrix", "targets") or c for c in cols]
        _write_sheet(wb, "明细", detail, [zh, cols], fmt)
        wb.close()
    return Path(path)


def write_exports(
    build_dir: str | Path, reports_dir: str | Path, data: DataFiles | str | None = None
) -> list[Path]:
    """Write ``tables.xlsx`` and ``targets_matrix.xlsx`` of the build in ``build_dir`` into
    ``reports_dir`` (the Excel half of ``make report``)."""
    from compare.align.taxonomy import load_taxonomy
    from compare.analysis.comparison import comparison_cells, target_words
    from compare.build import load_tables

    files = DataFiles.resolve(data)
    tables = load_tables(build_dir)
    cells = comparison_cells(
        tables["targets"],
        tables["documents"],
        load_taxonomy(data=files).indicators,
        target_words(files),
    )
    out = Path(reports_dir)
    return [
        write_tables_xlsx(tables, out / "tables.xlsx", files),
        write_matrix_xlsx(cells, out / "targets_matrix.xlsx", files),
    ]
