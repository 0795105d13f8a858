"""Charts drawn from :mod:`compare.analysis` tables (the ``textplot_*`` half): one module per
chart family (:mod:`.corpus`, :mod:`.coverage`, :mod:`.change`, :mod:`.targets`), the shared
look in :mod:`.style` and the words in :mod:`.labels`.

Each ``plot_*`` function takes a table it is handed (plus label tables: ``documents`` for
``label``/``label_en``, taxonomy tables for ``label_zh``/``label_en``) and returns a
:class:`matplotlib.figure.Figure`; it selects and draws, it never recomputes the analysis.
Every figure has a title, a source line (``Source: …; compare <version>``) and the data date.
Chinese renders with the Noto Sans CJK SC file bundled by ``mplfonts`` (registered by path, no
system font needed). :func:`save_figure` writes PNG/SVG/PDF atomically with fixed metadata, so a
re-run gives byte-identical files.
"""

from __future__ import annotations

from compare.charts.change import plot_category_shift, plot_keyness
from compare.charts.colours import cleaning_groups, colours, figure_settings
from compare.charts.corpus import (
    plot_cleaning_summary,
    plot_corpus_timeline,
    plot_documents_overview,
)
from compare.charts.coverage import plot_coverage_heatmap, plot_sharing, plot_topic_drilldown
from compare.charts.labels import chart_string, document_sources, wrap
from compare.charts.matrix import plot_target_dots, plot_target_matrix
from compare.charts.style import (
    OKABE_ITO,
    SEQUENTIAL_CMAP,
    cjk_font_path,
    save_figure,
    use_cjk_font,
)
from compare.charts.targets import plot_deadline_timeline, plot_target_ranges

__all__ = [
    "OKABE_ITO",
    "SEQUENTIAL_CMAP",
    "chart_string",
    "cjk_font_path",
    "cleaning_groups",
    "colours",
    "document_sources",
    "figure_settings",
    "plot_category_shift",
    "plot_cleaning_summary",
    "plot_corpus_timeline",
    "plot_coverage_heatmap",
    "plot_deadline_timeline",
    "plot_documents_overview",
    "plot_keyness",
    "plot_sharing",
    "plot_target_dots",
    "plot_target_matrix",
    "plot_target_ranges",
    "plot_topic_drilldown",
    "save_figure",
    "use_cjk_font",
    "wrap",
]  # fmt: skip
