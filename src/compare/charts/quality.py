"""Alignment quality charts (notebook 06): a reliability diagram of the calibrated score, a
confusion matrix of the reader's labels against the aligner's, and the methods compared."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from compare.charts.labels import Lang, _check_lang, _tr
from compare.charts.style import OKABE_ITO, SEQUENTIAL_CMAP, _finish, _fr, _new_figure
from compare.errors import CompareError


def plot_reliability(
    table: pd.DataFrame,
    *,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Reliability diagram from :func:`compare.align.quality.reliability_table`: one point per
    score bin at (mean score, share agreeing with the reader), its size the number of measures,
    and the diagonal of perfect calibration."""
    _check_lang(lang)
    if len(table) == 0:
        raise CompareError("plot_reliability got an empty table")
    fig, body = _new_figure(
        5.2, 4.6, **_fr(title or _tr(lang, "t_reliability"), lang, sources, data_date)
    )
    ax = body.subplots()
    ax.plot(
        [0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1, label=_tr(lang, "perfect")
    )
    n = table["n"].to_numpy(dtype=float)
    ax.plot(table["mean_score"], table["accuracy"], color=OKABE_ITO[0], linewidth=1.2)
    ax.scatter(table["mean_score"], table["accuracy"], s=20 + 200 * n / n.max(),
               color=OKABE_ITO[0], zorder=3)  # fmt: skip
    for x, y, k in zip(table["mean_score"], table["accuracy"], table["n"], strict=True):
        ax.annotate(str(int(k)), (x, y), textcoords="offset points", xytext=(6, -10), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(_tr(lang, "score"))
    ax.set_ylabel(_tr(lang, "agreement"))
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    return _finish(fig)


def plot_confusion(
    matrix: pd.DataFrame,
    *,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Confusion matrix from :func:`compare.align.quality.confusion`: counts in every cell,
    shaded by each row's share (so a rare category's errors show as clearly as a common one's)."""
    _check_lang(lang)
    if matrix.size == 0:
        raise CompareError("plot_confusion got an empty matrix")
    values = matrix.to_numpy(dtype=float)
    totals = values.sum(axis=1, keepdims=True)
    share = np.divide(values, totals, out=np.zeros_like(values), where=totals > 0)
    fig, body = _new_figure(
        7.0, 6.0, **_fr(title or _tr(lang, "t_confusion"), lang, sources, data_date)
    )
    ax = body.subplots()
    ax.imshow(share, cmap=SEQUENTIAL_CMAP, vmin=0, vmax=1, aspect="auto")
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if values[i, j]:
                colour = "white" if share[i, j] > 0.6 else "black"
                ax.text(
                    j, i, str(int(values[i, j])), ha="center", va="center", fontsize=7, color=colour
                )
    ax.set_xticks(range(values.shape[1]))
    ax.set_xticklabels([str(c) for c in matrix.columns], rotation=50, ha="right", fontsize=7)
    ax.set_yticks(range(values.shape[0]))
    ax.set_yticklabels([str(r) for r in matrix.index], fontsize=7)
    ax.set_xlabel(_tr(lang, "aligner"))
    ax.set_ylabel(_tr(lang, "reader"))
    return _finish(fig)


def plot_methods(
    table: pd.DataFrame,
    *,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """The methods of ``docs/alignment_methods.csv`` side by side: for each (``method``), a bar of
    its leave-one-document-out accuracy on the dev documents (``lodo_dev_acc``) and one of its
    frozen-split accuracy (``frozen_acc``), best LODO first."""
    _check_lang(lang)
    if len(table) == 0:
        raise CompareError("plot_methods got an empty table")
    t = table.sort_values("lodo_dev_acc", ascending=True).reset_index(drop=True)
    fig, body = _new_figure(
        7.4, 0.9 + 0.42 * len(t), **_fr(title or _tr(lang, "t_methods"), lang, sources, data_date)
    )
    ax = body.subplots()
    y = np.arange(len(t))
    h = 0.38
    ax.barh(y + h / 2, t["lodo_dev_acc"], height=h, color=OKABE_ITO[0], label=_tr(lang, "lodo_dev"))
    ax.barh(y - h / 2, t["frozen_acc"], height=h, color=OKABE_ITO[1],
            label=_tr(lang, "frozen_split"))  # fmt: skip
    for yy, v in zip(y + h / 2, t["lodo_dev_acc"], strict=True):
        ax.text(v + 0.005, yy, f"{v:.3f}", va="center", fontsize=6.5)
    for yy, v in zip(y - h / 2, t["frozen_acc"], strict=True):
        ax.text(v + 0.005, yy, f"{v:.3f}", va="center", fontsize=6.5)
    ax.set_yticks(y)
    ax.set_yticklabels([str(m) for m in t["method"]], fontsize=7)
    ax.set_xlim(0, 1.08)
    ax.set_xlabel(_tr(lang, "accuracy"))
    ax.legend(loc="lower right", frameon=False, fontsize=7)
    return _finish(fig)
