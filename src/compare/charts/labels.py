"""The words on a chart: chart strings in zh and en, display names of documents, taxonomy
ids, levels and document types, and line wrapping for CJK labels."""

from __future__ import annotations

import math
import re
import textwrap
import unicodedata
from collections.abc import Sequence
from typing import Literal

import pandas as pd

from compare.analysis.documents import document_labels
from compare.errors import CompareError

Lang = Literal["zh", "en"]


_LEVELS = {
    "zh": {
        "national": "国家",
        "province": "省级",
        "city": "市级",
        "county": "县级",
        "district": "区级",
        "unknown": "未知",
    },
    "en": {
        "national": "National",
        "province": "Province",
        "city": "City",
        "county": "County",
        "district": "District",
        "unknown": "Unknown",
    },
}


_DOC_TYPES_EN = {
    "意见": "Opinions",
    "纲要": "Outline",
    "实施纲要": "Outline",
    "实施方案": "Implementation plan",
    "工作方案": "Work plan",
    "讲话": "Speech",
    "年度报告": "Annual report",
    "报告": "Report",
    "规划": "Plan",
    "通知": "Notice",
    "工作要点": "Key tasks",
    "要点": "Key tasks",
    "unknown": "Unknown",
}


_T = {
    "zh": {
        "source": "来源：",
        "sep": "；",
        "date": "数据日期：",
        "end": "。",
        "share": "占措施的比例",
        "share_cat": "占该类别措施的比例",
        "n_measures": "措施数",
        "year": "年份",
        "docs": "文件数",
        "kchars": "字数（千字）",
        "period": "规划期",
        "year_bounds": "年份不确定（推断范围）",
        "issued": "发布年份",
        "due": "到期目标数",
        "g2": "G²（对数似然，带符号）",
        "target": "目标",
        "reference": "参照",
        "removed": "删除字数",
        "replaced": "替换字数",
        "flagged": "标记字数",
        "no_data": "无数据",
        "delta": "变化",
        "t_timeline": "语料时间线：发布年份与规划期",
        "t_overview": "语料构成：按层级和文件类型",
        "t_heatmap": "各文件措施的类别分布",
        "t_drill": "{cat}：各文件的主题分布",
        "t_shift": "类别比重的变化：{a} → {b}",
        "t_keyness": "关键词：{t} 对比 {r}",
        "t_targets": "量化目标的取值范围（按指标和地区）",
        "range": "最低—最高目标值",
        "median": "中位数",
        "t_deadline": "量化目标的完成时限",
        "t_cleaning": "清洗记录：按原因统计的字数",
    },
    "en": {
        "source": "Source: ",
        "sep": "; ",
        "date": "Data as of ",
        "end": ".",
        "share": "Share of measures",
        "share_cat": "Share of the category's measures",
        "n_measures": "Measures",
        "year": "Year",
        "docs": "Documents",
        "kchars": "Characters (thousands)",
        "period": "Plan period",
        "year_bounds": "Year uncertain (inferred bounds)",
        "issued": "Issued",
        "due": "Targets due",
        "g2": "G² (log-likelihood, signed)",
        "target": "Target",
        "reference": "Reference",
        "removed": "Characters removed",
        "replaced": "Characters replaced",
        "flagged": "Characters flagged",
        "no_data": "no data",
        "delta": "change",
        "t_timeline": "Corpus timeline: year issued and plan period",
        "t_overview": "Corpus by administrative level and document type",
        "t_heatmap": "Where each document's measures fall, by category",
        "t_drill": "{cat}: topics by document",
        "t_shift": "Shift in category shares: {a} → {b}",
        "t_keyness": "Keyness: {t} vs {r}",
        "t_targets": "Ranges of numeric targets by indicator and jurisdiction",
        "range": "Lowest to highest target",
        "median": "Median",
        "t_deadline": "Deadlines of numeric targets",
        "t_cleaning": "Cleaning log: characters by reason",
    },
}


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


def _n_lines(labels: Sequence[str]) -> int:
    return max((str(s).count("\n") + 1 for s in labels), default=1)


def _max_dw(labels: Sequence[str]) -> int:
    return max((_dw(part) for s in labels for part in str(s).split("\n")), default=1)


def _check_lang(lang: str) -> None:
    if lang not in _T:
        raise CompareError(f"lang must be 'zh' or 'en', not {lang!r}")


def _tr(lang: str, key: str, **kw: str) -> str:
    return _T[lang][key].format(**kw)


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
    return [names.get(str(i), str(i)) for i in ids]


def _level_label(level: str, lang: str) -> str:
    return _LEVELS[lang].get(str(level), str(level))


def _type_label(doc_type: str, lang: str) -> str:
    return str(doc_type) if lang == "zh" else _DOC_TYPES_EN.get(str(doc_type), str(doc_type))


def _pct(v: float) -> str:
    if pd.isna(v):
        return "–"
    if v == 0:
        return "0"
    if v < 0.005:
        return "<1%"
    return f"{v * 100:.0f}%"


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or str(v) == ""
