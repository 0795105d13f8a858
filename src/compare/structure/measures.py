"""What a measure row holds: the ``measures`` table.

``extract_measures(segments, text, kind=...)`` keeps the segments flagged ``is_measure`` (the
rule lives in :mod:`compare.structure.contract`) and gives each its ``heading`` (the short
title, as the segmenter read it), ``body`` (:func:`measure_body`: the text after marker and
heading), ``framing`` and ``mode`` (:mod:`compare.structure.contract`), ``points`` (how many
enumerated points — 款 items （一）, inline 一是 … — it holds) and the unit notes
(:func:`parse_units`). Later stages read heading and body from this table; none splits a
measure again.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from compare.structure import contract, tree
from compare.structure.config import Config, load_config
from compare.structure.kinds import recognise
from compare.structure.segment import HSPACE, typed_frame

MEASURE_COLUMNS = [
    "doc_id", "measure_id", "seq", "path", "number", "heading", "body", "text", "char_start",
    "char_end", "parent_path", "parent_headings", "framing", "mode", "points", "lead_units",
    "responsible_units",
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


def count_points(body: str, cfg: Config) -> int:
    """How many enumerated points (runs numbered from 1: （一）（二）, 一是 二是 …) ``body``
    holds after its own marker."""
    cands = tree.find_candidates(body, cfg)
    if cands and cands[0].start == len(body) - len(body.lstrip(HSPACE)):
        cands = cands[1:]  # the measure's own marker
    last: dict[str, int] = {}
    n = 0
    for c in cands:
        if c.n == 1 or last.get(c.style.name) == c.n - 1:
            last[c.style.name] = c.n
            n += 1
    return n - sum(1 for v in last.values() if v == 1)  # a lone "1" is not a run


def without_unit_note(text: str, config: Config | None = None) -> str:
    """``text`` without its trailing unit note (``（牵头部门：…，责任部门：…）``, the labels of
    ``data/segmentation.yml``): the note names offices, not what the measure does."""
    span = _note_span(text)
    if span is None:
        return text
    cfg = config or load_config()
    label_re = _label_re(cfg.lead_labels + cfg.resp_labels + cfg.other_labels)
    if label_re.match(text[span[0] : span[1]].strip(HSPACE)) is None:
        return text
    return text[: span[0] - 1].rstrip(HSPACE)


def extract_measures(
    segments: pd.DataFrame,
    text: str,
    config: Config | None = None,
    kind: str | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """The ``measures`` table from one document's ``segments`` and its clean ``text``;
    ``kind`` (plan | regulation | report | speech) is recognised from the text when not given;
    ``year`` (the document's) tells a report's review part from its plans by the years named."""
    cfg = config or load_config()
    kind = kind or recognise(text, None, cfg).kind
    cols = ("doc_id", "seq", "kind", "path", "number", "heading", "char_start", "char_end",
            "text", "is_measure")  # fmt: skip
    recs = sorted(
        (dict(zip(cols, r, strict=True)) for r in zip(*(segments[c].tolist() for c in cols),
                                                      strict=True)),
        key=lambda r: r["seq"],
    )  # fmt: skip
    outline = contract.Outline.of(recs)
    headings = {r["path"]: r["heading"] for r in recs if r["kind"] in ("heading", "item")}
    rows = []
    for k, r in enumerate(recs):
        if not r["is_measure"]:
            continue
        path, number, heading = r["path"], r["number"], r["heading"]
        start = int(r["char_start"])
        end = start + len(text[start : int(r["char_end"])].rstrip())
        body = text[start:end]
        parent_path = path.rsplit("/", 1)[0] if "/" in path else ""
        ancestors = parent_path.split("/") if parent_path else []
        parent_headings = [
            headings.get("/".join(ancestors[: k2 + 1]), "") for k2 in range(len(ancestors))
        ]
        ctx = contract.context(recs, k, outline)
        own = measure_body(body, number, heading)
        framing = contract.is_framing(
            [heading, *parent_headings], ctx[1:], own.split("\n", 1)[0], kind, cfg
        )
        mode = contract.measure_mode(ctx, own, kind, cfg, year)
        framing = framing or (kind == "plan" and mode == "rationale")  # why the plan matters
        lead, resp = parse_units(body, cfg)
        rows.append({
            "doc_id": r["doc_id"],
            "measure_id": f"{r['doc_id']}/{path}" if r["doc_id"] else path,
            "seq": len(rows), "path": path, "number": number, "heading": heading,
            "body": own, "text": body, "char_start": start, "char_end": end,
            "parent_path": parent_path, "parent_headings": " / ".join(parent_headings),
            "framing": framing, "mode": mode,
            "points": count_points(body, cfg),
            "lead_units": "；".join(lead), "responsible_units": "；".join(resp),
        })  # fmt: skip
    return typed_frame(rows, MEASURE_COLUMNS, ("seq", "char_start", "char_end", "points"),
                       ("framing",))  # fmt: skip
