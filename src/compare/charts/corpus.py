"""Corpus charts: timeline of issue years and plan periods, composition by level and type,
what cleaning removed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from compare.charts.colours import cleaning_groups, colours
from compare.charts.labels import (
    LEVEL_KEYS,
    Lang,
    _check_lang,
    _doc_labels,
    _is_blank,
    _level_label,
    _n_lines,
    _tr,
    _type_label,
    chart_text,
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
    _style_axis,
    _year_axis,
    _year_bounds,
)


def _draw_timeline_row(ax: Axes, i: int, r: pd.Series, c: str, open_end: int) -> list[float]:
    """One document of the timeline: its plan period, and its year as a dot (certain) or as a
    dashed range with hollow ends (uncertain: ``year_min`` to ``year_max``, else to
    ``open_end``, the data date's year). Returns the x positions drawn."""
    xs: list[float] = []
    ps, pe = r.get("period_start"), r.get("period_end")
    if not _is_blank(ps) and not _is_blank(pe):
        ax.barh(i, int(pe) - int(ps) + 1, left=int(ps) - 0.5, height=0.5, color=c, alpha=0.25, lw=0)
        xs += [int(ps) - 0.5, int(pe) + 0.5]
    yr, y0, y1 = r.get("year"), r.get("year_min"), r.get("year_max")
    certain = bool(r.get("year_certain", True)) and not _is_blank(yr)
    if certain:
        ax.scatter([int(yr)], [i], s=55, color=c, zorder=3, edgecolors="white", linewidths=0.6)
        return [*xs, int(yr)]
    bounds = _year_bounds(y0, y1, yr, open_end)
    if bounds is None:
        return xs
    _draw_year_range(ax, i, *bounds, c, gid=f"range-{i}", size=40, zorder=3)
    return [*xs, *bounds]


def plot_corpus_timeline(
    overview: pd.DataFrame,
    *,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Timeline of :func:`~compare.analysis.corpus_overview`: one row per document.

    A dot at the year issued (coloured by administrative level, ``data/figures.yml``), a light
    bar over the plan period; a document whose year is uncertain (``year_certain`` false) is
    drawn as the range it is: a dashed line from ``year_min`` to ``year_max`` (or, when the text
    gives no upper bound, to the year of the data date) with hollow end markers.
    """
    _check_lang(lang)
    ov = overview.reset_index(drop=True)
    labels = [
        wrap(s, _LABEL_COLS[lang])
        for s in (ov["label"] if lang == "zh" else ov["label_en"]).astype(str)
    ]
    levels = [str(v) if not _is_blank(v) else "unknown" for v in ov["level"]]
    level_list = [lv for lv in LEVEL_KEYS if lv in levels] + sorted(set(levels) - set(LEVEL_KEYS))
    colour = {lv: colours().level(lv) for lv in level_list}
    row_h = 0.16 + 0.17 * _n_lines(labels)
    fig, body = _new_figure(
        max(6.5, _label_width(labels) + 5.0),
        len(ov) * row_h + 1.3,
        **_fr(title or _tr(lang, "t_timeline"), lang, sources, data_date),
    )
    ax = body.add_subplot()
    open_end = int(str(data_date)[:4])
    years: list[float] = []
    for i, r in ov.iterrows():
        years += _draw_timeline_row(ax, int(i), r, colour[levels[i]], open_end)
    ax.set_yticks(range(len(ov)), labels)
    ax.set_ylim(len(ov) - 0.5, -0.5)
    _year_axis(ax, years, lang)
    handles = [
        Line2D([], [], marker="o", ls="", color=colour[lv], markersize=7,
               label=_level_label(lv, lang))
        for lv in level_list
    ]  # fmt: skip
    handles.append(Patch(color="#999999", alpha=0.35, label=_tr(lang, "period")))
    handles.append(Line2D([], [], ls="--", marker="o", mfc="white", color="#666666",
                          label=_tr(lang, "year_bounds")))  # fmt: skip
    _bottom_legend(body, handles, ncols=min(3, len(handles)))
    return _finish(fig)


def plot_documents_overview(
    counts: pd.DataFrame,
    *,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Two stacked bar panels from :func:`~compare.analysis.corpus_counts`.

    Left: documents per administrative level, stacked by document type; right: thousands of
    characters per level, same stacking. Totals are written at the bar ends.
    """
    _check_lang(lang)
    levels = list(pd.unique(counts["level"].astype(str)))
    types = list(pd.unique(counts["doc_type"].astype(str)))
    lv_labels = [_level_label(lv, lang) for lv in levels]
    fig, body = _new_figure(
        max(7.5, 2 * _label_width(lv_labels) + 6.0),
        0.45 * len(levels) + 2.0,
        **_fr(title or _tr(lang, "t_overview"), lang, sources, data_date),
    )
    axes = body.subplots(1, 2, sharey=True)
    for ax, col, xlabel, scale in (
        (axes[0], "n_docs", _tr(lang, "docs"), 1.0),
        (axes[1], "n_chars", _tr(lang, "kchars"), 1000.0),
    ):
        wide = counts.pivot_table(index="level", columns="doc_type", values=col, aggfunc="sum")
        wide = wide.reindex(index=levels, columns=types).fillna(0) / scale
        left = np.zeros(len(levels))
        for t in types:
            vals = wide[t].to_numpy(dtype=float)
            ax.barh(
                range(len(levels)),
                vals,
                left=left,
                height=0.6,
                color=colours().doc_type(t),
                edgecolor="white",
                lw=0.5,
                label=_type_label(t, lang),
            )
            left += vals
        for i, tot in enumerate(left):
            ax.text(
                tot, i, f" {tot:,.0f}" if scale == 1 else f" {tot:,.1f}", va="center", fontsize=8
            )
        ax.set_xlim(0, max(left.max(), 1) * 1.18)
        ax.set_xlabel(xlabel)
        _style_axis(ax)
    axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_yticks(range(len(levels)), lv_labels)
    axes[0].set_ylim(len(levels) - 0.5, -0.5)
    handles, _ = axes[0].get_legend_handles_labels()
    _bottom_legend(body, handles, ncols=min(5, len(types)))
    return _finish(fig)


def _cleaning_reasons(summary: pd.DataFrame, lang: str) -> tuple[list[str], dict, dict]:
    """The reasons of a cleaning summary by characters (most first), their legend names (a
    group's ``clean_<id>`` chart string, else the reason as written) and colours (the group's
    of ``data/figures.yml``, else the palette in order)."""
    reasons = (
        summary.groupby("reason")[["chars_removed", "chars_replaced", "chars_flagged"]]
        .sum()
        .sum(axis=1)
        .sort_values(ascending=False, kind="stable")
        .index.astype(str)
        .tolist()
    )
    strings = chart_text().strings
    fixed = {g["id"]: g["colour"] for g in cleaning_groups() if g["colour"]}
    names, colour = {}, {}
    for k, reason in enumerate(reasons):
        key = f"clean_{reason}"
        names[reason] = strings[key][lang] if key in strings else reason
        colour[reason] = fixed.get(reason, OKABE_ITO[k % len(OKABE_ITO)])
    return reasons, names, colour


def _cleaning_panel(
    ax: Axes, summary: pd.DataFrame, col: str, docs: list[str], reasons: list[str], colour: dict
) -> None:
    """One panel: characters of ``col`` per document, stacked by reason, totals at the ends."""
    wide = summary.pivot_table(index="doc_id", columns="reason", values=col, aggfunc="sum")
    wide = wide.reindex(index=docs, columns=reasons).fillna(0)
    left = np.zeros(len(docs))
    for reason in reasons:
        vals = wide[reason].to_numpy(dtype=float)
        ax.barh(range(len(docs)), vals, left=left, height=0.65, color=colour[reason],
                edgecolor="white", lw=0.5)  # fmt: skip
        left += vals
    for i, tot in enumerate(left):
        ax.text(tot, i, f" {tot:,.0f}", va="center", fontsize=7.5)
    ax.set_xlim(0, max(left.max(), 1) * 1.22)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.tick_params(axis="x", labelsize=8)
    _style_axis(ax)


def plot_cleaning_summary(
    summary: pd.DataFrame,
    *,
    documents: pd.DataFrame | None = None,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Stacked bars from :func:`~compare.analysis.cleaning_summary` (best gathered by
    :func:`~compare.analysis.group_cleaning_reasons`), one row per document.

    Panels for characters removed and flagged (and replaced, when any were), stacked by reason
    with one colour per reason across panels; a reason group is named in ``lang``
    (``clean_<id>`` of ``data/i18n.yml``) and coloured as ``data/figures.yml`` says.
    """
    _check_lang(lang)
    docs = list(pd.unique(summary["doc_id"].astype(str)))
    if documents is not None:  # show documents in the corpus order
        order = {d: i for i, d in enumerate(documents["doc_id"].astype(str))}
        docs.sort(key=lambda d: order.get(d, len(order)))
    reasons, names, colour = _cleaning_reasons(summary, lang)
    panels = [("chars_removed", "removed"), ("chars_flagged", "flagged")]
    if summary["chars_replaced"].sum() > 0:
        panels.insert(1, ("chars_replaced", "replaced"))
    labels = [wrap(s, _LABEL_COLS[lang]) for s in _doc_labels(docs, documents, lang)]
    row_h = 0.16 + 0.17 * _n_lines(labels)
    fig, body = _new_figure(
        max(7.5, _label_width(labels) + 2.8 * len(panels)),
        len(docs) * row_h + 1.6,
        **_fr(title or _tr(lang, "t_cleaning"), lang, sources, data_date),
    )
    axes = body.subplots(1, len(panels), sharey=True)
    for ax, (col, key) in zip(axes, panels, strict=True):
        _cleaning_panel(ax, summary, col, docs, reasons, colour)
        ax.set_title(_tr(lang, key), fontsize=9.5, loc="left")
    axes[0].set_yticks(range(len(docs)), labels)
    axes[0].set_ylim(len(docs) - 0.5, -0.5)
    handles = [
        Patch(facecolor=colour[r], edgecolor="white", label=wrap(names[r], 30)) for r in reasons
    ]
    _bottom_legend(body, handles, ncols=min(3, len(reasons)), fontsize=8)
    return _finish(fig)
