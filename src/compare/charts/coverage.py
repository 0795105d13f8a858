"""Coverage charts: documents × categories heatmap, topics of one category."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator, PercentFormatter

from compare.analysis.coverage import COUNTED_MODES, UNASSIGNED
from compare.charts.colours import figure_settings
from compare.charts.labels import (
    Lang,
    _check_lang,
    _doc_labels,
    _max_dw,
    _n_lines,
    _pct,
    _tax_labels,
    _tr,
    shorten,
    wrap,
)
from compare.charts.style import (
    _IN_PER_PT,
    _LABEL_COLS,
    SEQUENTIAL_CMAP,
    _finish,
    _fr,
    _label_width,
    _new_figure,
    _text_colour,
)

#: Inches of rows a page-sized heatmap may take (A4 at print size, less title, columns, source).
_PAGE_BODY = 7.5

#: Lines a row label of a page-sized heatmap may take before it is shortened.
_PAGE_LABEL_LINES = 2


def _heatmap(
    ax: Axes,
    values: np.ndarray,
    annot: list[list[str]],
    row_labels: list[str],
    col_labels: list[str],
    vmax: float | None,
    rotate: bool,
) -> object:
    data = np.ma.masked_invalid(values.astype(float))
    cmap = colormaps[SEQUENTIAL_CMAP].with_extremes(bad="#eeeeee")
    vmax = vmax if vmax and vmax > 0 else 1.0
    mesh = ax.pcolormesh(data, cmap=cmap, vmin=0, vmax=vmax, edgecolors="white", linewidth=1.5)
    ax.set_xlim(0, values.shape[1])
    ax.set_ylim(values.shape[0], 0)
    ax.set_xticks(np.arange(values.shape[1]) + 0.5)
    ax.set_yticks(np.arange(values.shape[0]) + 0.5)
    if rotate:
        ax.set_xticklabels(col_labels, rotation=40, ha="right", rotation_mode="anchor")
    else:
        ax.set_xticklabels(col_labels)
    ax.set_yticklabels(row_labels)
    if not rotate:
        ax.xaxis.tick_top()
    ax.tick_params(length=0, labelsize=9)
    for s in ax.spines.values():
        s.set_visible(False)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            colour = "#555555" if np.isnan(v) else _text_colour(cmap(min(v / vmax, 1.0)))
            ax.text(
                j + 0.5, i + 0.5, annot[i][j], ha="center", va="center", fontsize=8, color=colour,
                zorder=4,
            )  # fmt: skip
    return mesh


def _column_counts(
    ax: Axes, totals: Sequence[float], small: Sequence[bool], n_rows: int, note: str
) -> None:
    """``n=…`` under each column, small columns hatched, and the note saying what that means."""
    ax.set_ylim(n_rows + 0.55, 0)
    for j, (n, is_small) in enumerate(zip(totals, small, strict=True)):
        txt = "n=–" if pd.isna(n) else f"n={int(n)}"
        ax.text(j + 0.5, n_rows + 0.3, txt, ha="center", va="center", fontsize=7.5,
                color="#B22222" if is_small else "#333333", gid=f"n-{j}")  # fmt: skip
        if is_small:
            ax.add_patch(Rectangle((j, 0), 1, n_rows, fill=False, hatch="//", alpha=0.45,
                                   edgecolor="#b0b0b0", lw=0, zorder=3, gid=f"small-{j}"))  # fmt: skip
    ax.set_xlabel(note, fontsize=8, color="#333333", loc="left")


def _heatmap_figure(
    values: np.ndarray,
    annot: list[list[str]],
    row_labels: list[str],
    col_labels: list[str],
    cbar_label: str,
    percent: bool,
    label_cols: int,
    frame: dict,
    counts: tuple[list[float], list[bool], str] | None = None,
    split_last: bool = False,
    max_lines: int = 0,
) -> Figure:
    row_labels = [shorten(s, label_cols, max_lines) for s in row_labels]
    ncols = len(col_labels)
    rotate = ncols > 10  # many documents: narrow columns, labels at an angle
    col_w = (
        0.55 if rotate else min(1.1, max(0.7, _max_dw(col_labels) * 9 * 0.55 * _IN_PER_PT + 0.15))
    )
    if not rotate:
        col_labels = [wrap(s, int((col_w - 0.1) * 72 / (9 * 0.55))) for s in col_labels]
    row_h = 0.2 + 0.17 * _n_lines(row_labels)
    if max_lines:  # a page: at most _PAGE_BODY inches of rows, never below 9 pt label lines
        row_h = max(min(row_h, _PAGE_BODY / len(row_labels)), 0.03 + 0.17 * _n_lines(row_labels))
    width = max(_label_width(row_labels) + ncols * col_w + 1.3, 5.0)
    col_h = (
        _label_width(col_labels, 9) * 0.7 + 0.2 if rotate else 0.18 * _n_lines(col_labels) + 0.15
    )
    height = len(row_labels) * row_h + col_h + 0.3 + (0.55 if counts else 0)
    fig, body = _new_figure(width, height, **frame)
    ax = body.add_subplot()
    finite = values[np.isfinite(values)]
    vmax = float(finite.max()) if finite.size else 1.0
    mesh = _heatmap(ax, values, annot, row_labels, col_labels, vmax, rotate)
    if split_last:
        ax.axhline(values.shape[0] - 1, color="#333333", lw=1.2)
    if counts is not None:
        totals, small, note = counts
        _column_counts(ax, totals, small, values.shape[0], wrap(note, int(width * 72 / 4.6)))
        if not rotate:
            ax.xaxis.set_label_position("bottom")
    cb = body.colorbar(mesh, ax=ax, fraction=0.04, pad=0.02, aspect=25)
    cb.set_label(cbar_label, fontsize=8)
    cb.ax.tick_params(labelsize=7)
    cb.ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    if percent:
        cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    return _finish(fig)


def _count_note(lang: str, modes: Sequence[str] | None, min_measures: int) -> str:
    """The note under a coverage chart's counts: what ``n`` counts and what hatching means."""
    if modes is None:
        return _tr(lang, "n_note", min=str(min_measures))
    named = _tr(lang, "sep").join(_tr(lang, f"mode_{mode}") for mode in modes)
    return _tr(lang, "n_note_modes", modes=named, min=str(min_measures))


def plot_coverage_heatmap(
    matrix: pd.DataFrame,
    *,
    documents: pd.DataFrame | None = None,
    categories: pd.DataFrame | None = None,
    totals: pd.Series | None = None,
    min_measures: int | None = None,
    value: Literal["share", "n"] = "share",
    modes: Sequence[str] | None = COUNTED_MODES,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Heatmap of :func:`~compare.analysis.coverage_matrix`: categories (rows) × documents.

    ``matrix`` has one row per document and one column per category (or topic); cells are
    annotated with the share (``value="share"``) or count (``value="n"``); a document without
    measures shows ``–`` on grey. Rows are labelled from ``categories`` (``label_zh``/``label_en``;
    ``unassigned`` from ``data/i18n.yml``, drawn last below a rule), columns from ``documents``
    (``label``/``label_en``). With ``totals`` (:func:`~compare.analysis.document_totals`,
    ``doc_id -> measures``) each column gets ``n=…`` underneath, and a document with fewer than
    ``min_measures`` (default ``coverage.min_measures`` of ``data/figures.yml``) is hatched, the
    minimum stated under the chart, with what was counted: ``modes``, the measure modes given to
    :func:`~compare.analysis.coverage` (its default, commitments; ``None``: every measure), so a
    speech that only reviews past work reads ``n=0`` for a reason the chart states. Row labels
    take at most two lines (a longer one is shortened, :func:`~compare.charts.labels.shorten`)
    and rows shrink so that many of them (the top topics) still fit a page.
    """
    _check_lang(lang)
    doc_ids = [str(d) for d in matrix.index]
    cat_ids = [str(c) for c in matrix.columns]
    values = matrix.to_numpy(dtype=float).T
    annot = [
        [_pct(v) if value == "share" else ("–" if np.isnan(v) else f"{v:.0f}") for v in r]
        for r in values
    ]
    counts = None
    if totals is not None:
        if min_measures is None:
            min_measures = int(figure_settings().get("coverage", {}).get("min_measures", 0))
        n = [float(totals.get(d, np.nan)) for d in doc_ids]
        small = [bool(not np.isnan(v) and 0 < v < min_measures) for v in n]
        counts = (n, small, _count_note(lang, modes, min_measures))
    return _heatmap_figure(
        values,
        annot,
        _tax_labels(cat_ids, categories, lang),
        _doc_labels(doc_ids, documents, lang),
        _tr(lang, "share") if value == "share" else _tr(lang, "n_measures"),
        percent=value == "share",
        label_cols=_LABEL_COLS[lang],
        frame=_fr(title or _tr(lang, "t_heatmap"), lang, sources, data_date),
        counts=counts,
        split_last=len(cat_ids) > 1 and cat_ids[-1] == UNASSIGNED,
        max_lines=_PAGE_LABEL_LINES,
    )


def plot_topic_drilldown(
    breakdown: pd.DataFrame,
    *,
    documents: pd.DataFrame | None = None,
    topics: pd.DataFrame | None = None,
    categories: pd.DataFrame | None = None,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Heatmap of :func:`~compare.analysis.topic_breakdown`: one category's topics × documents.

    Colour is ``share_in_category`` (the topic's part of the document's measures in that
    category); each cell is annotated with the count ``n`` and that share.
    """
    _check_lang(lang)
    docs = list(pd.unique(breakdown["doc_id"].astype(str)))
    tops = list(pd.unique(breakdown["topic_id"].astype(str)))
    b = breakdown.assign(
        doc_id=breakdown["doc_id"].astype(str), topic_id=breakdown["topic_id"].astype(str)
    )
    share = b.pivot(index="topic_id", columns="doc_id", values="share_in_category")
    count = b.pivot(index="topic_id", columns="doc_id", values="n")
    share = share.reindex(index=tops, columns=docs).to_numpy(dtype=float)
    count = count.reindex(index=tops, columns=docs).to_numpy(dtype=float)

    def cell(c: float, s: float) -> str:
        return "–" if np.isnan(c) else ("0" if c == 0 else f"{c:.0f}\n{_pct(s)}")

    annot = [
        [cell(c, s) for c, s in zip(cr, sr, strict=True)]
        for cr, sr in zip(count, share, strict=True)
    ]
    cats = list(pd.unique(breakdown["category_id"].astype(str)))
    sep = "、" if lang == "zh" else ", "
    cat_name = sep.join(_tax_labels(cats, categories, lang))
    ttl = title or _tr(lang, "t_drill", cat=cat_name)
    return _heatmap_figure(
        share,
        annot,
        _tax_labels(tops, topics, lang),
        _doc_labels(docs, documents, lang),
        _tr(lang, "share_cat"),
        percent=True,
        label_cols=_LABEL_COLS[lang],
        frame=_fr(ttl, lang, sources, data_date),
    )


def plot_sharing(
    table: pd.DataFrame,
    *,
    value: Literal["counterparts", "passages"] = "counterparts",
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Heatmap of :func:`~compare.analysis.sharing`: jurisdiction (rows) × other jurisdiction.

    ``value="counterparts"``: the colour is the share of the row's measures with a counterpart
    in the column's jurisdiction, each cell annotated with the count and that share, the row's
    ``n`` measures in its label; ``value="passages"``: characters of text passages the two share
    (colour and annotation). The diagonal is blank."""
    _check_lang(lang)
    a, b = ("jurisdiction", "other_jurisdiction") if lang == "zh" else (
        "jurisdiction_en", "other_jurisdiction_en")  # fmt: skip
    rows = list(pd.unique(table[a].astype(str)))
    t = table.assign(**{a: table[a].astype(str), b: table[b].astype(str)})
    col = "share" if value == "counterparts" else "passage_chars"
    vals = t.pivot(index=a, columns=b, values=col).reindex(index=rows, columns=rows)
    vals = vals.to_numpy(dtype=float)
    k = t.pivot(index=a, columns=b, values="n_counterparts").reindex(index=rows, columns=rows)
    n_of = t.drop_duplicates(a).set_index(a)["n_measures"]
    if value == "counterparts":
        annot = [["–" if np.isnan(v) else f"{int(c)}\n{_pct(v)}" for v, c in zip(vr, kr, strict=True)]
                 for vr, kr in zip(vals, k.to_numpy(dtype=float), strict=True)]  # fmt: skip
        row_labels = [f"{r}（n={int(n_of[r])}）" if lang == "zh" else f"{r} (n={int(n_of[r])})"
                      for r in rows]  # fmt: skip
    else:
        annot = [["–" if np.isnan(v) else f"{v:,.0f}" for v in vr] for vr in vals]
        row_labels = rows
    key = "t_sharing" if value == "counterparts" else "t_reuse"
    return _heatmap_figure(
        vals,
        annot,
        row_labels,
        rows,
        _tr(lang, "share_cp" if value == "counterparts" else "reuse_chars"),
        percent=value == "counterparts",
        label_cols=_LABEL_COLS[lang] + 6,
        frame=_fr(title or _tr(lang, key), lang, sources, data_date),
    )
