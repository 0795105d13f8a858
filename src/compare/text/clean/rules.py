"""The cleaning rules of ``data/cleaning.yml`` as one :class:`Rules` object, and the
character classes the steps share.

:func:`load_rules` reads the file through :class:`compare.config.DataFiles` (read again when it
changes); what the steps compile from it (junk rules, the combined line regex, stock-phrase
variants, paragraph patterns) is built once per :class:`Rules` object and kept on it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compare.config import DataFiles, parse_yaml
from compare.errors import CompareError

#: Hanzi (CJK unified ideographs, extension A, compatibility ideographs).
HANZI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Characters that make a neighbouring ASCII punctuation mark "Chinese context".
CJK_CONTEXT = HANZI + "\u3000-\u303f\uff00-\uffef“”‘’○〇…"
#: Chinese numeral characters (digits, units, the many zeros), as a regex class body.
CN_NUMERALS = "〇○零一二三四五六七八九十百千万两"
#: Pinyin vowels with tone marks.
TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
#: Horizontal space characters, as a regex class body.
SPACE = " \t\u3000\xa0\u2002-\u200a\u200b-\u200d\u2060\ufeff"


@dataclass(frozen=True)
class JunkRule:
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


class Rules:
    """A parsed cleaning.yml (``raw``, a mapping) and what the steps compile from it."""

    def __init__(self, raw: dict[str, Any], path: str | Path = "cleaning.yml") -> None:
        if not isinstance(raw, dict):
            raise CompareError("expected a mapping at the top level", path)
        self.raw = raw
        self.path = Path(path)

    @classmethod
    def parse(cls, path: Path) -> Rules:
        """Read one cleaning.yml."""
        return cls(parse_yaml(path, "cleaning configuration"), path)

    def get(self, key: str, default: Any = None) -> Any:
        """A top-level entry of the file."""
        return self.raw.get(key, default)

    def section(self, key: str) -> dict[str, Any]:
        """A top-level mapping of the file (empty when absent)."""
        return self.raw.get(key) or {}

    def compile(self, pattern: str, where: str, flags: int = re.MULTILINE) -> re.Pattern[str]:
        """Compile a configured regex; a bad one names the config entry."""
        try:
            return re.compile(pattern, flags)
        except re.error as err:
            raise CompareError(f"invalid regex in {where} ({err})", self.path) from err

    @functools.cached_property
    def junk_rules(self) -> tuple[JunkRule, ...]:
        """The ``web_junk`` rules."""
        entries = self.raw.get("web_junk") or []
        if not isinstance(entries, list):
            raise CompareError("web_junk must be a list of rules", self.path)
        rules = []
        for entry in entries:
            name = entry.get("name", "?") if isinstance(entry, dict) else "?"
            if not isinstance(entry, dict) or not isinstance(entry.get("pattern"), str):
                raise CompareError(f"web_junk {name}: needs a pattern", self.path)
            scope = entry.get("scope", "line")
            if scope not in ("line", "match"):
                raise CompareError(f"web_junk {name}: scope must be line or match", self.path)
            unless = entry.get("unless")
            rules.append(
                JunkRule(
                    name,
                    scope,
                    entry.get("reason", name),
                    self.compile(entry["pattern"], f"web_junk {name}"),
                    entry.get("max_line"),
                    tuple(entry.get("requires") or ()),
                    self.compile(unless, f"web_junk {name}.unless") if unless else None,
                )
            )
        return tuple(rules)

    @functools.cached_property
    def junk_combined(self) -> tuple[frozenset[int], re.Pattern[str] | None]:
        """The line-anchored rules (pattern starting with ``^``) as one ``^(?:a|b|…)`` regex,
        so the text is scanned once for all of them. Rules using backreferences, named groups
        or inline flags stay separate."""
        anchored = {
            k: rule.regex.pattern[1:]
            for k, rule in enumerate(self.junk_rules)
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

    @functools.cached_property
    def stock_regex(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        """Regex of stock phrases with 1-3 consecutive inner characters missing."""
        settings = self.section("stock_phrases")
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

    @functools.cached_property
    def paragraph_regexes(self) -> tuple[re.Pattern[str] | None, ...]:
        """Compiled (marker, sentence end, signature) patterns of ``paragraphs``."""
        settings = self.section("paragraphs")
        marker = settings.get("marker", "")
        sentence_end = settings.get("sentence_end", "[。：；！？]")
        date = settings.get("date", "")
        sig_end = rf"[{SPACE}]*\|?[{SPACE}]*\Z"
        return (
            self.compile(marker, "paragraphs.marker") if marker else None,
            self.compile(f"(?:{sentence_end})\\Z", "paragraphs.sentence_end"),
            self.compile(
                rf"(?:[^{SPACE}。，,；;：:]{{2,40}}[{SPACE}]+)?(?:{date}){sig_end}",
                "paragraphs.date",
            )
            if date
            else None,
        )


def load_rules(data: DataFiles | None = None) -> Rules:
    """The data folder's cleaning.yml as :class:`Rules` (read again when the file changes)."""
    return DataFiles.resolve(data).load("cleaning.yml", Rules.parse)
