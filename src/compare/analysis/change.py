"""Change between documents: category shares, topics that appear or vanish, keyness, and
aligned measure pairs."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from compare.analysis.base import _require
from compare.analysis.coverage import UNASSIGNED
from compare.config import DataFiles
from compare.errors import CompareError


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
    ``include_kept`` also ``kept``), sorted by status, category, then the larger count. The
    ``unassigned`` row of a coverage table is not a topic and is left out.
    """
    _require(topic_cov, ["doc_id", "topic_id", "n"], "coverage")
    topic_cov = topic_cov[topic_cov["topic_id"].astype(str) != UNASSIGNED]
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


_ADMIN_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|自治县|省|市|县|区|州|盟|旗)$")


def keyness_exclusions(documents: pd.DataFrame, data: DataFiles | None = None) -> set[str]:
    """Words keyness leaves out: the place names of ``data/lexicon/places.txt`` and the
    documents' own ``jurisdiction`` and ``province`` names, each with and without its
    administrative suffix (南京市 and 南京)."""
    words = set(DataFiles.resolve(data).lines("lexicon/places.txt"))
    for col in ("jurisdiction", "province"):
        if col in documents:
            for name in documents[col].dropna().astype(str):
                name = name.strip()
                if name:
                    words |= {name, _ADMIN_SUFFIX.sub("", name)}
    return {w for w in words if len(w) >= 2}


def keyness(
    tokens_target: list[list[str]],
    tokens_reference: list[list[str]],
    min_count: int = 3,
    correction: Literal["none", "williams"] = "none",
    exclude: Collection[str] = (),
) -> pd.DataFrame:
    """Terms over- or under-used in the target against the reference (as quanteda's keyness).

    For each term, the 2×2 table ``[[a, b], [c, d]]`` (``a``/``b`` = its count in target/reference,
    ``c``/``d`` = all other tokens there) gives Dunning's log-likelihood
    ``G2 = 2 Σ O ln(O/E)``, signed negative when the term is relatively rarer in the target
    (quanteda's convention); ``correction="williams"`` divides it by Williams' ``q``.
    ``p_value`` is from χ²(1). ``log_ratio`` is Hardie's binary log of the relative frequency ratio,
    a zero count replaced by 0.5. Terms with ``count_target + count_ref < min_count`` are left out,
    and so are the terms of ``exclude`` (e.g. :func:`keyness_exclusions`: place names) — they
    are left out of the counts altogether, as stopwords are.
    Returns ``term, count_target, count_ref, log_ratio, g2, p_value`` sorted by ``g2`` descending
    (ties by term).
    """
    skip = set(exclude)
    ct: Counter[str] = Counter(t for doc in tokens_target for t in doc if t not in skip)
    cr: Counter[str] = Counter(t for doc in tokens_reference for t in doc if t not in skip)
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
