"""The targets comparison: the indicator × jurisdiction matrix of written-out commitments, and
a dot plot of the indicators that at least two jurisdictions set. Both draw
:func:`compare.analysis.comparison_cells` as handed in."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from compare.analysis.comparison import target_words
from compare.charts.colours import colours
from compare.charts.labels import Lang, _check_lang, _max_dw, _n_lines, _tr, wrap
from compare.charts.style import (
    _IN_PER_PT,
    _LABEL_COLS,
    _finish,
    _fr,
    _label_width,
    _new_figure,
    _value_axis,
)
from compare.errors import CompareError

_CELL_SIZE = 8.5
_SHARED_BG = "#efefef"


def _axis_names(cells: pd.DataFrame, lang: str) -> tuple[list[str], list[str]]:
    label = "label_zh" if lang == "zh" else "label_en"
    juris = f"header_{lang}"
    rows = cells.drop_duplicates("row").sort_values("row")[label].astype(str).tolist()
    cols = cells.drop_duplicates("col").sort_values("col")[juris].astype(str).tolist()
    return rows, cols


def plot_target_matrix(
    cells: pd.DataFrame,
    *,
    documents: pd.DataFrame | None = None,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """The matrix of :func:`~compare.analysis.comparison_cells`: indicator rows (shared ones
    first, on grey) × jurisdiction columns (a colour chip per jurisdiction, from
    ``data/figures.yml``), each cell the commitment written out (``text_<lang>``), blank where a
    jurisdiction sets none. Each cell's text artist has the gid ``cell-<row>-<col>``."""
    _check_lang(lang)
    if cells.empty:
        raise CompareError("plot_target_matrix got an empty table")
    rows, cols = _axis_names(cells, lang)
    rows = [wrap(r, _LABEL_COLS[lang] + 8) for r in rows]
    cols = [wrap(c, 12 if lang == "zh" else 14) for c in cols]
    texts = cells[f"text_{lang}"].astype(str).tolist()
    col_w = max(0.85, (max(_max_dw(texts + cols), 6) * _CELL_SIZE * 0.55 + 12) * _IN_PER_PT)
    row_h = 0.12 + 0.15 * _n_lines(rows)
    head_h = 0.18 * _n_lines(cols) + 0.25
    width = _label_width(rows) + len(cols) * col_w + 0.4
    fig, body = _new_figure(
        max(width, 6.0),
        len(rows) * row_h + head_h + 0.45,
        **_fr(title or _tr(lang, "t_matrix"), lang, sources, data_date),
    )
    ax = body.add_subplot()
    n_rows, n_cols = len(rows), len(cols)
    shared = cells.drop_duplicates("row").sort_values("row")["n_jurisdictions"].to_numpy() >= 2
    for i in range(n_rows):
        if shared[i]:
            ax.add_patch(Rectangle((0, i), n_cols, 1, color=_SHARED_BG, lw=0, zorder=0))
    for x in range(n_cols + 1):
        ax.axvline(x, color="#d0d0d0", lw=0.6, zorder=1)
    for y in range(n_rows + 1):
        ax.axhline(y, color="#d0d0d0", lw=0.6, zorder=1)
    if shared.any() and not shared.all():
        ax.axhline(int(shared.sum()), color="#555555", lw=1.2, zorder=2)
    for r in cells.itertuples(index=False):
        ax.text(
            int(r.col) + 0.5,
            int(r.row) + 0.5,
            str(getattr(r, f"text_{lang}")),
            ha="center",
            va="center",
            fontsize=_CELL_SIZE,
            gid=f"cell-{int(r.row)}-{int(r.col)}",
            zorder=3,
        )
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_xticks(np.arange(n_cols) + 0.5, cols)
    ax.set_yticks(np.arange(n_rows) + 0.5, rows)
    ax.xaxis.tick_top()
    ax.tick_params(length=0, labelsize=9)
    ax.tick_params(axis="x", pad=7)
    for s in ax.spines.values():
        s.set_visible(False)
    if documents is not None:
        chip = colours().jurisdiction(documents)
        juris = "jurisdiction" if lang == "zh" else "jurisdiction_en"
        names = cells.drop_duplicates("col").sort_values("col")[juris].astype(str).tolist()
        for j, name in enumerate(names):
            ax.add_patch(
                Rectangle((j, -0.12), 1, 0.12, color=chip.get(name, "#999999"), lw=0, clip_on=False)
            )
    ax.set_xlabel(wrap(_tr(lang, "matrix_shared"), int(width * 72 / (8 * 0.55))), fontsize=8)
    return _finish(fig)


def plot_target_dots(
    cells: pd.DataFrame,
    *,
    documents: pd.DataFrame | None = None,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Dots for the indicators of :func:`~compare.analysis.comparison_cells` that at least two
    jurisdictions set with a value: one panel per indicator, one row per jurisdiction, the dot at
    ``annual`` (per year, or the cycle in years), a bar to ``annual_max`` for a range, and the
    commitment as written beside it. Dots take the jurisdiction's colour."""
    _check_lang(lang)
    c = cells[cells["annual"].notna()]
    n_valued = c.groupby("indicator")["jurisdiction"].transform("nunique")
    c = c[n_valued >= 2].sort_values(["row", "col"], kind="stable")
    if c.empty:
        raise CompareError("no indicator is set with a value by two or more jurisdictions")
    label = "label_zh" if lang == "zh" else "label_en"
    juris = "jurisdiction" if lang == "zh" else "jurisdiction_en"
    groups = [g for _, g in c.groupby("row", sort=True)]
    names = [wrap(s, _LABEL_COLS[lang]) for s in c[f"header_{lang}"].astype(str)]
    chip = colours().jurisdiction(documents) if documents is not None else {}
    heights = [len(g) * 0.34 + 0.75 for g in groups]
    panel_w = _label_width(names) + 4.6
    fig, body = _new_figure(
        max(6.5, panel_w),
        sum(heights) + 0.2,
        **_fr(title or _tr(lang, "t_dots"), lang, sources, data_date),
    )
    axes = np.atleast_1d(body.subplots(len(groups), 1, squeeze=False, height_ratios=heights))
    for ax, g in zip(axes.ravel(), groups, strict=True):
        y = np.arange(len(g))
        lo = g["annual"].to_numpy(dtype=float)
        hi = g["annual_max"].to_numpy(dtype=float)
        hi = np.where(np.isnan(hi), lo, hi)
        col = [chip.get(str(j), "#0072B2") for j in g[juris]]
        ax.hlines(y, lo, hi, color=col, lw=4, alpha=0.6, zorder=2)
        ax.scatter(lo, y, s=42, color=col, zorder=3, gid="dots")
        for yi, x, text in zip(y, hi, g[f"text_{lang}"].astype(str), strict=True):
            ax.annotate(
                text, (x, yi), xytext=(7, 0), textcoords="offset points", va="center", fontsize=8
            )
        ax.set_yticks(y, [wrap(s, _LABEL_COLS[lang]) for s in g[f"header_{lang}"].astype(str)],
                      fontsize=8.5)  # fmt: skip
        ax.set_ylim(len(g) - 0.5, -0.5)
        unit = str(g["unit"].iloc[0])
        if lang == "en":
            unit = str(target_words().get("units", {}).get(unit, {}).get("en", unit))
        scale = str(g["scale"].iloc[0])
        per = (
            _tr(lang, "cycle_years")
            if scale == "cycle"
            else _tr(lang, "per_year", unit=unit)
            if scale == "per_year"
            else unit
        )
        ax.set_title(wrap(f"{g[label].iloc[0]}（{per}）" if lang == "zh" else
                          f"{g[label].iloc[0]} ({per})", int(panel_w * 72 / (9.5 * 0.62))),
                     fontsize=9.5, loc="left")  # fmt: skip
        x1 = float(np.nanmax(hi))
        ax.set_xlim(0, max(x1 * 1.45, 1.0))
        _value_axis(ax)
    return _finish(fig)
