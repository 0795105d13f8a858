"""What documents share: similar measures (:mod:`.counterparts`, the ``matches`` table) and
shared passages (:mod:`.reuse`, the ``reuse`` table); the ``counterparts`` table keeps, per
measure and other jurisdiction, the closest measure above a threshold judged on a hand sample. Both scale to a national corpus without
forming a dense all-pairs matrix."""

from __future__ import annotations

from compare.match.counterparts import (
    COUNTERPART_COLUMNS,
    COUNTERPART_MIN,
    MATCH_COLUMNS,
    counterparts,
    match_measures,
    match_text,
    measure_words,
    shared_terms,
    tfidf_matrix,
)
from compare.match.reuse import REUSE_COLUMNS, find_reuse

__all__ = [
    "COUNTERPART_COLUMNS",
    "COUNTERPART_MIN",
    "MATCH_COLUMNS",
    "REUSE_COLUMNS",
    "counterparts",
    "find_reuse",
    "match_measures",
    "match_text",
    "measure_words",
    "shared_terms",
    "tfidf_matrix",
]  # fmt: skip
