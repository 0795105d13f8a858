"""The look every chart shares: the bundled CJK font, the colour-blind-safe palettes, the
figure frame (title, source line, data date) and :func:`save_figure` (byte-identical files)."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure, SubFigure
from matplotlib.font_manager import FontProperties, fontManager
from matplotlib.ticker import FuncFormatter, MaxNLocator

from compare import __version__
from compare.charts.labels import (
    _is_blank,
    _max_dw,
    _tr,
    wrap,
)
from compare.errors import CompareError
from compare.io import atomic_path

#: Okabe & Ito's colour-blind-safe qualitative palette (black last: used for text-like marks).
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000")


#: Sequential colour map for heatmaps (perceptually uniform, colour-blind-safe).
SEQUENTIAL_CMAP = "cividis"


#: Hatches that extend the palette when a chart needs more than eight colours.
_HATCHES = ("", "//", "..", "xx", "\\\\", "oo")


_FONT_FILE = "NotoSansCJKsc-Regular.otf"


_HASHSALT = "compare"


_FONT_NAME: str | None = None


#: One fixed colour per administrative level, the same in every chart.
_LEVEL_COLOURS = {
    "national": "#000000",
    "province": "#CC79A7",
    "city": "#E69F00",
    "county": "#56B4E9",
    "district": "#009E73",
    "unknown": "#999999",
}


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


def _text_colour(rgb: Sequence[float]) -> str:
    r, g, b = to_rgb(rgb)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


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


def _style_axis(ax: object, grid: str = "x", spines: Sequence[str] = ("top", "right")) -> None:
    """The look of every plotting axis: light grid lines on ``grid``, under the data, no
    ``spines``."""
    ax.grid(axis=grid, color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    for s in spines:
        ax.spines[s].set_visible(False)


def _value_axis(ax: object) -> None:
    """The x axis of a panel of values: about five round ticks written as ``%g``, small tick
    labels, and the look of :func:`_style_axis`."""
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
    ax.tick_params(axis="x", labelsize=8)
    _style_axis(ax)


def _year_axis(ax: object, years: Sequence[float], lang: str) -> None:
    """The x axis of a timeline: whole years, a year of room either side of ``years``, labelled,
    and the look of :func:`_style_axis`."""
    if years:
        ax.set_xlim(min(years) - 1, max(years) + 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_tr(lang, "year"))
    _style_axis(ax)


def _year_bounds(low: object, high: object, year: object, open_end: int) -> tuple[int, int] | None:
    """The range an uncertain year is drawn as: from ``low`` (else ``year``) to ``high`` (else to
    ``open_end``, the data date's year, or ``low`` when later); None when there is no start."""
    lo = year if _is_blank(low) else low
    if _is_blank(lo):
        return None
    return int(lo), int(high) if not _is_blank(high) else max(int(lo), open_end)


def _draw_year_range(
    ax: object, i: int, lo: int, hi: int, colour: str, *, gid: str, size: float, zorder: float
) -> None:
    """An uncertain year on row ``i``: a dashed line from ``lo`` to ``hi`` with hollow ends."""
    ax.plot([lo, hi], [i, i], ls="--", color=colour, lw=1.5, zorder=2, gid=gid)
    ax.scatter([lo, hi], [i, i], s=size, facecolors="white", edgecolors=colour, linewidths=1.5,
               zorder=zorder)  # fmt: skip


def _bottom_legend(body: SubFigure, handles: Sequence, ncols: int, fontsize: float = 8.5) -> None:
    """The legend of a figure: under the plots, no frame, ``ncols`` columns (at least 1)."""
    body.legend(
        handles=list(handles),
        loc="outside lower center",
        ncols=max(1, ncols),
        frameon=False,
        fontsize=fontsize,
    )


def _fr(title: str, lang: str, sources: Sequence[str], data_date: str | None) -> dict:
    return {"title": title, "lang": lang, "sources": sources, "data_date": data_date}


def _footer_text(lang: str, sources: Sequence[str], data_date: str) -> str:
    sep = _tr(lang, "sep")
    src = sep.join(str(s) for s in sources) if sources else "–"
    head, end, date = _tr(lang, "source"), _tr(lang, "end"), _tr(lang, "date")
    return f"{head}{src}{sep}compare {__version__}{end} {date}{data_date}"


def _label_width(labels: Sequence[str], size: float = 9.0) -> float:
    """Rough inches needed for the widest line of ``labels`` at font ``size``."""
    return _max_dw(labels) * size * 0.55 * _IN_PER_PT + 0.15


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
