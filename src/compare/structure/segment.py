"""Segment a clean text into its numbering tree: the ``segments`` and ``measures`` tables.

``segment_text(text, doc_id)`` cuts one document into contiguous spans whose texts concatenate
to the input exactly (``preamble``, ``heading``, ``item``, ``text``, ``closing``,
``signature``). ``extract_measures(segments, text)`` keeps the items that are measures and reads
their unit notes with ``parse_units``. The vocabulary lives in ``data/segmentation.yml``.

How markers become a tree:
- candidates: every match of a numbering style at a boundary. ``line`` styles (一、 （一） 1.
  （1） ① 第一章 第一条) sit at a line start, or after a sentence end or spaces in a flattened
  text; ``inline`` styles (一是 一要 第一，) also after 。：；！？ and ，.
- a candidate is accepted if it continues its sequence (the open item of its style, or of its
  family for 一要/二是 mixes, has number n-1; a line style may also run on across parents, as in
  曹县 where 8. follows 7. under the next （二）) or starts a new one at 1 (an inline style only
  when the next candidate of its family is 2).
- styles nest in the order they first appear in the document; a new item closes every open
  item of its level or deeper and becomes a child of the nearest shallower one.

Spans: a heading (item with children) runs to its first child. A leaf runs to the next item,
except that paragraphs after it are ``text`` from one ending with ： (it introduces what
follows), or when it closes a run written inside one paragraph; after the last item they are
``closing`` (from the first closing cue; a bare title line keeps its body). A trailing
issuer + date is the ``signature``.

Measures: leaves; in a deeper tree not the top-level leaves, and never items under a heading
that starts with a framing term. In a flat document every item is a measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from compare.config import DataFiles, parse_yaml
from compare.errors import CompareError
from compare.text import numerals

SEGMENT_COLUMNS = [
    "doc_id", "seg_id", "seq", "kind", "level", "marker_type", "path", "number", "heading",
    "char_start", "char_end", "text", "is_measure",
]  # fmt: skip

_SEGMENT_INTS = ("seq", "level", "char_start", "char_end")
HSPACE = " \t\u3000\xa0\r\ufeff"
_SENT_END = "。：；！？:;!?"
_INLINE_AFTER = _SENT_END + "，,"
_PATH_STRIP = "、.．，, " + HSPACE
_BRACKETS = str.maketrans({"(": "（", ")": "）"})
_TRIM_HEADING = "。：:；;，,、 " + HSPACE


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Style:
    """One numbering style: a marker regex with a number group ``n``."""

    name: str
    regex: re.Pattern[str]
    inline: bool
    family: str


@dataclass(frozen=True)
class Config:
    """Everything ``data/segmentation.yml`` defines."""

    styles: tuple[Style, ...]
    framing: tuple[str, ...]
    heading_max: int
    lead_labels: tuple[str, ...]
    resp_labels: tuple[str, ...]
    other_labels: tuple[str, ...]
    unit_suffix: re.Pattern[str]
    signature: re.Pattern[str]
    closing_cues: tuple[re.Pattern[str], ...]
    stop: re.Pattern[str] | None
    toc_line: re.Pattern[str] | None


def _compile(pattern: str, path: Path, what: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as err:
        raise CompareError(f"bad regex for {what}: {err}", path) from err


def _mapping(raw: dict, key: str, path: Path) -> dict:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise CompareError(f"`{key}` must be a mapping", path)
    return value


def parse_config(raw: dict, path: Path) -> Config:
    """Validate the parsed YAML of ``segmentation.yml`` into a :class:`Config`."""
    if not isinstance(raw, dict) or not isinstance(raw.get("styles"), list):
        raise CompareError("expected a mapping with a list `styles`", path)
    styles = []
    for spec in raw["styles"]:
        if not isinstance(spec, dict) or not {"name", "pattern"} <= set(spec):
            raise CompareError(f"each style needs `name` and `pattern`: {spec!r}", path)
        regex = _compile(spec["pattern"], path, f"style {spec['name']}")
        if "n" not in regex.groupindex:
            raise CompareError(f"style {spec['name']}: pattern lacks the group (?P<n>...)", path)
        position = spec.get("position", "line")
        if position not in ("line", "inline"):
            raise CompareError(f"style {spec['name']}: position must be line or inline", path)
        name = str(spec["name"])
        styles.append(Style(name, regex, position == "inline", str(spec.get("family", name))))
    units, sig = _mapping(raw, "units", path), _mapping(raw, "signature", path)
    try:
        heading_max = int(raw.get("heading_max_chars", 40))
    except (TypeError, ValueError) as err:
        raise CompareError("heading_max_chars must be a number", path) from err
    issuer = rf"[^\s。，；：！？、,;:!?]{{1,30}}?{sig.get('issuer_suffix', '(?:政府|委)')}"
    date = sig.get("date", r"\d{4}年\d{1,2}月\d{1,2}日")
    signature = _compile(
        rf"(?:^|(?<=[\n。！？!?]))[ \t\u3000]*(?P<sig>(?:{issuer}[ \t\u3000\n]+)*{date})"
        r"[\s|｜]*(?:[（(][^）)\n]{1,20}[）)][\s|｜]*)?\Z",  # e.g. （此件公开发布）
        path,
        "signature",
    )
    stops = [str(c) for c in raw.get("stop_lines") or ()]
    stop = _compile("|".join(f"(?:{c})" for c in stops), path, "stop_lines") if stops else None
    return Config(
        styles=tuple(styles),
        framing=tuple(str(t) for t in raw.get("framing") or ()),
        heading_max=heading_max,
        lead_labels=tuple(units.get("lead") or ("牵头部门", "牵头单位")),
        resp_labels=tuple(units.get("responsible") or ("责任部门", "责任单位")),
        other_labels=tuple(units.get("other") or ()),
        unit_suffix=_compile(units.get("strip_suffix", "等$"), path, "units.strip_suffix"),
        signature=signature,
        closing_cues=tuple(
            _compile(c, path, "closing_cues") for c in raw.get("closing_cues") or ()
        ),
        stop=stop,
        toc_line=_compile(raw["toc_line"], path, "toc_line") if raw.get("toc_line") else None,
    )


def _parse_file(path: Path) -> Config:
    return parse_config(parse_yaml(path, "segmentation vocabulary"), path)


def load_config(path: str | Path | None = None, data: DataFiles | None = None) -> Config:
    """``data/segmentation.yml`` (or the file ``path``) as a :class:`Config`; read again when
    the file changes."""
    return DataFiles.resolve(data).load(Path(path) if path else "segmentation.yml", _parse_file)


# --------------------------------------------------------------------------- markers


@dataclass(frozen=True)
class _Cand:
    start: int
    end: int
    style: Style
    n: int


def _boundary(text: str, start: int, inline: bool) -> tuple[bool, bool]:
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


def _find_candidates(text: str, cfg: Config) -> list[_Cand]:
    """Every marker that sits at an admissible boundary, in text order, without overlaps."""
    found: list[_Cand] = []
    for style in cfg.styles:
        for m in style.regex.finditer(text):
            if m.end() == m.start():
                continue
            if not _boundary(text, m.start(), style.inline)[0] or _in_toc(text, m.end(), cfg):
                continue
            try:
                n = numerals.parse_int(m.group("n"))
            except ValueError:
                continue
            if n > 0:
                found.append(_Cand(m.start(), m.end(), style, n))
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[_Cand] = []
    for c in found:
        if not kept or c.start >= kept[-1].end:
            kept.append(c)
    stop = _stop_line(text, kept[0].start, cfg) if kept else None
    return kept if stop is None else [c for c in kept if c.start < stop]


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


def _in_toc(text: str, pos: int, cfg: Config) -> bool:
    """Whether the line holding ``pos`` is a table-of-contents entry (ends in a page number)."""
    if cfg.toc_line is None:
        return False
    end = text.find("\n", pos, pos + 81)
    if end == -1:
        if len(text) > pos + 80:
            return False
        end = len(text)
    return cfg.toc_line.search(text[pos:end]) is not None


def _stop_line(text: str, after: int, cfg: Config) -> int | None:
    """Start of the first stop line (附件 list, 抄送 …) after offset ``after``."""
    if cfg.stop is None:
        return None
    for m in re.finditer(r"^[ \t\u3000]*(.*)$", text[after:], flags=re.M):
        line_start = after + m.start(1)
        if line_start > after and cfg.stop.match(m.group(1)):
            return line_start
    return None


# --------------------------------------------------------------------------- tree


@dataclass
class _Item:
    start: int
    marker_end: int
    style: Style
    n: int
    rank: int
    parent: int | None
    prev_sibling: int | None
    number: str = ""
    path: str = ""
    level: int = 1
    children: list[int] = field(default_factory=list)


def _runs_ok(cands: list[_Cand]) -> list[bool]:
    """For each candidate: is the next candidate of its family number 2? (runs of 一是 二是)."""
    ok = [False] * len(cands)
    nxt: dict[str, int] = {}
    for i in range(len(cands) - 1, -1, -1):
        fam = cands[i].style.family
        ok[i] = fam in nxt and cands[nxt[fam]].n == 2
        nxt[fam] = i
    return ok


def _sibling(items: list[_Item], stack: list[int], c: _Cand) -> int | None:
    """The open item that ``c`` continues: the nearest of its style, else of its family."""
    same = [k for k in stack if items[k].style.name == c.style.name]
    if same:
        return same[-1] if items[same[-1]].n == c.n - 1 else None
    for k in reversed(stack):
        if items[k].style.family == c.style.family and items[k].n == c.n - 1:
            return k
    return None


def _build_tree(text: str, cands: list[_Cand]) -> list[_Item]:
    """Accept the candidates that continue or start a sequence; link each to its parent."""
    items: list[_Item] = []
    stack: list[int] = []
    rank: dict[str, int] = {}
    last: dict[str, int] = {}
    run_ok = _runs_ok(cands)
    roots: list[int] = []
    for ci, c in enumerate(cands):
        sib = _sibling(items, stack, c)
        if sib is not None:
            parent = items[sib].parent
            del stack[stack.index(sib) :]
            rank.setdefault(c.style.name, items[sib].rank)
        elif (c.n == 1 and (not c.style.inline or run_ok[ci])) or (
            not c.style.inline and c.n > 1 and last.get(c.style.name) == c.n - 1
        ):
            r = rank.setdefault(c.style.name, len(rank) + 1)
            while stack and items[stack[-1]].rank >= r:
                stack.pop()
            parent = stack[-1] if stack else None
        else:
            continue
        siblings = items[parent].children if parent is not None else roots
        item = _Item(
            start=c.start, marker_end=c.end, style=c.style, n=c.n, rank=rank[c.style.name],
            parent=parent, prev_sibling=siblings[-1] if siblings else None,
            number=text[c.start : c.end].rstrip(HSPACE),
        )  # fmt: skip
        idx = len(items)
        items.append(item)
        siblings.append(idx)
        stack.append(idx)
        last[c.style.name] = c.n
    _assign_paths(items)
    return items


def _path_part(number: str) -> str:
    return number.translate(_BRACKETS).rstrip(_PATH_STRIP).strip(HSPACE)


def _assign_paths(items: list[_Item]) -> None:
    seen: dict[str, int] = {}
    for it in items:
        own = _path_part(it.number)
        if it.parent is None:
            path, it.level = own, 1
        else:
            path, it.level = f"{items[it.parent].path}/{own}", items[it.parent].level + 1
        seen[path] = seen.get(path, 0) + 1
        it.path = path if seen[path] == 1 else f"{path}~{seen[path]}"


# --------------------------------------------------------------------------- headings


def item_heading(body: str, cfg: Config | None = None) -> str:
    """Short title of an item from the text after its marker (see module doc)."""
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


def _is_framing(heading: str, cfg: Config) -> bool:
    return any(heading.startswith(term) for term in cfg.framing)


# --------------------------------------------------------------------------- segments


def _find_signature(text: str, after: int, cfg: Config) -> int | None:
    """Start of a trailing issuer + date signature lying after offset ``after`` (or -1)."""
    m = cfg.signature.search(text, max(after, 0, len(text) - 300))
    if m is None or m.start("sig") <= after:
        return None
    return m.start("sig")


def _line_starts(text: str, a: int, b: int) -> list[int]:
    """Starts of the lines that begin inside ``[a, b)`` (``a`` is assumed a line start)."""
    starts = [a]
    i = text.find("\n", a, b)
    while i != -1 and i + 1 < b:
        starts.append(i + 1)
        i = text.find("\n", i + 1, b)
    return starts


def _paragraphs(text: str, a: int, b: int) -> list[tuple[int, str]]:
    """Non-blank lines starting inside ``[a, b)``: (start, stripped content)."""
    out = []
    for s in _line_starts(text, a, b):
        e = text.find("\n", s, b)
        line = text[s : b if e == -1 else e].strip(HSPACE + "\r")
        if line:
            out.append((s, line))
    return out


def _split_leaf(text: str, items: list[_Item], i: int, end: int, cfg: Config) -> tuple[int, str]:
    """Where a leaf item's own text ends, and the kind of what follows up to ``end``."""
    it = items[i]
    nl = text.find("\n", it.marker_end, end)
    first_end = end if nl == -1 else nl + 1
    paras = _paragraphs(text, first_end, end) if first_end < end else []
    if not paras:
        return end, ""
    if i == len(items) - 1:
        # a bare title line keeps at least its first paragraph as its body
        title_only = not any(p in text[it.marker_end : first_end] for p in "。！？!?")
        for s, line in paras[1:] if title_only else paras:
            if any(cue.search(line) for cue in cfg.closing_cues):
                return s, "closing"
        return (end, "") if title_only else (paras[0][0], "closing")
    sib = it.prev_sibling
    if (
        sib is not None
        and not _starts_line(text, it.start)
        and "\n" not in text[items[sib].start : it.start]
    ):  # a run inside one paragraph: what follows is not part of its last item
        return paras[0][0], "text"
    for s, line in paras:
        if line.endswith(("：", ":")):
            return s, "text"
    return end, ""


def _starts_line(text: str, start: int) -> bool:
    return _boundary(text, start, inline=True)[1]


def typed_frame(
    rows: list[dict], columns: list[str], ints: tuple[str, ...], bools: tuple[str, ...]
) -> pd.DataFrame:
    """A DataFrame with the given columns and dtypes, also when there are no rows."""
    data = {c: [r[c] for r in rows] for c in columns}
    frame = pd.DataFrame(data, columns=columns)
    if not rows:
        dtypes = {c: "int64" for c in ints} | {c: "bool" for c in bools}
        frame = frame.astype({c: dtypes.get(c, "str") for c in columns})
    return frame


def segment_text(text: str, doc_id: str = "", config: Config | None = None) -> pd.DataFrame:
    """The ``segments`` table of one clean text: contiguous spans, ``"".join(text) == text``."""
    cfg = config or load_config()
    items = _build_tree(text, _find_candidates(text, cfg))
    spans: list[tuple[int, int, str, int | None]] = []  # start, end, kind, item index
    first = items[0].start if items else len(text)
    if first > 0:
        spans.append((0, first, "preamble", None))
    for i, it in enumerate(items):
        end = items[i + 1].start if i + 1 < len(items) else len(text)
        if it.children:
            spans.append((it.start, end, "heading", i))
            continue
        cut, kind = _split_leaf(text, items, i, end, cfg)
        spans.append((it.start, cut, "item", i))
        if cut < end:
            spans.append((cut, end, kind, None))
    sig = _find_signature(text, items[-1].marker_end if items else -1, cfg)
    if sig is not None:
        k = next(k for k, (a, b, _, _) in enumerate(spans) if a <= sig < b)
        a, _, kind, idx = spans[k]
        spans[k:] = [(a, sig, kind, idx)] if a < sig else []
        spans.append((sig, len(text), "signature", None))
    headings = _headings(items, text, cfg)
    measures = _measure_flags(items, headings, cfg)
    rows = []
    for seq, (a, b, kind, idx) in enumerate(spans):
        it = items[idx] if idx is not None else None
        rows.append({
            "doc_id": doc_id, "seg_id": f"{doc_id}#{seq}", "seq": seq, "kind": kind,
            "level": it.level if it else 0, "marker_type": it.style.name if it else "",
            "path": it.path if it else "", "number": it.number if it else "",
            "heading": headings[idx] if it else "",
            "char_start": a, "char_end": b, "text": text[a:b],
            "is_measure": bool(idx is not None and measures[idx]),
        })  # fmt: skip
    return typed_frame(rows, SEGMENT_COLUMNS, _SEGMENT_INTS, ("is_measure",))


def _headings(items: list[_Item], text: str, cfg: Config) -> list[str]:
    """Each item's short title, read from its text up to the next item."""
    if not items:
        return []
    ends = [it.start for it in items[1:]] + [len(text)]
    return [item_heading(text[it.marker_end : e], cfg) for it, e in zip(items, ends, strict=True)]


def _measure_flags(items: list[_Item], headings: list[str], cfg: Config) -> list[bool]:
    """The measure rule: leaves, except top-level leaves of a deep tree and framed items."""
    if not items:
        return []
    flat = max(it.level for it in items) == 1
    flags = []
    for it in items:
        if it.children:
            flags.append(False)
            continue
        if flat:
            flags.append(True)
            continue
        framed, p = False, it.parent
        while p is not None:
            framed = framed or _is_framing(headings[p], cfg)
            p = items[p].parent
        flags.append(it.level > 1 and not framed)
    return flags


# --------------------------------------------------------------------------- measures
