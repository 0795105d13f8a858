"""Cleaning step: web junk (breadcrumbs, page metadata, buttons, site footers …) from the
``web_junk`` and ``footer_block`` rules of cleaning.yml."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Any

from compare.text.clean.engine import Edit, join_reasons
from compare.text.clean.rules import (
    JunkRule,
    Rules,
    load_rules,
)


def remove_web_junk(text: str, rules: Rules | None = None) -> list[Edit]:
    """Lines/passages matching the ``web_junk`` rules of cleaning.yml (breadcrumbs, page
    metadata, buttons, prev/next links, site footers, URLs, site intros), then short lines
    inside the page's trailing junk block."""
    rules = rules or load_rules()
    anchored, combined = rules.junk_combined
    junk = rules.junk_rules
    others = [k for k in range(len(junk)) if k not in anchored]
    spans = _junk_spans(text, junk, others, 0, len(text))
    for m in combined.finditer(text) if combined is not None else ():
        k = next(int(name[2:]) for name, value in m.groupdict().items() if value is not None)
        found = _junk_spans(text, junk, [k], m.start(), m.end(), m)
        if not found:  # guards failed: let the other line rules look at this line
            line_start, line_end = _line_span(text, m.start(), m.end())
            rest = [i for i in anchored if i != k]
            found = _junk_spans(text, junk, rest, line_start, line_end)
        spans += found
    spans = _whole_lines(text, _union(spans))
    spans = _union(spans + _footer_block(text, spans, rules.get("footer_block")))
    return [Edit(s, e, "", "remove", r) for s, e, r in spans]


def _junk_spans(
    text: str,
    rules: tuple[JunkRule, ...],
    which: Sequence[int],
    pos: int,
    endpos: int,
    match: re.Match[str] | None = None,
) -> list[tuple[int, int, str]]:
    """Spans removed by the rules ``which`` in ``text[pos:endpos]`` (or for one ``match``)."""
    spans = []
    for k in which:
        rule = rules[k]
        for m in [match] if match is not None else rule.regex.finditer(text, pos, endpos):
            if m is None or m.end() == m.start():
                continue
            line_start, line_end = _line_span(text, m.start(), m.end())
            if not rule.accepts(text[line_start:line_end]):
                continue
            if rule.scope == "line":
                spans.append((line_start, line_end, rule.reason))
            else:
                spans.append((m.start(), m.end(), rule.reason))
    return spans


def _line_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The full line(s) around ``[start, end)``, with the final newline."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", max(end - 1, start))
    return line_start, len(text) if line_end < 0 else line_end + 1


def _union(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Merge overlapping spans (reasons joined)."""
    out: list[list[Any]] = []
    for start, end, reason in sorted(spans):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
            out[-1][2] = join_reasons([out[-1][2], reason])
        else:
            out.append([start, end, reason])
    return [(s, e, r) for s, e, r in out]


def _whole_lines(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Widen match-scope removals to the whole line when nothing but spaces would remain."""
    out: list[tuple[int, int, str]] = []
    k = 0
    while k < len(spans):
        line_start, line_end = _line_span(text, spans[k][0], spans[k][1])
        group = [sp for sp in spans[k:] if sp[0] < line_end]
        uncovered, pos = [], line_start
        for start, end, _ in group:
            uncovered.append(text[pos:start])
            pos = max(pos, end)
        uncovered.append(text[pos:line_end])
        if len(group) and not "".join(uncovered).strip() and group[-1][1] <= line_end:
            out.append((line_start, line_end, join_reasons([r for _, _, r in group])))
        else:
            out += group
        k += len(group)
    return _union(out)


def _footer_block(
    text: str, spans: list[tuple[int, int, str]], settings: dict[str, Any] | None
) -> list[tuple[int, int, str]]:
    """Short lines after the first junk line of the page's trailing block (a run of junk,
    blank and short lines that ends the text with junk): site name, years, address."""
    if not spans:
        return []
    settings = settings or {}
    max_chars = int(settings.get("max_chars", 40))
    reason = settings.get("reason", "site footer (short line inside the trailing junk block)")
    removed = sorted((s, e) for s, e, _ in spans)
    starts = [s for s, _ in removed]

    def is_junk(start: int, end: int) -> bool:
        k = bisect.bisect_right(starts, start) - 1
        return k >= 0 and removed[k][1] >= end

    block: list[tuple[int, int, bool]] = []  # trailing lines, last first
    pos = len(text)
    while pos > 0:
        start = text.rfind("\n", 0, pos - 1) + 1
        line = text[start:pos].strip()
        junk = is_junk(start, pos)
        if line and not junk:
            short = len(line) <= max_chars and not _SENTENCE_PUNCT.search(line)
            if not block or not short:
                break
        if line or junk:
            block.append((start, pos, junk))
        elif not block:
            pass
        pos = start
    while block and not block[-1][2]:
        block.pop()  # the block starts at its first junk line
    return [(s, e, reason) for s, e, junk in block if not junk]


_SENTENCE_PUNCT = re.compile(r"[。，；,;：:！？]")
