"""The words on a chart: chart strings in zh and en, display names of documents, taxonomy
ids, levels and document types, and line wrapping for CJK labels."""

from __future__ import annotations

import math
import re
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from compare.analysis.documents import document_labels
from compare.config import DataFiles, parse_yaml
from compare.errors import CompareError
from compare.frames import is_missing

Lang = Literal["zh", "en"]


#: The languages every chart string is given in.
LANGS = ("zh", "en")
#: Administrative levels, top down, as charts order them.
LEVEL_KEYS = ("national", "province", "city", "county", "district", "unknown")


@dataclass(frozen=True)
class ChartText:
    """The chart strings of ``data/i18n.yml``: ``strings`` (key -> lang -> text), ``levels``
    (level -> lang -> name) and ``doc_types`` (Chinese type -> English name)."""

    strings: dict[str, dict[str, str]]
    levels: dict[str, dict[str, str]]
    doc_types: dict[str, str]

    @classmethod
    def parse(cls, path: Path) -> ChartText:
        """Read and check one i18n file: every string and level needs every language."""
        raw = parse_yaml(path, "chart strings")
        if not isinstance(raw, dict):
            raise CompareError("expected a mapping with strings, levels, doc_types", path)
        out = {}
        for part in ("strings", "levels"):
            entries = raw.get(part) or {}
            for key, value in entries.items():
                missing = [
                    lang for lang in LANGS if not isinstance(value, dict) or lang not in value
                ]
                if missing:
                    raise CompareError(f"{part}.{key}: no text for {', '.join(missing)}", path)
            out[part] = {str(k): {lang: str(v[lang]) for lang in LANGS} for k, v in entries.items()}
        types = {str(k): str(v) for k, v in (raw.get("doc_types") or {}).items()}
        return cls(out["strings"], out["levels"], types)


def chart_text(data: DataFiles | None = None) -> ChartText:
    """The data folder's ``i18n.yml`` (read again when it changes)."""
    return DataFiles.resolve(data).load("i18n.yml", ChartText.parse)


def _dw(text: str) -> int:
    """Display width: East Asian wide/full-width characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_TOKEN = re.compile(r"[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+|\s+|.")


_NO_LINE_START = set("，。、；：？！）》」』】,.;:?!)%")


def _greedy(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for tok in _TOKEN.findall(text):
        if tok.isspace():
            if line:
                line += " "
            continue
        fits = _dw(line.rstrip() + tok) <= width
        if fits or not line.strip() or tok[0] in _NO_LINE_START:
            line += tok
        else:
            lines.append(line.rstrip())
            line = tok
    if line.strip():
        lines.append(line.rstrip())
    return lines


def wrap(text: str, width: int) -> str:
    """Wrap mixed Chinese/Latin text to ``width`` display columns (CJK = 2).

    Chinese breaks between any two characters (closing punctuation hangs at a line end rather
    than start the next line, so such a line may run 2 columns over), Latin between
    words; lines are balanced (``健全行政权力制约和监督体系`` → two similar halves, not a
    lone ``体系``).
    """
    text = str(text)
    if width <= 0 or _dw(text) <= width:
        return text
    if not re.search(r"[\u2e80-\u9fff]", text):
        lines = textwrap.wrap(text, width, break_on_hyphens=False) or [text]
        for w in range(math.ceil(_dw(text) / len(lines)), width):
            trial = textwrap.wrap(text, w, break_on_hyphens=False)
            if len(trial) == len(lines):
                return "\n".join(trial)
        return "\n".join(lines)
    lines = _greedy(text, width)
    for w in range(math.ceil(_dw(text) / len(lines)), width):
        trial = _greedy(text, w)
        if len(trial) == len(lines):
            return "\n".join(trial)
    return "\n".join(lines)


_TRAILING_NOTE = re.compile(r"\s*[（(][^（()）]*[）)]\s*$")


def _full_lines(text: str, width: int) -> list[str]:
    if re.search(r"[\u2e80-\u9fff]", text):
        return _greedy(text, width)
    return textwrap.wrap(text, width, break_on_hyphens=False) or [text]


def shorten(text: str, width: int, max_lines: int) -> str:
    """:func:`wrap` ``text`` to at most ``max_lines`` lines of ``width`` display columns.

    A label that needs more lines first loses a trailing parenthesis (``Three enforcement
    systems (disclosure, …)`` → ``Three enforcement systems``); if still too long it is cut
    at the end of the last line with an ellipsis. A label that fits is returned as
    :func:`wrap` gives it."""
    text = str(text)
    wrapped = wrap(text, width)
    if max_lines <= 0 or wrapped.count("\n") < max_lines:
        return wrapped
    bare = _TRAILING_NOTE.sub("", text)
    if bare and bare != text and wrap(bare, width).count("\n") < max_lines:
        return wrap(bare, width)
    lines = _full_lines(text, width)[:max_lines]
    last = lines[-1]
    while last and _dw(last) + 1 > width:
        cut = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        last = cut if cut != last else last[:-1]
    lines[-1] = last.rstrip(" ,;:，、；：（(") + "…"
    return "\n".join(lines)


def _n_lines(labels: Sequence[str]) -> int:
    return max((str(s).count("\n") + 1 for s in labels), default=1)


def _max_dw(labels: Sequence[str]) -> int:
    return max((_dw(part) for s in labels for part in str(s).split("\n")), default=1)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise CompareError(f"lang must be 'zh' or 'en', not {lang!r}")


def _tr(lang: str, key: str, **kw: str) -> str:
    """The chart string ``key`` of ``data/i18n.yml`` in ``lang``, placeholders filled."""
    return chart_text().strings[key][lang].format(**kw)


def chart_string(lang: str, key: str, **kw: str) -> str:
    """The chart string ``key`` of ``data/i18n.yml`` in ``lang`` (for a notebook's own title)."""
    _check_lang(lang)
    return _tr(lang, key, **kw)


def _doc_labels(doc_ids: Sequence[str], documents: pd.DataFrame | None, lang: str) -> list[str]:
    """Display names of documents in ``lang``: :func:`compare.analysis.document_labels` (the one
    rule), the doc_id for a document the table lacks."""
    names = document_labels(documents, lang) if documents is not None else {}
    return [names.get(str(d), str(d)) for d in doc_ids]


def _tax_labels(ids: Sequence[str], taxonomy: pd.DataFrame | None, lang: str) -> list[str]:
    """Display names of categories/topics/indicators: ``label_zh``/``label_en``, else the id.

    The id column is ``id`` or the taxonomy's own (``indicator_id``, ``topic_id``,
    ``category_id``, in that order of preference).
    """
    col = "label_zh" if lang == "zh" else "label_en"
    names: dict[str, str] = {}
    id_col = next(
        (
            c
            for c in ("id", "indicator_id", "topic_id", "category_id")
            if taxonomy is not None and c in taxonomy
        ),
        None,
    )
    if taxonomy is not None and col in taxonomy and id_col is not None:
        for i, v in zip(taxonomy[id_col].astype(str), taxonomy[col], strict=True):
            if isinstance(v, str) and v.strip():
                names[i] = v
    names.setdefault("unassigned", _tr(lang, "unassigned"))
    return [names.get(str(i), str(i)) for i in ids]


def _level_label(level: str, lang: str) -> str:
    names = chart_text().levels.get(str(level))
    return names[lang] if names else str(level)


def _type_label(doc_type: str, lang: str) -> str:
    types = chart_text().doc_types
    return str(doc_type) if lang == "zh" else types.get(str(doc_type), str(doc_type))


def _pct(v: float) -> str:
    if pd.isna(v):
        return "–"
    if v == 0:
        return "0"
    if v < 0.005:
        return "<1%"
    return f"{v * 100:.0f}%"


def _is_blank(v: object) -> bool:
    return is_missing(v) or str(v) == ""


def _years_text(years: Sequence[int], unsure: bool, lang: str) -> str:
    span = "–" if not years else (
        str(min(years)) if min(years) == max(years) else f"{min(years)}–{max(years)}"
    )  # fmt: skip
    return span + (_tr(lang, "inferred") if unsure else "")


def document_sources(documents: pd.DataFrame, lang: str = "zh") -> list[str]:
    """The source line of a chart: the documents drawn, by issuer (``issuer``, else the
    jurisdiction, else the label; in English the English jurisdiction) and type, with their years
    (an inferred year marked as such) — one entry per issuer and type, in the documents' order:
    ``中共南京市委 南京市人民政府 实施方案（2021，推断）``, ``anonymous city, 7 × Speech (2018–2022,
    inferred)``."""
    _check_lang(lang)
    names = document_labels(documents, lang)
    groups: dict[tuple[str, str], list] = {}
    for r in documents.to_dict("records"):
        col = ("issuer", "jurisdiction") if lang == "zh" else ("jurisdiction_en",)
        who = next((str(r[c]) for c in col if c in r and not _is_blank(r[c])), None)
        who = who or names.get(str(r["doc_id"]), str(r["doc_id"]))
        kind = "" if _is_blank(r.get("doc_type")) else _type_label(str(r["doc_type"]), lang)
        year = r.get("year") if not _is_blank(r.get("year")) else r.get("year_min")
        unsure = _is_blank(r.get("date")) and not (
            not _is_blank(r.get("year_min")) and r.get("year_min") == r.get("year_max")
        )
        g = groups.setdefault((who, kind), [0, [], False])
        g[0] += 1
        if not _is_blank(year):
            g[1].append(int(year))
        g[2] = g[2] or unsure
    out = []
    for (who, kind), (n, years, unsure) in groups.items():
        yrs = _years_text(years, unsure, lang)
        if lang == "zh":
            out.append(f"{who} {kind}{'' if n == 1 else f'{n}篇'}（{yrs}）".replace("  ", " "))
        else:
            out.append(f"{who}, {kind if n == 1 else f'{n} × {kind}'} ({yrs})")
    return out
