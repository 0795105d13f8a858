"""Comparisons computed from the pipeline's tables (the ``textstat_*`` half; ``charts`` draws them).

Every function is pure: it takes tables (DataFrames following ``docs/design.md``) and returns a
new DataFrame; nothing is drawn or written here. Chart functions in :mod:`compare.charts` take
these results as they are and never recompute them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from compare.errors import CompareError

__all__ = [
    "LEVEL_ORDER",
    "aligned_pairs",
    "category_shift",
    "cleaning_summary",
    "corpus_counts",
    "corpus_overview",
    "coverage",
    "coverage_matrix",
    "deadline_timeline",
    "distinctive_topics",
    "keyness",
    "target_ranges",
    "topic_breakdown",
    "topic_presence_change",
]

#: Administrative levels from the top down (sort order in every table and chart).
LEVEL_ORDER = ("national", "province", "city", "county", "district")

_KEYS = {"category": "category_id", "topic": "topic_id"}


# --------------------------------------------------------------------------- helpers
def _blank(s: pd.Series) -> pd.Series:
    """True where a value is missing or an empty/whitespace string."""
    return s.isna() | s.astype("string").str.strip().fillna("").eq("")


def _require(df: pd.DataFrame, cols: Iterable[str], name: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise CompareError(f"table {name!r} lacks column(s): {', '.join(missing)}")


def _id_col(table: pd.DataFrame, name: str) -> str:
    """The id column of a taxonomy table: ``id``, else its own (``category_id``, ``topic_id``,
    ``indicator_id``) as :mod:`compare.taxonomy` names it."""
    for col in ("id", "indicator_id", "topic_id", "category_id"):
        if col in table.columns:
            return col
    raise CompareError(f"table {name!r} has no id column (id, category_id, topic_id, indicator_id)")


def _doc_order(documents: pd.DataFrame) -> list[str]:
    return list(pd.unique(documents["doc_id"].astype(str)))


def _year_of(value: object) -> float:
    """The first four-digit year in a deadline/date value (``2025``, ``2025-12-31``, ``2025年底``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return np.nan
    if isinstance(value, pd.Timestamp):
        return float(value.year)
    if hasattr(value, "year") and not isinstance(value, str):
        return float(value.year)  # type: ignore[attr-defined]
    if isinstance(value, (int, np.integer)) or (
        isinstance(value, (float, np.floating)) and float(value).is_integer()
    ):
        v = int(value)
        return float(v) if 1900 <= v <= 2100 else np.nan
    m = re.search(r"(?<!\d)(19|20)(\d{2})(?!\d)", str(value))
    return float(m.group(1) + m.group(2)) if m else np.nan


def _label_cols(documents: pd.DataFrame) -> pd.DataFrame:
    """``doc_id, label, label_en`` with fallbacks (title / jurisdiction / doc_id) when missing."""
    d = documents.copy()
    d["doc_id"] = d["doc_id"].astype(str)
    label = d["label"] if "label" in d else pd.Series(pd.NA, index=d.index)
    label_en = d["label_en"] if "label_en" in d else pd.Series(pd.NA, index=d.index)
    fallback = d["title"] if "title" in d else d["doc_id"]
    label = label.where(~_blank(label), fallback).where(lambda s: ~_blank(s), d["doc_id"])
    label_en = label_en.where(~_blank(label_en), d["doc_id"])
    return pd.DataFrame({"doc_id": d["doc_id"], "label": label, "label_en": label_en})


# --------------------------------------------------------------------------- coverage
def coverage(
    alignments: pd.DataFrame,
    measures: pd.DataFrame,
    documents: pd.DataFrame,
    level: Literal["category", "topic"] = "category",
    weight: Literal["measures", "chars"] = "measures",
    taxonomy: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """How much of each document falls in each category (or topic).

    Returns a long table ``doc_id, [category_id,] <category_id|topic_id>, n, total, share``:
    ``n`` counts the document's measures aligned there (``weight="measures"``) or their
    characters (``weight="chars"``, ``char_end - char_start``); ``total`` is the same over *all*
    the document's measures, aligned or not, so shares of a document sum to at most 1 (the rest
    is unaligned). Only the primary alignment counts (``secondary`` is ignored); a measure with
    several alignment rows keeps its highest-scoring one. Every document of ``documents`` (in that
    order) × every id of ``taxonomy`` (the categories or topics table, in its order, its id column
    ``id`` or ``category_id``/``topic_id``; else the ids seen) gets a row, zeros included; a document without measures gets ``share`` NaN.
    """
    if level not in _KEYS:
        raise CompareError(f"coverage level must be 'category' or 'topic', not {level!r}")
    if weight not in ("measures", "chars"):
        raise CompareError(f"coverage weight must be 'measures' or 'chars', not {weight!r}")
    key = _KEYS[level]
    _require(measures, ["doc_id", "measure_id", "char_start", "char_end"], "measures")
    _require(alignments, ["measure_id", "category_id", key], "alignments")

    m = measures[["doc_id", "measure_id", "char_start", "char_end"]].copy()
    m["doc_id"] = m["doc_id"].astype(str)
    m["size"] = 1 if weight == "measures" else (m["char_end"] - m["char_start"]).astype("int64")
    totals = m.groupby("doc_id")["size"].sum()

    cols = ["measure_id", "category_id"] + ([key] if key != "category_id" else [])
    a = alignments.copy()
    if "score" in a:
        a = a.sort_values("score", ascending=False, kind="stable")
    a = a.drop_duplicates("measure_id")[cols]
    a = a[~_blank(a[key])]
    j = m.merge(a, on="measure_id", how="inner")

    # The ids, in taxonomy order (or as seen), with each topic's category.
    if taxonomy is not None:
        id_col = "id" if "id" in taxonomy.columns else key
        _require(taxonomy, [id_col], "taxonomy")
        ids = taxonomy[id_col].astype(str).tolist()
        cat_of = (
            dict(zip(ids, taxonomy["category_id"].astype(str), strict=True))
            if level == "topic" and "category_id" in taxonomy and id_col != "category_id"
            else {}
        )
    else:
        ids = sorted(pd.unique(j[key].astype(str)))
        cat_of = {}
    if level == "topic":
        seen = j.drop_duplicates(key).set_index(key)["category_id"].astype(str).to_dict()
        cat_of = {**seen, **cat_of}

    docs = _doc_order(documents)
    n = j.groupby(["doc_id", key])["size"].sum()
    grid = pd.MultiIndex.from_product([docs, ids], names=["doc_id", key])
    out = n.reindex(grid, fill_value=0).rename("n").reset_index()
    out["n"] = out["n"].astype("int64")
    out["total"] = out["doc_id"].map(totals).fillna(0).astype("int64")
    out["share"] = (out["n"] / out["total"].where(out["total"] > 0)).astype("float64")
    if level == "topic":
        out.insert(1, "category_id", out[key].map(cat_of))
    return out


def coverage_matrix(cov: pd.DataFrame, value: Literal["share", "n"] = "share") -> pd.DataFrame:
    """Pivot a :func:`coverage` table wide: one row per document, one column per category/topic.

    Rows and columns keep the order of the long table (documents order, taxonomy order).
    """
    key = "topic_id" if "topic_id" in cov.columns else "category_id"
    rows = list(pd.unique(cov["doc_id"]))
    cols = list(pd.unique(cov[key]))
    wide = cov.pivot(index="doc_id", columns=key, values=value).reindex(index=rows, columns=cols)
    wide.columns.name = key
    return wide


def topic_breakdown(topic_cov: pd.DataFrame, category_id: str) -> pd.DataFrame:
    """The topics of one category per document (a drill-down of a topic :func:`coverage`).

    Returns ``doc_id, category_id, topic_id, n, total, share, n_category, share_in_category``:
    ``share`` is of the document's measures; ``share_in_category`` is of the document's measures
    in this category (NaN when the document has none there).
    """
    _require(topic_cov, ["doc_id", "category_id", "topic_id", "n", "share"], "coverage")
    t = topic_cov[topic_cov["category_id"].astype(str) == str(category_id)].copy()
    if t.empty:
        raise CompareError(f"no topics of category {category_id!r} in the coverage table")
    t["n_category"] = t.groupby("doc_id", sort=False)["n"].transform("sum").astype("int64")
    t["share_in_category"] = (t["n"] / t["n_category"].where(t["n_category"] > 0)).astype(float)
    return t.reset_index(drop=True)


def distinctive_topics(
    topic_cov: pd.DataFrame,
    docs: Collection[str] | None = None,
    min_n: int = 1,
) -> pd.DataFrame:
    """What each document covers that the others do not (or cover much less).

    From a topic-level :func:`coverage` table (restricted to ``docs`` if given), for every
    document and topic it covers (``n >= min_n``): ``n_others`` = how many other documents cover
    it, ``others_share`` = the mean share in the other documents (zeros included),
    ``distinctiveness = share - others_share``, ``exclusive = n_others == 0``. Keeps rows with
    ``distinctiveness > 0``, sorted per document: exclusive first, then by distinctiveness;
    ``rank`` numbers them from 1 within each document.
    """
    _require(topic_cov, ["doc_id", "topic_id", "n", "share"], "coverage")
    t = topic_cov.copy()
    if docs is not None:
        t = t[t["doc_id"].isin(list(docs))]
    order = {d: i for i, d in enumerate(pd.unique(t["doc_id"]))}
    n_docs = len(order)
    if n_docs < 2:
        raise CompareError("distinctive_topics needs at least two documents")
    t["share"] = t["share"].fillna(0.0)
    covers = t["n"] >= min_n
    n_cover = covers.groupby(t["topic_id"]).transform("sum")
    sum_share = t.groupby("topic_id")["share"].transform("sum")
    t["n_others"] = (n_cover - covers.astype(int)).astype("int64")
    t["others_share"] = (sum_share - t["share"]) / (n_docs - 1)
    t["distinctiveness"] = t["share"] - t["others_share"]
    t["exclusive"] = t["n_others"] == 0
    out = t[covers & (t["distinctiveness"] > 0)].copy()
    out["_o"] = out["doc_id"].map(order)
    out = out.sort_values(
        ["_o", "exclusive", "distinctiveness", "topic_id"],
        ascending=[True, False, False, True],
        kind="stable",
    ).drop(columns="_o")
    out["rank"] = out.groupby("doc_id", sort=False).cumcount() + 1
    return out.reset_index(drop=True)


def category_shift(
    cov: pd.DataFrame, doc_a: str, doc_b: str, doc_mid: str | None = None
) -> pd.DataFrame:
    """Category shares of ``doc_a`` (e.g. 2012) against ``doc_b`` (e.g. 2021), optionally a midpoint.

    From a category-level :func:`coverage` table. Returns one row per category:
    ``category_id, doc_a, doc_mid, doc_b, n_a, n_mid, n_b, share_a, share_mid, share_b, delta``
    (``delta = share_b - share_a``), sorted by ``delta`` descending. Without ``doc_mid`` its
    columns are NA.
    """
    _require(cov, ["doc_id", "category_id", "n", "share"], "coverage")
    if "topic_id" in cov.columns:
        raise CompareError("category_shift needs a category-level coverage table")
    cats = list(pd.unique(cov["category_id"]))
    parts: dict[str, pd.DataFrame] = {}
    for tag, doc in (("a", doc_a), ("mid", doc_mid), ("b", doc_b)):
        if doc is None:
            continue
        rows = cov[cov["doc_id"] == doc]
        if rows.empty:
            raise CompareError(f"document {doc!r} is not in the coverage table")
        parts[tag] = rows.set_index("category_id").reindex(cats)
    out = pd.DataFrame({"category_id": cats})
    out["doc_a"], out["doc_mid"], out["doc_b"] = doc_a, doc_mid, doc_b
    for tag in ("a", "mid", "b"):
        if tag in parts:
            out[f"n_{tag}"] = parts[tag]["n"].to_numpy()
            out[f"share_{tag}"] = parts[tag]["share"].to_numpy(dtype=float)
        else:
            out[f"n_{tag}"] = pd.NA
            out[f"share_{tag}"] = np.nan
    cols = ["category_id", "doc_a", "doc_mid", "doc_b", "n_a", "n_mid", "n_b"]
    out = out[[*cols, "share_a", "share_mid", "share_b"]]
    out["delta"] = out["share_b"] - out["share_a"]
    return out.sort_values("delta", ascending=False, kind="stable").reset_index(drop=True)


def topic_presence_change(
    topic_cov: pd.DataFrame, doc_a: str, doc_b: str, include_kept: bool = False
) -> pd.DataFrame:
    """Topics that appear (``new``) or vanish (``dropped``) from ``doc_a`` to ``doc_b``.

    Returns ``topic_id, category_id, n_a, n_b, status`` (``new``, ``dropped``, and with
    ``include_kept`` also ``kept``), sorted by status, category, then the larger count.
    """
    _require(topic_cov, ["doc_id", "topic_id", "n"], "coverage")
    counts = []
    for doc in (doc_a, doc_b):
        rows = topic_cov[topic_cov["doc_id"] == doc]
        if rows.empty:
            raise CompareError(f"document {doc!r} is not in the coverage table")
        counts.append(rows.groupby("topic_id", sort=False)["n"].sum())
    topics = list(pd.unique(topic_cov["topic_id"]))
    out = pd.DataFrame({"topic_id": topics})
    cat = topic_cov.drop_duplicates("topic_id").set_index("topic_id").get("category_id")
    out["category_id"] = out["topic_id"].map(cat) if cat is not None else pd.NA
    out["n_a"] = out["topic_id"].map(counts[0]).fillna(0).astype("int64")
    out["n_b"] = out["topic_id"].map(counts[1]).fillna(0).astype("int64")
    out["status"] = np.select(
        [(out["n_a"] == 0) & (out["n_b"] > 0), (out["n_a"] > 0) & (out["n_b"] == 0)],
        ["new", "dropped"],
        default="kept",
    )
    out.loc[(out["n_a"] == 0) & (out["n_b"] == 0), "status"] = "absent"
    keep = ["new", "dropped", "kept"] if include_kept else ["new", "dropped"]
    out = out[out["status"].isin(keep)].copy()
    out["_s"] = out["status"].map({s: i for i, s in enumerate(keep)})
    out["_n"] = out[["n_a", "n_b"]].max(axis=1)
    out = out.sort_values(["_s", "category_id", "_n", "topic_id"], ascending=[1, 1, 0, 1])
    return out.drop(columns=["_s", "_n"]).reset_index(drop=True)


# --------------------------------------------------------------------------- keyness
def keyness(
    tokens_target: list[list[str]],
    tokens_reference: list[list[str]],
    min_count: int = 3,
    correction: Literal["none", "williams"] = "none",
) -> pd.DataFrame:
    """Terms over- or under-used in the target against the reference (as quanteda's keyness).

    For each term, the 2×2 table ``[[a, b], [c, d]]`` (``a``/``b`` = its count in target/reference,
    ``c``/``d`` = all other tokens there) gives Dunning's log-likelihood
    ``G2 = 2 Σ O ln(O/E)``, signed negative when the term is relatively rarer in the target
    (quanteda's convention); ``correction="williams"`` divides it by Williams' ``q``.
    ``p_value`` is from χ²(1). ``log_ratio`` is Hardie's binary log of the relative frequency ratio,
    a zero count replaced by 0.5. Terms with ``count_target + count_ref < min_count`` are left out.
    Returns ``term, count_target, count_ref, log_ratio, g2, p_value`` sorted by ``g2`` descending
    (ties by term).
    """
    ct: Counter[str] = Counter(t for doc in tokens_target for t in doc)
    cr: Counter[str] = Counter(t for doc in tokens_reference for t in doc)
    n1, n2 = sum(ct.values()), sum(cr.values())
    cols = ["term", "count_target", "count_ref", "log_ratio", "g2", "p_value"]
    if n1 == 0 or n2 == 0:
        raise CompareError("keyness needs tokens in both the target and the reference")
    terms = sorted(t for t in set(ct) | set(cr) if ct[t] + cr[t] >= min_count)
    if not terms:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols}).astype({"term": "str"})
    a = np.array([ct[t] for t in terms], dtype=float)
    b = np.array([cr[t] for t in terms], dtype=float)
    c, d = n1 - a, n2 - b
    n = n1 + n2
    obs = np.stack([a, b, c, d])
    row = np.stack([a + b, a + b, c + d, c + d])
    col = np.array([n1, n2, n1, n2], dtype=float)[:, None]
    exp = row * col / n
    with np.errstate(divide="ignore", invalid="ignore"):
        terms_ll = np.where(obs > 0, obs * np.log(obs / exp), 0.0)
    g2 = 2 * terms_ll.sum(axis=0)
    if correction == "williams":
        # Williams (1976) for a 2x2 table: q = 1 + (n·Σ1/row − 1)(n·Σ1/col − 1) / (6n).
        r1, r2 = a + b, c + d
        with np.errstate(divide="ignore"):
            q = 1 + (n / r1 + n / r2 - 1) * (n / n1 + n / n2 - 1) / (6 * n)
        g2 = g2 / q
    elif correction != "none":
        raise CompareError(f"keyness correction must be 'none' or 'williams', not {correction!r}")
    g2 = np.maximum(g2, 0.0)
    p = stats.chi2.sf(g2, df=1)
    sign = np.where(a / n1 >= b / n2, 1.0, -1.0)
    lr = np.log2((np.where(a > 0, a, 0.5) / n1) / (np.where(b > 0, b, 0.5) / n2))
    out = pd.DataFrame(
        {
            "term": terms,
            "count_target": a.astype("int64"),
            "count_ref": b.astype("int64"),
            "log_ratio": lr,
            "g2": sign * g2,
            "p_value": p,
        }
    )
    out = out.sort_values(["g2", "term"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- matches
def aligned_pairs(
    matches: pd.DataFrame,
    measures: pd.DataFrame,
    doc_a: str,
    doc_b: str,
    min_score: float = 0.0,
    one_to_one: bool = True,
) -> pd.DataFrame:
    """The best-matching measure pairs between two documents, with both texts side by side.

    Uses ``matches`` in both directions (a→b and b→a rows; a pair's score is the higher of the
    two). With ``one_to_one`` pairs are chosen greedily by score so each measure appears at most
    once; otherwise each measure of ``doc_a`` keeps its best partner. Returns
    ``measure_id_a, measure_id_b, score, path_a, path_b, heading_a, heading_b, text_a, text_b``
    sorted by score descending.
    """
    _require(matches, ["measure_id", "other_measure_id", "score"], "matches")
    _require(measures, ["doc_id", "measure_id", "text"], "measures")
    doc_of = measures.set_index("measure_id")["doc_id"].astype(str)
    m = matches[["measure_id", "other_measure_id", "score"]].copy()
    m["d1"], m["d2"] = m["measure_id"].map(doc_of), m["other_measure_id"].map(doc_of)
    fwd = m[(m["d1"] == doc_a) & (m["d2"] == doc_b)]
    rev = m[(m["d1"] == doc_b) & (m["d2"] == doc_a)]
    pairs = pd.concat(
        [
            pd.DataFrame(
                {"measure_id_a": fwd["measure_id"], "measure_id_b": fwd["other_measure_id"]}
            ).assign(score=fwd["score"].astype(float)),
            pd.DataFrame(
                {"measure_id_a": rev["other_measure_id"], "measure_id_b": rev["measure_id"]}
            ).assign(score=rev["score"].astype(float)),
        ],
        ignore_index=True,
    )
    pairs = pairs[pairs["score"] >= min_score]
    pairs = pairs.sort_values(
        ["score", "measure_id_a", "measure_id_b"], ascending=[False, True, True], kind="stable"
    ).drop_duplicates(["measure_id_a", "measure_id_b"])
    if one_to_one:
        used_a: set[str] = set()
        used_b: set[str] = set()
        keep = []
        for i, ma, mb in zip(
            pairs.index, pairs["measure_id_a"], pairs["measure_id_b"], strict=True
        ):
            if ma not in used_a and mb not in used_b:
                keep.append(i)
                used_a.add(ma)
                used_b.add(mb)
        pairs = pairs.loc[keep]
    else:
        pairs = pairs.drop_duplicates("measure_id_a")
    info = measures.set_index("measure_id")
    out = pairs.reset_index(drop=True)
    for tag in ("a", "b"):
        ids = out[f"measure_id_{tag}"]
        for col in ("path", "heading", "text"):
            out[f"{col}_{tag}"] = ids.map(info[col]) if col in info else pd.NA
    cols = ["measure_id_a", "measure_id_b", "score", "path_a", "path_b"]
    return out[[*cols, "heading_a", "heading_b", "text_a", "text_b"]]


# --------------------------------------------------------------------------- targets
def target_ranges(
    targets: pd.DataFrame,
    documents: pd.DataFrame,
    indicators: pd.DataFrame,
    by: Literal["jurisdiction", "doc_id"] = "jurisdiction",
    statuses: Collection[str] | None = None,
) -> pd.DataFrame:
    """Per indicator × jurisdiction (or × document): the range of the numeric targets set.

    Keeps targets with an indicator and a value (and, if given, a ``status`` in ``statuses``).
    A target's low end is ``value``, its high end ``value_max`` when set, else ``value``.
    Returns ``indicator, label_zh, label_en, unit, <by>, label, label_en_doc, year, n, low, high,
    median, comparators, units_seen, doc_ids`` in the indicators' order, then by year. ``label`` /
    ``label_en_doc`` name the row's jurisdiction (or document) for charts; ``unit`` is the
    indicator's unit, ``units_seen`` the units the targets were written in (not converted).
    """
    _require(targets, ["doc_id", "indicator", "value"], "targets")
    ind_id = _id_col(indicators, "indicators")
    if by not in ("jurisdiction", "doc_id"):
        raise CompareError(f"target_ranges by must be 'jurisdiction' or 'doc_id', not {by!r}")
    t = targets.copy()
    t["doc_id"] = t["doc_id"].astype(str)
    if statuses is not None and "status" in t:
        t = t[t["status"].isin(list(statuses))]
    t = t[~_blank(t["indicator"]) & t["value"].notna()]
    t["low"] = t["value"].astype(float)
    vmax = t["value_max"] if "value_max" in t else pd.Series(np.nan, index=t.index)
    t["high"] = vmax.astype(float).fillna(t["low"])
    t["low"], t["high"] = t[["low", "high"]].min(axis=1), t[["low", "high"]].max(axis=1)
    for col in ("comparator", "unit"):
        if col not in t:
            t[col] = pd.NA
    d = documents.copy()
    d["doc_id"] = d["doc_id"].astype(str)
    d = d.merge(_label_cols(documents), on="doc_id", suffixes=("_orig", ""))
    for col in ("jurisdiction", "jurisdiction_en", "year"):
        if col not in d:
            d[col] = pd.NA
    t = t.merge(
        d[["doc_id", "jurisdiction", "jurisdiction_en", "label", "label_en", "year"]],
        on="doc_id",
        how="left",
    )
    if by == "jurisdiction":
        t["_label"] = t["jurisdiction"].where(~_blank(t["jurisdiction"]), t["label"])
        t["_label_en"] = t["jurisdiction_en"].where(~_blank(t["jurisdiction_en"]), t["label_en"])
        t["jurisdiction"] = t["jurisdiction"].where(~_blank(t["jurisdiction"]), t["doc_id"])
    else:
        t["_label"], t["_label_en"] = t["label"], t["label_en"]

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
    ind = indicators.copy()
    ind[ind_id] = ind[ind_id].astype(str)
    ind_order = {k: i for i, k in enumerate(ind[ind_id])}
    ind = ind.set_index(ind_id)
    for col in ("label_zh", "label_en", "unit"):
        out[col] = out["indicator"].map(ind[col]) if col in ind else pd.NA
    out["label_zh"] = out["label_zh"].where(~_blank(out["label_zh"]), out["indicator"])
    out["label_en"] = out["label_en"].where(~_blank(out["label_en"]), out["indicator"])
    out["_o"] = out["indicator"].map(ind_order).fillna(len(ind_order))
    out = out.sort_values(["_o", "indicator", "year", by], kind="stable").drop(columns="_o")
    cols = ["indicator", "label_zh", "label_en", "unit", by, "label", "label_en_doc", "year"]
    cols += ["n", "low", "high", "median", "comparators", "units_seen", "doc_ids"]
    return out[cols].reset_index(drop=True)


def deadline_timeline(targets: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """How many targets each document sets for each deadline year.

    The deadline year is the first four-digit year in ``deadline`` (a date, ``2025``,
    ``2025-12-31`` or ``2025年底前``); targets without one are left out. Returns
    ``doc_id, label, label_en, doc_year, deadline_year, lead_years, n_targets, indicators``
    (``lead_years = deadline_year - doc_year``), sorted by document year, document, deadline.
    """
    _require(targets, ["doc_id", "deadline"], "targets")
    t = targets.copy()
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
    docs = _label_cols(documents)
    year = documents.set_index(documents["doc_id"].astype(str)).get("year")
    docs["doc_year"] = docs["doc_id"].map(year) if year is not None else np.nan
    out = out.merge(docs, on="doc_id", how="left")
    out["doc_year"] = pd.to_numeric(out["doc_year"], errors="coerce").astype("Int64")
    out["deadline_year"] = out["deadline_year"].astype("int64")
    out["lead_years"] = (out["deadline_year"] - out["doc_year"]).astype("Int64")
    out = out.sort_values(["doc_year", "doc_id", "deadline_year"], kind="stable")
    cols = ["doc_id", "label", "label_en", "doc_year", "deadline_year", "lead_years"]
    return out[[*cols, "n_targets", "indicators"]].reset_index(drop=True)


# --------------------------------------------------------------------------- corpus
def corpus_overview(documents: pd.DataFrame) -> pd.DataFrame:
    """One display row per document: labels, level, type, year (or its bounds), plan period, size.

    Returns ``doc_id, label, label_en, jurisdiction, jurisdiction_en, level, doc_type, year,
    year_min, year_max, period_start, period_end, n_chars, n_measures``, sorted by year (a
    document without a year by its ``year_min``), then label. ``period_*`` come from ``period``
    (``2016-2020``); missing values stay NA.
    """
    _require(documents, ["doc_id"], "documents")
    d = documents.copy()
    d["doc_id"] = d["doc_id"].astype(str)
    out = _label_cols(d)
    for col in ("jurisdiction", "jurisdiction_en", "level", "doc_type"):
        out[col] = d[col].to_numpy() if col in d else pd.NA
    for col in ("year", "year_min", "year_max", "n_chars", "n_measures"):
        out[col] = (
            pd.to_numeric(d[col], errors="coerce").astype("Int64").to_numpy() if col in d else pd.NA
        )
        out[col] = out[col].astype("Int64")
    period = d["period"] if "period" in d else pd.Series(pd.NA, index=d.index)
    span = period.astype("string").str.extract(r"((?:19|20)\d{2})\D+((?:19|20)\d{2})")
    out["period_start"] = pd.to_numeric(span[0], errors="coerce").astype("Int64").to_numpy()
    out["period_end"] = pd.to_numeric(span[1], errors="coerce").astype("Int64").to_numpy()
    cols = ["doc_id", "label", "label_en", "jurisdiction", "jurisdiction_en", "level", "doc_type"]
    cols += ["year", "year_min", "year_max", "period_start", "period_end", "n_chars", "n_measures"]
    out = out[cols]
    key = out["year"].fillna(out["year_min"]).fillna(out["year_max"])
    out = out.assign(_k=key).sort_values(["_k", "label"], kind="stable", na_position="last")
    return out.drop(columns="_k").reset_index(drop=True)


def corpus_counts(documents: pd.DataFrame) -> pd.DataFrame:
    """Documents, characters and measures per level × document type.

    Returns ``level, doc_type, n_docs, n_chars, n_measures`` with levels top-down
    (:data:`LEVEL_ORDER`, unknown levels last) and types by number of documents.
    """
    _require(documents, ["doc_id", "level", "doc_type"], "documents")
    d = documents.copy()
    for col in ("n_chars", "n_measures"):
        d[col] = pd.to_numeric(d[col], errors="coerce") if col in d else 0
    d["level"] = d["level"].fillna("unknown").astype(str)
    d["doc_type"] = d["doc_type"].fillna("unknown").astype(str)
    out = (
        d.groupby(["level", "doc_type"])
        .agg(
            n_docs=("doc_id", "size"), n_chars=("n_chars", "sum"), n_measures=("n_measures", "sum")
        )
        .reset_index()
    )
    for col in ("n_docs", "n_chars", "n_measures"):
        out[col] = out[col].fillna(0).astype("int64")
    lv = {k: i for i, k in enumerate(LEVEL_ORDER)}
    type_n = out.groupby("doc_type")["n_docs"].sum()
    out["_l"] = out["level"].map(lv).fillna(len(lv))
    out["_t"] = -out["doc_type"].map(type_n)
    out = out.sort_values(["_l", "level", "_t", "doc_type"], kind="stable")
    return out.drop(columns=["_l", "_t"]).reset_index(drop=True)


def cleaning_summary(cleaning_log: pd.DataFrame) -> pd.DataFrame:
    """What cleaning did to each document, by reason.

    Returns ``doc_id, reason, n_removed, chars_removed, n_replaced, chars_replaced, n_flagged,
    chars_flagged``: counts of log rows and characters of ``original`` per action (``remove``,
    ``replace``, ``flag``), sorted by document, then characters removed.
    """
    _require(cleaning_log, ["doc_id", "original", "action", "reason"], "cleaning_log")
    log = cleaning_log.copy()
    log["doc_id"] = log["doc_id"].astype(str)
    log["reason"] = log["reason"].fillna("").astype(str)
    log["chars"] = log["original"].fillna("").astype(str).str.len().astype("int64")
    out = log[["doc_id", "reason"]].drop_duplicates().reset_index(drop=True)
    for action, tag in (("remove", "removed"), ("replace", "replaced"), ("flag", "flagged")):
        sub = log[log["action"] == action].groupby(["doc_id", "reason"])["chars"]
        out = out.merge(
            sub.size().rename(f"n_{tag}").reset_index(), on=["doc_id", "reason"], how="left"
        ).merge(sub.sum().rename(f"chars_{tag}").reset_index(), on=["doc_id", "reason"], how="left")
        out[f"n_{tag}"] = out[f"n_{tag}"].fillna(0).astype("int64")
        out[f"chars_{tag}"] = out[f"chars_{tag}"].fillna(0).astype("int64")
    out = out.sort_values(["doc_id", "chars_removed", "reason"], ascending=[True, False, True])
    return out.reset_index(drop=True)
