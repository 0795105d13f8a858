"""What kind of document a text is: plan, regulation, report or speech, and whether a 通知 wraps it.

``recognise(text, doc_type)`` reads, in this order: the manifest's ``doc_type`` (when it names a
kind: 条例, 实施方案, 政府工作报告 …), the title of a wrapped document (印发《…实施方案》的通知),
the text's own title line, and finally its numbering (enough line-start 第X条: a regulation).
Anything else is a plan. The words live in ``data/segmentation.yml`` (``kinds``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from compare.structure.config import Config, KindRules, load_config

#: How many leading lines hold a title or a wrapper's 印发…的通知.
_TITLE_LINES = 6
_TITLE_TRIM = re.compile(r"[（(][^）)]{0,30}[）)]\s*$|[#\s*]+")


@dataclass(frozen=True)
class DocumentKind:
    """``kind`` (plan | regulation | report | speech), ``wrapper`` (a 通知 around it) and
    ``basis`` (what decided: doc_type, wrapped title, title, articles, default)."""

    kind: str
    wrapper: bool
    basis: str


def kind_of_name(name: str, rules: KindRules) -> str | None:
    """The kind a type or title names by its last word (实施意见 -> plan), or ``None``."""
    name = name.strip()
    for _ in range(2):  # 纲要（2016-2020年）, 条例（试行）: drop one trailing bracket, then retry
        for word, kind in rules.suffixes:
            if name.endswith(word):
                return kind
        name = _TITLE_TRIM.sub("", name)
    return None


def _head(text: str) -> str:
    lines = [ln.strip(" \t\u3000#*") for ln in text.splitlines() if ln.strip(" \t\u3000#*")]
    return "\n".join(lines[:_TITLE_LINES])


def _line_articles(text: str, cfg: Config) -> int:
    """How many article markers (``regulation.article_styles``) start a line."""
    styles = [s for s in cfg.styles if s.name in cfg.contract.article_styles]
    n = 0
    for line in text.splitlines():
        line = line.lstrip(" \t\u3000#")
        n += any(s.regex.match(line) for s in styles)
    return n


def recognise(text: str, doc_type: str | None = None, config: Config | None = None) -> DocumentKind:
    """The kind of one clean text (see the module doc)."""
    cfg = config or load_config()
    rules = cfg.kinds
    head = _head(text)
    wrapped = rules.wrapper.search(head)
    wrapper = wrapped is not None
    if doc_type and (kind := kind_of_name(str(doc_type), rules)):
        return DocumentKind(kind, wrapper, "doc_type")
    if wrapped is not None:
        for m in rules.wrapped_title.finditer(wrapped.group(0)):
            if kind := kind_of_name(m.group("title"), rules):
                return DocumentKind(kind, True, "wrapped title")
    for line in head.splitlines()[:2]:
        if kind := kind_of_name(line.rstrip("：:"), rules):
            return DocumentKind(kind, wrapper, "title")
    if _line_articles(text, cfg) >= rules.min_articles:
        return DocumentKind("regulation", wrapper, "articles")
    return DocumentKind("plan", wrapper, "default")
