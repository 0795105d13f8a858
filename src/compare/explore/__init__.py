"""Interactive exploration of built tables: the ipywidgets explorer (:mod:`.widget`), the HTML
it and the notebooks show (:mod:`.html`), and the same explorer as one offline page
(:mod:`.page`). The look-ups behind them are :mod:`compare.analysis.lookups`."""

from __future__ import annotations

from compare.explore.html import frame_html, pairs_html, topic_html
from compare.explore.page import explorer_page, write_explorer
from compare.explore.widget import build_explorer

__all__ = [
    "build_explorer", "explorer_page", "frame_html", "pairs_html", "topic_html", "write_explorer",
]  # fmt: skip
