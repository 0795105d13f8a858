"""Targets charts: ranges of target values by indicator, deadlines by year."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from compare.charts.colours import colours
from compare.charts.labels import (
    Lang,
    _check_lang,
    _is_blank,
    _n_lines,
    _tr,
    wrap,
)
from compare.charts.style import (
    _LABEL_COLS,
    OKABE_ITO,
    _bottom_legend,
    _draw_year_range,
    _finish,
    _fr,
    _label_width,
    _new_figure,
    _value_axis,
    _year_axis,
    _year_bounds,
)
from compare.errors import CompareError


def _range_panel(ax: Axes, g: pd.DataFrame, lang: str, title_cols: int) -> None:
    """One indicator of :func:`plot_target_ranges`: a row per jurisdiction, low–high line, dots
    at both ends, a diamond at the median, ``n`` at the right, the unit in the title."""
    name_col = "label" if lang == "zh" else "label_en_doc"
    ind_col = "label_zh" if lang == "zh" else "label_en"
    y = np.arange(len(g))
    lo, hi = g["low"].to_numpy(dtype=float), g["high"].to_numpy(dtype=float)
    ax.hlines(y, lo, hi, color=OKABE_ITO[1], lw=4, alpha=0.7, zorder=1)
    ax.scatter(lo, y, s=30, color=OKABE_ITO[3], zorder=3)
    ax.scatter(hi, y, s=30, color=OKABE_ITO[3], zorder=3)
    ax.scatter(g["median"].to_numpy(dtype=float), y, s=26, marker="D", color=OKABE_ITO[0], zorder=4)
    trans = ax.get_yaxis_transform()
    for yi, n in zip(y, g["n"], strict=True):
        ax.text(1.01, yi, f"n={int(n)}", transform=trans, va="center", fontsize=7.5,
                color="#444444")  # fmt: skip
    ax.set_yticks(y, [wrap(s, _LABEL_COLS[lang]) for s in g[name_col].astype(str)], fontsize=8.5)
    ax.set_ylim(len(g) - 0.5, -0.5)
    unit, name = g["unit"].iloc[0], str(g[ind_col].iloc[0])
    suffix = "" if _is_blank(unit) else f"（{unit}）" if lang == "zh" else f" ({unit})"
    ax.set_title(wrap(name + suffix, title_cols), fontsize=9.5, loc="left")
    x0, x1 = float(np.nanmin(lo)), float(np.nanmax(hi))
    pad = max((x1 - x0) * 0.08, abs(x1) * 0.05, 0.5)
    ax.set_xlim(x0 - pad, x1 + pad)
    _value_axis(ax)


def plot_target_ranges(
    ranges: pd.DataFrame,
    *,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Dot/range panels from :func:`~compare.analysis.target_ranges`, one panel per indicator.

    Each row is a jurisdiction (or document): a line from the lowest to the highest target, dots
    at both ends, a diamond at the median, and ``n`` targets at the right. Panels have their own
    x axis, labelled with the indicator's unit.
    """
    _check_lang(lang)
    inds = list(pd.unique(ranges["indicator"].astype(str)))
    if not inds:
        raise CompareError("plot_target_ranges got an empty table")
    name_col = "label" if lang == "zh" else "label_en_doc"
    groups = [ranges[ranges["indicator"].astype(str) == i] for i in inds]
    all_labels = [wrap(s, _LABEL_COLS[lang]) for s in ranges[name_col].astype(str)]
    ncols = 1 if len(inds) <= 3 else 2
    nrows = math.ceil(len(inds) / ncols)
    heights = [
        max(len(g) for g in groups[r * ncols : (r + 1) * ncols]) * 0.32 + 0.9 for r in range(nrows)
    ]
    panel_w = _label_width(all_labels) + 3.2
    fig, body = _new_figure(
        max(6.5, panel_w * ncols),
        sum(heights) + 0.2,
        **_fr(title or _tr(lang, "t_targets"), lang, sources, data_date),
    )
    axes = np.atleast_1d(body.subplots(nrows, ncols, squeeze=False, height_ratios=heights)).ravel()
    title_cols = int(panel_w * 72 / (9.5 * 0.62))
    for ax, g in zip(axes, groups, strict=False):
        _range_panel(ax, g, lang, title_cols)
    for ax in axes[len(groups) :]:
        ax.set_axis_off()
    handles = [
        Line2D([], [], color=OKABE_ITO[1], lw=4, alpha=0.7, marker="o", mfc=OKABE_ITO[3],
               mec=OKABE_ITO[3], label=_tr(lang, "range")),
        Line2D([], [], ls="", marker="D", color=OKABE_ITO[0], label=_tr(lang, "median")),
    ]  # fmt: skip
    _bottom_legend(body, handles, ncols=2)
    return _finish(fig)


def _issue_mark(ax: Axes, i: int, r: pd.Series, last: int, open_end: int) -> list[int]:
    """Where a document of :func:`plot_deadline_timeline` was issued, and a grey line from there
    to its last deadline ``last``: a black tick at a known year; at an inferred one (``doc_year_
    certain`` false) a dashed range with hollow ends, ``doc_year_min`` to ``doc_year_max`` (else
    to ``open_end``), as the corpus timeline draws it. Returns the years drawn."""
    yr = r.get("doc_year")
    certain = bool(r.get("doc_year_certain", True)) and not _is_blank(yr)
    if certain:
        ax.plot([int(yr), last], [i, i], color="#cccccc", lw=1.5, zorder=1)
        ax.scatter([int(yr)], [i], marker="|", s=160, color="black", linewidths=2, zorder=2)
        return [int(yr)]
    bounds = _year_bounds(r.get("doc_year_min"), r.get("doc_year_max"), yr, open_end)
    if bounds is None:
        return []
    ax.plot([bounds[0], last], [i, i], color="#cccccc", lw=1.5, zorder=1)
    _draw_year_range(ax, i, *bounds, "black", gid=f"issued-{i}", size=36, zorder=2)
    return list(bounds)


def _deadline_bubbles(ax: Axes, i: int, g: pd.DataFrame, colour: str, nmax: float) -> list[int]:
    """The deadlines of one document: a bubble per year, area ∝ targets, count above."""
    dl = g["deadline_year"].to_numpy(dtype=int)
    ns = g["n_targets"].to_numpy(dtype=float)
    ax.scatter(dl, [i] * len(dl), s=40 + 360 * ns / nmax, color=colour, alpha=0.8,
               edgecolors="white", zorder=3)  # fmt: skip
    for x, n in zip(dl, ns, strict=True):
        ax.annotate(f"{n:.0f}", (x, i), xytext=(0, 9 + 9 * math.sqrt(n / nmax)),
                    textcoords="offset points", ha="center", va="bottom", fontsize=7.5)  # fmt: skip
    return dl.tolist()


def plot_deadline_timeline(
    timeline: pd.DataFrame,
    *,
    documents: pd.DataFrame | None = None,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Bubbles from :func:`~compare.analysis.deadline_timeline`: targets due per year, per document.

    One row per document: a black tick at the year issued (an inferred year: a dashed range
    with hollow ends, as in the corpus timeline), a grey line to its last deadline, and a bubble
    (area ∝ number of targets, count written above) at each deadline year, in the document's
    colour of ``data/figures.yml`` when ``documents`` is given.
    """
    _check_lang(lang)
    docs = list(pd.unique(timeline["doc_id"].astype(str)))
    name_col = "label" if lang == "zh" else "label_en"
    first = timeline.assign(doc_id=timeline["doc_id"].astype(str))
    first = first.drop_duplicates("doc_id").set_index("doc_id")  # per-document label and year
    labels = [wrap(str(first.loc[d, name_col]), _LABEL_COLS[lang]) for d in docs]
    row_h = 0.22 + 0.17 * _n_lines(labels)
    fig, body = _new_figure(
        max(6.5, _label_width(labels) + 5.0),
        len(docs) * row_h + 1.4,
        **_fr(title or _tr(lang, "t_deadline"), lang, sources, data_date),
    )
    ax = body.add_subplot()
    nmax = max(float(timeline["n_targets"].max()), 1.0) if len(timeline) else 1.0
    by_doc = colours().document(documents) if documents is not None else {}
    open_end = int(str(data_date)[:4])
    years: list[int] = []
    for i, d in enumerate(docs):
        g = timeline[timeline["doc_id"].astype(str) == d]
        years += _issue_mark(ax, i, first.loc[d], int(g["deadline_year"].max()), open_end)
        years += _deadline_bubbles(ax, i, g, by_doc.get(d, OKABE_ITO[4]), nmax)
    ax.set_yticks(range(len(docs)), labels)
    ax.set_ylim(len(docs) - 0.5, -0.8)
    _year_axis(ax, years, lang)
    handles = [
        Line2D([], [], marker="|", ls="", color="black", markersize=10, mew=2,
               label=_tr(lang, "issued")),
        Line2D([], [], marker="o", ls="", color="#777777", markersize=9, label=_tr(lang, "due")),
    ]  # fmt: skip
    if any(ln.get_gid() for ln in ax.lines):  # some year is inferred
        handles.insert(1, Line2D([], [], ls="--", marker="o", mfc="white", color="black",
                                 label=_tr(lang, "year_bounds")))  # fmt: skip
    _bottom_legend(body, handles, ncols=len(handles))
    return _finish(fig)
