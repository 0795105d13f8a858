"""Change charts: category shares of two documents, keyness of two documents' words."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from compare.analysis.documents import document_labels
from compare.charts.colours import colours
from compare.charts.labels import (
    Lang,
    _check_lang,
    _doc_labels,
    _is_blank,
    _max_dw,
    _n_lines,
    _tax_labels,
    _tr,
    wrap,
)
from compare.charts.style import (
    _LABEL_COLS,
    OKABE_ITO,
    _finish,
    _fr,
    _label_width,
    _new_figure,
    _style_axis,
)


def plot_category_shift(
    shift: pd.DataFrame,
    *,
    documents: pd.DataFrame | None = None,
    categories: pd.DataFrame | None = None,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Dumbbell chart of :func:`~compare.analysis.category_shift`; each document takes its
    colour of ``data/figures.yml`` (the same in every chart).

    One row per category in the table's order (largest increase on top): a line from
    ``share_a`` to ``share_b``, the midpoint document as a small grey diamond, and the change in
    percentage points at the right.
    """
    _check_lang(lang)
    cats = shift["category_id"].astype(str).tolist()
    labels = [wrap(s, _LABEL_COLS[lang]) for s in _tax_labels(cats, categories, lang)]
    doc_a, doc_b = str(shift["doc_a"].iloc[0]), str(shift["doc_b"].iloc[0])
    doc_mid = shift["doc_mid"].iloc[0]
    has_mid = not _is_blank(doc_mid) and shift["share_mid"].notna().any()
    name_a, name_b = _doc_labels([doc_a, doc_b], documents, lang)
    row_h = 0.22 + 0.17 * _n_lines(labels)
    ttl = title or _tr(lang, "t_shift", a=name_a, b=name_b)
    fig, body = _new_figure(
        max(6.5, _label_width(labels) + 5.2),
        len(cats) * row_h + 1.2,
        **_fr(ttl, lang, sources, data_date),
    )
    ax = body.add_subplot()
    y = np.arange(len(cats))
    a = shift["share_a"].to_numpy(dtype=float)
    b = shift["share_b"].to_numpy(dtype=float)
    ax.hlines(y, np.fmin(a, b), np.fmax(a, b), color="#bbbbbb", lw=3, zorder=1)
    by_doc = colours().document(documents) if documents is not None else {}
    ca = by_doc.get(doc_a, OKABE_ITO[0])
    cb = by_doc.get(doc_b, OKABE_ITO[3])
    cm = by_doc.get(str(doc_mid), "#777777")
    ax.scatter(a, y, s=60, color=ca, zorder=3, label=name_a)
    if has_mid:
        (name_mid,) = _doc_labels([str(doc_mid)], documents, lang)
        ax.scatter(
            shift["share_mid"].to_numpy(dtype=float),
            y,
            s=34,
            marker="D",
            color=cm,
            zorder=2,
            label=name_mid,
        )
    ax.scatter(b, y, s=60, color=cb, zorder=4, label=name_b)
    ax.set_yticks(y, labels)
    ax.set_ylim(len(cats) - 0.5, -0.5)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(_tr(lang, "share"))
    _style_axis(ax)
    trans = ax.get_yaxis_transform()
    unit = "个百分点" if lang == "zh" else " pp"
    for yi, d in zip(y, shift["delta"].to_numpy(dtype=float), strict=True):
        txt = "–" if np.isnan(d) else f"{d * 100:+.1f}{unit}"
        colour = "#333333"
        ax.text(1.01, yi, txt, transform=trans, va="center", ha="left", fontsize=8, color=colour)
    ax.text(
        1.01,
        -0.5,
        _tr(lang, "delta"),
        transform=trans,
        va="bottom",
        ha="left",
        fontsize=8,
        color="#333333",
    )
    body.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    return _finish(fig)


def plot_keyness(
    keyness_table: pd.DataFrame,
    *,
    n: int = 15,
    target_label: str = "",
    reference_label: str = "",
    documents: pd.DataFrame | None = None,
    target_id: str | None = None,
    reference_id: str | None = None,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Bars of signed G² from :func:`~compare.analysis.keyness` (as quanteda's textplot_keyness).

    The ``n`` most over-used terms of the target (right) and the ``n`` most over-used of the
    reference (left); each bar is labelled with its term. With ``documents`` and the documents'
    ids the bars take each document's colour of ``data/figures.yml`` and its label. In English
    the terms stay in Chinese: the axis says so.
    """
    _check_lang(lang)
    kt = keyness_table.sort_values("g2", ascending=False, kind="stable")
    top = kt[kt["g2"] > 0].head(n)
    bottom = kt[kt["g2"] < 0].tail(n)
    rows = pd.concat([top, bottom])
    names = document_labels(documents, lang) if documents is not None else {}
    t_name = target_label or names.get(str(target_id)) or _tr(lang, "target")
    r_name = reference_label or names.get(str(reference_id)) or _tr(lang, "reference")
    by_doc = colours().document(documents) if documents is not None else {}
    c_t = by_doc.get(str(target_id), OKABE_ITO[0])
    c_r = by_doc.get(str(reference_id), OKABE_ITO[3])
    height = max(2.5, 0.24 * len(rows) + 1.2)
    ttl = title or _tr(lang, "t_keyness", t=t_name, r=r_name)
    fig, body = _new_figure(7.0, height, **_fr(ttl, lang, sources, data_date))
    ax = body.add_subplot()
    if rows.empty:
        ax.text(0.5, 0.5, _tr(lang, "no_data"), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _finish(fig)
    g2 = rows["g2"].to_numpy(dtype=float)
    y = np.arange(len(rows))
    ax.barh(y, g2, color=[c_t if v > 0 else c_r for v in g2], height=0.7)
    span = float(np.abs(g2).max())
    for yi, v, term in zip(y, g2, rows["term"].astype(str), strict=True):
        off = span * 0.015
        ax.text(
            v + off if v > 0 else v - off,
            yi,
            term,
            va="center",
            ha="left" if v > 0 else "right",
            fontsize=8.5,
        )
    longest = _max_dw(rows["term"].astype(str).tolist())
    pad = span * (0.08 + 0.02 * longest)
    lo = min(0.0, float(g2.min())) - (pad if (g2 < 0).any() else 0)
    hi = max(0.0, float(g2.max())) + (pad if (g2 > 0).any() else 0)
    ax.set_xlim(lo, hi)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_yticks([])
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_xlabel(_tr(lang, "g2") + ("" if lang == "zh" else "\n" + _tr(lang, "untranslated")))
    ax.grid(axis="x", color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    for s in ("top", "right", "left"):
        ax.spines[s].set_visible(False)
    ax.legend(
        handles=[Patch(color=c_t, label=t_name), Patch(color=c_r, label=r_name)],
        loc="lower right" if (g2 < 0).any() else "upper right",
        frameon=False,
        fontsize=9,
    )
    return _finish(fig)
