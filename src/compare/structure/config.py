"""``data/segmentation.yml`` read into one :class:`Config`: numbering styles, document kinds, the
measure contract's word lists (framing, non-measure articles, modes), unit notes, signatures.

Every pattern and word list of :mod:`compare.structure` lives in that file; this module only
validates it (bad input: a one-line :class:`~compare.errors.CompareError` naming the file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from compare.config import DataFiles, parse_yaml
from compare.errors import CompareError

#: The document kinds a text is recognised as (``documents.structure``).
KINDS = ("plan", "regulation", "report", "speech")
#: The modes of a measure, in the order a cue list is tried when several match one text.
MODES = ("problem", "rationale", "review", "commitment")


@dataclass(frozen=True)
class Style:
    """One numbering style: a marker regex with a number group ``n``.

    ``rank`` fixes the style's level (一、 above （一） above 1.); a style without one (一是,
    第一，) floats: it nests under whatever item is open. ``paragraph_runs``: a run of it is
    structure only when set out as paragraphs, else it stays inside its item (a point)."""

    name: str
    regex: re.Pattern[str]
    inline: bool
    family: str
    rank: int | None = None
    paragraph_runs: bool = False


@dataclass(frozen=True)
class KindRules:
    """How a document's kind is recognised: words its type or title ends with, per kind."""

    suffixes: tuple[tuple[str, str], ...]  # (word, kind), longest word first
    wrapper: re.Pattern[str]  # 印发…的通知 in the first lines
    wrapped_title: re.Pattern[str]  # 《title》 of the wrapped document
    min_articles: int  # line-start 第X条 that make an untitled text a regulation


@dataclass(frozen=True)
class ContractRules:
    """The measure contract's word lists (see ``docs/design.md``)."""

    framing: tuple[str, ...]
    not_measure: tuple[str, ...]
    legal_styles: tuple[str, ...]
    article_styles: tuple[str, ...]
    no_measure_paragraph: re.Pattern[str] | None
    companion_paragraph: re.Pattern[str] | None
    framing_article: re.Pattern[str] | None
    part_heading_max: int
    mode_parts: tuple[tuple[str, re.Pattern[str]], ...]
    mode_wording: tuple[tuple[str, re.Pattern[str]], ...]
    #: a part heading naming the year it is about (group ``y``): before the document's year a
    #: review, that year or later a commitment (reports and speeches)
    mode_year_heading: re.Pattern[str] | None = None


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
    #: A bare annex label (附件1) and the title line that makes it the head of an attached
    #: document (whose numbering is read), not a stop.
    attached_label: re.Pattern[str] | None
    attached_title: re.Pattern[str] | None
    toc_line: re.Pattern[str] | None
    kinds: KindRules
    contract: ContractRules


def compile_regex(pattern: str, path: Path, what: str) -> re.Pattern[str]:
    """``re.compile`` with a one-line error naming the file and the entry."""
    try:
        return re.compile(pattern)
    except re.error as err:
        raise CompareError(f"bad regex for {what}: {err}", path) from err


def _mapping(raw: dict, key: str, path: Path) -> dict:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise CompareError(f"`{key}` must be a mapping", path)
    return value


def _words(value: object, path: Path, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise CompareError(f"`{what}` must be a list", path)
    return tuple(str(v) for v in value)


def _alternation(patterns: tuple[str, ...], path: Path, what: str) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return compile_regex("|".join(f"(?:{p})" for p in patterns), path, what)


def _optional_regex(raw: dict, key: str, path: Path) -> re.Pattern[str] | None:
    return compile_regex(str(raw[key]), path, key) if raw.get(key) else None


def _styles(raw: dict, path: Path) -> tuple[Style, ...]:
    styles = []
    for spec in raw["styles"]:
        if not isinstance(spec, dict) or not {"name", "pattern"} <= set(spec):
            raise CompareError(f"each style needs `name` and `pattern`: {spec!r}", path)
        regex = compile_regex(spec["pattern"], path, f"style {spec['name']}")
        if "n" not in regex.groupindex:
            raise CompareError(f"style {spec['name']}: pattern lacks the group (?P<n>...)", path)
        position = spec.get("position", "line")
        if position not in ("line", "inline"):
            raise CompareError(f"style {spec['name']}: position must be line or inline", path)
        rank = spec.get("rank")
        if rank is not None and not isinstance(rank, int):
            raise CompareError(f"style {spec['name']}: rank must be an integer", path)
        name = str(spec["name"])
        styles.append(Style(name, regex, position == "inline", str(spec.get("family", name)),
                            rank, bool(spec.get("paragraph_runs", False))))  # fmt: skip
    return tuple(styles)


def _kind_rules(raw: dict, path: Path) -> KindRules:
    spec = _mapping(raw, "kinds", path)
    suffixes = []
    for kind in KINDS:
        for word in _words(spec.get(kind), path, f"kinds.{kind}"):
            suffixes.append((word, kind))
    suffixes.sort(key=lambda wk: -len(wk[0]))
    try:
        min_articles = int(spec.get("min_articles", 3))
    except (TypeError, ValueError) as err:
        raise CompareError("kinds.min_articles must be a number", path) from err
    return KindRules(
        suffixes=tuple(suffixes),
        wrapper=compile_regex(spec.get("wrapper", r"印发.{0,80}?通知"), path, "kinds.wrapper"),
        wrapped_title=compile_regex(
            spec.get("wrapped_title", r"《(?P<title>[^》]{2,80})》"), path, "kinds.wrapped_title"
        ),
        min_articles=min_articles,
    )


def _modes(spec: dict, key: str, path: Path) -> tuple[tuple[str, re.Pattern[str]], ...]:
    table = _mapping(spec, key, path)
    unknown = set(table) - set(MODES)
    if unknown:
        raise CompareError(f"{key}: unknown mode(s) {', '.join(sorted(unknown))}", path)
    out = []
    for mode in MODES:
        pat = _alternation(_words(table.get(mode), path, f"{key}.{mode}"), path, f"{key}.{mode}")
        if pat is not None:
            out.append((mode, pat))
    return tuple(out)


def _contract_rules(raw: dict, path: Path) -> ContractRules:
    spec = _mapping(raw, "measures", path)
    reg = _mapping(spec, "regulation", path)
    try:
        part_max = int(spec.get("part_heading_max_chars", 30))
    except (TypeError, ValueError) as err:
        raise CompareError("measures.part_heading_max_chars must be a number", path) from err
    return ContractRules(
        framing=_words(raw.get("framing"), path, "framing"),
        not_measure=_words(spec.get("not_measure_headings"), path, "not_measure_headings"),
        legal_styles=_words(reg.get("parent_styles"), path, "regulation.parent_styles"),
        article_styles=_words(reg.get("article_styles"), path, "regulation.article_styles"),
        no_measure_paragraph=_alternation(
            _words(reg.get("no_measure_paragraphs"), path, "no_measure_paragraphs"),
            path,
            "regulation.no_measure_paragraphs",
        ),
        companion_paragraph=_alternation(
            _words(reg.get("companion_paragraphs"), path, "companion_paragraphs"),
            path,
            "regulation.companion_paragraphs",
        ),
        framing_article=_alternation(
            _words(reg.get("framing_articles"), path, "framing_articles"),
            path,
            "regulation.framing_articles",
        ),
        part_heading_max=part_max,
        mode_parts=_modes(spec, "mode_parts", path),
        mode_wording=_modes(spec, "mode_wording", path),
        mode_year_heading=compile_regex(
            spec.get("mode_year_heading", r"(?!)"), path, "measures.mode_year_heading"
        ),
    )


def parse_config(raw: dict, path: Path) -> Config:
    """Validate the parsed YAML of ``segmentation.yml`` into a :class:`Config`."""
    if not isinstance(raw, dict) or not isinstance(raw.get("styles"), list):
        raise CompareError("expected a mapping with a list `styles`", path)
    units, sig = _mapping(raw, "units", path), _mapping(raw, "signature", path)
    try:
        heading_max = int(raw.get("heading_max_chars", 40))
    except (TypeError, ValueError) as err:
        raise CompareError("heading_max_chars must be a number", path) from err
    issuer = rf"[^\s。，；：！？、,;:!?]{{1,30}}?{sig.get('issuer_suffix', '(?:政府|委)')}"
    date = sig.get("date", r"\d{4}年\d{1,2}月\d{1,2}日")
    signature = compile_regex(
        rf"(?:^|(?<=[\n。！？!?]))[ \t\u3000]*(?P<sig>(?:{issuer}[ \t\u3000\n]+)*{date})"
        r"[\s|｜]*(?:[（(][^）)\n]{1,20}[）)][\s|｜]*)?\Z",  # e.g. （此件公开发布）
        path,
        "signature",
    )
    stops = _words(raw.get("stop_lines"), path, "stop_lines")
    return Config(
        styles=_styles(raw, path),
        framing=_words(raw.get("framing"), path, "framing"),
        heading_max=heading_max,
        lead_labels=tuple(units.get("lead") or ("牵头部门", "牵头单位")),
        resp_labels=tuple(units.get("responsible") or ("责任部门", "责任单位")),
        other_labels=tuple(units.get("other") or ()),
        unit_suffix=compile_regex(units.get("strip_suffix", "等$"), path, "units.strip_suffix"),
        signature=signature,
        closing_cues=tuple(
            compile_regex(c, path, "closing_cues") for c in raw.get("closing_cues") or ()
        ),
        stop=_alternation(stops, path, "stop_lines"),
        attached_label=_optional_regex(raw, "attached_document_label", path),
        attached_title=_optional_regex(raw, "attached_document_title", path),
        toc_line=compile_regex(raw["toc_line"], path, "toc_line") if raw.get("toc_line") else None,
        kinds=_kind_rules(raw, path),
        contract=_contract_rules(raw, path),
    )


def _parse_file(path: Path) -> Config:
    return parse_config(parse_yaml(path, "segmentation vocabulary"), path)


def load_config(path: str | Path | None = None, data: DataFiles | None = None) -> Config:
    """``data/segmentation.yml`` (or the file ``path``) as a :class:`Config`; read again when
    the file changes."""
    return DataFiles.resolve(data).load(Path(path) if path else "segmentation.yml", _parse_file)
