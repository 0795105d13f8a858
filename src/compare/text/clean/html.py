"""Cleaning step: HTML remnants (comments, script/style blocks, tags, entities, cut-off tags)."""

from __future__ import annotations

import html
import itertools
import re

from compare.text.clean.engine import Edit

_BLOCK_TAGS = (
    "p|div|br|li|ul|ol|tr|table|tbody|thead|h[1-6]|section|article|header|footer|nav|"
    "blockquote|pre|hr|dt|dd|dl|form|center|address"
)


_HTML_RE = re.compile(
    r"<(?:(?P<comment>!--[\s\S]*?(?:-->|\Z))"
    r"|(?P<block>(?P<bname>script|style)\b[^>]*>[\s\S]*?</(?P=bname)\s*>)"
    r"|(?P<decl>![a-zA-Z\[][^<>]*>)"
    r"|(?P<tag>/?(?P<name>[a-zA-Z][a-zA-Z0-9:-]*)(?:\s[^<>]*)?/?>)"
    r"|(?P<cutopen>/?[a-zA-Z][a-zA-Z0-9]*(?:\s[\x20-\x7e]*)?$))"
    r"|&(?P<entity>[a-zA-Z][a-zA-Z0-9]{1,8};|#\d{1,7};?|#[xX][0-9a-fA-F]{1,6};?"
    r"|(?:nbsp|amp|lt|gt|quot)(?![a-zA-Z0-9;]))",
    re.MULTILINE | re.IGNORECASE,
)


_CUT_CLOSE_RE = re.compile(
    rf"^[ \t]*(?:/?(?:{_BLOCK_TAGS}|span|font|strong|b|i|em|u|a|td|th|img)\s*/?"
    r"|(?:[a-zA-Z-]+=\"[^\"\n]*\"\s*)+/?)>",
    re.MULTILINE | re.IGNORECASE,
)


_BARE_CLOSE_RE = re.compile(
    rf"(?<![<\w/])/(?:{_BLOCK_TAGS}|span|font|strong|em|td|th|tbody|thead)>", re.IGNORECASE
)


_BLOCK_NAME = re.compile(rf"(?:{_BLOCK_TAGS})\Z", re.IGNORECASE)


_HTML_REASONS = {
    "comment": "HTML comment",
    "block": "HTML script/style block",
    "decl": "HTML declaration",
    "cutopen": "HTML tag cut off",
}


def strip_html(text: str) -> list[Edit]:
    """HTML remnants: comments, script/style blocks, tags (block tags -> line break),
    entities (decoded), tags cut off at a line's end or start."""
    edits = []
    for m in _HTML_RE.finditer(text):
        if m.group("entity") is not None:
            value = html.unescape(m.group())
            if value != m.group():
                value = " " if value == "\xa0" else value
                edits.append(Edit(m.start(), m.end(), value, "replace", "HTML entity"))
        elif m.group("tag") is not None:
            block = _BLOCK_NAME.match(m.group("name")) is not None
            edits.append(Edit(m.start(), m.end(), "\n" if block else "", "replace", "HTML tag"))
        else:
            kind = next(k for k in _HTML_REASONS if m.group(k) is not None)
            edits.append(Edit(m.start(), m.end(), "", "remove", _HTML_REASONS[kind]))
    if ">" in text:
        taken = [(e.start, e.end) for e in edits]
        for m in itertools.chain(_CUT_CLOSE_RE.finditer(text), _BARE_CLOSE_RE.finditer(text)):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                edits.append(Edit(m.start(), m.end(), "", "remove", "HTML tag cut off"))
                taken.append((m.start(), m.end()))
    return edits
