"""Cleaning steps that normalise text: inline pinyin, traditional -> simplified, run-together
year ranges, full-width letters and digits, brackets, punctuation, paragraph breaks in
flattened text, whitespace."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any

import numpy as np

from compare.text.clean.engine import Edit
from compare.text.clean.rules import (
    CJK_CONTEXT,
    CN_NUMERALS,
    HANZI,
    SPACE,
    TONED,
    Rules,
    load_rules,
)

_PINYIN_RE = re.compile(
    rf"[(（](?<=[{HANZI}][(（])(?:[a-zü]*[{TONED}][a-zü]*|[a-zü]{{1,6}}[1-5])[)）]"
)


def remove_inline_pinyin(text: str, rules: Rules | None = None) -> list[Edit]:
    """Parenthesised pinyin right after a hanzi: ``設(shè)`` -> ``設``."""
    reason = (
        (rules or load_rules())
        .section("pinyin")
        .get("reason", "inline pinyin annotation after a hanzi")
    )
    return [Edit(m.start(), m.end(), "", "remove", reason) for m in _PINYIN_RE.finditer(text)]


@lru_cache(maxsize=4)
def _converter(name: str) -> Any:
    """An OpenCC converter (cached)."""
    import opencc

    return opencc.OpenCC(name)


def to_simplified(text: str, rules: Rules | None = None) -> list[Edit]:
    """Traditional -> simplified with OpenCC; changed characters as runs of replacements.

    ``simplify.mode`` in cleaning.yml: ``always`` (default; t2s leaves simplified text
    unchanged), ``auto`` (only when ``min_share`` of the hanzi change) or ``never``.
    """
    settings = (rules or load_rules()).section("simplify")
    mode = settings.get("mode", "always")
    if mode == "never" or not text:
        return []
    converted = _converter(settings.get("config", "t2s")).convert(text)
    reason = settings.get("reason", "traditional to simplified (OpenCC t2s)")
    keep = set(settings.get("keep", "") or "")
    if len(converted) == len(text):
        runs = _diff_runs(text, converted, keep)
    else:
        runs = _diff_lines(text, converted, keep, settings.get("config", "t2s"))
    if mode == "auto":
        n_hanzi = len(re.findall(f"[{HANZI}]", text))
        n_changed = sum(e - s for s, e, _ in runs)
        if n_hanzi == 0 or n_changed < float(settings.get("min_share", 0.02)) * n_hanzi:
            return []
    return [Edit(s, e, r, "replace", reason) for s, e, r in runs]


def _diff_runs(old: str, new: str, keep: set[str]) -> list[tuple[int, int, str]]:
    """Runs of differing characters between equal-length strings."""
    a = np.frombuffer(old.encode("utf-32-le"), dtype=np.uint32)
    b = np.frombuffer(new.encode("utf-32-le"), dtype=np.uint32)
    changed = a != b
    if keep:
        changed &= ~np.isin(a, [ord(c) for c in keep])
    idx = np.flatnonzero(changed)
    if not len(idx):
        return []
    breaks = np.flatnonzero(np.diff(idx) > 1)
    starts = np.concatenate(([idx[0]], idx[breaks + 1]))
    ends = np.concatenate((idx[breaks], [idx[-1]])) + 1
    return [(int(s), int(e), new[s:e]) for s, e in zip(starts, ends, strict=True)]


def _diff_lines(
    old: str, new: str, keep: set[str], name: str = "t2s"
) -> list[tuple[int, int, str]]:
    """Differences when conversion changed the length: line by line, difflib if needed."""
    runs: list[tuple[int, int, str]] = []
    pos = 0
    convert = _converter(name).convert
    for line in old.splitlines(keepends=True):
        target = convert(line)
        if len(target) == len(line):
            runs += [(pos + s, pos + e, r) for s, e, r in _diff_runs(line, target, keep)]
        else:
            matcher = difflib.SequenceMatcher(None, line, target, autojunk=False)
            for op, i1, i2, j1, j2 in matcher.get_opcodes():
                if op != "equal":
                    runs.append((pos + i1, pos + i2, target[j1:j2]))
        pos += len(line)
    return runs


_YEARS_RE = re.compile(r"[12](?<![\d０-９][12])\d{7}(?=\s*[年）)])")


def repair_year_ranges(text: str, rules: Rules | None = None) -> list[Edit]:
    """Two run-together years before 年/）: ``20162020年`` -> ``2016-2020年``."""
    settings = (rules or load_rules()).section("year_range")
    dash = settings.get("dash", "-")
    max_span = int(settings.get("max_span", 30))
    reason = settings.get("reason", "two run-together years repaired as a range")
    edits = []
    for m in _YEARS_RE.finditer(text):
        digits = m.group()
        first, second = int(digits[:4]), int(digits[4:])
        if 1800 <= first < second <= 2199 and second - first <= max_span:
            replacement = f"{digits[:4]}{dash}{digits[4:]}"
            edits.append(Edit(m.start(), m.end(), replacement, "replace", reason))
    return edits


_FULLWIDTH_RE = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+")


_HALF = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF5B)})


_CJK_CHAR = f"[{CJK_CONTEXT}]"


_PUNCT_RE = re.compile(rf"[,:;!](?:(?<={_CJK_CHAR}.)|(?={_CJK_CHAR}))")


_PUNCT_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "(": "（", ")": "）"}


_PAREN_RE = re.compile(r"[()（）\n]")


_CJK_OR_NUMERAL = re.compile(f"[{CJK_CONTEXT}{CN_NUMERALS}]")


def normalize_width(text: str) -> list[Edit]:
    """Full-width digits and Latin letters -> half-width."""
    return [
        Edit(m.start(), m.end(), m.group().translate(_HALF), "replace", "full-width to half-width")
        for m in _FULLWIDTH_RE.finditer(text)
    ]


def normalize_brackets(text: str) -> list[Edit]:
    """Half-width ``( )`` in Chinese text -> ``（ ）``; the two brackets of a pair together."""
    reason = "half-width bracket in Chinese text to full width"
    return [Edit(i, i + 1, _PUNCT_FULL[text[i]], "replace", reason) for i in _paren_hits(text)]


def normalize_punctuation(text: str) -> list[Edit]:
    """ASCII ``, : ; !`` next to a Chinese character -> full width (``，：；！``)."""
    reason = "half-width punctuation in Chinese text to full width"
    return [
        Edit(m.start(), m.end(), _PUNCT_FULL[m.group()], "replace", reason)
        for m in _PUNCT_RE.finditer(text)
    ]


def _paren_hits(text: str) -> list[int]:
    """Positions of half-width brackets to widen: a pair whose content, outer neighbours or
    partner is Chinese; an unpaired one next to Chinese. Pairs never span lines."""
    hits: list[int] = []
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for m in _PAREN_RE.finditer(text):
        char, pos = m.group(), m.start()
        if char == "\n":
            hits += [p for p in stack if text[p] == "(" and _touches_cjk(text, p)]
            stack = []
        elif char in "(（":
            stack.append(pos)
        elif stack:
            pairs.append((stack.pop(), pos))
        elif char == ")" and _touches_cjk(text, pos):
            hits.append(pos)
    hits += [p for p in stack if text[p] == "(" and _touches_cjk(text, p)]
    for left, right in pairs:
        if text[left] == "(" or text[right] == ")":
            chinese = (
                text[left] == "（"
                or text[right] == "）"
                or _CJK_OR_NUMERAL.search(text, left + 1, right) is not None
                or _next_to_cjk(text, left)
                or _next_to_cjk(text, right)
            )
            if chinese:
                hits += [p for p in (left, right) if text[p] in "()"]
    return sorted(hits)


def _touches_cjk(text: str, pos: int) -> bool:
    """A lone bracket at ``pos`` has a Chinese character on either side."""
    return any(
        0 <= side < len(text) and _CJK_OR_NUMERAL.match(text, side) is not None
        for side in (pos - 1, pos + 1)
    )


def _next_to_cjk(text: str, pos: int) -> bool:
    """A bracket at ``pos`` touches a Chinese character on its outer side."""
    side = pos - 1 if text[pos] in "(（" else pos + 1
    return 0 <= side < len(text) and _CJK_OR_NUMERAL.match(text, side) is not None


_SPACE_RUN_RE = re.compile(f"[{SPACE}]+")


def restore_paragraphs(text: str, rules: Rules | None = None) -> list[Edit]:
    """In a flattened line (``paragraphs.min_line_chars`` or longer) turn a space into a line
    break before a numbering marker, after a sentence end, or before a closing signature."""
    rules = rules or load_rules()
    settings = rules.section("paragraphs")
    min_chars = int(settings.get("min_line_chars", 1000))
    regexes = rules.paragraph_regexes
    reason = settings.get("reason", "paragraph break restored in flattened text")
    edits = []
    pos = 0
    for line in text.split("\n"):
        if len(line) >= min_chars:
            for space in _SPACE_RUN_RE.finditer(line, 1):
                start, end = space.start(), space.end()
                if end < len(line) and _is_break(line, start, end, regexes):
                    edits.append(Edit(pos + start, pos + end, "\n", "replace", reason))
        pos += len(line) + 1
    return edits


def _is_break(line: str, start: int, end: int, regexes: tuple[re.Pattern[str] | None, ...]) -> bool:
    """Whether the space ``line[start:end]`` separates two paragraphs."""
    marker, sentence_end, signature = regexes
    if marker is not None and marker.match(line, end):
        return True
    if sentence_end is not None and sentence_end.search(line[max(0, start - 3) : start]):
        return True
    return signature is not None and signature.match(line, end) is not None


_BLANKISH = "\t \u3000\xa0\u2002-\u200d\u2060\ufeff\xad\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f"


#: A run of blank characters that may need work: one holding a space, CR, zero-width or
#: control character, or three newlines or more. (Plain "\n" and "\n\n" are left alone.)
_BLANK_RUN_RE = re.compile(f"\n*[{_BLANKISH}][{_BLANKISH}\n]*|\n{{3,}}")


_INLINE_RE = re.compile(
    r"(?P<nbsp>\xa0+)|(?P<zero>[\u200b-\u200d\u2060\ufeff\xad]+)"
    r"|(?P<control>[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+)"
)


_INLINE_REASONS = {
    "nbsp": "non-breaking space to space",
    "zero": "zero-width character",
    "control": "control character",
}


def normalize_whitespace(text: str) -> list[Edit]:
    """Trailing spaces and leading indentation (spaces, U+3000, NBSP) removed, 3+ newlines
    -> 2, CR -> LF, blank start/end stripped, NBSP -> space, zero-width and control
    characters removed. Spaces inside a line are kept."""
    head = len(text) - len(text.lstrip())
    tail = max(head, len(text.rstrip()))
    edits = [Edit(0, head, "", "remove", "blank space at the start")] if head else []
    for run in _BLANK_RUN_RE.finditer(text, head, tail):
        edits += _blank_run_edits(run.group(), run.start())
    if tail < len(text):
        edits.append(Edit(tail, len(text), "", "remove", "blank space at the end"))
    return edits


def _blank_run_edits(run: str, offset: int) -> list[Edit]:
    """Edits for one run of blank characters starting at ``offset``."""
    first = min((i for i in (run.find("\n"), run.find("\r")) if i >= 0), default=-1)
    if first < 0:
        return [
            Edit(
                offset + m.start(),
                offset + m.end(),
                " " * len(m.group()) if m.lastgroup == "nbsp" else "",
                "replace",
                _INLINE_REASONS[m.lastgroup or "control"],
            )
            for m in _INLINE_RE.finditer(run)
        ]
    last = max(run.rfind("\n"), run.rfind("\r"))
    edits = []
    if first:
        edits.append(Edit(offset, offset + first, "", "remove", "trailing spaces"))
    middle = run[first : last + 1]
    breaks = middle.replace("\r\n", "\n").replace("\r", "\n").count("\n")
    target = "\n" * min(breaks, 2)
    if middle != target:
        reasons = ["carriage return to newline"] if "\r" in middle else []
        if breaks > 2:
            reasons.append("3+ line breaks to 2")
        elif not reasons or middle.replace("\r", "").strip("\n"):
            reasons.append("trailing spaces")
        edits.append(Edit(offset + first, offset + last + 1, target, "replace", "; ".join(reasons)))
    if last + 1 < len(run):
        edits.append(
            Edit(offset + last + 1, offset + len(run), "", "remove", "leading indentation")
        )
    return edits
