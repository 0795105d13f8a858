"""The measure contract (``docs/design.md``): which items are measures, which frame, and their mode.

- regulation: the article (条, or 一、 when articles are numbered so inside 第X章) is the
  measure; 章/节 are its parents; its 款 and 项 stay inside it. An article none of whose
  paragraphs carries a measure (purpose and basis, scope, 参照 clauses, commencement:
  ``regulation.no_measure_paragraphs``; beside one of them, referrals to other
  law: ``regulation.companion_paragraphs``) stays a segment.
- plan, report, speech: every leaf of the numbering tree (the finest numbered item), top-level
  leaves included, except items under a ``not_measure_headings`` heading (a list of units).
- ``framing``: a plan item whose own or ancestor heading (or unnumbered part heading) starts
  with a framing term (指导思想, 基本原则 …); a regulation article matching
  ``regulation.framing_articles`` (definitions, principles).
- ``mode``: a regulation's articles are commitments. Otherwise the first mode cue
  (``mode_parts``) found going outwards from the measure: its own heading, the text introducing
  its run, its parent's heading and introduction, and so on up to the preamble (in a report or
  speech, a part heading naming a year before the document's — 关于2019年工作 in a 2020 report
  — is a review, the document's year or later a commitment); without one, a report's or
  speech's measure takes the mode its own wording points to most (``mode_wording``: 已, 完成了,
  累计 …), anything else is a ``commitment``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from compare.structure.config import Config
from compare.structure.tree import HSPACE, Item

_FIRST_SENTENCE = re.compile(r"^[^。！？\n]{0,80}")


def _starts_with_any(heading: str, terms: tuple[str, ...]) -> bool:
    return any(heading.startswith(t) for t in terms)


def _paragraphs(body: str) -> list[str]:
    return [ln.strip(HSPACE) for ln in body.split("\n") if ln.strip(HSPACE)]


def carries_no_measure(body: str, cfg: Config) -> bool:
    """Whether an article carries no measure: each paragraph is purpose, scope, 参照 or
    commencement, or — beside at least one of those — a referral to other law
    (``regulation.companion_paragraphs``)."""
    pat, companion = cfg.contract.no_measure_paragraph, cfg.contract.companion_paragraph
    paras = _paragraphs(body)
    if pat is None or not paras:
        return False
    bare = [p for p in paras if not pat.search(p)]
    if len(bare) == len(paras):
        return False
    return all(companion is not None and companion.search(p) for p in bare)


def measure_flags(
    items: list[Item], headings: list[str], text: str, kind: str, cfg: Config
) -> list[bool]:
    """For each item of a document of ``kind``: is it a measure? (see the module doc)."""
    rules = cfg.contract
    ends = [it.start for it in items[1:]] + [len(text)] if items else []
    articles = {it.style.name for it in items} - set(rules.legal_styles)
    regulation = kind == "regulation" and any(it.style.name in rules.legal_styles for it in items)
    regulation = regulation or (
        kind == "regulation" and any(it.style.name in rules.article_styles for it in items)
    )
    flags = []
    for it, end in zip(items, ends, strict=True):
        if it.children:
            flags.append(False)
        elif regulation:
            body = text[it.marker_end : end]
            flags.append(it.style.name in articles and not carries_no_measure(body, cfg))
        else:
            excluded, p = False, it.parent
            while p is not None:
                excluded = excluded or _starts_with_any(headings[p], rules.not_measure)
                p = items[p].parent
            flags.append(not excluded)
    return flags


# --------------------------------------------------------------------------- framing and mode


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _tail(text: str, heading: str = "") -> list[str]:
    """What of a segment can introduce what follows: its last paragraph and its short lines."""
    paras = _paragraphs(text)
    if heading and paras:
        paras = paras[1:]
    if not paras:
        return []
    short = [p for p in paras[:-1] if len(p) <= 30]
    return [paras[-1][-120:], *short]


@dataclass(frozen=True)
class Outline:
    """Where a document's segments sit, read once for :func:`context`: the indices of the
    numbered rows of each path and of the unnumbered (``text``, ``preamble``) rows."""

    by_path: dict[str, list[int]]
    texts: list[int]

    @classmethod
    def of(cls, rows: list[dict]) -> Outline:
        """The outline of ``rows`` (a document's segments in order)."""
        by_path: dict[str, list[int]] = {}
        texts = []
        for i, r in enumerate(rows):
            if r["kind"] in ("item", "heading"):
                by_path.setdefault(r["path"], []).append(i)
            elif r["kind"] in ("text", "preamble"):
                texts.append(i)
        return cls(by_path, texts)


def context(rows: list[dict], k: int, outline: Outline | None = None) -> list[str]:
    """Texts saying which part of the document ``rows[k]`` (a measure) sits in, nearest first:
    its heading, the text introducing its run, its parent's heading and introduction, …
    ``rows`` are the document's segments in order (dicts with kind, path, heading, text);
    pass their :class:`Outline` when calling for many rows (each call is then O(depth + the
    unnumbered rows before ``k``), not O(k))."""
    found = outline or Outline.of(rows)
    own = rows[k]
    out = [own["heading"] or _FIRST_SENTENCE.match(own["text"]).group(0)]
    # the ancestors: each the latest row of the parent's path before its child
    chain, parent, limit = [], _parent(own["path"]), k
    while parent:
        before = found.by_path.get(parent, [])
        j = bisect_left(before, limit) - 1
        if j < 0:
            break
        chain.append(before[j])
        limit, parent = before[j], _parent(parent)
    texts = found.texts[: bisect_left(found.texts, k)]
    for i in sorted([*chain, *texts], reverse=True):
        r = rows[i]
        if r["kind"] in ("item", "heading"):
            out.append(r["heading"])
            out.extend(reversed(_tail(r["text"], r["heading"])))
        else:
            out.extend(reversed(_tail(r["text"])))
    return [c for c in out if c]


def _mode_cue(texts: list[str], table: tuple[tuple[str, re.Pattern[str]], ...]) -> str | None:
    for t in texts:
        for mode, pat in table:
            if pat.search(t):
                return mode
    return None


def _year_cue(text: str, year: int | None, cfg: Config) -> str | None:
    """The mode a part heading naming a year opens (``mode_year_heading``): ``review`` for a
    year before the document's, ``commitment`` for that year or later; ``None`` otherwise."""
    pat = cfg.contract.mode_year_heading
    if year is None or pat is None or len(text) > cfg.contract.part_heading_max:
        return None
    m = pat.search(text)
    if m is None:
        return None
    return "review" if int(m.group("y")) < year else "commitment"


def measure_mode(ctx: list[str], body: str, kind: str, cfg: Config, year: int | None = None) -> str:
    """``commitment``, ``review``, ``problem`` or ``rationale`` (see the module doc); ``year``
    is the document's (a report's part heading about an earlier year opens a review)."""
    if kind == "regulation":
        return "commitment"  # a rule in force: its 条 says what must be done, whatever it cites
    report = kind in ("report", "speech")
    for text in ctx:
        found = _mode_cue([text], cfg.contract.mode_parts)
        found = found or (_year_cue(text, year, cfg) if report else None)
        if found:
            return found
    if report:
        counts = {m: len(p.findall(body)) for m, p in cfg.contract.mode_wording}
        best = max(counts, key=lambda m: counts[m], default=None)
        if best and counts[best] > 0 and list(counts.values()).count(counts[best]) == 1:
            return best
    return "commitment"


def is_framing(
    headings: list[str], ctx: list[str], first_paragraph: str, kind: str, cfg: Config
) -> bool:
    """Whether a measure frames its document (see the module doc): ``headings`` are its own
    and its ancestors', ``ctx`` its :func:`context` (short lines there are part headings)."""
    rules = cfg.contract
    if kind == "regulation":
        pat = rules.framing_article
        return pat is not None and pat.search(first_paragraph) is not None
    parts = [c for c in ctx if len(c) <= rules.part_heading_max]
    return any(_starts_with_any(h, rules.framing) for h in headings) or any(
        t in p for p in parts for t in rules.framing
    )
