"""Targets views: side by side (indicator × jurisdiction, :func:`side_by_side`), the one
indicator × jurisdiction matrix of readings (:func:`target_matrix`), ranges and deadlines."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from compare.analysis.base import _id_col, _require, _year_of, blank
from compare.analysis.documents import corpus_overview, document_order, label_table
from compare.errors import CompareError
from compare.targets import COLUMNS as TARGET_COLUMNS
from compare.targets.link import indicator_reading
from compare.targets.vocabulary import Vocabulary, load_vocabulary

#: A target's quantity, as the targets table holds it (``value`` … ``deadline``).
QUANTITY_COLUMNS = TARGET_COLUMNS[
    TARGET_COLUMNS.index("value") : TARGET_COLUMNS.index("deadline") + 1
]
#: Columns of the side-by-side view.
SIDE_COLUMNS = ["indicator", "jurisdiction", "label", "year", "doc_id", *QUANTITY_COLUMNS, "quote",
                "n_targets"]  # fmt: skip


def side_by_side(targets: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Indicator × jurisdiction: one row per pair, from the commitments (status ``target``)
    with an indicator. When a jurisdiction has several, the latest document wins, then the
    first in text; ``n_targets`` says how many there were."""
    t = targets[(targets["indicator"] != "") & (targets["status"] == "target")]
    docs = documents[["doc_id", "jurisdiction", "label", "year"]]
    t = t.merge(docs, on="doc_id", how="left")
    t["year_sort"] = pd.to_numeric(t["year"], errors="coerce").fillna(-1)
    t = t.sort_values(["indicator", "jurisdiction", "year_sort", "doc_id", "char_start"],
                      ascending=[True, True, False, True, True])  # fmt: skip
    counts = t.groupby(["indicator", "jurisdiction"]).size().rename("n_targets")
    first = t.drop_duplicates(["indicator", "jurisdiction"]).join(
        counts, on=["indicator", "jurisdiction"]
    )
    return first[SIDE_COLUMNS].reset_index(drop=True)


def describe_target(row: Any) -> str:
    """A short reading of one target, e.g. ``≥2 期/year`` or ``by 2023-12-31``."""
    if row["comparator"] == "by":
        return f"by {row['deadline']}"
    sign = {">=": "≥", "<=": "≤", "=": "", "approx": "≈", "range": ""}.get(row["comparator"], "")
    value = f"{row['value']:g}"
    if row["comparator"] == "range" and pd.notna(row["value_max"]):
        value += f"–{row['value_max']:g}"
    per = f"/{row['per']}" if row["per"] else ""
    return f"{sign}{value} {row['unit']}{per}".strip()


def export_side_by_side(df: pd.DataFrame, out_stem: str | Path) -> list[Path]:
    """Write ``<out_stem>.csv`` and ``<out_stem>.xlsx`` (sheets: long table, and a matrix of
    short readings with indicators as rows and jurisdictions as columns)."""
    from compare.io import write_csv, write_excel

    stem = Path(out_stem)
    csv = write_csv(df, stem.with_name(stem.name + ".csv"))
    matrix = target_matrix(df, counts=False).reset_index()
    xlsx = write_excel({"side_by_side": df, "matrix": matrix}, stem.with_name(stem.name + ".xlsx"))
    return [csv, xlsx]


def target_matrix(
    side: pd.DataFrame, documents: pd.DataFrame | None = None, counts: bool = True
) -> pd.DataFrame:
    """:func:`compare.targets.side_by_side` as a matrix: indicators × jurisdictions, short readings.

    Cells read like ``≥2 期/year`` (:func:`compare.targets.describe_target`), with ``(n)`` added
    when the jurisdiction set that indicator more than once (``counts``). Columns follow the
    documents' year order when ``documents`` is given, else the jurisdictions' sort order.
    """
    if side.empty:
        return pd.DataFrame(index=pd.Index([], name="indicator"))
    cells = side.assign(
        reading=[
            describe_target(r)
            + (f" ({int(r['n_targets'])})" if counts and r.get("n_targets", 1) > 1 else "")
            for r in side.to_dict("records")
        ]
    )
    wide = cells.pivot(index="indicator", columns="jurisdiction", values="reading").fillna("")
    if documents is not None and "jurisdiction" in documents:
        d = documents.set_index(documents["doc_id"].astype(str))["jurisdiction"]
        order = list(dict.fromkeys(str(d[i]) for i in document_order(documents)))
        wide = wide[[j for j in order if j in wide.columns] + sorted(set(wide) - set(order))]
    wide.columns.name = "jurisdiction"
    return wide


def target_ranges(
    targets: pd.DataFrame,
    documents: pd.DataFrame,
    indicators: pd.DataFrame,
    by: Literal["jurisdiction", "doc_id"] = "jurisdiction",
    statuses: Collection[str] | None = ("target",),
    vocab: Vocabulary | None = None,
) -> pd.DataFrame:
    """Per indicator × jurisdiction (or × document): the range of the numeric targets set.

    Keeps targets with an indicator and a value whose ``status`` is in ``statuses`` (commitments
    only by default, so no achievement reaches a targets chart; ``None`` keeps every status).
    A target's low and high ends are read in the indicator's unit
    (:func:`compare.targets.indicator_reading`): ``value`` and ``value_max`` (else ``value``),
    except a count per period against a time-unit indicator, read as a cycle (每2年清理一次 →
    2 年; the period lengths come from ``vocab``, default data/targets.yml).
    Returns ``indicator, label_zh, label_en, unit, <by>, label, label_en_doc, year, n, low, high,
    median, comparators, units_seen, doc_ids`` in the indicators' order, then by year. ``label`` /
    ``label_en_doc`` name the row's jurisdiction (or document) for charts; ``unit`` is the
    indicator's unit, ``units_seen`` the units the targets were written in (not converted).
    """
    _require(targets, ["doc_id", "indicator", "value"], "targets")
    ind_id = _id_col(indicators, "indicators")
    if by not in ("jurisdiction", "doc_id"):
        raise CompareError(f"target_ranges by must be 'jurisdiction' or 'doc_id', not {by!r}")
    t = _valued_targets(targets, statuses)
    t["low"], t["high"] = _read_in_indicator_units(t, indicators, ind_id, vocab)
    t = _with_row_labels(t, documents, by)

    def _join(s: pd.Series) -> str:
        return ";".join(sorted({str(v) for v in s.dropna() if str(v).strip()}))

    g = t.groupby(["indicator", by], sort=False, dropna=False)
    out = g.agg(
        label=("_label", "first"),
        label_en_doc=("_label_en", "first"),
        year=("year", "min"),
        n=("low", "size"),
        low=("low", "min"),
        high=("high", "max"),
        median=("low", "median"),
        comparators=("comparator", _join),
        units_seen=("unit", _join),
        doc_ids=("doc_id", _join),
    ).reset_index()
    out = _in_indicator_order(out, indicators, ind_id, by)
    cols = ["indicator", "label_zh", "label_en", "unit", by, "label", "label_en_doc", "year"]
    cols += ["n", "low", "high", "median", "comparators", "units_seen", "doc_ids"]
    return out[cols].reset_index(drop=True)


def _valued_targets(targets: pd.DataFrame, statuses: Collection[str] | None) -> pd.DataFrame:
    """The targets with an indicator and a value whose status is in ``statuses`` (all when
    None), with ``comparator``, ``unit`` and ``per`` columns present."""
    t = targets.copy()
    t["doc_id"] = t["doc_id"].astype(str)
    if statuses is not None and "status" in t:
        t = t[t["status"].isin(list(statuses))]
    t = t[~blank(t["indicator"]) & t["value"].notna()]
    for col in ("comparator", "unit", "per"):
        if col not in t:
            t[col] = pd.NA
    return t


def _read_in_indicator_units(
    t: pd.DataFrame, indicators: pd.DataFrame, ind_id: str, vocab: Vocabulary | None
) -> tuple[list[float], list[float]]:
    """Each target's (low, high) in its indicator's unit (:func:`indicator_reading`)."""
    vmax = t["value_max"] if "value_max" in t else pd.Series(np.nan, index=t.index)
    ind_units = indicators.set_index(indicators[ind_id].astype(str)).get("unit")
    vocab = vocab or load_vocabulary()
    readings = [
        indicator_reading(
            float(v), float(vm), str(u or ""), "" if blank_p else str(p),
            "" if ind_units is None else str(ind_units.get(str(i), "") or ""), vocab,
        )
        for v, vm, u, p, blank_p, i in zip(
            t["value"], vmax.astype(float), t["unit"].fillna(""), t["per"],
            blank(t["per"]), t["indicator"], strict=True,
        )
    ]  # fmt: skip
    return [lo for lo, _ in readings], [hi for _, hi in readings]


def _with_row_labels(t: pd.DataFrame, documents: pd.DataFrame, by: str) -> pd.DataFrame:
    """The targets with their documents' jurisdiction, labels and year, and ``_label`` /
    ``_label_en`` naming the row (the jurisdiction, else the document, when ``by`` is
    ``jurisdiction``; the document otherwise)."""
    d = documents.copy()
    d["doc_id"] = d["doc_id"].astype(str)
    d = d.merge(label_table(documents), on="doc_id", suffixes=("_orig", ""))
    for col in ("jurisdiction", "jurisdiction_en", "year"):
        if col not in d:
            d[col] = pd.NA
    t = t.merge(
        d[["doc_id", "jurisdiction", "jurisdiction_en", "label", "label_en", "year"]],
        on="doc_id",
        how="left",
    )
    if by == "jurisdiction":
        t["_label"] = t["jurisdiction"].where(~blank(t["jurisdiction"]), t["label"])
        t["_label_en"] = t["jurisdiction_en"].where(~blank(t["jurisdiction_en"]), t["label_en"])
        t["jurisdiction"] = t["jurisdiction"].where(~blank(t["jurisdiction"]), t["doc_id"])
    else:
        t["_label"], t["_label_en"] = t["label"], t["label_en"]
    return t


def _in_indicator_order(
    out: pd.DataFrame, indicators: pd.DataFrame, ind_id: str, by: str
) -> pd.DataFrame:
    """Rows with their indicator's labels and unit, in the indicators' order, then by year."""
    ind = indicators.copy()
    ind[ind_id] = ind[ind_id].astype(str)
    ind_order = {k: i for i, k in enumerate(ind[ind_id])}
    ind = ind.set_index(ind_id)
    for col in ("label_zh", "label_en", "unit"):
        out[col] = out["indicator"].map(ind[col]) if col in ind else pd.NA
    out["label_zh"] = out["label_zh"].where(~blank(out["label_zh"]), out["indicator"])
    out["label_en"] = out["label_en"].where(~blank(out["label_en"]), out["indicator"])
    out["_o"] = out["indicator"].map(ind_order).fillna(len(ind_order))
    return out.sort_values(["_o", "indicator", "year", by], kind="stable").drop(columns="_o")


def deadline_timeline(
    targets: pd.DataFrame,
    documents: pd.DataFrame,
    statuses: Collection[str] | None = ("target",),
) -> pd.DataFrame:
    """How many targets each document sets for each deadline year.

    The deadline year is the first four-digit year in ``deadline`` (a date, ``2025``,
    ``2025-12-31`` or ``2025年底前``); targets without one, or whose ``status`` is not in
    ``statuses`` (commitments only by default; ``None`` keeps all), are left out. Returns
    ``doc_id, label, label_en, doc_year, deadline_year, lead_years, n_targets, indicators,
    doc_year_certain, doc_year_min, doc_year_max`` (``lead_years = deadline_year - doc_year``;
    the last three as ``year_certain``/``year_min``/``year_max`` of
    :func:`~compare.analysis.corpus_overview`: an inferred year is only the earliest the text
    allows), sorted by document year, document, deadline.
    """
    _require(targets, ["doc_id", "deadline"], "targets")
    t = targets.copy()
    if statuses is not None and "status" in t:
        t = t[t["status"].isin(list(statuses))]
    t["doc_id"] = t["doc_id"].astype(str)
    t["deadline_year"] = t["deadline"].map(_year_of)
    t = t[t["deadline_year"].notna()]
    if "indicator" not in t:
        t["indicator"] = pd.NA
    g = t.groupby(["doc_id", "deadline_year"], sort=True)
    out = g.agg(
        n_targets=("deadline_year", "size"),
        indicators=(
            "indicator",
            lambda s: ";".join(sorted({str(v) for v in s.dropna() if str(v).strip()})),
        ),
    ).reset_index()
    docs = label_table(documents)
    year = documents.set_index(documents["doc_id"].astype(str)).get("year")
    docs["doc_year"] = docs["doc_id"].map(year) if year is not None else np.nan
    out = out.merge(docs, on="doc_id", how="left")
    known = corpus_overview(documents)[["doc_id", "year_certain", "year_min", "year_max"]]
    known = known.rename(columns=lambda c: c if c == "doc_id" else f"doc_{c}")
    out = out.merge(known, on="doc_id", how="left")
    out["doc_year_certain"] = out["doc_year_certain"].fillna(False).astype(bool)
    out["doc_year"] = pd.to_numeric(out["doc_year"], errors="coerce").astype("Int64")
    out["deadline_year"] = out["deadline_year"].astype("int64")
    out["lead_years"] = (out["deadline_year"] - out["doc_year"]).astype("Int64")
    out = out.sort_values(["doc_year", "doc_id", "deadline_year"], kind="stable")
    cols = ["doc_id", "label", "label_en", "doc_year", "deadline_year", "lead_years"]
    cols += ["n_targets", "indicators", "doc_year_certain", "doc_year_min", "doc_year_max"]
    return out[cols].reset_index(drop=True)
