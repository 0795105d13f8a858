"""The vocabulary of ``data/targets.yml`` (units, comparators, frequency words, cues,
exclusions, actor words), compiled once per file version into a :class:`Vocabulary`."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compare.config import DataFiles, parse_yaml
from compare.errors import CompareError
from compare.text import numerals

_CN_DIGITS = numerals.ZH_DIGITS


_CN_NUM = f"[{_CN_DIGITS}十百千万]+"


_AR_NUM = r"\d+(?:\.\d+)?"


_NUM = f"(?:{_AR_NUM}|{_CN_NUM})"


@dataclass(frozen=True)
class Vocabulary:
    """Compiled contents of ``data/targets.yml``."""

    raw: dict[str, Any]
    number_re: re.Pattern[str]
    deadline_re: re.Pattern[str]
    every_n_years_re: re.Pattern[str]
    frequency_re: re.Pattern[str]
    comparator_before_re: re.Pattern[str]
    exclusion_res: tuple[tuple[str, re.Pattern[str]], ...]
    condition_re: re.Pattern[str]

    def get(self, key: str, default: Any = None) -> Any:
        """A raw entry of the YAML file."""
        return self.raw.get(key, default)

    # Patterns and tables built from list entries, compiled once per vocabulary (not per call:
    # Python's own regex cache holds only 512 patterns and the whole pipeline overflows it).

    @functools.cached_property
    def slogan_res(self) -> tuple[re.Pattern[str], ...]:
        """One literal pattern per slogan."""
        return tuple(re.compile(re.escape(s)) for s in self.get("slogans", []))

    @functools.cached_property
    def quote_res(self) -> tuple[re.Pattern[str], ...]:
        """A short quoted phrase, per pair of quote marks."""
        limit = int(self.get("max_slogan_chars", 16))
        keep = "|".join(self.get("quoted_quantities", [])) or "(?!)"
        out = []
        for pair in self.get("quote_pairs", []):
            op, cl = re.escape(pair[0]), re.escape(pair[1])
            out.append(re.compile(f"{op}(?!(?:{keep}){cl})[^{op}{cl}\n]{{1,{limit}}}{cl}"))
        return tuple(out)

    @functools.cached_property
    def target_cue_res(self) -> tuple[re.Pattern[str], ...]:
        """``target_cues`` compiled."""
        return tuple(re.compile(c) for c in self.get("target_cues", []))

    @functools.cached_property
    def achievement_cue_res(self) -> tuple[re.Pattern[str], ...]:
        """``achievement_cues`` compiled."""
        return tuple(re.compile(c) for c in self.get("achievement_cues", []))

    @functools.cached_property
    def result_cue_res(self) -> tuple[re.Pattern[str], ...]:
        """``result_cues`` compiled (words that report a result outside commitment passages)."""
        return tuple(re.compile(c) for c in self.get("result_cues", []))

    @functools.cached_property
    def part_report_cue_res(self) -> tuple[re.Pattern[str], ...]:
        """``part_report_cues`` compiled (report-style wording counted by a part's tense vote)."""
        return tuple(re.compile(c) for c in self.get("part_report_cues", []))

    @functools.cached_property
    def baseline_cue_res(self) -> tuple[re.Pattern[str], ...]:
        """``baseline_cues`` compiled."""
        return tuple(re.compile(c) for c in self.get("baseline_cues", []))

    @functools.cached_property
    def passage_idiom_res(self) -> tuple[re.Pattern[str], ...]:
        """``passage_idioms`` compiled (taken out of a heading before its words are read)."""
        return tuple(re.compile(c) for c in self.get("passage_idioms", []))

    @functools.cached_property
    def change_from_res(self) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
        """``change_from`` compiled: what comes before and after the old value of a change."""
        rx = self.get("change_from")
        return (re.compile(rx["before"]), re.compile(rx["after"])) if rx else None

    @functools.cached_property
    def relative_deadline_re(self) -> re.Pattern[str] | None:
        """``relative_deadline`` compiled (None when absent or empty)."""
        rx = self.get("relative_deadline")
        return re.compile(rx) if rx else None

    @functools.cached_property
    def period_window_re(self) -> re.Pattern[str] | None:
        """``period_window`` compiled (None when absent or empty)."""
        rx = self.get("period_window")
        return re.compile(rx) if rx else None

    @functools.cached_property
    def unit_kind(self) -> dict[str, str]:
        """Unit -> kind, from ``unit_kinds``."""
        return {u: k for k, us in self.get("unit_kinds", {}).items() for u in us}

    @functools.cached_property
    def one_verbs(self) -> tuple[str, ...]:
        """``one_verbs``, longest first."""
        return tuple(sorted(self.get("one_verbs", []), key=len, reverse=True))

    @functools.cached_property
    def actor_stop_re(self) -> re.Pattern[str]:
        """Any ``actor_stop_words`` word (never matches when the list is empty)."""
        return re.compile("|".join(map(re.escape, self.get("actor_stop_words", []))) or "(?!)")

    @functools.cached_property
    def actor_re(self) -> re.Pattern[str]:
        """Any ``actor_words`` word (never matches when the list is empty)."""
        return re.compile("|".join(map(re.escape, self.get("actor_words", []))) or "(?!)")

    @functools.cached_property
    def time_units(self) -> frozenset[str]:
        """``time_units``."""
        return frozenset(self.get("time_units", []))

    @functools.cached_property
    def same_units(self) -> tuple[frozenset[str], ...]:
        """``same_units``: groups of units that count the same thing."""
        return tuple(frozenset(group) for group in self.get("same_units", []))

    def precompile(self) -> Vocabulary:
        """Build every derived pattern now (bad patterns raise here, at load time)."""
        for name in (
            "slogan_res", "quote_res", "target_cue_res", "achievement_cue_res", "result_cue_res",
            "baseline_cue_res", "change_from_res", "passage_idiom_res", "part_report_cue_res",
            "relative_deadline_re", "period_window_re", "unit_kind", "one_verbs",
            "actor_stop_re", "actor_re", "time_units", "same_units",
        ):  # fmt: skip
            getattr(self, name)
        return self


#: Multipliers after a number (6千张 = 6,000; 3千亿元 = 3 × 10^11), matched longest first.
MULTIPLIERS = {
    "千": 1e3,
    "万": 1e4,
    "百万": 1e6,
    "千万": 1e7,
    "亿": 1e8,
    "百亿": 1e10,
    "千亿": 1e11,
}


def _alternation(words: Any) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _parse(path: Path) -> Vocabulary:
    raw = parse_yaml(path, "targets vocabulary")
    required = ["units", "comparators_before", "comparators_after", "frequencies", "exclusions"]
    missing = [k for k in required if not isinstance(raw, dict) or k not in raw]
    if missing:
        raise CompareError(f"targets vocabulary lacks {', '.join(missing)}", path)
    try:
        return _compile(raw)
    except (re.error, TypeError, AttributeError, ValueError) as err:
        raise CompareError(f"bad pattern or list in targets vocabulary: {err}", path) from err


def load_vocabulary(path: str | Path | None = None, data: DataFiles | None = None) -> Vocabulary:
    """``data/targets.yml`` (or the file ``path``), compiled; read again when the file changes."""
    return DataFiles.resolve(data).load(Path(path) if path else "targets.yml", _parse)


def _compile(raw: dict[str, Any]) -> Vocabulary:
    """Compile the regexes of a loaded vocabulary."""
    seps = _alternation(raw.get("range_separators", ["-"]))
    units = _alternation(raw["units"])
    after = _alternation(raw["comparators_after"])
    number_re = re.compile(
        rf"(?:百分之(?P<pct>{_NUM}|百)|(?P<den>{_NUM})分之(?P<num>{_NUM})"
        rf"|(?P<tenth>[一二三四五六七八九]|\d)成(?![员效果立为功熟本绩就都交长])"
        rf"|(?P<half>{_alternation(raw.get('half_words', [])) or '(?!)'})"
        rf"|(?P<r1>\d+(?:\.\d+)?)\s*[:：∶]\s*(?P<r2>\d+(?:\.\d+)?)(?=[^\d:：∶]|$)"
        rf"|(?P<a>{_NUM})(?:\s*(?:{seps})\s*(?P<b>{_NUM}))?\s*(?P<more>余|多)?"
        rf"\s*(?P<mult>{_alternation(MULTIPLIERS)})?\s*(?P<unit>{units}))(?P<after>\s*(?:{after}))?"
    )
    pre = _alternation(raw.get("deadline_cues_before", []))
    post = _alternation(raw.get("deadline_cues_after", [])) or "(?!)"
    deadline_re = re.compile(
        rf"(?P<pre>(?<![关对由基属等])(?:{pre})\s*)?(?P<y>(?:19|20)\d{{2}})\s*年(?!度)\s*"
        r"(?:(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*日)?)?\s*"
        rf"(?:(?P<post>{post})(?!步))?\s*"  # 2020年初步建成: not 年初
        r"(?P<qian>以前|之前|前)?(?P<since>起|开始)?"
    )
    every_n = re.compile(rf"每\s*(?P<n>\d+|[{_CN_DIGITS}十]+)\s*个?\s*(?P<p>年|月|周|季度)")
    frequency_re = re.compile(_alternation(raw["frequencies"]))
    cmp_before = re.compile(_alternation(raw["comparators_before"]))
    exclusions = tuple((name, re.compile(rx)) for name, rx in raw["exclusions"].items())
    condition = re.compile(raw.get("condition_pattern", r"(?!)"))
    return Vocabulary(
        raw, number_re, deadline_re, every_n, frequency_re, cmp_before, exclusions, condition
    ).precompile()
