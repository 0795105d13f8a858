"""Numeric targets: found in clean text (:mod:`.extract` runs :mod:`.deadlines` and
:mod:`.numbers` and builds the table with :mod:`.rows`, with the vocabulary of
``data/targets.yml``, :mod:`.vocabulary`), each with its status (target, achievement, baseline:
:mod:`.status`), read as values and dates (:mod:`.normalise`), and linked to their measure and
indicator (:mod:`.link`)."""

from __future__ import annotations

from compare.targets.extract import COLUMNS, extract_targets
from compare.targets.link import assign_measures, indicator_reading, map_indicators
from compare.targets.normalise import deadline_by_jionlp, deadline_by_rule, resolve_deadline
from compare.targets.vocabulary import Vocabulary, load_vocabulary
from compare.text.numerals import parse_numeral

__all__ = [
    "COLUMNS", "Vocabulary", "assign_measures", "deadline_by_jionlp", "deadline_by_rule",
    "extract_targets", "indicator_reading", "load_vocabulary", "map_indicators", "parse_numeral",
    "resolve_deadline",
]  # fmt: skip
