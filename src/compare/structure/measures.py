"""The measure contract: which segments are measures, and what a measure row holds.

``extract_measures(segments, text)`` keeps the segments flagged ``is_measure`` (the rule lives
in :mod:`compare.structure.segment`) and gives each its ``heading`` (the short title, as the
segmenter read it), ``body`` (:func:`measure_body`: the text after marker and heading) and the
unit notes (:func:`parse_units`). Later stages read heading and body from this table; none
splits a measure again.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from compare.structure.segment import HSPACE, Config, load_config, typed_frame

MEASURE_COLUMNS = [
    "doc_id", "measure_id", "seq", "path", "number", "heading", "body", "text", "char_start",
    "char_end", "parent_path", "parent_headings", "lead_units", "responsible_units",
]  # fmt: skip


def _note_span(text: str) -> tuple[int, int] | None:
    """The outermost bracketed note ending the text (ignoring trailing spaces and 。)."""
    end = len(text.rstrip(HSPACE + "\r\n。."))
    if end == 0 or text[end - 1] not in "）)":
        return None
    depth = 0
    for i in range(end - 1, -1, -1):
        ch = text[i]
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            depth -= 1
            if depth == 0:
                return i + 1, end - 1
        elif ch == "\n":
            return None
    return None


def _split_units(s: str, cfg: Config) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
        if depth == 0 and ch in "、，,；;":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    out = []
    for p in parts:
        p = cfg.unit_suffix.sub("", p.strip(HSPACE + "。. ")).strip(HSPACE)
        if p and p not in out:
            out.append(p)
    return out


@lru_cache(maxsize=8)
def _label_re(labels: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(map(re.escape, sorted(labels, key=len, reverse=True)))
    return re.compile(rf"({alts})\s*[：:]")


def parse_units(text: str, config: Config | None = None) -> tuple[list[str], list[str]]:
    """Lead and responsible units from a trailing note such as
    ``（牵头部门：县编办、县法制办，责任部门：县直有关部门）``; the text may be a whole item or
    just the note. Returns two lists (empty when there is no note)."""
    cfg = config or load_config()
    label_re = _label_re(cfg.lead_labels + cfg.resp_labels + cfg.other_labels)
    span = _note_span(text)
    # the bracketed note, else a bare note or one on the last line of an item
    note = text[span[0] : span[1]] if span else text.strip().rsplit("\n", 1)[-1].strip(HSPACE)
    first = label_re.match(note)
    if first is None:
        return [], []
    lead: list[str] = []
    resp: list[str] = []
    marks = list(label_re.finditer(note))
    for k, m in enumerate(marks):
        body = note[m.end() : marks[k + 1].start() if k + 1 < len(marks) else len(note)]
        if m.group(1) in cfg.other_labels:
            continue
        target = lead if m.group(1) in cfg.lead_labels else resp
        target.extend(u for u in _split_units(body, cfg) if u not in target)
    return lead, resp


def measure_body(text: str, number: str, heading: str) -> str:
    """An item's text without its marker and short title: what the measure says."""
    rest = text[len(number) :] if number and text.startswith(number) else text
    rest = rest.lstrip(HSPACE)
    if heading and rest.startswith(heading):
        rest = rest[len(heading) :].lstrip("。：:．.，, \t\u3000\n")
    return rest


def extract_measures(
    segments: pd.DataFrame, text: str, config: Config | None = None
) -> pd.DataFrame:
    """The ``measures`` table from one document's ``segments`` and its clean ``text``."""
    cfg = config or load_config()
    cols = ("doc_id", "seq", "kind", "path", "number", "heading", "char_start", "char_end")
    recs = sorted(zip(*(segments[c].tolist() for c in cols), segments["is_measure"].tolist(),
                      strict=True), key=lambda r: r[1])  # fmt: skip
    headings = {r[3]: r[5] for r in recs if r[2] in ("heading", "item")}
    rows = []
    for doc_id, _, _, path, number, heading, char_start, char_end, is_measure in recs:
        if not is_measure:
            continue
        start = int(char_start)
        end = start + len(text[start : int(char_end)].rstrip())
        body = text[start:end]
        parent_path = path.rsplit("/", 1)[0] if "/" in path else ""
        ancestors = parent_path.split("/") if parent_path else []
        parent_headings = [
            headings.get("/".join(ancestors[: k + 1]), "") for k in range(len(ancestors))
        ]
        lead, resp = parse_units(body, cfg)
        rows.append({
            "doc_id": doc_id,
            "measure_id": f"{doc_id}/{path}" if doc_id else path,
            "seq": len(rows), "path": path, "number": number, "heading": heading,
            "body": measure_body(body, number, heading), "text": body, "char_start": start, "char_end": end, "parent_path": parent_path,
            "parent_headings": " / ".join(parent_headings), "lead_units": "；".join(lead),
            "responsible_units": "；".join(resp),
        })  # fmt: skip
    return typed_frame(rows, MEASURE_COLUMNS, ("seq", "char_start", "char_end"), ())
