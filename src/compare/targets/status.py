"""Whether a quantity is a commitment (``target``), a reported result (``achievement``) or a
starting point (``baseline``).

Two things decide, in this order (every word list and pattern is in ``data/targets.yml``):

1. **The passage** the number stands in. A measure's ``mode`` when the measures table has one
   (``review`` → achievement; ``problem`` and ``rationale`` → baseline); otherwise the top-level
   heading above it (:func:`passages`): a report's ``一、2019年工作回顾`` opens a review part, its
   ``二、2020年主要工作`` a commitment part, ``存在问题`` a problems part; a heading about work
   naming an earlier year than the document's is a review, the document's year or later a
   commitment. Where no heading names a mode, a top-level part whose measures are all reviews
   (or all problems) is read as one, its unnumbered paragraphs included (:func:`part_sections`);
   where neither does, a part whose sentences with a figure mostly report results and seldom
   commit is read as a review (:func:`tense_sections`).
2. **The sentence's own tense and modality** (:func:`quantity_status`): a baseline cue before the
   number in its clause (截至…, 现有), or the number is the old value of a change (从…653元提高到…);
   a commitment cue (要, 应当, 确保, 力争, 不少于, 每年…) before it in its clause; a past-tense cue (已, 累计, 先后, 去年) in its sentence; in a passage
   not known to be a commitment, words that report a result (共, 同比, 办结率); a commitment cue
   in the sentence; outside commitment passages, a past-tense cue or a result word earlier in
   the paragraph; else ``target``.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from dataclasses import dataclass

import pandas as pd

from compare.frames import is_missing, text_cell
from compare.targets.spans import CLAUSE_END, SENTENCE_END, clause_bounds
from compare.targets.vocabulary import Vocabulary

_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_SENTENCE_RE = re.compile(f"[^{re.escape(SENTENCE_END)}]+")
_DIGIT_RE = re.compile(r"\d")

#: The status of a number in a passage of each mode (a commitment passage decides nothing alone).
MODE_STATUS = {"review": "achievement", "problem": "baseline", "rationale": "baseline"}
#: Passages whose numbers are not quantities of the document (a report's glossary, annexes).
NOT_QUANTITIES = frozenset({"notes"})


#: How many measures starting before a position are looked at for the innermost one holding it.
_NESTING = 64


@dataclass(frozen=True)
class Passages:
    """The modes of a document's passages: heading sections and measures, each a sorted tuple of
    ``(start, end, mode)`` (sections do not overlap; measures nest)."""

    sections: tuple[tuple[int, int, str], ...] = ()
    measures: tuple[tuple[int, int, str], ...] = ()

    def mode_at(self, pos: int) -> str:
        """The mode at a character offset: the innermost measure holding it that has a mode
        (the latest-starting one, among the nearest ``_NESTING``), else its section's; a
        default ``commitment`` yields to a section that names a review or problems part."""
        j = bisect.bisect_right(self.sections, (pos, float("inf"))) - 1
        section = ""
        if j >= 0 and self.sections[j][0] <= pos < self.sections[j][1]:
            section = self.sections[j][2]
        i = bisect.bisect_right(self.measures, (pos, float("inf")))
        for start, end, mode in self.measures[max(0, i - _NESTING) : i][::-1]:
            if start <= pos < end and mode:
                # ``commitment`` is also a measure's default when nothing marks it: a heading
                # that names a review or a problems part (关于2019年工作 in a 2020 report) wins.
                if mode == "commitment" and section in ("review", "problem"):
                    return section
                return mode
        return section


def heading_mode(title: str, vocab: Vocabulary, year: int | None) -> str | None:
    """The mode a top-level heading opens: by its words (``passage_words``, checked in order,
    after the ``passage_idioms`` are taken out: 以优异成绩迎接… names no review),
    else, for a heading about work (``passage_year_words``: 关于2019年工作), by the last year it
    names against the document's; ``None`` when it says nothing."""
    for idiom in vocab.passage_idiom_res:
        title = idiom.sub("", title)
    for mode, words in vocab.get("passage_words", {}).items():
        if any(w in title for w in words):
            return str(mode)
    years = _YEAR_RE.findall(title)
    about_work = any(w in title for w in vocab.get("passage_year_words", []))
    if years and year and about_work:
        return "review" if int(years[-1]) < year else "commitment"
    return None


def _sections(text: str, vocab: Vocabulary, year: int | None) -> list[tuple[int, int, str]]:
    """Sections between top-level headings, each with the mode its heading opens. A short
    unnumbered line that names a mode or a year (``2022年工作回顾``) opens a section that its
    numbered sub-headings (一、…) do not change; otherwise a numbered heading that names a mode
    opens one. A heading that names no mode changes nothing."""
    numbered = re.compile(vocab.get("passage_numbered_heading", r"(?!)"))
    plain = re.compile(vocab.get("passage_plain_heading", r"(?!)"))
    marks: list[tuple[int, str]] = []
    top_level = False
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        m = numbered.fullmatch(stripped)
        if m and not top_level:
            mode = heading_mode(m.group("title"), vocab, year)
            if mode is not None:
                marks.append((pos, mode))
        elif not m and plain.fullmatch(stripped):
            mode = heading_mode(stripped, vocab, year)
            if mode is not None:
                marks.append((pos, mode))
                top_level = True
        pos += len(line)
    ends = [s for s, _ in marks[1:]] + [len(text)] * bool(marks)
    return [(s, e, mode) for (s, mode), e in zip(marks, ends, strict=True)]


#: Measure modes a top-level part takes from its measures when they agree.
INHERITED_MODES = frozenset({"review", "problem", "rationale"})


def part_sections(measures: pd.DataFrame) -> list[tuple[int, int, str]]:
    """Sections of the top-level parts (first ``path`` component) whose measures — at least
    two, in a run — all have one mode of :data:`INHERITED_MODES`. A part reaches back to the end
    of the part before it, so its heading and unnumbered paragraphs (a report's summary of the
    year before its numbered review items) are read in its mode."""
    if not {"path", "mode", "char_start", "char_end"} <= set(measures.columns):
        return []
    starts = [int(v) for v in measures["char_start"].tolist()]
    order = sorted(range(len(starts)), key=starts.__getitem__)  # stable, as sort_values
    paths, modes = measures["path"].tolist(), [text_cell(v) for v in measures["mode"].tolist()]
    ends = [int(v) for v in measures["char_end"].tolist()]
    tops = [math.nan if is_missing(paths[i]) else str(paths[i]).split("/")[0] for i in order]
    rows = zip(tops, [modes[i] for i in order], [ends[i] for i in order], strict=True)
    out: list[tuple[int, int, str]] = []
    begin = 0
    for _, run in itertools.groupby(rows, key=lambda r: r[0]):
        part = list(run)
        part_modes = {mode for _, mode, _ in part}
        end = max(e for _, _, e in part)
        if len(part) > 1 and len(part_modes) == 1 and part_modes <= INHERITED_MODES:
            out.append((begin, end, part[0][1]))
        begin = end
    return out


def tense_sections(
    text: str, vocab: Vocabulary, year: int | None = None
) -> list[tuple[int, int, str]]:
    """Review sections read from tense alone: the parts between numbered top-level headings
    (一、…) whose sentences holding a digit mostly report (``part_tense`` in targets.yml: enough
    of them carry an achievement, result or ``part_report_cues`` cue or name a year before the
    document's, no fewer than carry a target cue, and target cues are rare). A safety net for
    reports whose headings name no mode."""
    rule = vocab.get("part_tense") or {}
    if not rule:
        return []
    numbered = re.compile(vocab.get("passage_numbered_heading", r"(?!)"))
    starts, pos = [0], 0
    for line in text.splitlines(keepends=True):
        if pos and numbered.fullmatch(line.strip()):
            starts.append(pos)
        pos += len(line)
    starts.append(len(text))
    reports = vocab.achievement_cue_res + vocab.result_cue_res + vocab.part_report_cue_res
    if year:
        reports += (re.compile(f"(?<!\\d)(?:{'|'.join(str(y) for y in range(year - 5, year))})年"),)
    out = []
    for start, end in itertools.pairwise(starts):
        sentences = [s for s in _SENTENCE_RE.findall(text[start:end]) if _DIGIT_RE.search(s)]
        n_target = sum(_cue(s, vocab.target_cue_res) for s in sentences)
        n_report = sum(_cue(s, reports) for s in sentences)
        if (
            len(sentences) >= rule["min_sentences"]
            and n_report >= max(rule["min_reports"], n_target)
            and n_target <= rule["max_target_share"] * len(sentences)
        ):
            out.append((start, end, "review"))
    return out


def _uncovered(
    extra: list[tuple[int, int, str]], sections: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """The parts of the ``extra`` spans that no span of ``sections`` covers."""
    out = []
    for start, end, mode in extra:
        pos = start
        for s0, s1, _ in sections:
            if s1 <= pos or s0 >= end:
                continue
            if s0 > pos:
                out.append((pos, s0, mode))
            pos = max(pos, s1)
        if pos < end:
            out.append((pos, end, mode))
    return out


def passages(
    text: str,
    vocab: Vocabulary,
    year: int | None = None,
    measures: pd.DataFrame | None = None,
    kind: str | None = None,
) -> Passages:
    """The passage modes of a clean text: heading sections (where no heading names a mode, the
    :func:`part_sections` of the measures, then the :func:`tense_sections`), and measures with a
    ``mode``. A document of ``kind`` regulation gets no tense sections: its articles are norms,
    it has no review part (measure contract, docs/design.md)."""
    spans: list[tuple[int, int, str]] = []
    sections = _sections(text, vocab, year)
    if measures is not None and "mode" in measures.columns and len(measures):
        starts = [int(v) for v in measures["char_start"].tolist()]
        ends = [int(v) for v in measures["char_end"].tolist()]
        modes = [text_cell(v) for v in measures["mode"].tolist()]
        spans = sorted(zip(starts, ends, modes, strict=True))
        sections = sorted(sections + _uncovered(part_sections(measures), sections))
    if kind != "regulation":
        sections = sorted(sections + _uncovered(tense_sections(text, vocab, year), sections))
    return Passages(tuple(sections), tuple(spans))


def _cue(text: str, cues: tuple[re.Pattern[str], ...]) -> bool:
    return any(c.search(text) for c in cues)


def _changed_from(text: str, c0: int, start: int, end: int, c1: int, vocab: Vocabulary) -> bool:
    """Whether the number is the old value of a change in its clause (从每月653元提高到676元)."""
    if vocab.change_from_res is None:
        return False
    before, after = vocab.change_from_res
    return bool(before.search(text[c0:start]) and after.search(text[end:c1]))


def quantity_status(text: str, start: int, end: int, vocab: Vocabulary, mode: str = "") -> str:
    """``target``, ``achievement`` or ``baseline`` for the number at ``text[start:end]`` in a
    passage of ``mode`` (the order of the rules is in the module doc)."""
    c0, c1 = clause_bounds(text, start, end, CLAUSE_END)
    s0, s1 = clause_bounds(text, start, end, SENTENCE_END)
    p0, _ = clause_bounds(text, start, end, "\n")
    baseline = _cue(text[c0:start], vocab.baseline_cue_res)
    if baseline or _changed_from(text, c0, start, end, c1, vocab):
        return "baseline"
    if mode in MODE_STATUS:
        return MODE_STATUS[mode]
    if _cue(text[c0:end], vocab.target_cue_res):
        return "target"
    if _cue(text[s0:s1], vocab.achievement_cue_res):
        return "achievement"
    if mode != "commitment" and _cue(text[s0:s1], vocab.result_cue_res):
        return "achievement"
    if _cue(text[s0:s1], vocab.target_cue_res):
        return "target"
    if mode != "commitment" and _cue(text[p0:s0], vocab.achievement_cue_res + vocab.result_cue_res):
        return "achievement"
    return "target"


def deadline_status(mode: str) -> str:
    """A deadline is a commitment unless its passage reports or describes (review, problem)."""
    return MODE_STATUS.get(mode, "target")
