"""Alignment quality charts (notebook 06): a reliability diagram of the calibrated score and a
confusion matrix of the reader's labels against the aligner's."""

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
