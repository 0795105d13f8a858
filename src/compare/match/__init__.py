"""What documents share: similar measures (:mod:`.counterparts`, the ``matches`` table) and
shared passages (:mod:`.reuse`, the ``reuse`` table). Both scale to a national corpus without
forming a dense all-pairs matrix."""

from __future__ import annotations

from compare.match.counterparts import MATCH_COLUMNS, match_measures, match_text, tfidf_matrix
from compare.match.reuse import REUSE_COLUMNS, find_reuse

__all__ = [
    "MATCH_COLUMNS", "REUSE_COLUMNS", "find_reuse", "match_measures", "match_text",
    "tfidf_matrix",
]  # fmt: skip
