"""Coverage: how much of each document falls in each category or topic, with each measure's
primary alignment (:func:`primary_alignments`, the one rule)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

import pandas as pd

from compare.analysis.base import _KEYS, _require, blank
from compare.analysis.documents import _doc_order
from compare.errors import CompareError

#: The id of the row (category or topic) that counts measures the aligner left without one: an
#: alignment ``unassigned`` or empty, or no alignment row at all.
UNASSIGNED = "unassigned"

#: The measure modes coverage counts unless told otherwise: what a document sets out to do.
COUNTED_MODES: tuple[str, ...] = ("commitment",)


def primary_alignments(alignments: pd.DataFrame) -> pd.DataFrame:
    """One alignment per measure: its highest-scoring row (the first on a tie). Coverage,
    charts, look-ups and the explorer all count a measure by this one alignment only."""
    a = alignments
    if "score" in a:
        a = a.sort_values("score", ascending=False, kind="stable")
    return a.drop_duplicates("measure_id")


def coverage(
    alignments: pd.DataFrame,
    measures: pd.DataFrame,
    documents: pd.DataFrame,
    level: Literal["category", "topic"] = "category",
    weight: Literal["measures", "chars"] = "measures",
    taxonomy: pd.DataFrame | None = None,
    modes: tuple[str, ...] | None = COUNTED_MODES,
    unassigned: bool = True,
) -> pd.DataFrame:
    """How much of each document falls in each category (or topic).

    Only measures whose ``mode`` is in ``modes`` count (default: commitments; ``None``: every
    measure, reviews, problems and rationales too); a measures table without ``mode`` counts
    whole.

    Returns a long table ``doc_id, [category_id,] <category_id|topic_id>, n, total, share``:
    ``n`` counts the document's measures aligned there (``weight="measures"``) or their
    characters (``weight="chars"``, ``char_end - char_start``); ``total`` is the same over *all*
    the document's measures, aligned or not. With ``unassigned`` (the default) a last id
    :data:`UNASSIGNED` counts the measures whose primary alignment is ``unassigned`` or empty, or
    that have none, so a document's shares sum to 1; without it they sum to at most 1. Only the primary alignment counts (``secondary`` is ignored); a measure with
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

    if modes is not None and "mode" in measures.columns:
        measures = measures[measures["mode"].isin(modes)]
    m = measures[["doc_id", "measure_id", "char_start", "char_end"]].copy()
    m["doc_id"] = m["doc_id"].astype(str)
    m["size"] = 1 if weight == "measures" else (m["char_end"] - m["char_start"]).astype("int64")
    totals = m.groupby("doc_id")["size"].sum()

    cols = ["measure_id", "category_id"] + ([key] if key != "category_id" else [])
    a = primary_alignments(alignments)[cols]
    j = m.merge(a, on="measure_id", how="left")
    none = blank(j[key]) | (j[key].astype(str) == UNASSIGNED) | blank(j["category_id"])
    j.loc[none, list(dict.fromkeys([key, "category_id"]))] = UNASSIGNED
    if not unassigned:
        j = j[~none]

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
        ids = sorted(set(j[key].astype(str)) - {UNASSIGNED})
        cat_of = {}
    ids = [i for i in ids if i != UNASSIGNED] + ([UNASSIGNED] if unassigned else [])
    if level == "topic":
        seen = j.drop_duplicates(key).set_index(key)["category_id"].astype(str).to_dict()
        cat_of = {**seen, **cat_of, UNASSIGNED: UNASSIGNED}

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
    t = topic_cov[topic_cov["topic_id"].astype(str) != UNASSIGNED].copy()
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


def top_categories(category_cov: pd.DataFrame, n: int = 3) -> list[str]:
    """The ``n`` categories holding the most measures over all documents of a coverage table
    (:data:`UNASSIGNED` left out)."""
    cov = category_cov[category_cov["category_id"].astype(str) != UNASSIGNED]
    total = cov.groupby("category_id", sort=False)["n"].sum()
    total = total[total > 0].sort_values(ascending=False, kind="stable")
    return [str(c) for c in total.index[:n]]


def top_topics(topic_cov: pd.DataFrame, n: int = 20) -> list[str]:
    """The ``n`` topics holding the most measures over all documents of a topic coverage table,
    in the table's (taxonomy) order, then :data:`UNASSIGNED` when any measure is left there: the
    columns of a topic heatmap that fits a page."""
    _require(topic_cov, ["topic_id", "n"], "coverage")
    total = topic_cov.groupby("topic_id", sort=False)["n"].sum()
    ranked = total.drop(UNASSIGNED, errors="ignore")
    ranked = ranked[ranked > 0].sort_values(ascending=False, kind="stable")
    keep = set(ranked.index[:n])
    out = [str(t) for t in total.index if t in keep]
    if total.get(UNASSIGNED, 0) > 0:
        out.append(UNASSIGNED)
    return out


def document_totals(cov: pd.DataFrame) -> pd.Series:
    """``doc_id -> total`` of a :func:`coverage` table (measures, or characters), in its order:
    the ``n`` a heatmap prints under each document."""
    _require(cov, ["doc_id", "total"], "coverage")
    return cov.drop_duplicates("doc_id").set_index("doc_id")["total"].astype("int64")
