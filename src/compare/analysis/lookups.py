"""Look-ups in built tables for notebooks and the explorer: one topic's measures everywhere,
a measure's counterparts and shared passages, readable names beside ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from compare.analysis.base import blank
from compare.analysis.coverage import primary_alignments
from compare.analysis.documents import document_labels, document_order
from compare.errors import CompareError

TOPIC_VIEW_COLUMNS = [
    "doc_id", "label", "jurisdiction", "year", "measure_id", "path", "heading", "text",
    "score", "n_targets", "targets",
]  # fmt: skip


COUNTERPART_COLUMNS = [
    "other_measure_id", "other_doc_id", "other_label", "score", "rank", "path", "heading",
    "topic_id", "text",
]  # fmt: skip


PASSAGE_COLUMNS = [
    "doc_id", "char_start", "other_doc_id", "other_label", "other_char_start", "length",
    "other_measure_id", "text",
]  # fmt: skip


def _table(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    if name not in tables:
        raise CompareError(f"table {name!r} is missing")
    return tables[name]


def label_ids(df: pd.DataFrame, taxonomy: Any, lang: str = "zh") -> pd.DataFrame:
    """A copy of ``df`` with a readable name beside each ``category_id``/``topic_id``/``indicator``.

    ``taxonomy`` is a :class:`compare.taxonomy.Taxonomy`; the new columns are ``category``,
    ``topic``, ``indicator_label`` (``label_zh`` or ``label_en``; the id itself when unknown).
    """
    col = "label_en" if lang == "en" else "label_zh"
    out = df.copy()
    for key, table, id_col, name in (
        ("category_id", taxonomy.categories, "category_id", "category"),
        ("topic_id", taxonomy.topics, "topic_id", "topic"),
        ("indicator", taxonomy.indicators, "indicator_id", "indicator_label"),
    ):
        if key in out:
            names = dict(zip(table[id_col].astype(str), table[col], strict=True))
            ids = out[key].astype("string")
            out.insert(out.columns.get_loc(key) + 1, name, ids.map(names).fillna(ids))
    return out


def _target_summary(targets: pd.DataFrame) -> pd.DataFrame:
    """Per measure: ``n_targets`` and the quotes joined with ``；``."""
    if targets.empty or "measure_id" not in targets:
        return pd.DataFrame(columns=["measure_id", "n_targets", "targets"])
    t = targets[targets["measure_id"].notna()].copy()
    t["quote"] = t["quote"].fillna("").astype(str)
    g = t.groupby("measure_id", sort=False)["quote"]
    return pd.DataFrame(
        {"n_targets": g.size(), "targets": g.agg(lambda s: "；".join(q for q in s if q))}
    ).reset_index()


def topic_view(tables: Mapping[str, pd.DataFrame], topic_id: str) -> pd.DataFrame:
    """One topic's measures in every document, in document (year) then measure order.

    Uses each measure's primary alignment. Returns ``doc_id, label, jurisdiction, year,
    measure_id, path, heading, text, score, n_targets, targets`` (``targets``: the quotes of the
    measure's numeric targets joined with ``；``). Empty (with these columns) when no measure is
    aligned to the topic.
    """
    documents, measures = _table(tables, "documents"), _table(tables, "measures")
    a = primary_alignments(_table(tables, "alignments"))
    ids = a.loc[a["topic_id"].astype(str) == str(topic_id), ["measure_id", "score"]]
    cols = ["doc_id", "measure_id", "seq", "path", "heading", "text"]
    m = measures[[c for c in cols if c in measures]].merge(ids, on="measure_id", how="inner")
    m["doc_id"] = m["doc_id"].astype(str)
    m = m.merge(_target_summary(tables.get("targets", pd.DataFrame())), on="measure_id", how="left")
    m["n_targets"] = m["n_targets"].fillna(0).astype("int64")
    m["targets"] = m["targets"].fillna("").astype(str)
    labels = document_labels(documents)
    info = documents.assign(doc_id=documents["doc_id"].astype(str)).set_index("doc_id")
    m["label"] = m["doc_id"].map(labels)
    for col in ("jurisdiction", "year"):
        m[col] = m["doc_id"].map(info[col]) if col in info else pd.NA
    order = {d: i for i, d in enumerate(document_order(documents))}
    m["_o"] = m["doc_id"].map(order)
    sort = ["_o", "seq"] if "seq" in m else ["_o"]
    m = m.sort_values(sort, kind="stable")
    for col in TOPIC_VIEW_COLUMNS:
        if col not in m:
            m[col] = pd.NA
    return m[TOPIC_VIEW_COLUMNS].reset_index(drop=True)


def most_shared_topic(tables: Mapping[str, pd.DataFrame]) -> str | None:
    """The topic covered by the most documents (ties: more measures, then topic id)."""
    a = primary_alignments(_table(tables, "alignments"))
    a = a[a["topic_id"].notna() & (a["topic_id"].astype(str).str.strip() != "")]
    if a.empty:
        return None
    g = a.groupby(a["topic_id"].astype(str))
    ranked = pd.DataFrame({"docs": g["doc_id"].nunique(), "n": g.size()}).reset_index()
    ranked = ranked.sort_values(["docs", "n", "topic_id"], ascending=[False, False, True])
    return str(ranked["topic_id"].iloc[0])


def example_measure(tables: Mapping[str, pd.DataFrame], topic_id: str) -> str | None:
    """The measure of a topic with the most counterparts plus shared passages (None if none)."""
    view = topic_view(tables, topic_id)
    best, best_n = None, -1
    for mid in view["measure_id"]:
        n = len(measure_counterparts(tables, mid)) + len(shared_passages(tables, mid))
        if n > best_n:
            best, best_n = str(mid), n
    return best


def measure_counterparts(tables: Mapping[str, pd.DataFrame], measure_id: str) -> pd.DataFrame:
    """A measure's matches in other documents (both directions of ``matches``), best first.

    Returns ``other_measure_id, other_doc_id, other_label, score, rank, path, heading, topic_id,
    text``; a pair found in both directions appears once with its higher score, and ``rank`` is
    this measure's rank for it when it has one (else the other side's).
    """
    matches, measures = _table(tables, "matches"), _table(tables, "measures")
    if measure_id not in set(measures["measure_id"]):
        raise CompareError(f"measure {measure_id!r} is not in the measures table")
    fwd = matches.loc[matches["measure_id"] == measure_id, ["other_measure_id", "score", "rank"]]
    rev = matches.loc[matches["other_measure_id"] == measure_id, ["measure_id", "score", "rank"]]
    rev = rev.rename(columns={"measure_id": "other_measure_id"})
    both = pd.concat([fwd.assign(_fwd=0), rev.assign(_fwd=1)], ignore_index=True)
    both = both.sort_values(["score", "_fwd"], ascending=[False, True], kind="stable")
    both = both.drop_duplicates("other_measure_id").drop(columns="_fwd")
    info = measures.set_index("measure_id")
    out = both.reset_index(drop=True)
    out["other_doc_id"] = out["other_measure_id"].map(info["doc_id"]).astype("string")
    out["other_label"] = out["other_doc_id"].map(document_labels(_table(tables, "documents")))
    for col in ("path", "heading", "text"):
        out[col] = out["other_measure_id"].map(info[col]) if col in info else pd.NA
    topic = primary_alignments(tables.get("alignments", pd.DataFrame(columns=["measure_id"])))
    topic = topic.set_index("measure_id").get("topic_id")
    out["topic_id"] = out["other_measure_id"].map(topic) if topic is not None else pd.NA
    out["score"] = out["score"].astype(float)
    return out[COUNTERPART_COLUMNS]


def _measure_at(measures: pd.DataFrame, doc_id: str, pos: int) -> str | None:
    """The measure of ``doc_id`` whose span holds character ``pos`` (None outside measures)."""
    m = measures[(measures["doc_id"].astype(str) == doc_id)]
    hit = m[(m["char_start"] <= pos) & (pos < m["char_end"])]
    return None if hit.empty else str(hit["measure_id"].iloc[0])


def shared_passages(tables: Mapping[str, pd.DataFrame], measure_id: str) -> pd.DataFrame:
    """Passages of a measure that another document shares (``reuse`` overlapping its span).

    Rows are oriented from the measure's side: ``doc_id, char_start`` locate the passage in the
    measure's document, ``other_doc_id, other_char_start`` in the other one, ``other_measure_id``
    is the measure there holding it (None outside any measure); ``text`` is the passage as
    ``reuse`` stores it (either copy: they differ at most in punctuation). Longest first.
    """
    reuse, measures = _table(tables, "reuse"), _table(tables, "measures")
    row = measures.loc[measures["measure_id"] == measure_id]
    if row.empty:
        raise CompareError(f"measure {measure_id!r} is not in the measures table")
    doc = str(row["doc_id"].iloc[0])
    start, end = int(row["char_start"].iloc[0]), int(row["char_end"].iloc[0])
    r = reuse.copy()
    if "other_length" not in r:
        r["other_length"] = r["length"]
    r["other_length"] = r["other_length"].fillna(r["length"])
    left = r[r["doc_id"].astype(str) == doc]
    right = r[r["other_doc_id"].astype(str) == doc].rename(
        columns={
            "doc_id": "other_doc_id",
            "other_doc_id": "doc_id",
            "char_start": "other_char_start",
            "other_char_start": "char_start",
            "length": "other_length",
            "other_length": "length",
        }
    )
    both = pd.concat([left, right], ignore_index=True)
    both = both[(both["char_start"] < end) & (both["char_start"] + both["length"] > start)]
    if both.empty:
        return pd.DataFrame(columns=PASSAGE_COLUMNS)
    both = both.copy()
    both["other_measure_id"] = [
        _measure_at(measures, str(d), int(s))
        for d, s in zip(both["other_doc_id"], both["other_char_start"], strict=True)
    ]
    both["other_label"] = (
        both["other_doc_id"].astype(str).map(document_labels(_table(tables, "documents")))
    )
    both = both.sort_values(["length", "other_doc_id"], ascending=[False, True], kind="stable")
    return both[PASSAGE_COLUMNS].reset_index(drop=True)


#: Columns of :func:`sharing`.
SHARING_COLUMNS = [
    "jurisdiction", "jurisdiction_en", "other_jurisdiction", "other_jurisdiction_en",
    "n_counterparts", "n_measures", "share", "n_passages", "passage_chars",
]  # fmt: skip


def sharing(
    counterparts: pd.DataFrame, reuse: pd.DataFrame, documents: pd.DataFrame
) -> pd.DataFrame:
    """Which jurisdictions share measures or text, one row per ordered pair of jurisdictions
    (see :data:`SHARING_COLUMNS`): ``n_counterparts`` of the jurisdiction's ``n_measures`` have a
    counterpart (``status == "counterpart"``) in the other (``share`` of them); ``n_passages``
    and ``passage_chars`` count the ``reuse`` passages between their documents (each passage
    once per direction). Jurisdictions in the documents' order (by year); a jurisdiction
    missing from ``documents`` is named by its doc_id."""
    d = documents.copy()
    d["doc_id"] = d["doc_id"].astype(str)
    for col in ("jurisdiction", "jurisdiction_en"):
        d[col] = d[col].where(~blank(d[col]), d["doc_id"]) if col in d else d["doc_id"]
    en = dict(zip(d["jurisdiction"], d["jurisdiction_en"], strict=True))
    juris_of = dict(zip(d["doc_id"], d["jurisdiction"], strict=True))
    order = list(dict.fromkeys(juris_of[i] for i in document_order(d)))
    c = counterparts.copy()
    c["jurisdiction"] = c["doc_id"].astype(str).map(juris_of)
    n_measures = c.drop_duplicates("measure_id").groupby("jurisdiction").size()
    hit = c[c["status"].astype(str) == "counterpart"]
    hit = hit.assign(other_jurisdiction=hit["other_doc_id"].astype(str).map(juris_of))
    n_cp = (
        hit.drop_duplicates(["measure_id", "other_jurisdiction"])
        .groupby(["jurisdiction", "other_jurisdiction"])
        .size()
    )
    r = reuse.assign(
        j1=reuse["doc_id"].astype(str).map(juris_of),
        j2=reuse["other_doc_id"].astype(str).map(juris_of),
    )
    both = pd.concat([r[["j1", "j2", "length"]], r[["j2", "j1", "length"]].set_axis(
        ["j1", "j2", "length"], axis=1)])  # fmt: skip
    both = both[both["j1"] != both["j2"]]
    n_pass = both.groupby(["j1", "j2"]).size()
    chars = both.groupby(["j1", "j2"])["length"].sum()
    rows = []
    for a in order:
        for b in order:
            if a == b:
                continue
            n = int(n_measures.get(a, 0))
            k = int(n_cp.get((a, b), 0))
            rows.append([a, en.get(a, a), b, en.get(b, b), k, n, k / n if n else float("nan"),
                         int(n_pass.get((a, b), 0)), int(chars.get((a, b), 0))])  # fmt: skip
    return pd.DataFrame(rows, columns=SHARING_COLUMNS)
