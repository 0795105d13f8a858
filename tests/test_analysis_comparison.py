"""The targets comparison matrix on the seeds: cells written out with unit and period, only
``target`` rows, shared indicators first; the figure draws exactly those cells and
``targets_matrix.xlsx`` holds them cell for cell; the dot plot draws only shared indicators."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from compare import analysis as A
from compare import charts as C
from compare.align.taxonomy import load_taxonomy
from compare.build import load_tables
from compare.export import write_matrix_xlsx, write_tables_xlsx

DATE = "2026-11-25"


@pytest.fixture(scope="module")
def tables(seed_build: tuple[object, Path]) -> dict[str, pd.DataFrame]:
    return load_tables(seed_build[1])


@pytest.fixture(scope="module")
def cells(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return A.comparison_cells(tables["targets"], tables["documents"], load_taxonomy().indicators)


def _cell(cells: pd.DataFrame, indicator: str, jurisdiction: str) -> pd.Series:
    rows = cells[(cells["indicator"] == indicator) & (cells["jurisdiction"] == jurisdiction)]
    assert len(rows) == 1, (indicator, jurisdiction)
    return rows.iloc[0]


def test_readings_carry_unit_and_period(cells: pd.DataFrame) -> None:
    # Nanjing: 每年接受不少于60学时 (a bare deadline 2023年6月底前 for the same indicator loses).
    hours = _cell(cells, "enforcement_training_hours", "南京市")
    assert (hours["text_zh"], hours["text_en"]) == ("≥60 学时/年", "≥60 hours/year")
    assert hours["n_targets"] == 2
    # Yixing: 每2年清理一次 is once every two years, never once a year.
    cycle = _cell(cells, "normative_doc_cleanup_cycle", "宜兴市")
    assert (cycle["text_zh"], cycle["text_en"]) == ("每2年1次", "once every 2 years")
    assert cycle["annual"] == pytest.approx(0.5)
    # 某市 (speech 03): 每季度集体学法至少1次 is four a year.
    study = _cell(cells, "leadership_collective_study", "某市")
    assert study["text_zh"] == "≥1 次/季度"
    assert study["annual"] == pytest.approx(4.0)
    assert _cell(cells, "litigation_loss_rate", "南京市")["text_zh"] == "≤8%"
    assert _cell(cells, "public_lawyer_coverage", "南京市")["text_zh"] == "2025年底前"


def test_only_targets_and_shared_first(tables: dict[str, pd.DataFrame]) -> None:
    targets = tables["targets"].copy()
    indicators = load_taxonomy().indicators
    cells = A.comparison_cells(targets, tables["documents"], indicators)
    n = cells.drop_duplicates("row").sort_values("row")["n_jurisdictions"].to_numpy()
    assert (np.diff(n) <= 0).all() and n[0] == 3  # leadership_law_lectures: 曹县, 某市, 南京市
    # A target re-labelled as an achievement leaves the matrix.
    hit = (targets["indicator"] == "litigation_loss_rate") & (targets["status"] == "target")
    assert hit.sum() == 1
    targets.loc[hit, "status"] = "achievement"
    without = A.comparison_cells(targets, tables["documents"], indicators)
    assert "litigation_loss_rate" not in set(without["indicator"])
    assert len(without) == len(cells) - 1


def _flat(text: object) -> str:
    """A label without the line breaks and spaces wrapping put in."""
    return "".join(str(text).split())


def _figure_cells(fig: object) -> dict[tuple[int, int], str]:
    out = {}
    for ax in fig.axes:
        for t in ax.texts:
            gid = t.get_gid() or ""
            if gid.startswith("cell-"):
                _, r, c = gid.split("-")
                out[(int(r), int(c))] = t.get_text()
    return out


@pytest.mark.parametrize(("lang", "sheet"), [("zh", "对照矩阵"), ("en", "matrix_en")])
def test_xlsx_matches_the_figure_cell_for_cell(
    cells: pd.DataFrame, tables: dict[str, pd.DataFrame], tmp_path: Path, lang: str, sheet: str
) -> None:
    fig = C.plot_target_matrix(cells, documents=tables["documents"], lang=lang, data_date=DATE)
    drawn = _figure_cells(fig)
    assert len(drawn) == len(cells)
    ws = openpyxl.load_workbook(write_matrix_xlsx(cells, tmp_path / "m.xlsx"))[sheet]
    grid = list(ws.iter_rows(values_only=True))
    header, body = grid[0], grid[1:]
    rows = [_flat(t.get_text()) for t in fig.axes[0].get_yticklabels()]
    cols = [_flat(t.get_text()) for t in fig.axes[0].get_xticklabels()]
    assert [_flat(r[0]) for r in body] == rows
    assert [_flat(c) for c in header[1:]] == cols
    for i, row in enumerate(body):
        for j, value in enumerate(row[1:]):
            assert (value or "") == drawn.get((i, j), ""), (i, j)
    assert ws.freeze_panes == "A2"


def test_dots_only_for_indicators_two_jurisdictions_set(
    cells: pd.DataFrame, tables: dict[str, pd.DataFrame]
) -> None:
    fig = C.plot_target_dots(cells, documents=tables["documents"], lang="en", data_date=DATE)
    axes = [ax for ax in fig.axes if ax.collections]
    titles = [ax.get_title(loc="left").replace("\n", " ") for ax in axes]
    assert len(axes) == 4 and titles[0].startswith("Law lectures for leadership teams")
    study = axes[3]
    xs = np.concatenate([c.get_offsets()[:, 0] for c in study.collections if c.get_gid() == "dots"])
    assert sorted(xs.tolist()) == [2.0, 4.0]  # Yixing ≥2/year; 某市 ≥1/quarter
    labels = [t.get_text() for t in study.texts]
    assert labels == ["≥2 times/year", "≥1 time/quarter"]


def test_tables_xlsx_labels_every_column(tables: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    path = write_tables_xlsx(tables, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "说明"
    for name, df in tables.items():
        ws = wb[name]
        zh, ids = (list(r) for r in ws.iter_rows(min_row=1, max_row=2, values_only=True))
        assert ids == list(df.columns)
        unlabelled = [i for z, i in zip(zh, ids, strict=True) if z == i]
        assert not unlabelled, f"{name}: no Chinese label in data/columns.csv for {unlabelled}"
        assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
        assert ws.max_row == len(df) + 2
    docs = wb["documents"]
    assert docs.cell(3, 1).value == tables["documents"]["doc_id"].iloc[0]
    first = path.read_bytes()
    assert write_tables_xlsx(tables, tmp_path / "t.xlsx").read_bytes() == first
