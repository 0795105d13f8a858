"""Charts drawn from :mod:`compare.analysis` tables (the ``textplot_*`` half).

Each ``plot_*`` function takes a table it is handed (plus label tables: ``documents`` for
``label``/``label_en``, taxonomy tables for ``label_zh``/``label_en``) and returns a
:class:`matplotlib.figure.Figure`; it selects and draws, it never recomputes the analysis.
Every figure has a title, a source line (``Source: …; compare <version>``) and the data date.
Chinese renders with the Noto Sans CJK SC file bundled by ``mplfonts`` (registered by path, no
system font needed). :func:`save_figure` writes PNG/SVG/PDF atomically with fixed metadata, so a
re-run gives byte-identical files.
"""

from __future__ import annotations

import importlib.util
import math
import re
import textwrap
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure, SubFigure
from matplotlib.font_manager import FontProperties, fontManager
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from compare import __version__
from compare.errors import CompareError
from compare.io import atomic_path

__all__ = [
    "OKABE_ITO",
    "SEQUENTIAL_CMAP",
    "cjk_font_path",
    "plot_category_shift",
    "plot_cleaning_summary",
    "plot_corpus_timeline",
    "plot_coverage_heatmap",
    "plot_deadline_timeline",
    "plot_documents_overview",
    "plot_keyness",
    "plot_target_ranges",
    "plot_topic_drilldown",
    "save_figure",
    "use_cjk_font",
    "wrap",
]

Lang = Literal["zh", "en"]

#: Okabe & Ito's colour-blind-safe qualitative palette (black last: used for text-like marks).
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000")
#: Sequential colour map for heatmaps (perceptually uniform, colour-blind-safe).
SEQUENTIAL_CMAP = "cividis"
#: Hatches that extend the palette when a chart needs more than eight colours.
_HATCHES = ("", "//", "..", "xx", "\\\\", "oo")

_FONT_FILE = "NotoSansCJKsc-Regular.otf"
_HASHSALT = "compare"
_FONT_NAME: str | None = None

_LEVELS = {
    "zh": {
        "national": "国家",
        "province": "省级",
        "city": "市级",
        "county": "县级",
        "district": "区级",
        "unknown": "未知",
    },
    "en": {
        "national": "National",
        "province": "Province",
        "city": "City",
        "county": "County",
        "district": "District",
        "unknown": "Unknown",
    },
}
#: One fixed colour per administrative level, the same in every chart.
_LEVEL_COLOURS = {
    "national": "#000000",
    "province": "#CC79A7",
    "city": "#E69F00",
    "county": "#56B4E9",
    "district": "#009E73",
    "unknown": "#999999",
}
_DOC_TYPES_EN = {
    "意见": "Opinions",
    "纲要": "Outline",
    "实施纲要": "Outline",
    "实施方案": "Implementation plan",
    "工作方案": "Work plan",
    "讲话": "Speech",
    "年度报告": "Annual report",
    "报告": "Report",
    "规划": "Plan",
    "通知": "Notice",
    "工作要点": "Key tasks",
    "要点": "Key tasks",
    "unknown": "Unknown",
}

_T = {
    "zh": {
        "source": "来源：",
        "sep": "；",
        "date": "数据日期：",
        "end": "。",
        "share": "占措施的比例",
        "share_cat": "占该类别措施的比例",
        "n_measures": "措施数",
        "year": "年份",
        "docs": "文件数",
        "kchars": "字数（千字）",
        "period": "规划期",
        "year_bounds": "年份不确定（推断范围）",
        "issued": "发布年份",
        "due": "到期目标数",
        "g2": "G²（对数似然，带符号）",
        "target": "目标",
        "reference": "参照",
        "removed": "删除字数",
        "replaced": "替换字数",
        "flagged": "标记字数",
        "no_data": "无数据",
        "delta": "变化",
        "t_timeline": "语料时间线：发布年份与规划期",
        "t_overview": "语料构成：按层级和文件类型",
        "t_heatmap": "各文件措施的类别分布",
        "t_drill": "{cat}：各文件的主题分布",
        "t_shift": "类别比重的变化：{a} → {b}",
        "t_keyness": "关键词：{t} 对比 {r}",
        "t_targets": "量化目标的取值范围（按指标和地区）",
        "range": "最低—最高目标值",
        "median": "中位数",
        "t_deadline": "量化目标的完成时限",
        "t_cleaning": "清洗记录：按原因统计的字数",
    },
    "en": {
        "source": "Source: ",
        "sep": "; ",
        "date": "Data as of ",
        "end": ".",
        "share": "Share of measures",
        "share_cat": "Share of the category's measures",
        "n_measures": "Measures",
        "year": "Year",
        "docs": "Documents",
        "kchars": "Characters (thousands)",
        "period": "Plan period",
        "year_bounds": "Year uncertain (inferred bounds)",
        "issued": "Issued",
        "due": "Targets due",
        "g2": "G² (log-likelihood, signed)",
        "target": "Target",
        "reference": "Reference",
        "removed": "Characters removed",
        "replaced": "Characters replaced",
        "flagged": "Characters flagged",
        "no_data": "no data",
        "delta": "change",
        "t_timeline": "Corpus timeline: year issued and plan period",
        "t_overview": "Corpus by administrative level and document type",
        "t_heatmap": "Where each document's measures fall, by category",
        "t_drill": "{cat}: topics by document",
        "t_shift": "Shift in category shares: {a} → {b}",
        "t_keyness": "Keyness: {t} vs {r}",
        "t_targets": "Ranges of numeric targets by indicator and jurisdiction",
        "range": "Lowest to highest target",
        "median": "Median",
        "t_deadline": "Deadlines of numeric targets",
        "t_cleaning": "Cleaning log: characters by reason",
    },
}


# --------------------------------------------------------------------------- fonts
def cjk_font_path() -> Path:
    """Path of ``NotoSansCJKsc-Regular.otf`` inside the installed ``mplfonts`` package."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise CompareError("the mplfonts package is not installed (needed for Chinese in charts)")
    for root in spec.submodule_search_locations:
        path = Path(root) / "fonts" / _FONT_FILE
        if path.is_file():
            return path
    raise CompareError(f"{_FONT_FILE} not found in the mplfonts package")


def use_cjk_font() -> str:
    """Register the bundled Noto Sans CJK SC and make it matplotlib's font; return its name.

    Sets ``font.family`` to ``[Noto Sans CJK SC, DejaVu Sans]``, ``axes.unicode_minus`` off and a
    fixed ``svg.hashsalt``. Idempotent and cheap; called on import and by every chart function.
    """
    global _FONT_NAME
    if _FONT_NAME is None:
        path = cjk_font_path()
        fontManager.addfont(str(path))
        _FONT_NAME = FontProperties(fname=str(path)).get_name()
    mpl.rcParams["font.family"] = [_FONT_NAME, "DejaVu Sans"]
    mpl.rcParams["axes.unicode_minus"] = False
    mpl.rcParams["svg.hashsalt"] = _HASHSALT
    return _FONT_NAME


use_cjk_font()


# --------------------------------------------------------------------------- text helpers
def _dw(text: str) -> int:
    """Display width: East Asian wide/full-width characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_TOKEN = re.compile(r"[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+|\s+|.")
_NO_LINE_START = set("，。、；：？！）》」』】,.;:?!)%")


def _greedy(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for tok in _TOKEN.findall(text):
        if tok.isspace():
            if line:
                line += " "
            continue
        fits = _dw(line.rstrip() + tok) <= width
        if fits or not line.strip() or tok[0] in _NO_LINE_START:
            line += tok
        else:
            lines.append(line.rstrip())
            line = tok
    if line.strip():
        lines.append(line.rstrip())
    return lines


def wrap(text: str, width: int) -> str:
    """Wrap mixed Chinese/Latin text to ``width`` display columns (CJK = 2).

    Chinese breaks between any two characters (closing punctuation hangs at a line end rather
    than start the next line, so such a line may run 2 columns over), Latin between
    words; lines are balanced (``健全行政权力制约和监督体系`` → two similar halves, not a
    lone ``体系``).
    """
    text = str(text)
    if width <= 0 or _dw(text) <= width:
        return text
    if not re.search(r"[\u2e80-\u9fff]", text):
        lines = textwrap.wrap(text, width, break_on_hyphens=False) or [text]
        for w in range(math.ceil(_dw(text) / len(lines)), width):
            trial = textwrap.wrap(text, w, break_on_hyphens=False)
            if len(trial) == len(lines):
                return "\n".join(trial)
        return "\n".join(lines)
    lines = _greedy(text, width)
    for w in range(math.ceil(_dw(text) / len(lines)), width):
        trial = _greedy(text, w)
        if len(trial) == len(lines):
            return "\n".join(trial)
    return "\n".join(lines)


def _n_lines(labels: Sequence[str]) -> int:
    return max((str(s).count("\n") + 1 for s in labels), default=1)


def _max_dw(labels: Sequence[str]) -> int:
    return max((_dw(part) for s in labels for part in str(s).split("\n")), default=1)


def _check_lang(lang: str) -> None:
    if lang not in _T:
        raise CompareError(f"lang must be 'zh' or 'en', not {lang!r}")


def _tr(lang: str, key: str, **kw: str) -> str:
    return _T[lang][key].format(**kw)


def _doc_labels(doc_ids: Sequence[str], documents: pd.DataFrame | None, lang: str) -> list[str]:
    """Display names of documents: ``label`` (zh) or ``label_en`` (en), else the doc_id."""
    col = "label" if lang == "zh" else "label_en"
    names: dict[str, str] = {}
    if documents is not None and col in documents:
        for d, v in zip(documents["doc_id"].astype(str), documents[col], strict=True):
            if isinstance(v, str) and v.strip():
                names[d] = v
    return [names.get(str(d), str(d)) for d in doc_ids]


def _tax_labels(ids: Sequence[str], taxonomy: pd.DataFrame | None, lang: str) -> list[str]:
    """Display names of categories/topics/indicators: ``label_zh``/``label_en``, else the id.

    The id column is ``id`` or the taxonomy's own (``indicator_id``, ``topic_id``,
    ``category_id``, in that order of preference).
    """
    col = "label_zh" if lang == "zh" else "label_en"
    names: dict[str, str] = {}
    id_col = next(
        (
            c
            for c in ("id", "indicator_id", "topic_id", "category_id")
            if taxonomy is not None and c in taxonomy
        ),
        None,
    )
    if taxonomy is not None and col in taxonomy and id_col is not None:
        for i, v in zip(taxonomy[id_col].astype(str), taxonomy[col], strict=True):
            if isinstance(v, str) and v.strip():
                names[i] = v
    return [names.get(str(i), str(i)) for i in ids]


def _level_label(level: str, lang: str) -> str:
    return _LEVELS[lang].get(str(level), str(level))


def _type_label(doc_type: str, lang: str) -> str:
    return str(doc_type) if lang == "zh" else _DOC_TYPES_EN.get(str(doc_type), str(doc_type))


def _pct(v: float) -> str:
    if pd.isna(v):
        return "–"
    if v == 0:
        return "0"
    if v < 0.005:
        return "<1%"
    return f"{v * 100:.0f}%"


def _text_colour(rgb: Sequence[float]) -> str:
    r, g, b = to_rgb(rgb)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or str(v) == ""


# --------------------------------------------------------------------------- figure frame
_TITLE_SIZE = 12.0
#: Display columns at which long row labels wrap (Latin words need a little more room).
_LABEL_COLS = {"zh": 22, "en": 30}
_FOOT_SIZE = 7.0
_IN_PER_PT = 1 / 72


def _new_figure(
    width: float,
    height: float,
    *,
    title: str,
    lang: str,
    sources: Sequence[str],
    data_date: str | None,
) -> tuple[Figure, SubFigure]:
    """A figure framed with its title and source line; draw into the returned ``body``.

    The figure is ``width`` wide and ``height`` tall plus room for the (wrapped) title and the
    source line, which sits in its own sub-figure so legends and axis labels never overlap it.
    Constrained layout, an Agg canvas, no pyplot state (nothing leaks between calls).
    """
    if data_date is None or not str(data_date).strip():
        raise CompareError("charts need a data_date (the date of the tables they draw)")
    use_cjk_font()
    cols = int(width * 72 / (_FOOT_SIZE * 0.53))  # display columns that fit one footer line
    foot = wrap(_footer_text(lang, sources, str(data_date)), cols)
    foot_h = ((foot.count("\n") + 1) * _FOOT_SIZE * 1.35 + 6) * _IN_PER_PT
    title = wrap(title, int(width * 72 / (_TITLE_SIZE * 0.62)))
    title_h = ((title.count("\n") + 1) * _TITLE_SIZE * 1.35 + 8) * _IN_PER_PT
    fig = Figure(figsize=(width, height + title_h + foot_h), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    body, footer = fig.subfigures(2, 1, height_ratios=[height + title_h, foot_h], hspace=0)
    body.suptitle(title, x=0.01, ha="left", fontsize=_TITLE_SIZE)
    footer.text(0.01, 0.5, foot, fontsize=_FOOT_SIZE, color="#444444", ha="left", va="center")
    return fig, body


def _finish(fig: Figure) -> Figure:
    """Run the layout to its fixed point, then freeze it.

    Constrained layout moves things a little between the first and second draw (colorbars,
    labels placed outside the axes); drawing twice and then switching the engine off means every
    later draw or save of this figure gives the same pixels and bytes.
    """
    fig.canvas.draw()
    fig.canvas.draw()
    fig.set_layout_engine("none")
    return fig


def _fr(title: str, lang: str, sources: Sequence[str], data_date: str | None) -> dict:
    return {"title": title, "lang": lang, "sources": sources, "data_date": data_date}


def _footer_text(lang: str, sources: Sequence[str], data_date: str) -> str:
    t = _T[lang]
    src = t["sep"].join(str(s) for s in sources) if sources else "–"
    return f"{t['source']}{src}{t['sep']}compare {__version__}{t['end']} {t['date']}{data_date}"


def _label_width(labels: Sequence[str], size: float = 9.0) -> float:
    """Rough inches needed for the widest line of ``labels`` at font ``size``."""
    return _max_dw(labels) * size * 0.55 * _IN_PER_PT + 0.15


# --------------------------------------------------------------------------- heatmap core
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
                j + 0.5, i + 0.5, annot[i][j], ha="center", va="center", fontsize=8, color=colour
            )
    return mesh


def _heatmap_figure(
    values: np.ndarray,
    annot: list[list[str]],
    row_labels: list[str],
    col_labels: list[str],
    cbar_label: str,
    percent: bool,
    label_cols: int,
    frame: dict,
) -> Figure:
    row_labels = [wrap(s, label_cols) for s in row_labels]
    ncols = len(col_labels)
    rotate = ncols > 10  # many documents: narrow columns, labels at an angle
    col_w = (
        0.55 if rotate else min(1.1, max(0.7, _max_dw(col_labels) * 9 * 0.55 * _IN_PER_PT + 0.15))
    )
    if not rotate:
        col_labels = [wrap(s, int((col_w - 0.1) * 72 / (9 * 0.55))) for s in col_labels]
    row_h = 0.2 + 0.17 * _n_lines(row_labels)
    width = _label_width(row_labels) + ncols * col_w + 1.3
    col_h = (
        _label_width(col_labels, 9) * 0.7 + 0.2 if rotate else 0.18 * _n_lines(col_labels) + 0.15
    )
    height = len(row_labels) * row_h + col_h + 0.3
    fig, body = _new_figure(max(width, 5.0), height, **frame)
    ax = body.add_subplot()
    finite = values[np.isfinite(values)]
    vmax = float(finite.max()) if finite.size else 1.0
    mesh = _heatmap(ax, values, annot, row_labels, col_labels, vmax, rotate)
    cb = body.colorbar(mesh, ax=ax, fraction=0.04, pad=0.02, aspect=25)
    cb.set_label(cbar_label, fontsize=8)
    cb.ax.tick_params(labelsize=7)
    cb.ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    if percent:
        cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    return _finish(fig)


# --------------------------------------------------------------------------- charts
def plot_coverage_heatmap(
    matrix: pd.DataFrame,
    *,
    documents: pd.DataFrame | None = None,
    categories: pd.DataFrame | None = None,
    value: Literal["share", "n"] = "share",
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Heatmap of :func:`~compare.analysis.coverage_matrix`: categories (rows) × documents.

    ``matrix`` has one row per document and one column per category (or topic); cells are
    annotated with the share (``value="share"``) or count (``value="n"``); a document without
    measures shows ``–`` on grey. Rows are labelled from ``categories`` (``label_zh``/``label_en``),
    columns from ``documents`` (``label``/``label_en``).
    """
    _check_lang(lang)
    doc_ids = [str(d) for d in matrix.index]
    cat_ids = [str(c) for c in matrix.columns]
    values = matrix.to_numpy(dtype=float).T
    annot = [
        [_pct(v) if value == "share" else ("–" if np.isnan(v) else f"{v:.0f}") for v in r]
        for r in values
    ]
    return _heatmap_figure(
        values,
        annot,
        _tax_labels(cat_ids, categories, lang),
        _doc_labels(doc_ids, documents, lang),
        _tr(lang, "share") if value == "share" else _tr(lang, "n_measures"),
        percent=value == "share",
        label_cols=_LABEL_COLS[lang],
        frame=_fr(title or _tr(lang, "t_heatmap"), lang, sources, data_date),
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
    """Dumbbell chart of :func:`~compare.analysis.category_shift`.

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
    ca, cb, cm = OKABE_ITO[0], OKABE_ITO[3], "#777777"
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
    ax.grid(axis="x", color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
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
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Bars of signed G² from :func:`~compare.analysis.keyness` (as quanteda's textplot_keyness).

    The ``n`` most over-used terms of the target (right, orange) and the ``n`` most over-used of
    the reference (left, blue); each bar is labelled with its term.
    """
    _check_lang(lang)
    kt = keyness_table.sort_values("g2", ascending=False, kind="stable")
    top = kt[kt["g2"] > 0].head(n)
    bottom = kt[kt["g2"] < 0].tail(n)
    rows = pd.concat([top, bottom])
    t_name = target_label or _tr(lang, "target")
    r_name = reference_label or _tr(lang, "reference")
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
    colours = [OKABE_ITO[0] if v > 0 else OKABE_ITO[3] for v in g2]
    ax.barh(y, g2, color=colours, height=0.7)
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
    ax.set_xlabel(_tr(lang, "g2"))
    ax.grid(axis="x", color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    for s in ("top", "right", "left"):
        ax.spines[s].set_visible(False)
    ax.legend(
        handles=[Patch(color=OKABE_ITO[0], label=t_name), Patch(color=OKABE_ITO[3], label=r_name)],
        loc="lower right" if (g2 < 0).any() else "upper right",
        frameon=False,
        fontsize=9,
    )
    return _finish(fig)


def plot_corpus_timeline(
    overview: pd.DataFrame,
    *,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Timeline of :func:`~compare.analysis.corpus_overview`: one row per document.

    A dot at the year issued (coloured by administrative level), a light bar over the plan
    period, and for a document whose year is uncertain a dashed line between its inferred bounds
    with hollow end markers.
    """
    _check_lang(lang)
    ov = overview.reset_index(drop=True)
    labels = [
        wrap(s, _LABEL_COLS[lang])
        for s in (ov["label"] if lang == "zh" else ov["label_en"]).astype(str)
    ]
    levels = [str(v) if not _is_blank(v) else "unknown" for v in ov["level"]]
    level_list = [
        lv
        for lv in ("national", "province", "city", "county", "district", "unknown")
        if lv in levels
    ] + sorted({lv for lv in levels} - set(_LEVELS["en"]))
    extra = iter(OKABE_ITO[5:7])
    colour = {lv: _LEVEL_COLOURS.get(lv) or next(extra, "#999999") for lv in level_list}
    row_h = 0.16 + 0.17 * _n_lines(labels)
    fig, body = _new_figure(
        max(6.5, _label_width(labels) + 5.0),
        len(ov) * row_h + 1.3,
        **_fr(title or _tr(lang, "t_timeline"), lang, sources, data_date),
    )
    ax = body.add_subplot()
    years: list[float] = []
    for i, r in ov.iterrows():
        c = colour[levels[i]]
        ps, pe = r.get("period_start"), r.get("period_end")
        if not _is_blank(ps) and not _is_blank(pe):
            ax.barh(
                i, int(pe) - int(ps) + 1, left=int(ps) - 0.5, height=0.5, color=c, alpha=0.25, lw=0
            )
            years += [int(ps) - 0.5, int(pe) + 0.5]
        yr, y0, y1 = r.get("year"), r.get("year_min"), r.get("year_max")
        if not _is_blank(yr):
            ax.scatter([int(yr)], [i], s=55, color=c, zorder=3, edgecolors="white", linewidths=0.6)
            years.append(int(yr))
        elif not _is_blank(y0) and not _is_blank(y1):
            ax.plot([int(y0), int(y1)], [i, i], ls="--", color=c, lw=1.5, zorder=2)
            ax.scatter(
                [int(y0), int(y1)],
                [i, i],
                s=40,
                facecolors="white",
                edgecolors=c,
                linewidths=1.5,
                zorder=3,
            )
            years += [int(y0), int(y1)]
    ax.set_yticks(range(len(ov)), labels)
    ax.set_ylim(len(ov) - 0.5, -0.5)
    if years:
        ax.set_xlim(min(years) - 1, max(years) + 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_tr(lang, "year"))
    ax.grid(axis="x", color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    handles = [
        Line2D(
            [], [], marker="o", ls="", color=colour[lv], markersize=7, label=_level_label(lv, lang)
        )
        for lv in level_list
    ]
    handles.append(Patch(color="#999999", alpha=0.35, label=_tr(lang, "period")))
    handles.append(
        Line2D(
            [],
            [],
            ls="--",
            marker="o",
            mfc="white",
            color="#666666",
            label=_tr(lang, "year_bounds"),
        )
    )
    body.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(6, len(handles)),
        frameon=False,
        fontsize=8.5,
    )
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
        for k, t in enumerate(types):
            vals = wide[t].to_numpy(dtype=float)
            ax.barh(
                range(len(levels)),
                vals,
                left=left,
                height=0.6,
                color=OKABE_ITO[k % len(OKABE_ITO)],
                hatch=_HATCHES[k // len(OKABE_ITO) % 6],
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
        ax.grid(axis="x", color="#e5e5e5", lw=0.8)
        ax.set_axisbelow(True)
        for s in ("top", "right"):
            ax.spines[s].set_visible(False)
    axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_yticks(range(len(levels)), lv_labels)
    axes[0].set_ylim(len(levels) - 0.5, -0.5)
    handles, labels = axes[0].get_legend_handles_labels()
    body.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=min(5, len(types)),
        frameon=False,
        fontsize=8.5,
    )
    return _finish(fig)


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
    ind_col = "label_zh" if lang == "zh" else "label_en"
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
        y = np.arange(len(g))
        lo, hi = g["low"].to_numpy(dtype=float), g["high"].to_numpy(dtype=float)
        ax.hlines(y, lo, hi, color=OKABE_ITO[1], lw=4, alpha=0.7, zorder=1)
        ax.scatter(lo, y, s=30, color=OKABE_ITO[3], zorder=3)
        ax.scatter(hi, y, s=30, color=OKABE_ITO[3], zorder=3)
        ax.scatter(
            g["median"].to_numpy(dtype=float), y, s=26, marker="D", color=OKABE_ITO[0], zorder=4
        )
        trans = ax.get_yaxis_transform()
        for yi, n in zip(y, g["n"], strict=True):
            ax.text(
                1.01, yi, f"n={int(n)}", transform=trans, va="center", fontsize=7.5, color="#444444"
            )
        ax.set_yticks(
            y, [wrap(s, _LABEL_COLS[lang]) for s in g[name_col].astype(str)], fontsize=8.5
        )
        ax.set_ylim(len(g) - 0.5, -0.5)
        unit = g["unit"].iloc[0]
        name = str(g[ind_col].iloc[0])
        ax.set_title(
            wrap(
                name + ("" if _is_blank(unit) else f"（{unit}）" if lang == "zh" else f" ({unit})"),
                title_cols,
            ),
            fontsize=9.5,
            loc="left",
        )
        x0, x1 = float(np.nanmin(lo)), float(np.nanmax(hi))
        pad = max((x1 - x0) * 0.08, abs(x1) * 0.05, 0.5)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", color="#e5e5e5", lw=0.8)
        ax.set_axisbelow(True)
        for s in ("top", "right"):
            ax.spines[s].set_visible(False)
    for ax in axes[len(groups) :]:
        ax.set_axis_off()
    handles = [
        Line2D(
            [],
            [],
            color=OKABE_ITO[1],
            lw=4,
            alpha=0.7,
            marker="o",
            mfc=OKABE_ITO[3],
            mec=OKABE_ITO[3],
            label=_tr(lang, "range"),
        ),
        Line2D([], [], ls="", marker="D", color=OKABE_ITO[0], label=_tr(lang, "median")),
    ]
    body.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False, fontsize=8.5)
    return _finish(fig)


def plot_deadline_timeline(
    timeline: pd.DataFrame,
    *,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Bubbles from :func:`~compare.analysis.deadline_timeline`: targets due per year, per document.

    One row per document: a black bar at the year issued, a grey line to its last deadline, and
    a bubble (area ∝ number of targets, count written above) at each deadline year.
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
    years: list[int] = []
    for i, d in enumerate(docs):
        g = timeline[timeline["doc_id"].astype(str) == d]
        dl = g["deadline_year"].to_numpy(dtype=int)
        dy = first.loc[d, "doc_year"]
        if not _is_blank(dy):
            ax.plot([int(dy), int(dl.max())], [i, i], color="#cccccc", lw=1.5, zorder=1)
            ax.scatter([int(dy)], [i], marker="|", s=160, color="black", linewidths=2, zorder=2)
            years.append(int(dy))
        ns = g["n_targets"].to_numpy(dtype=float)
        ax.scatter(
            dl,
            [i] * len(dl),
            s=40 + 360 * ns / nmax,
            color=OKABE_ITO[4],
            alpha=0.8,
            edgecolors="white",
            zorder=3,
        )
        for x, n in zip(dl, ns, strict=True):
            ax.annotate(
                f"{n:.0f}",
                (x, i),
                xytext=(0, 9 + 9 * math.sqrt(n / nmax)),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7.5,
            )
        years += dl.tolist()
    ax.set_yticks(range(len(docs)), labels)
    ax.set_ylim(len(docs) - 0.5, -0.8)
    if years:
        ax.set_xlim(min(years) - 1, max(years) + 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_tr(lang, "year"))
    ax.grid(axis="x", color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    handles = [
        Line2D(
            [],
            [],
            marker="|",
            ls="",
            color="black",
            markersize=10,
            mew=2,
            label=_tr(lang, "issued"),
        ),
        Line2D([], [], marker="o", ls="", color=OKABE_ITO[4], markersize=9, label=_tr(lang, "due")),
    ]
    body.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False, fontsize=8.5)
    return _finish(fig)


def plot_cleaning_summary(
    summary: pd.DataFrame,
    *,
    documents: pd.DataFrame | None = None,
    lang: Lang = "zh",
    sources: Sequence[str] = (),
    data_date: str | None = None,
    title: str | None = None,
) -> Figure:
    """Stacked bars from :func:`~compare.analysis.cleaning_summary`, one row per document.

    Panels for characters removed and flagged (and replaced, when any were), stacked by reason
    with one colour per reason across panels.
    """
    _check_lang(lang)
    docs = list(pd.unique(summary["doc_id"].astype(str)))
    if documents is not None:  # show documents in the corpus order
        order = {d: i for i, d in enumerate(documents["doc_id"].astype(str))}
        docs.sort(key=lambda d: order.get(d, len(order)))
    reasons = (
        summary.groupby("reason")[["chars_removed", "chars_replaced", "chars_flagged"]]
        .sum()
        .sum(axis=1)
        .sort_values(ascending=False, kind="stable")
        .index.astype(str)
        .tolist()
    )
    panels = [("chars_removed", "removed"), ("chars_flagged", "flagged")]
    if summary["chars_replaced"].sum() > 0:
        panels.insert(1, ("chars_replaced", "replaced"))
    labels = [wrap(s, _LABEL_COLS[lang]) for s in _doc_labels(docs, documents, lang)]
    row_h = 0.16 + 0.17 * _n_lines(labels)
    width = max(7.5, _label_width(labels) + 2.8 * len(panels))
    fig, body = _new_figure(
        width,
        len(docs) * row_h + 1.6,
        **_fr(title or _tr(lang, "t_cleaning"), lang, sources, data_date),
    )
    axes = body.subplots(1, len(panels), sharey=True)
    for ax, (col, key) in zip(axes, panels, strict=True):
        wide = summary.pivot_table(index="doc_id", columns="reason", values=col, aggfunc="sum")
        wide = wide.reindex(index=docs, columns=reasons).fillna(0)
        left = np.zeros(len(docs))
        for k, reason in enumerate(reasons):
            vals = wide[reason].to_numpy(dtype=float)
            ax.barh(
                range(len(docs)),
                vals,
                left=left,
                height=0.65,
                color=OKABE_ITO[k % len(OKABE_ITO)],
                hatch=_HATCHES[k // len(OKABE_ITO) % 6],
                edgecolor="white",
                lw=0.5,
                label=reason,
            )
            left += vals
        for i, tot in enumerate(left):
            ax.text(tot, i, f" {tot:,.0f}", va="center", fontsize=7.5)
        ax.set_xlim(0, max(left.max(), 1) * 1.22)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        ax.tick_params(axis="x", labelsize=8)
        ax.set_title(_tr(lang, key), fontsize=9.5, loc="left")
        ax.grid(axis="x", color="#e5e5e5", lw=0.8)
        ax.set_axisbelow(True)
        for s in ("top", "right"):
            ax.spines[s].set_visible(False)
    axes[0].set_yticks(range(len(docs)), labels)
    axes[0].set_ylim(len(docs) - 0.5, -0.5)
    legend_labels = [wrap(r, 30) for r in reasons]
    handles = [
        Patch(
            facecolor=OKABE_ITO[k % len(OKABE_ITO)],
            hatch=_HATCHES[k // len(OKABE_ITO) % 6],
            edgecolor="white",
            label=lab,
        )
        for k, lab in enumerate(legend_labels)
    ]
    body.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(3, len(reasons)) or 1,
        frameon=False,
        fontsize=8,
    )
    return _finish(fig)


# --------------------------------------------------------------------------- saving
_METADATA: dict[str, dict[str, None]] = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}


def save_figure(
    fig: Figure,
    out_dir: str | Path,
    stem: str,
    formats: Sequence[str] = ("png", "svg", "pdf"),
    dpi: int = 300,
) -> list[Path]:
    """Write ``<out_dir>/<stem>.<fmt>`` for each format, atomically and reproducibly.

    Metadata that would change between runs (software version, dates) is dropped and the SVG
    hash salt is fixed, so saving the same figure again gives byte-identical files.
    """
    unknown = [f for f in formats if f not in _METADATA]
    if unknown:
        raise CompareError(f"unsupported figure format(s): {', '.join(unknown)} (png, svg, pdf)")
    use_cjk_font()
    paths = []
    with mpl.rc_context({"svg.hashsalt": _HASHSALT}):
        for fmt in formats:
            path = Path(out_dir) / f"{stem}.{fmt}"
            with atomic_path(path) as tmp:
                fig.savefig(
                    tmp,
                    format=fmt,
                    dpi=dpi,
                    metadata=_METADATA[fmt],
                    bbox_inches="tight",
                    pad_inches=0.08,
                )
                tmp.chmod(0o644)  # a temp file is created 0600; figures are for sharing
            paths.append(path)
    return paths
