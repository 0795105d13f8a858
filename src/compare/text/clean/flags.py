"""Cleaning steps that flag (and never change) text: dropped words in stock phrases, repeated
enumeration items, signs of broken encoding."""

from __future__ import annotations

import re

from compare.text.clean.engine import Edit
from compare.text.clean.rules import (
    HANZI,
    TONED,
    Rules,
    load_rules,
)


def flag_dropped_words(text: str, rules: Rules | None = None) -> list[Edit]:
    """Flag a stock phrase (cleaning.yml ``stock_phrases``) with 1-3 characters missing."""
    rules = rules or load_rules()
    regex, variants = rules.stock_regex
    if regex is None:
        return []
    template = rules.section("stock_phrases").get(
        "reason_template", "words dropped by the source? ({phrase})"
    )
    return [
        Edit(m.start(), m.end(), m.group(), "flag", template.format(phrase=variants[m.group()]))
        for m in regex.finditer(text)
    ]


_DUPLICATE_RE = re.compile(rf"、([{HANZI}]{{1,10}})(?=[、，,。；;）)”\s]|$)")


_ITEM_BOUNDARY = re.compile(r"[、，,；;：:（(“\s]")


def flag_duplicate_items(text: str, rules: Rules | None = None) -> list[Edit]:
    """Flag an enumeration item repeated at once: ``监督、监督``."""
    reason = (
        (rules or load_rules())
        .section("duplicates")
        .get("reason", "immediately repeated enumeration item (words dropped by the source?)")
    )
    edits = []
    for m in _DUPLICATE_RE.finditer(text):
        word = m.group(1)
        start = m.start() - len(word)
        if start < 0 or text[start : m.start()] != word:
            continue
        if start == 0 or _ITEM_BOUNDARY.match(text, start - 1):
            edits.append(Edit(start, m.end(), text[start : m.end()], "flag", reason))
    return edits


_MOJIBAKE_CANDIDATE = re.compile(
    "[\ufffd?<>\u0370-\u058f\u0600-\u06ff\u00c2-\u00ef\u00f2-\u00fc\u0101-\u01dc"
    "\ue000-\uf8ff\U00020000-\U0010ffff]"
)


_MOJIBAKE_KINDS = (
    ("replacement", re.compile("\ufffd+")),
    ("question", re.compile(rf"(?<=[^\s?])\?+(?=[^\s?”\"'）)])(?:(?<=[{HANZI}]\?)|(?=[{HANZI}a-z]))")),
    ("pinyin", re.compile(rf"[a-zü]*[{TONED}][a-zü{TONED}]*[)）]?")),
    ("latin1", re.compile("(?:[\u00c2-\u00ef][\u0080-\u00bf\u2018-\u203a\u0152-\u0178\u20ac]){2,}")),
    ("script", re.compile(rf"(?<=[{HANZI}])[\u0370-\u058f\u0600-\u06ff]+|[\u0370-\u058f\u0600-\u06ff]+(?=[{HANZI}])")),
    ("private", re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]+")),
    ("rare", re.compile("[\U00020000-\U0003ffff]+")),
    ("tag", re.compile("[<>]+")),
)  # fmt: skip


def flag_mojibake(text: str, rules: Rules | None = None) -> list[Edit]:
    """Flag signs of broken encoding: ``?``/``�`` between characters, orphan pinyin, Latin-1
    or other-script garble inside Chinese, private-use or rare characters, stray ``<``/``>``."""
    rules = rules or load_rules()
    settings = rules.section("mojibake")
    reasons = {
        "replacement": settings.get("question_reason", "stray '?' or '�' (mojibake?)"),
        "question": settings.get("question_reason", "stray '?' or '�' (mojibake?)"),
        "pinyin": rules.section("pinyin").get("orphan_reason", "orphan pinyin fragment"),
        "latin1": settings.get("script_reason", "other script inside Chinese (mojibake?)"),
        "script": settings.get("script_reason", "other script inside Chinese (mojibake?)"),
        "private": settings.get("private_reason", "private-use character (mojibake?)"),
        "rare": settings.get("rare_reason", "rare character (mojibake?)"),
        "tag": settings.get("tag_reason", "stray angle bracket (half HTML tag?)"),
    }
    edits: list[Edit] = []
    done = 0
    for candidate in _MOJIBAKE_CANDIDATE.finditer(text):
        pos = candidate.start()
        if pos < done:
            continue
        for kind, regex in _MOJIBAKE_KINDS:
            if kind == "pinyin":
                while pos > 0 and text[pos - 1] in _PINYIN_LETTERS:
                    pos -= 1
            m = regex.match(text, pos)
            pos = candidate.start()
            if m is not None and m.end() > pos:
                edits.append(Edit(m.start(), m.end(), m.group(), "flag", reasons[kind]))
                done = m.end()
                break
    return edits


_PINYIN_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzü" + TONED)
