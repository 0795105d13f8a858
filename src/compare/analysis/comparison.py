"""The targets comparison matrix: indicator rows × jurisdiction columns, each cell one
commitment written out with its unit and period (``≥60 学时/年``, ``每2年1次``).

:func:`comparison_cells` is the one table behind the matrix figure
(:func:`compare.charts.plot_target_matrix`), the dot plot and ``reports/targets_matrix.xlsx``;
:func:`comparison_matrix` pivots it for display and export, so the three agree cell for cell.
The words (units and periods in zh and en) are the ``units``, ``periods`` and ``time_units``
of ``data/i18n.yml`` (:func:`target_words`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from compare.analysis.base import _id_col, _require, blank, is_blank
from compare.analysis.documents import document_labels, document_order
from compare.config import DataFiles
from compare.errors import CompareError

#: Columns of :func:`comparison_cells`.
CELL_COLUMNS = [
    "indicator", "label_zh", "label_en", "unit", "jurisdiction", "jurisdiction_en", "doc_id",
    "year", "value", "value_max", "comparator", "target_unit", "per", "deadline", "quote",
    "n_targets", "annual", "annual_max", "scale", "text_zh", "text_en", "row", "col", "n_jurisdictions",
    "header_zh", "header_en",
]  # fmt: skip

_SIGNS = {">=": "≥", "<=": "≤", "=": "", "approx": "≈", "range": "", "": ""}
_PER = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*-?\s*)?([A-Za-z\-]+|[\u4e00-\u9fff]+)\s*$")


@dataclass(frozen=True)
class Period:
    """A target's period: ``count`` × ``unit`` (``2`` × ``year`` for 每2年); ``years`` its
    length in years (None for a term of office or a one-off)."""

    count: float
    unit: str
    years: float | None


def target_words(data: DataFiles | str | None = None) -> dict[str, Any]:
    """``units``, ``periods`` and ``time_units`` of the data folder's ``i18n.yml``."""
    raw = DataFiles.resolve(data).yaml("i18n.yml", "chart strings") or {}
    words = {k: raw.get(k) or {} for k in ("units", "periods")}
    words["time_units"] = tuple(raw.get("time_units") or ())
    if not words["periods"]:
        raise CompareError("i18n.yml gives no `periods` (needed to write out targets)")
    return words


def parse_period(per: Any, words: Mapping[str, Any]) -> Period | None:
    """``year``, ``2-year``, ``2 年``, ``quarter`` … as a :class:`Period` (None when blank);
    the unit names and lengths are ``words["periods"]`` (keyed by the English id, each with
    ``zh``, ``en`` and optionally ``years`` and ``aliases``)."""
    if is_blank(per):
        return None
    m = _PER.match(str(per))
    if not m:
        raise CompareError(f"target period {per!r} is not understood (e.g. 'year', '2-year')")
    count = float(m.group(1)) if m.group(1) else 1.0
    name = m.group(2)
    periods = words["periods"]
    unit = next(
        (k for k, v in periods.items() if name == k or name in (v.get("aliases") or [])), None
    )
    if unit is None:
        raise CompareError(f"target period {per!r}: unknown unit {name!r} (data/figures.yml)")
    length = periods[unit].get("years")
    return Period(count, unit, None if length is None else count * float(length))


def _num(v: float) -> str:
    return f"{v:g}"


def _value_text(
    row: Mapping[str, Any], lang: str, words: Mapping[str, Any], spaced: bool = True
) -> str:
    """``≥60 学时`` / ``≥60 hours``, ``1–2 名``, ``≤8%``; ``once`` for an English bare 1 次."""
    sign = _SIGNS.get(str(row.get("comparator") or ""), "")
    value = _num(float(row["value"]))
    vmax = row.get("value_max")
    if not is_blank(vmax) and float(vmax) != float(row["value"]):
        value += f"–{_num(float(vmax))}"
    unit = "" if is_blank(row.get("unit")) else str(row["unit"])
    if lang == "en":
        names = words.get("units", {}).get(unit, {})
        if unit == "次" and value == "1" and not sign:
            return "once"
        unit = str(names.get("en_one" if value == "1" else "en", unit))
    if not unit:
        return f"{sign}{value}"
    if unit == "%":
        return f"{sign}{value}%"
    return f"{sign}{value} {unit}" if lang == "en" or spaced else f"{sign}{value}{unit}"


def _deadline_text(deadline: Any, lang: str) -> str:
    m = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", str(deadline or ""))
    if not m:
        return str(deadline or "")
    y, mo = m.group(1), m.group(2)
    if lang == "en":
        return f"by {deadline}"
    if mo is None or mo == "12":
        return f"{y}年底前"
    return f"{y}年{int(mo)}月底前"


def reading(row: Mapping[str, Any], lang: str, words: Mapping[str, Any]) -> str:
    """One target written out in ``lang``: ``≥60 学时/年`` / ``≥60 hours/year``,
    ``每2年1次`` / ``once every 2 years``, ``≤8%``, ``2025年底前`` / ``by 2025-12-31``.
    A share (``%``) is written without its period (年度败诉率不超过8% → ``≤8%``)."""
    if is_blank(row.get("value")):
        return (
            _deadline_text(row.get("deadline"), lang) if not is_blank(row.get("deadline")) else ""
        )
    period = parse_period(row.get("per"), words)
    if period is None or period.unit == "once" or row.get("unit") == "%":
        return _value_text(row, lang, words)
    name = words["periods"][period.unit][lang]
    if period.count == 1 and period.unit == "term":
        if lang == "zh":
            return f"每届{name}{_value_text(row, lang, words, spaced=False)}"
        return f"{_value_text(row, lang, words)} per {name}"
    if period.count == 1:
        return f"{_value_text(row, lang, words)}/{name}"
    count = _num(period.count)
    if lang == "zh":
        return f"每{count}{name}{_value_text(row, lang, words, spaced=False)}"
    return f"{_value_text(row, lang, words)} every {count} {name}s"


def annual_value(row: Mapping[str, Any], indicator_unit: str, words: Mapping[str, Any]) -> float:
    """The target on a common scale for the dot plot: per year when it has a period of known
    length (每季度1次 → 4, 每2年1次 → 0.5), the cycle length in years when the indicator is
    measured in time and the target counts events (每2年清理一次 → 2 年), else the value."""
    if is_blank(row.get("value")):
        return np.nan
    value = float(row["value"])
    period = parse_period(row.get("per"), words)
    if period is None or period.years is None:
        return value
    time_units = words.get("time_units", ())
    if indicator_unit in time_units and str(row.get("unit") or "") not in time_units:
        return period.years / value if value else np.nan
    return value / period.years


def annual_scale(row: Mapping[str, Any], indicator_unit: str, words: Mapping[str, Any]) -> str:
    """What :func:`annual_value` gives: ``per_year``, ``cycle`` (years) or ``as_written``."""
    period = parse_period(row.get("per"), words)
    if is_blank(row.get("value")) or period is None or period.years is None:
        return "as_written"
    time_units = words.get("time_units", ())
    if indicator_unit in time_units and str(row.get("unit") or "") not in time_units:
        return "cycle"
    return "per_year"


def comparison_cells(
    targets: pd.DataFrame,
    documents: pd.DataFrame,
    indicators: pd.DataFrame,
    words: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """One row per indicator × jurisdiction that sets it (see :data:`CELL_COLUMNS`).

    Only rows with ``status == "target"`` and an indicator count. When a jurisdiction sets an
    indicator several times, a target with a value wins over a bare deadline, then the latest
    document, then the first in the text; ``n_targets`` says how many there were. ``row`` orders
    indicators so shared ones come first (by the number of jurisdictions, then the taxonomy's
    order); ``col`` orders jurisdictions by their documents' year. ``text_zh``/``text_en`` are
    :func:`reading`; ``annual`` is :func:`annual_value` (``annual_max`` the same of
    ``value_max``) on the ``scale`` of :func:`annual_scale`.
    """
    _require(targets, ["doc_id", "indicator", "value"], "targets")
    words = target_words() if words is None else words
    t = targets.copy()
    if "status" in t:
        t = t[t["status"].astype(str) == "target"]
    t = t[~blank(t["indicator"])]
    for col in ("value_max", "comparator", "unit", "per", "deadline", "quote", "char_start"):
        if col not in t:
            t[col] = pd.NA
    d = documents.copy()
    d["doc_id"] = d["doc_id"].astype(str)
    for col in ("jurisdiction", "jurisdiction_en", "year"):
        if col not in d:
            d[col] = pd.NA
    d["jurisdiction"] = d["jurisdiction"].where(~blank(d["jurisdiction"]), d["doc_id"])
    d["jurisdiction_en"] = d["jurisdiction_en"].where(~blank(d["jurisdiction_en"]), d["doc_id"])
    t["doc_id"] = t["doc_id"].astype(str)
    t = t.merge(d[["doc_id", "jurisdiction", "jurisdiction_en", "year"]], on="doc_id", how="left")
    if t.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CELL_COLUMNS})
    t["_valued"] = t["value"].notna()
    t["_year"] = pd.to_numeric(t["year"], errors="coerce").fillna(-1)
    t = t.sort_values(
        ["indicator", "jurisdiction", "_valued", "_year", "doc_id", "char_start"],
        ascending=[True, True, False, False, True, True],
        kind="stable",
    )
    n = t.groupby(["indicator", "jurisdiction"]).size().rename("n_targets")
    cells = t.drop_duplicates(["indicator", "jurisdiction"]).join(
        n, on=["indicator", "jurisdiction"]
    )
    cells = cells.rename(columns={"unit": "target_unit"})

    ind_id = _id_col(indicators, "indicators")
    ind = indicators.assign(**{ind_id: indicators[ind_id].astype(str)}).set_index(ind_id)
    for col in ("label_zh", "label_en", "unit"):
        cells[col] = cells["indicator"].map(ind[col]) if col in ind else pd.NA
    cells["label_zh"] = cells["label_zh"].where(~blank(cells["label_zh"]), cells["indicator"])
    cells["label_en"] = cells["label_en"].where(~blank(cells["label_en"]), cells["indicator"])
    cells["unit"] = cells["unit"].fillna("")

    cells = _with_readings(cells, words)
    cells = _with_order(cells, ind, d, documents)
    cells = cells.sort_values(["row", "col"], kind="stable").reset_index(drop=True)
    cells["header_zh"], cells["header_en"] = _headers(cells, d)
    return cells[CELL_COLUMNS]


def _with_readings(cells: pd.DataFrame, words: Mapping[str, Any]) -> pd.DataFrame:
    """The cells with ``text_zh``/``text_en`` (:func:`reading`), ``annual``/``annual_max``
    (:func:`annual_value`) and ``scale`` (:func:`annual_scale`)."""
    records = cells.to_dict("records")
    as_target = [{**r, "unit": r["target_unit"]} for r in records]
    cells["text_zh"] = [reading(r, "zh", words) for r in as_target]
    cells["text_en"] = [reading(r, "en", words) for r in as_target]
    cells["annual"] = [annual_value(r, str(r["unit"]), words) for r in as_target]
    with_max = [
        {**r, "value": r["value_max"]} if not is_blank(r["value_max"]) else r for r in as_target
    ]
    cells["annual_max"] = [annual_value(r, str(r["unit"]), words) for r in with_max]
    cells["scale"] = [annual_scale(r, str(r["unit"]), words) for r in as_target]

    return cells


def _with_order(
    cells: pd.DataFrame, ind: pd.DataFrame, d: pd.DataFrame, documents: pd.DataFrame
) -> pd.DataFrame:
    """The cells with ``n_jurisdictions``, ``row`` (shared indicators first, then the
    taxonomy's order) and ``col`` (jurisdictions by their documents' order)."""
    order = {k: i for i, k in enumerate(ind.index)}
    n_j = cells.groupby("indicator")["jurisdiction"].nunique()
    cells["n_jurisdictions"] = cells["indicator"].map(n_j).astype("int64")
    rows = sorted(n_j.index, key=lambda k: (-int(n_j[k]), order.get(k, len(order)), k))
    cells["row"] = cells["indicator"].map({k: i for i, k in enumerate(rows)}).astype("int64")
    juris_of = dict(zip(d["doc_id"], d["jurisdiction"], strict=True))
    col_order = list(dict.fromkeys(juris_of[i] for i in document_order(documents)))
    seen = [j for j in col_order if j in set(cells["jurisdiction"])]
    seen += sorted(set(cells["jurisdiction"]) - set(seen))
    cells["col"] = cells["jurisdiction"].map({j: i for i, j in enumerate(seen)}).astype("int64")
    return cells


def _headers(cells: pd.DataFrame, documents: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Column headers: the jurisdiction; when several documents of the build carry that name
    (anonymised texts: 某市), also the document the column's targets come from (or how many)."""
    n_docs = documents.groupby("jurisdiction")["doc_id"].nunique()
    names = {lang: document_labels(documents, lang) for lang in ("zh", "en")}
    heads: dict[str, tuple[str, str]] = {}
    for j, g in cells.groupby("jurisdiction", sort=False):
        zh, en = str(j), str(g["jurisdiction_en"].iloc[0])
        if int(n_docs.get(j, 1)) > 1:
            docs = list(pd.unique(g["doc_id"].astype(str)))
            if len(docs) == 1:
                zh, en = f"{zh} · {names['zh'][docs[0]]}", f"{en} · {names['en'][docs[0]]}"
            else:
                zh, en = f"{zh} · {len(docs)}份文件", f"{en} · {len(docs)} documents"
        heads[str(j)] = (zh, en)
    js = cells["jurisdiction"].astype(str)
    return [heads[j][0] for j in js], [heads[j][1] for j in js]


def comparison_matrix(cells: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`comparison_cells` as the matrix the figure draws: indicator labels (rows, shared
    first) × jurisdiction labels (columns), cells ``text_<lang>``, empty where a jurisdiction
    sets none."""
    if lang not in ("zh", "en"):
        raise CompareError(f"lang must be 'zh' or 'en', not {lang!r}")
    label = "label_zh" if lang == "zh" else "label_en"
    juris = f"header_{lang}"
    if cells.empty:
        return pd.DataFrame()
    rows = cells.drop_duplicates("row").sort_values("row")[label].tolist()
    cols = cells.drop_duplicates("col").sort_values("col")[juris].tolist()
    grid = pd.DataFrame("", index=pd.Index(rows, name=label), columns=pd.Index(cols, name=juris))
    for r in cells.itertuples(index=False):
        grid.iat[int(r.row), int(r.col)] = getattr(r, f"text_{lang}")
    return grid
