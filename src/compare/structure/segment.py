"""Segment a clean text into its numbering tree: the ``segments`` table.

``segment_text(text, doc_id, kind=...)`` cuts one document into contiguous spans whose texts
concatenate to the input exactly (``preamble``, ``heading``, ``item``, ``text``, ``closing``,
``signature``) and flags the items that are measures (:mod:`compare.structure.contract`). How
markers become a tree is described in :mod:`compare.structure.tree`; the document's kind
(:mod:`compare.structure.kinds`) decides which markers are structure. The vocabulary lives in
``data/segmentation.yml``.

Spans: a heading (item with children) runs to its first child. A leaf runs to the next item,
except that paragraphs after it are ``text`` from one ending with ： (it introduces what
follows) or, in a report or speech, from an unnumbered part heading; after the last item they
are ``closing`` (from the first closing cue; a bare title line keeps its body). A regulation's
article keeps all its paragraphs. A trailing issuer + date is the ``signature``.
"""

from __future__ import annotations

import pandas as pd

from compare import frames
from compare.structure import contract, tree
from compare.structure.config import Config, load_config
from compare.structure.kinds import recognise
from compare.structure.tree import HSPACE, Item

__all__ = ["HSPACE", "SEGMENT_COLUMNS", "Config", "item_heading", "leading_marker",
           "load_config", "segment_text", "typed_frame"]  # fmt: skip

SEGMENT_COLUMNS = [
    "doc_id", "seg_id", "seq", "kind", "level", "marker_type", "path", "number", "heading",
    "char_start", "char_end", "text", "is_measure",
]  # fmt: skip

_SEGMENT_INTS = ("seq", "level", "char_start", "char_end")
_TRIM_HEADING = "。：:；;，,、 " + HSPACE


def leading_marker(text: str, config: Config | None = None) -> str:
    """The numbering marker a text starts with (any style of ``data/segmentation.yml``, the
    longest when several match), with the spaces after it; empty when there is none."""
    cfg = config or load_config()
    start = len(text) - len(text.lstrip(HSPACE))
    ends = [m.end() for st in cfg.styles if (m := st.regex.match(text, start)) and m.end() > start]
    if not ends:
        return ""
    end = max(ends)
    return text[: end + len(text[end:]) - len(text[end:].lstrip(HSPACE))]


# --------------------------------------------------------------------------- headings


def item_heading(body: str, cfg: Config | None = None) -> str:
    """Short title of an item from the text after its marker: up to the first 。 or ：
    when short enough, the whole first line when short, else a framing term it starts with."""
    cfg = cfg or load_config()
    line = body.lstrip(HSPACE).split("\n", 1)[0].rstrip()
    cut = min((i for i in (line.find("。"), line.find("："), line.find(":")) if i >= 0), default=-1)
    if 0 < cut <= cfg.heading_max:
        return line[:cut].strip(_TRIM_HEADING)
    if cut < 0 and 0 < len(line) <= cfg.heading_max:
        return line.strip(_TRIM_HEADING)
    for term in cfg.framing:
        if line.startswith(term):
            return term
    return ""


# --------------------------------------------------------------------------- segments


def _find_signature(text: str, after: int, cfg: Config) -> int | None:
    """Start of a trailing issuer + date signature lying after offset ``after`` (or -1)."""
    m = cfg.signature.search(text, max(after, 0, len(text) - 300))
    if m is None or m.start("sig") <= after:
        return None
    return m.start("sig")


def _paragraphs(text: str, a: int, b: int) -> list[tuple[int, str]]:
    """Non-blank lines starting inside ``[a, b)``: (start, stripped content)."""
    out = []
    s = a
    while s < b:
        e = text.find("\n", s, b)
        line = text[s : b if e == -1 else e].strip(HSPACE + "\r")
        if line:
            out.append((s, line))
        if e == -1:
            break
        s = e + 1
    return out


def _split_leaf(
    text: str, items: list[Item], i: int, end: int, cfg: Config, kind: str, breaks: set[int]
) -> tuple[int, str]:
    """Where a leaf item's own text ends, and the kind of what follows up to ``end``."""
    it = items[i]
    nl = text.find("\n", it.marker_end, end)
    first_end = end if nl == -1 else nl + 1
    paras = _paragraphs(text, first_end, end) if first_end < end else []
    if not paras:
        return end, ""
    last = i == len(items) - 1
    if kind == "regulation" and it.style.name in cfg.contract.article_styles:
        for s, line in paras if last else ():
            if any(cue.search(line) for cue in cfg.closing_cues):
                return s, "closing"
        return end, ""
    if last:
        # a bare title line keeps at least its first paragraph as its body; a stop line (a
        # glossary: 附：名词解释, an 附件 list) ends it as it ends the numbering
        title_only = not any(p in text[it.marker_end : first_end] for p in "。！？!?")
        stop = tree.stop_line(text, it.marker_end, cfg)
        for s, line in paras[1:] if title_only else paras:
            if any(cue.search(line) for cue in cfg.closing_cues) or s in breaks or s == stop:
                return s, "closing"
        return (end, "") if title_only else (paras[0][0], "closing")
    sib = it.prev_sibling
    if (
        sib is not None
        and not tree.starts_line(text, it.start)
        and "\n" not in text[items[sib].start : it.start]
    ):  # a run inside one paragraph: what follows is not part of its last item
        return paras[0][0], "text"
    for s, line in paras:
        if line.endswith(("：", ":")) or s in breaks:
            return s, "text"
    return end, ""


def typed_frame(
    rows: list[dict], columns: list[str], ints: tuple[str, ...], bools: tuple[str, ...]
) -> pd.DataFrame:
    """A DataFrame with the given columns and dtypes, also when there are no rows."""
    frame = frames.frame({c: [r[c] for r in rows] for c in columns}, columns)
    if not rows:
        dtypes = {c: "int64" for c in ints} | {c: "bool" for c in bools}
        frame = frame.astype({c: dtypes.get(c, "str") for c in columns})
    return frame


def document_tree(text: str, kind: str, cfg: Config) -> tuple[list[Item], list[int]]:
    """The accepted items of a text of ``kind`` and the unnumbered part headings."""
    cands = tree.structural(text, tree.find_candidates(text, cfg), kind, cfg)
    breaks = tree.part_breaks(text, cands, cfg) if kind in ("report", "speech") else []
    return tree.build_tree(text, cands, breaks), breaks


def _spans(
    text: str, items: list[Item], breaks: list[int], kind: str, cfg: Config
) -> list[tuple[int, int, str, int | None]]:
    """(start, end, kind, item index) of every segment, in text order."""
    spans: list[tuple[int, int, str, int | None]] = []
    first = items[0].start if items else len(text)
    if first > 0:
        spans.append((0, first, "preamble", None))
    brk = set(breaks)
    for i, it in enumerate(items):
        end = items[i + 1].start if i + 1 < len(items) else len(text)
        if it.children:
            spans.append((it.start, end, "heading", i))
            continue
        cut, span_kind = _split_leaf(text, items, i, end, cfg, kind, brk)
        spans.append((it.start, cut, "item", i))
        if cut < end:
            spans.append((cut, end, span_kind, None))
    sig = _find_signature(text, items[-1].marker_end if items else -1, cfg)
    if sig is not None:
        k = next(k for k, (a, b, _, _) in enumerate(spans) if a <= sig < b)
        a, _, span_kind, idx = spans[k]
        spans[k:] = [(a, sig, span_kind, idx)] if a < sig else []
        spans.append((sig, len(text), "signature", None))
    return spans


def segment_text(
    text: str, doc_id: str = "", config: Config | None = None, kind: str | None = None
) -> pd.DataFrame:
    """The ``segments`` table of one clean text: contiguous spans, ``"".join(text) == text``.

    ``kind`` (plan | regulation | report | speech) is recognised from the text when not given."""
    cfg = config or load_config()
    kind = kind or recognise(text, None, cfg).kind
    items, breaks = document_tree(text, kind, cfg)
    spans = _spans(text, items, breaks, kind, cfg)
    ends = [it.start for it in items[1:]] + [len(text)] if items else []
    headings = [
        item_heading(text[it.marker_end : e], cfg) for it, e in zip(items, ends, strict=True)
    ]
    measures = contract.measure_flags(items, headings, text, kind, cfg)
    rows = []
    for seq, (a, b, span_kind, idx) in enumerate(spans):
        it = items[idx] if idx is not None else None
        rows.append({
            "doc_id": doc_id, "seg_id": f"{doc_id}#{seq}", "seq": seq, "kind": span_kind,
            "level": it.level if it else 0, "marker_type": it.style.name if it else "",
            "path": it.path if it else "", "number": it.number if it else "",
            "heading": headings[idx] if it else "",
            "char_start": a, "char_end": b, "text": text[a:b],
            "is_measure": bool(idx is not None and measures[idx]),
        })  # fmt: skip
    return typed_frame(rows, SEGMENT_COLUMNS, _SEGMENT_INTS, ("is_measure",))
