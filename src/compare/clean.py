"""Clean decoded text: a list of named steps -> :class:`CleanResult` (clean text + log).

Each step is a pure function ``step(text) -> list[Edit]`` proposing non-overlapping edits on
its input (``remove``/``replace``; a ``flag`` marks text and changes nothing). :func:`clean_text`
applies the steps in order and keeps an alignment between the current text and the input, so
every log row knows where its replacement sits in the clean text (``char_*``) and which input
text it replaced (``source_*``). :func:`restore_source` rebuilds the input from the clean text
and the log: the proof that nothing is lost.

Patterns and vocabularies a researcher may edit live in ``data/cleaning.yml``.
"""

from __future__ import annotations

import bisect
import difflib
import html
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import yaml

from compare.errors import CompareError
from compare.paths import data_file

ACTIONS = ("remove", "replace", "flag")
LOG_COLUMNS = [
    "char_start",
    "char_end",
    "source_start",
    "source_end",
    "original",
    "replacement",
    "action",
    "reason",
]

#: Hanzi (CJK unified ideographs, extension A, compatibility ideographs).
HANZI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Characters that make a neighbouring ASCII punctuation mark "Chinese context".
CJK_CONTEXT = HANZI + "\u3000-\u303f\uff00-\uffef“”‘’○〇…"
_CN_NUMERALS = "〇○零一二三四五六七八九十百千万两"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_SPACE = " \t\u3000\xa0\u2002-\u200a\u200b-\u200d\u2060\ufeff"


class Edit(NamedTuple):
    """Replace ``text[start:end]`` by ``replacement``; ``action`` in remove/replace/flag.

    A ``flag`` marks text (``replacement`` equals it) and changes nothing. Immutable.
    """

    start: int
    end: int
    replacement: str
    action: str
    reason: str


@dataclass(frozen=True)
class CleanResult:
    """Clean text and its log (columns :data:`LOG_COLUMNS`, one row per change or flag)."""

    text: str
    log: pd.DataFrame


Step = Callable[[str], list[Edit]]


# --------------------------------------------------------------------------- configuration


def _key() -> tuple[str, int]:
    """Cache key of the current cleaning.yml: its path and modification time, so an edited
    file is read again (e.g. in a notebook)."""
    path = data_file("cleaning.yml")
    try:
        return str(path), path.stat().st_mtime_ns
    except OSError:
        return str(path), -1


@lru_cache(maxsize=8)
def _load_config(key: tuple[str, int]) -> dict[str, Any]:
    """Parse a cleaning.yml (cached per path and modification time)."""
    path = key[0]
    try:
        with open(path, encoding="utf-8") as handle:
            config = yaml.safe_load(handle)
    except FileNotFoundError as err:
        raise CompareError("cleaning configuration not found", path) from err
    except yaml.YAMLError as err:
        raise CompareError(f"invalid YAML ({err.__class__.__name__})", path) from err
    if not isinstance(config, dict):
        raise CompareError("expected a mapping at the top level", path)
    return config


def config() -> dict[str, Any]:
    """The cleaning configuration from ``data/cleaning.yml``."""
    return _load_config(_key())


def _compile(pattern: str, where: str, flags: int = re.MULTILINE) -> re.Pattern[str]:
    """Compile a configured regex; a bad one names the config entry."""
    try:
        return re.compile(pattern, flags)
    except re.error as err:
        raise CompareError(f"invalid regex in {where} ({err})", data_file("cleaning.yml")) from err


@dataclass(frozen=True)
class _JunkRule:
    """One ``web_junk`` entry of cleaning.yml."""

    name: str
    scope: str
    reason: str
    regex: re.Pattern[str]
    max_line: int | None = None
    requires: tuple[str, ...] = ()
    unless: re.Pattern[str] | None = None

    def accepts(self, line: str) -> bool:
        """The guards hold for the line around a match."""
        return (
            (self.max_line is None or len(line.strip()) <= self.max_line)
            and (not self.requires or any(word in line for word in self.requires))
            and (self.unless is None or self.unless.search(line) is None)
        )


@lru_cache(maxsize=8)
def _junk_rules(key: tuple[str, int]) -> tuple[_JunkRule, ...]:
    """Web-junk rules from the config."""
    entries = _load_config(key).get("web_junk") or []
    if not isinstance(entries, list):
        raise CompareError("web_junk must be a list of rules", key[0])
    rules = []
    for entry in entries:
        name = entry.get("name", "?") if isinstance(entry, dict) else "?"
        if not isinstance(entry, dict) or not isinstance(entry.get("pattern"), str):
            raise CompareError(f"web_junk {name}: needs a pattern", key[0])
        scope = entry.get("scope", "line")
        if scope not in ("line", "match"):
            raise CompareError(f"web_junk {name}: scope must be line or match", key[0])
        regex = _compile(entry["pattern"], f"web_junk {name}")
        unless = entry.get("unless")
        rules.append(
            _JunkRule(
                name,
                scope,
                entry.get("reason", name),
                regex,
                entry.get("max_line"),
                tuple(entry.get("requires") or ()),
                _compile(unless, f"web_junk {name}.unless") if unless else None,
            )
        )
    return tuple(rules)


# --------------------------------------------------------------------------- the engine


@dataclass
class _Rows:
    """The changes so far: ``cur[cs:ce]`` replaced ``source[ss:se]``; disjoint, in order.

    Between rows the current text equals the source, shifted by the previous row's
    ``se - ce``. This is the offset map kept through the steps.
    """

    cs: np.ndarray
    ce: np.ndarray
    ss: np.ndarray
    se: np.ndarray
    reasons: list[str]
    merged: np.ndarray  # rows that merged several changes (may have become no-ops)

    @classmethod
    def build(
        cls, cs: Any, ce: Any, ss: Any, se: Any, reasons: list[str], merged: Any = None
    ) -> _Rows:
        """Rows from sequences of offsets."""
        arrays = [np.asarray(x, dtype=np.int64).reshape(-1) for x in (cs, ce, ss, se)]
        flags = np.zeros(len(reasons), dtype=bool) if merged is None else np.asarray(merged)
        return cls(*arrays, reasons, flags.astype(bool).reshape(-1))

    def __len__(self) -> int:
        return len(self.reasons)

    def take(self, order: np.ndarray) -> _Rows:
        """Rows reordered by ``order``."""
        picked = [self.reasons[i] for i in order.tolist()]
        return _Rows(
            self.cs[order], self.ce[order], self.ss[order], self.se[order], picked,
            self.merged[order],
        )  # fmt: skip


def clean_text(text: str, steps: Sequence[Step] | None = None) -> CleanResult:
    """Apply ``steps`` (default :data:`DEFAULT_STEPS`) in order; return text and log."""
    rows = _Rows.build([], [], [], [], [])
    flags: list[tuple[int, int, str]] = []  # (start, end, reason) in current coordinates
    current = text
    for step in DEFAULT_STEPS if steps is None else steps:
        current, rows, flags = _apply(current, rows, flags, step(current))
    return CleanResult(current, _log(text, current, rows, flags))


def restore_source(clean: str, log: pd.DataFrame) -> str:
    """Rebuild the input of :func:`clean_text` from its clean text and log (flags ignored)."""
    changes = log[log["action"] != "flag"]
    order = changes.sort_values(["source_start", "source_end", "char_start"], kind="stable")
    pieces: list[str] = []
    pos = 0
    for start, end, original in zip(
        order["char_start"].tolist(), order["char_end"].tolist(), order["original"], strict=True
    ):
        pieces += [clean[pos:start], original]
        pos = end
    pieces.append(clean[pos:])
    return "".join(pieces)


def _apply(
    text: str, rows: _Rows, flags: list[tuple[int, int, str]], edits: list[Edit]
) -> tuple[str, _Rows, list[tuple[int, int, str]]]:
    """Apply one step's edits: new text, rows with the changes folded in, flags moved."""
    _check_edits(text, edits)
    changes = sorted(
        (e for e in edits if e.action != "flag" and text[e.start : e.end] != e.replacement),
        key=lambda e: (e.start, e.end),
    )
    _check_overlaps(changes)
    flags = flags + [(e.start, e.end, e.reason) for e in edits if e.action == "flag"]
    if not changes:
        return text, rows, flags
    pieces, pos = [], 0
    for edit in changes:
        pieces += [text[pos : edit.start], edit.replacement]
        pos = edit.end
    pieces.append(text[pos:])
    move = _mover(changes)
    flags = [(move(s, True), move(e, False), r) for s, e, r in flags]
    return "".join(pieces), _fold(rows, _split_at_rows(text, rows, changes)), flags


def _check_edits(text: str, edits: list[Edit]) -> None:
    """Edits must lie inside the text and use a known action; a flag must not change text."""
    for edit in edits:
        if edit.action not in ACTIONS or not 0 <= edit.start <= edit.end <= len(text):
            raise ValueError(f"bad edit {edit!r} on text of length {len(text)}")
        if edit.action == "flag" and edit.replacement != text[edit.start : edit.end]:
            raise ValueError(f"a flag must keep the text: {edit!r}")


def _check_overlaps(changes: list[Edit]) -> None:
    """A step's changes must not overlap (two insertions at one point are ambiguous)."""
    starts = np.array([e.start for e in changes], dtype=np.int64)
    ends = np.array([e.end for e in changes], dtype=np.int64)
    bad = (starts[1:] < ends[:-1]) | ((starts[1:] == ends[:-1]) & (starts[1:] == ends[1:])
                                      & (starts[:-1] == ends[:-1]))  # fmt: skip
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(f"overlapping edits {changes[k]!r} and {changes[k + 1]!r}")


def _fold(rows: _Rows, changes: list[Edit]) -> _Rows:
    """Fold a step's changes (in its input coordinates) into the rows, vectorised.

    A change overlapping earlier rows forms a cluster with them: one row whose source span
    covers them all. Other rows shift by the length change of the changes before them; a
    plain change maps to the source through the offset of the row before it.
    """
    starts = np.array([e.start for e in changes], dtype=np.int64)
    ends = np.array([e.end for e in changes], dtype=np.int64)
    deltas = np.array([len(e.replacement) for e in changes], dtype=np.int64) - (ends - starts)
    shift_after = np.concatenate(([0], np.cumsum(deltas)))
    cs, ce, offsets = rows.cs, rows.ce, rows.se - rows.ce
    first = np.searchsorted(ce, starts, "right")  # first row ending after the start
    last = np.searchsorted(cs, ends, "left")  # rows starting before the end
    clusters = _clusters(first, last)
    plain = np.ones(len(changes), dtype=bool)
    kept = np.ones(len(rows), dtype=bool)
    extra: list[tuple[int, int, int, int, str]] = []
    for j0, j1, r0, r1 in clusters:
        plain[j0 : j1 + 1] = False
        kept[r0:r1] = False
        s0, e1 = int(starts[j0]), int(ends[j1])
        lo, hi = min(s0, int(cs[r0])), max(e1, int(ce[r1 - 1]))
        ss = int(rows.ss[r0]) if cs[r0] <= s0 else s0 + (int(offsets[r0 - 1]) if r0 else 0)
        se = int(rows.se[r1 - 1]) if ce[r1 - 1] >= e1 else e1 + int(offsets[r1 - 1])
        delta = int(deltas[j0 : j1 + 1].sum())
        new_reasons = [changes[j].reason for j in range(j0, j1 + 1)]
        removed = hi - lo + delta == 0  # a removal is explained by the removal alone
        reason = _join(new_reasons if removed else [*rows.reasons[r0:r1], *new_reasons])
        start = lo + int(shift_after[j0])
        extra.append((start, start + hi - lo + delta, ss, se, reason))
    n_before = np.where(  # changes before a row (a zero-width one at its start counts)
        ce > cs, np.searchsorted(starts, cs, "right"), np.searchsorted(starts, cs, "left")
    )
    row_shift = shift_after[n_before][kept]
    idx_s = first - 1  # last row ending at/before the start
    idx_e = last - 1  # last row starting before the end
    off_s = np.where(idx_s >= 0, offsets[np.maximum(idx_s, 0)] if len(rows) else 0, 0)
    off_e = np.where(idx_e >= 0, offsets[np.maximum(idx_e, 0)] if len(rows) else 0, 0)
    new_starts = (starts + shift_after[:-1])[plain]
    lengths = (ends - starts + deltas)[plain]
    src_s = (starts + off_s)[plain]
    src_e = np.where(ends > starts, ends + off_e, starts + off_s)[plain]
    kept_idx = np.flatnonzero(kept).tolist()
    merged = _Rows.build(
        np.concatenate((cs[kept] + row_shift, new_starts, [x[0] for x in extra])),
        np.concatenate((ce[kept] + row_shift, new_starts + lengths, [x[1] for x in extra])),
        np.concatenate((rows.ss[kept], src_s, [x[2] for x in extra])),
        np.concatenate((rows.se[kept], src_e, [x[3] for x in extra])),
        [rows.reasons[k] for k in kept_idx]
        + [e.reason for e, p in zip(changes, plain.tolist(), strict=True) if p]
        + [x[4] for x in extra],
        np.concatenate((rows.merged[kept], np.zeros(int(plain.sum()), bool), [True] * len(extra))),
    )
    return merged.take(np.lexsort((merged.ce, merged.cs, merged.se, merged.ss)))


def _clusters(first: np.ndarray, last: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Groups of consecutive changes sharing rows: ``(j0, j1, r0, r1)`` = changes
    ``j0..j1`` (inclusive) overlap rows ``r0..r1-1``."""
    out: list[list[int]] = []
    for j in np.flatnonzero(last > first).tolist():
        r0, r1 = int(first[j]), int(last[j])
        if out and r0 < out[-1][3]:
            out[-1][1] = j
            out[-1][3] = max(out[-1][3], r1)
        else:
            out.append([j, j, r0, r1])
    return [(a, b, c, d) for a, b, c, d in out]


def _split_at_rows(text: str, rows: _Rows, changes: list[Edit]) -> list[Edit]:
    """Split changes at zero-width rows (earlier removals) strictly inside them, so those
    stay separate log rows and the fold stays vectorised. A same-length replacement (a t2s
    run) is split character-wise; otherwise the first piece carries the replacement and the
    other pieces are removals."""
    points = rows.cs[rows.cs == rows.ce].tolist()
    if not points:
        return changes
    out: list[Edit] = []
    for edit in changes:
        if edit.end - edit.start < 2:
            out.append(edit)
            continue
        lo = bisect.bisect_right(points, edit.start)
        hi = bisect.bisect_left(points, edit.end)
        if hi <= lo:
            out.append(edit)
            continue
        cuts = [edit.start, *dict.fromkeys(points[lo:hi]), edit.end]
        same_length = len(edit.replacement) == edit.end - edit.start
        for a, b in itertools.pairwise(cuts):
            if same_length:
                part = edit.replacement[a - edit.start : b - edit.start]
            else:
                part = edit.replacement if a == edit.start else ""
            if part != text[a:b]:
                out.append(Edit(a, b, part, edit.action, edit.reason))
    return out


def _join(reasons: list[str]) -> str:
    """Unique reasons in order, joined by ``; ``."""
    if len(reasons) == 1:
        return reasons[0]
    return "; ".join(dict.fromkeys(r for part in reasons for r in part.split("; ")))


def _mover(changes: list[Edit]) -> Callable[[int, bool], int]:
    """Map a position in a step's input to its output (start side or end side)."""
    starts = [e.start for e in changes]
    ends = [e.end for e in changes]
    after = list(itertools.accumulate(len(e.replacement) - (e.end - e.start) for e in changes))

    def move(pos: int, is_start: bool) -> int:
        if is_start:
            k = bisect.bisect_right(ends, pos)
            if k < len(changes) and starts[k] < pos:
                return starts[k] + (after[k - 1] if k else 0)
            return pos + (after[k - 1] if k else 0)
        k = bisect.bisect_left(starts, pos)
        if k and ends[k - 1] > pos:
            return ends[k - 1] + after[k - 1]
        return pos + (after[k - 1] if k else 0)

    return move


def _log(source: str, clean: str, rows: _Rows, flags: list[tuple[int, int, str]]) -> pd.DataFrame:
    """The log DataFrame: changes and flags, in clean-text order."""
    rows = _drop_noops(source, clean, rows)
    cs, ce, ss, se = (a.tolist() for a in (rows.cs, rows.ce, rows.ss, rows.se))
    replacement = [clean[a:b] for a, b in zip(cs, ce, strict=True)]
    columns: dict[str, list[Any]] = {
        "char_start": cs,
        "char_end": ce,
        "source_start": ss,
        "source_end": se,
        "original": [source[a:b] for a, b in zip(ss, se, strict=True)],
        "replacement": replacement,
        "action": ["replace" if r else "remove" for r in replacement],
        "reason": list(rows.reasons),
    }
    for fs, fe, reason in sorted(flags):
        f_ss, f_se = _flag_source(rows, fs, fe)
        for name, value in zip(
            LOG_COLUMNS,
            (fs, fe, f_ss, f_se, clean[fs:fe], clean[fs:fe], "flag", reason),
            strict=True,
        ):
            columns[name].append(value)
    if flags and len(rows):
        is_flag = np.array([a == "flag" for a in columns["action"]])
        order = np.lexsort((is_flag, columns["source_start"], columns["char_start"])).tolist()
        columns = {name: [values[k] for k in order] for name, values in columns.items()}
    for name in LOG_COLUMNS[:4]:
        columns[name] = np.asarray(columns[name], dtype=np.int64)
    return pd.DataFrame(columns)


def _drop_noops(source: str, clean: str, rows: _Rows) -> _Rows:
    """Rows whose later changes undid them (e.g. an insertion removed again) say nothing."""
    suspects = np.flatnonzero(rows.merged & (rows.ce - rows.cs == rows.se - rows.ss)).tolist()
    noops = [
        k for k in suspects if clean[rows.cs[k] : rows.ce[k]] == source[rows.ss[k] : rows.se[k]]
    ]
    if not noops:
        return rows
    return rows.take(np.setdiff1d(np.arange(len(rows)), noops))


def _flag_source(rows: _Rows, start: int, end: int) -> tuple[int, int]:
    """Source span of a flagged clean span (widened to any change it cuts into)."""
    k = int(np.searchsorted(rows.ce, start, "right"))
    if k < len(rows) and rows.cs[k] < start:
        s_src = int(rows.ss[k])
    else:
        s_src = start + (int(rows.se[k - 1] - rows.ce[k - 1]) if k else 0)
    k = int(np.searchsorted(rows.cs, end, "left"))
    if k and rows.ce[k - 1] > end:
        e_src = int(rows.se[k - 1])
    else:
        e_src = end + (int(rows.se[k - 1] - rows.ce[k - 1]) if k else 0)
    return s_src, max(s_src, e_src)


# --------------------------------------------------------------------------- steps: HTML

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


# --------------------------------------------------------------------------- steps: web junk


def remove_web_junk(text: str) -> list[Edit]:
    """Lines/passages matching the ``web_junk`` rules of cleaning.yml (breadcrumbs, page
    metadata, buttons, prev/next links, site footers, URLs, site intros), then short lines
    inside the page's trailing junk block."""
    key = _key()
    rules = _junk_rules(key)
    anchored, combined = _junk_combined(key)
    others = [k for k in range(len(rules)) if k not in anchored]
    spans = _junk_spans(text, rules, others, 0, len(text))
    for m in combined.finditer(text) if combined is not None else ():
        k = next(int(name[2:]) for name, value in m.groupdict().items() if value is not None)
        found = _junk_spans(text, rules, [k], m.start(), m.end(), m)
        if not found:  # guards failed: let the other line rules look at this line
            line_start, line_end = _line_span(text, m.start(), m.end())
            rest = [i for i in anchored if i != k]
            found = _junk_spans(text, rules, rest, line_start, line_end)
        spans += found
    spans = _whole_lines(text, _union(spans))
    spans = _union(spans + _footer_block(text, spans, _load_config(key).get("footer_block")))
    return [Edit(s, e, "", "remove", r) for s, e, r in spans]


def _junk_spans(
    text: str,
    rules: tuple[_JunkRule, ...],
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


@lru_cache(maxsize=8)
def _junk_combined(key: tuple[str, int]) -> tuple[frozenset[int], re.Pattern[str] | None]:
    """The line-anchored rules (pattern starting with ``^``) as one ``^(?:a|b|…)`` regex, so
    the text is scanned once for all of them. Rules using backreferences, named groups or
    inline flags stay separate."""
    anchored = {
        k: rule.regex.pattern[1:]
        for k, rule in enumerate(_junk_rules(key))
        if rule.regex.pattern.startswith("^")
        and not re.search(r"\\\d|\(\?P|\(\?[aiLmsux]", rule.regex.pattern)
    }
    if not anchored:
        return frozenset(), None
    branches = "|".join(f"(?P<_r{k}>{p})" for k, p in anchored.items())
    try:
        return frozenset(anchored), re.compile(f"^(?:{branches})", re.MULTILINE)
    except re.error:
        return frozenset(), None


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
            out[-1][2] = _join([out[-1][2], reason])
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
            out.append((line_start, line_end, _join([r for _, _, r in group])))
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


# --------------------------------------------------------------------------- steps: pinyin

_PINYIN_RE = re.compile(
    rf"[(（](?<=[{HANZI}][(（])(?:[a-zü]*[{_TONED}][a-zü]*|[a-zü]{{1,6}}[1-5])[)）]"
)


def remove_inline_pinyin(text: str) -> list[Edit]:
    """Parenthesised pinyin right after a hanzi: ``設(shè)`` -> ``設``."""
    reason = config().get("pinyin", {}).get("reason", "inline pinyin annotation after a hanzi")
    return [Edit(m.start(), m.end(), "", "remove", reason) for m in _PINYIN_RE.finditer(text)]


# --------------------------------------------------------------------------- steps: simplify


@lru_cache(maxsize=4)
def _converter(name: str) -> Any:
    """An OpenCC converter (cached)."""
    import opencc

    return opencc.OpenCC(name)


def to_simplified(text: str) -> list[Edit]:
    """Traditional -> simplified with OpenCC; changed characters as runs of replacements.

    ``simplify.mode`` in cleaning.yml: ``always`` (default; t2s leaves simplified text
    unchanged), ``auto`` (only when ``min_share`` of the hanzi change) or ``never``.
    """
    settings = config().get("simplify", {})
    mode = settings.get("mode", "always")
    if mode == "never" or not text:
        return []
    converted = _converter(settings.get("config", "t2s")).convert(text)
    reason = settings.get("reason", "traditional to simplified (OpenCC t2s)")
    keep = set(settings.get("keep", "") or "")
    if len(converted) == len(text):
        runs = _diff_runs(text, converted, keep)
    else:
        runs = _diff_lines(text, converted, keep)
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


def _diff_lines(old: str, new: str, keep: set[str]) -> list[tuple[int, int, str]]:
    """Differences when conversion changed the length: line by line, difflib if needed."""
    runs: list[tuple[int, int, str]] = []
    pos = 0
    convert = _converter(config().get("simplify", {}).get("config", "t2s")).convert
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


# --------------------------------------------------------------------------- steps: repairs

_YEARS_RE = re.compile(r"[12](?<![\d０-９][12])\d{7}(?=\s*[年）)])")


def repair_year_ranges(text: str) -> list[Edit]:
    """Two run-together years before 年/）: ``20162020年`` -> ``2016-2020年``."""
    settings = config().get("year_range", {})
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


# --------------------------------------------------------------------------- steps: normalise

_FULLWIDTH_RE = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+")
_HALF = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF5B)})
_CJK_CHAR = f"[{CJK_CONTEXT}]"
_PUNCT_RE = re.compile(rf"[,:;!](?:(?<={_CJK_CHAR}.)|(?={_CJK_CHAR}))")
_PUNCT_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "(": "（", ")": "）"}
_PAREN_RE = re.compile(r"[()（）\n]")
_CJK_OR_NUMERAL = re.compile(f"[{CJK_CONTEXT}{_CN_NUMERALS}]")


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


_SPACE_RUN_RE = re.compile(f"[{_SPACE}]+")


def restore_paragraphs(text: str) -> list[Edit]:
    """In a flattened line (``paragraphs.min_line_chars`` or longer) turn a space into a line
    break before a numbering marker, after a sentence end, or before a closing signature."""
    settings = config().get("paragraphs", {})
    min_chars = int(settings.get("min_line_chars", 1000))
    regexes = _paragraph_regexes(
        settings.get("marker", ""),
        settings.get("sentence_end", "[。：；！？]"),
        settings.get("date", ""),
    )
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


@lru_cache(maxsize=8)
def _paragraph_regexes(
    marker: str, sentence_end: str, date: str
) -> tuple[re.Pattern[str] | None, ...]:
    """Compiled (marker, sentence end, signature) patterns."""
    sig_end = rf"[{_SPACE}]*\|?[{_SPACE}]*\Z"
    return (
        _compile(marker, "paragraphs.marker") if marker else None,
        _compile(f"(?:{sentence_end})\\Z", "paragraphs.sentence_end"),
        _compile(
            rf"(?:[^{_SPACE}。，,；;：:]{{2,40}}[{_SPACE}]+)?(?:{date}){sig_end}", "paragraphs.date"
        )
        if date
        else None,
    )


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


# --------------------------------------------------------------------------- steps: flags


@lru_cache(maxsize=4)
def _stock_regex(key: tuple[str, int]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """Regex of stock phrases with 1-3 consecutive inner characters missing."""
    settings = _load_config(key).get("stock_phrases", {}) or {}
    phrases = [p for p in settings.get("phrases", []) or [] if p]
    skip = set(settings.get("not_dropped", []) or [])
    variants: dict[str, str] = {}
    for phrase in phrases:
        for k in (1, 2, 3):
            for i in range(1, len(phrase) - k):
                variant = phrase[:i] + phrase[i + k :]
                if len(variant) >= 4 and variant not in skip:
                    variants.setdefault(variant, phrase)
    variants = {v: p for v, p in variants.items() if not any(v in q for q in phrases)}
    if not variants:
        return None, {}
    alternation = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
    return re.compile(alternation), variants


def flag_dropped_words(text: str) -> list[Edit]:
    """Flag a stock phrase (cleaning.yml ``stock_phrases``) with 1-3 characters missing."""
    key = _key()
    regex, variants = _stock_regex(key)
    if regex is None:
        return []
    template = (_load_config(key).get("stock_phrases") or {}).get(
        "reason_template", "words dropped by the source? ({phrase})"
    )
    return [
        Edit(m.start(), m.end(), m.group(), "flag", template.format(phrase=variants[m.group()]))
        for m in regex.finditer(text)
    ]


_DUPLICATE_RE = re.compile(rf"、([{HANZI}]{{1,10}})(?=[、，,。；;）)”\s]|$)")
_ITEM_BOUNDARY = re.compile(r"[、，,；;：:（(“\s]")


def flag_duplicate_items(text: str) -> list[Edit]:
    """Flag an enumeration item repeated at once: ``监督、监督``."""
    reason = (
        config()
        .get("duplicates", {})
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
    ("pinyin", re.compile(rf"[a-zü]*[{_TONED}][a-zü{_TONED}]*[)）]?")),
    ("latin1", re.compile("(?:[\u00c2-\u00ef][\u0080-\u00bf\u2018-\u203a\u0152-\u0178\u20ac]){2,}")),
    ("script", re.compile(rf"(?<=[{HANZI}])[\u0370-\u058f\u0600-\u06ff]+|[\u0370-\u058f\u0600-\u06ff]+(?=[{HANZI}])")),
    ("private", re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]+")),
    ("rare", re.compile("[\U00020000-\U0003ffff]+")),
    ("tag", re.compile("[<>]+")),
)  # fmt: skip


def flag_mojibake(text: str) -> list[Edit]:
    """Flag signs of broken encoding: ``?``/``�`` between characters, orphan pinyin, Latin-1
    or other-script garble inside Chinese, private-use or rare characters, stray ``<``/``>``."""
    settings = config().get("mojibake", {}) or {}
    reasons = {
        "replacement": settings.get("question_reason", "stray '?' or '�' (mojibake?)"),
        "question": settings.get("question_reason", "stray '?' or '�' (mojibake?)"),
        "pinyin": config().get("pinyin", {}).get("orphan_reason", "orphan pinyin fragment"),
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


_PINYIN_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzü" + _TONED)


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
