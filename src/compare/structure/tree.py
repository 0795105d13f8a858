"""Numbering markers and the tree they form (used by :mod:`compare.structure.segment`).

- candidates: every match of a numbering style at a boundary. ``line`` styles (一、 （一） 1.
  （1） ① 第一章 第一条) sit at a line start, or after a sentence end or spaces in a flattened
  text; ``inline`` styles (一是 一要 第一，) also after 。：；！？ and ，.
- structure: a style with ``paragraph_runs`` counts only as a run set out as paragraphs (most of
  its members after the first start a line); a run written inside a paragraph stays in the text
  of the item holding it. In a regulation only the 章/节 parents and the article level count: an
  article's 款 and （一）项 stay inside it.
- tree: a candidate is accepted if it continues its sequence (the open item of its style, or of
  its family for 一要/二是 mixes, has number n-1; a ranked style may also run on across parents,
  as in 曹县 where 8. follows 7. under the next （二）) or starts a new one at 1. A ranked item
  closes every open item of its rank or deeper and every floating item; a floating item (no
  rank: 一是, 第一，) nests under the deepest open item; a floating item is closed by a ranked one
  only of a level the document used before the floating run began (else that level nests in
  it: 一是 … 1. 2.). An unnumbered part heading of a report
  (``breaks``) closes every open item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from compare.structure.config import Config, Style
from compare.text import numerals

HSPACE = " \t\u3000\xa0\r\ufeff"
_SENT_END = "。：；！？:;!?"
_INLINE_AFTER = _SENT_END + "，,"
_PATH_STRIP = "、.．，, " + HSPACE
_BRACKETS = str.maketrans({"(": "（", ")": "）"})
_NO_HEADING_PUNCT = "。；，！？;,!?：:"


@dataclass(frozen=True)
class Cand:
    start: int
    end: int
    style: Style
    n: int


@dataclass
class Item:
    start: int
    marker_end: int
    style: Style
    n: int
    parent: int | None
    prev_sibling: int | None
    number: str = ""
    path: str = ""
    level: int = 1
    seen_rank: int = 0  # deepest rank seen when its run began (floating items)
    children: list[int] = field(default_factory=list)


def boundary(text: str, start: int, inline: bool) -> tuple[bool, bool]:
    """Whether a marker may start at ``start``; second value: it starts a line."""
    j = start
    while j > 0 and text[j - 1] in HSPACE:
        j -= 1
    if j == 0 or text[j - 1] == "\n":
        return True, True
    prev = text[j - 1]
    if inline:
        return prev in _INLINE_AFTER, False
    # line styles in a flattened text: after a sentence end or after a run of spaces
    return prev in _SENT_END or j < start, False


def starts_line(text: str, start: int) -> bool:
    return boundary(text, start, inline=True)[1]


def find_candidates(text: str, cfg: Config) -> list[Cand]:
    """Every marker that sits at an admissible boundary, in text order, without overlaps."""
    found: list[Cand] = []
    for style in cfg.styles:
        for m in style.regex.finditer(text):
            if m.end() == m.start():
                continue
            if not boundary(text, m.start(), style.inline)[0] or in_toc(text, m.end(), cfg):
                continue
            try:
                n = numerals.parse_int(m.group("n"))
            except ValueError:
                continue
            if n > 0:
                found.append(Cand(m.start(), m.end(), style, n))
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[Cand] = []
    for c in found:
        if not kept or c.start >= kept[-1].end:
            kept.append(c)
    stop = stop_line(text, kept[0].start, cfg) if kept else None
    return kept if stop is None else [c for c in kept if c.start < stop]


def in_toc(text: str, pos: int, cfg: Config) -> bool:
    """Whether the line holding ``pos`` is a table-of-contents entry (ends in a page number)."""
    if cfg.toc_line is None:
        return False
    end = text.find("\n", pos, pos + 81)
    if end == -1:
        if len(text) > pos + 80:
            return False
        end = len(text)
    return cfg.toc_line.search(text[pos:end]) is not None


def stop_line(text: str, after: int, cfg: Config) -> int | None:
    """Start of the first stop line (附件 list, 抄送 …) after offset ``after``. A bare annex
    label (附件1) whose next line is a title that is no stop line heads an attached document
    (a report's 2023年省十件民生实事): its numbering is read on."""
    if cfg.stop is None:
        return None
    for m in re.finditer(r"^[ \t\u3000]*(.*)$", text[after:], flags=re.M):
        line_start = after + m.start(1)
        stops = line_start > after and cfg.stop.match(m.group(1))
        if stops and not _heads_attached_document(m.group(1), text, after + m.end(), cfg):
            return line_start
    return None


def _heads_attached_document(line: str, text: str, line_end: int, cfg: Config) -> bool:
    """Whether ``line`` (ending at ``line_end``) is a bare annex label followed by the title
    of an attached document."""
    if cfg.attached_label is None or cfg.attached_title is None or cfg.stop is None:
        return False
    if not cfg.attached_label.fullmatch(line.strip()):
        return False
    following = text[line_end : line_end + 200].split("\n")
    title = next((t.strip(" \t\u3000\r") for t in following if t.strip()), "")
    return bool(cfg.attached_title.fullmatch(title)) and not cfg.stop.match(title)


# --------------------------------------------------------------------------- structure


def _paragraph_runs(text: str, cands: list[Cand]) -> set[int]:
    """Indices of ``paragraph_runs`` candidates that are not structure (see module doc)."""
    drop: set[int] = set()
    runs: dict[str, list[int]] = {}

    def close(family: str) -> None:
        run = runs.pop(family, [])
        rest = run[1:]
        on_lines = sum(starts_line(text, cands[i].start) for i in rest)
        if not rest or 2 * on_lines < len(rest):
            drop.update(run)

    for i, c in enumerate(cands):
        if not c.style.paragraph_runs:
            continue
        fam, run = c.style.family, runs.get(c.style.family)
        if c.n == 1:
            if run:
                close(fam)
            runs[fam] = [i]
        elif run and cands[run[-1]].n == c.n - 1:
            run.append(i)
        else:
            drop.add(i)
    for fam in list(runs):
        close(fam)
    return drop


def structural(text: str, cands: list[Cand], kind: str, cfg: Config) -> list[Cand]:
    """The candidates that are numbered structure in a document of ``kind``."""
    drop = _paragraph_runs(text, cands)
    kept = [c for i, c in enumerate(cands) if i not in drop]
    if kind != "regulation":
        return kept
    legal = set(cfg.contract.legal_styles)
    articles = set(cfg.contract.article_styles)
    if not any(c.style.name in articles for c in kept):
        # articles numbered 一、 二、 inside 第X章: the first ranked style under a chapter
        first_legal = next((k for k, c in enumerate(kept) if c.style.name in legal), None)
        if first_legal is None:
            return kept
        level = next((c.style.name for c in kept[first_legal:]
                      if c.style.name not in legal and c.style.rank is not None), None)  # fmt: skip
        articles = {level} if level else set()
    return [c for c in kept if c.style.name in legal | articles]


def part_breaks(text: str, cands: list[Cand], cfg: Config) -> list[int]:
    """Starts of unnumbered part headings (2023年主要工作): a short line without sentence
    punctuation, not a marker line, followed by a longer paragraph, after the first marker."""
    if not cands:
        return []
    marker_lines = {text.rfind("\n", 0, c.start) + 1 for c in cands}
    out = []
    lines = [(m.start(), m.group(0).strip(HSPACE)) for m in re.finditer(r"[^\n]+", text)]
    for k, (s, line) in enumerate(lines[:-1]):
        if s <= cands[0].start or s in marker_lines or not line:
            continue
        if len(line) > cfg.contract.part_heading_max or len(line) < 2:
            continue
        if any(p in line for p in _NO_HEADING_PUNCT) or in_toc(text, s, cfg):
            continue
        nxt = next((ln for _, ln in lines[k + 1 :] if ln), "")
        if len(nxt) > len(line):
            out.append(s + len(lines[k][1]) - len(lines[k][1].lstrip(HSPACE)))
    return out


# --------------------------------------------------------------------------- tree


def _sibling(items: list[Item], stack: list[int], c: Cand) -> int | None:
    """The open item that ``c`` continues: the nearest of its style, else of its family."""
    same = [k for k in stack if items[k].style.name == c.style.name]
    if same:
        return same[-1] if items[same[-1]].n == c.n - 1 else None
    for k in reversed(stack):
        if items[k].style.family == c.style.family and items[k].n == c.n - 1:
            return k
    return None


def _runs_ok(cands: list[Cand]) -> list[bool]:
    """For each candidate: is the next candidate of its family number 2? (runs of 一是 二是)."""
    ok = [False] * len(cands)
    nxt: dict[str, int] = {}
    for i in range(len(cands) - 1, -1, -1):
        fam = cands[i].style.family
        ok[i] = fam in nxt and cands[nxt[fam]].n == 2
        nxt[fam] = i
    return ok


def _open_parent(items: list[Item], stack: list[int], c: Cand) -> int | None:
    """Close what a new item ``c`` closes (see module doc) and return its parent."""
    if c.style.rank is None:
        fam = [k for k, i in enumerate(stack) if items[i].style.family == c.style.family]
        if fam:
            del stack[fam[0] :]
    else:
        while stack:
            top = items[stack[-1]]
            if top.style.rank is None and c.style.rank > top.seen_rank:
                break  # 1. under 一是: a level not seen before the run began nests in it
            if top.style.rank is not None and top.style.rank < c.style.rank:
                break
            stack.pop()
    return stack[-1] if stack else None


def build_tree(text: str, cands: list[Cand], breaks: list[int] = ()) -> list[Item]:  # type: ignore[assignment]
    """Accept the candidates that continue or start a sequence; link each to its parent."""
    items: list[Item] = []
    stack: list[int] = []
    last: dict[str, int] = {}
    run_ok = _runs_ok(cands)
    roots: list[int] = []
    pending = list(breaks)
    seen = 0
    for ci, c in enumerate(cands):
        while pending and pending[0] < c.start:
            pending.pop(0)
            stack.clear()
        sib = _sibling(items, stack, c)
        if sib is not None:
            parent = items[sib].parent
            del stack[stack.index(sib) :]
        elif (c.n == 1 and (not c.style.inline or run_ok[ci])) or (
            c.style.rank is not None and c.n > 1 and last.get(c.style.name) == c.n - 1
        ):
            parent = _open_parent(items, stack, c)
        else:
            continue
        siblings = items[parent].children if parent is not None else roots
        item = Item(
            start=c.start, marker_end=c.end, style=c.style, n=c.n, parent=parent,
            prev_sibling=siblings[-1] if siblings else None,
            number=text[c.start : c.end].rstrip(HSPACE),
        )  # fmt: skip
        if c.style.rank is None:
            item.seen_rank = items[sib].seen_rank if sib is not None else seen
        else:
            seen = max(seen, c.style.rank)
        idx = len(items)
        items.append(item)
        siblings.append(idx)
        stack.append(idx)
        last[c.style.name] = c.n
    _assign_paths(items)
    return items


def _path_part(number: str) -> str:
    return number.translate(_BRACKETS).rstrip(_PATH_STRIP).strip(HSPACE)


def _assign_paths(items: list[Item]) -> None:
    seen: dict[str, int] = {}
    for it in items:
        own = _path_part(it.number)
        if it.parent is None:
            path, it.level = own, 1
        else:
            path, it.level = f"{items[it.parent].path}/{own}", items[it.parent].level + 1
        seen[path] = seen.get(path, 0) + 1
        it.path = path if seen[path] == 1 else f"{path}~{seen[path]}"
