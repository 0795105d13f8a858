"""Clean decoded text: a list of named steps -> :class:`CleanResult` (clean text + log).

Each step is a small function ``step(text) -> list[Edit]`` (:mod:`.html`, :mod:`.normalize`,
:mod:`.junk`, :mod:`.flags`); :func:`clean_text` runs them in order through the engine
(:mod:`.engine`), which logs every change so that :func:`restore_source` rebuilds the input from
the clean text and the log: the proof that nothing is lost. The steps that read
``data/cleaning.yml`` take its :class:`~compare.text.clean.rules.Rules` as ``rules``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Sequence

from compare.config import DataFiles
from compare.text.clean.engine import (
    ACTIONS,
    LOG_COLUMNS,
    CleanResult,
    Edit,
    Step,
    apply_steps,
    restore_source,
)
from compare.text.clean.flags import flag_dropped_words, flag_duplicate_items, flag_mojibake
from compare.text.clean.html import strip_html
from compare.text.clean.junk import remove_web_junk
from compare.text.clean.normalize import (
    normalize_brackets,
    normalize_punctuation,
    normalize_whitespace,
    normalize_width,
    remove_inline_pinyin,
    repair_year_ranges,
    restore_paragraphs,
    to_simplified,
)
from compare.text.clean.rules import CJK_CONTEXT, HANZI, Rules, load_rules

__all__ = [
    "ACTIONS", "CJK_CONTEXT", "DEFAULT_STEPS", "HANZI", "LOG_COLUMNS", "CleanResult", "Edit",
    "Rules", "Step", "clean_text", "default_steps", "flag_dropped_words", "flag_duplicate_items",
    "flag_mojibake", "load_rules", "normalize_brackets", "normalize_punctuation",
    "normalize_whitespace", "normalize_width", "remove_inline_pinyin", "remove_web_junk",
    "repair_year_ranges", "restore_paragraphs", "restore_source", "strip_html", "to_simplified",
]  # fmt: skip

#: The default pipeline, in order. Web junk comes after simplification so that its
#: (simplified) patterns also match traditional pages; breaks are restored after
#: punctuation is normalised; flags come last so their positions are final.
DEFAULT_STEPS: tuple[Step, ...] = (
    strip_html,
    remove_inline_pinyin,
    to_simplified,
    remove_web_junk,
    normalize_width,
    repair_year_ranges,
    normalize_brackets,
    normalize_punctuation,
    restore_paragraphs,
    normalize_whitespace,
    flag_dropped_words,
    flag_duplicate_items,
    flag_mojibake,
)


def default_steps(rules: Rules) -> tuple[Step, ...]:
    """:data:`DEFAULT_STEPS` with ``rules`` given to every step that reads cleaning.yml."""
    return tuple(
        functools.partial(step, rules=rules)
        if "rules" in inspect.signature(step).parameters
        else step
        for step in DEFAULT_STEPS
    )


def clean_text(
    text: str, steps: Sequence[Step] | None = None, data: DataFiles | None = None
) -> CleanResult:
    """Apply ``steps`` (default: :data:`DEFAULT_STEPS` with the data folder's cleaning.yml) in
    order; return text and log."""
    if steps is None:
        steps = default_steps(load_rules(data))
    return apply_steps(text, steps)
