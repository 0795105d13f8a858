"""Interactive exploration of built tables: the ipywidgets explorer (:mod:`.widget`) and the
HTML it and the notebooks show (:mod:`.html`). The look-ups behind them are
:mod:`compare.analysis.lookups`; nothing here computes or writes files."""

from __future__ import annotations

from compare.explore.html import frame_html, pairs_html, topic_html
from compare.explore.widget import build_explorer

__all__ = ["build_explorer", "frame_html", "pairs_html", "topic_html"]
