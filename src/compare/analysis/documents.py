"""The documents of a corpus: their display labels (the one rule), their order, an overview
of the corpus and of what cleaning did."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from compare.analysis.base import _require, blank
from compare.errors import CompareError


def document_order(documents: pd.DataFrame) -> list[str]:
    """Document ids by year (``year``, else ``year_min``, else ``year_max``; unknown last)."""
    d = documents.copy()
    d["doc_id"] = d["doc_id"].astype(str)
    key = pd.Series(float("nan"), index=d.index)
    for col in ("year", "year_min", "year_max"):
        if col in d:
            key = key.fillna(pd.to_numeric(d[col], errors="coerce").astype("float64"))
    d["_k"] = key
    d["_i"] = range(len(d))
    return d.sort_values(["_k", "_i"], kind="stable", na_position="last")["doc_id"].tolist()


def document_labels(documents: pd.DataFrame, lang: str = "zh") -> dict[str, str]:
    """``doc_id -> display label`` in ``lang``, by the rule of :func:`label_table`."""
    table = label_table(documents)
    col = "label_en" if lang == "en" else "label"
    return dict(zip(table["doc_id"], table[col].astype(str), strict=True))


def pick_documents(
    documents: pd.DataFrame, doc_a: str, doc_b: str, doc_mid: str | None = None
) -> tuple[str, str, str | None, list[str]]:
    """The documents to compare: the requested ids when present, else the earliest/latest.

    Returns ``(doc_a, doc_b, doc_mid, notes)``; ``notes`` says, in one sentence each, which
    requested id was absent and what was used instead. A missing ``doc_a`` becomes the earliest
    document by year, a missing ``doc_b`` the latest, a missing ``doc_mid`` the document nearest
    the middle of the others (``None`` when no third document is left).
    """
    order = document_order(documents)
    if len(order) < 2:
        raise CompareError("comparing needs at least two documents in the build")
    notes: list[str] = []
    a, b, mid = doc_a, doc_b, doc_mid

    def why(doc: str) -> str:
        return "is not in this build" if doc not in order else "is already compared"

    if a not in order:
        a = order[0] if order[0] != b else order[1]
        notes.append(f"Document {doc_a!r} {why(doc_a)}; using the earliest, {a!r}.")
    if b not in order or b == a:
        b = next(d for d in reversed(order) if d != a)
        notes.append(f"Document {doc_b!r} {why(doc_b)}; using the latest, {b!r}.")
    if mid is not None and (mid not in order or mid in (a, b)):
        rest = [d for d in order if d not in (a, b)]
        new = rest[len(rest) // 2] if rest else None
        notes.append(
            f"Document {doc_mid!r} {why(doc_mid)}; using {new!r} as the midpoint."
            if new
            else f"Document {doc_mid!r} {why(doc_mid)} and no third document is left."
        )
        mid = new
    return a, b, mid, notes


def comparison_documents(
    documents: pd.DataFrame,
    doc_a: str | None = None,
    doc_b: str | None = None,
    doc_mid: str | None = None,
    kind: str = "plan",
) -> tuple[str, str, str | None, list[str]]:
    """The earlier, later and midpoint documents of a change-over-time comparison.

    Ids given (a notebook's parameters, or the manifest's ``compare:`` entry) are used when in
    the build (:func:`pick_documents` says what replaced one that is not). With no pair given:
    the earliest and the latest document of ``kind`` (``structure``; every document when fewer
    than two are of that kind), and the one nearest the middle of the rest as the midpoint.
    """
    if doc_a and doc_b:
        return pick_documents(documents, doc_a, doc_b, doc_mid)
    alike = documents
    if "structure" in documents and (documents["structure"].astype(str) == kind).sum() >= 2:
        alike = documents[documents["structure"].astype(str) == kind]
    order = document_order(alike)
    if len(order) < 2:
        raise CompareError("comparing needs at least two documents in the build")
    a, b = doc_a or order[0], doc_b or order[-1]
    if a == b:
        a, b = order[0], order[-1]
    rest = [d for d in order if d not in (a, b)]
    mid = doc_mid or (rest[len(rest) // 2] if rest else None)
    which = f"{kind}s" if alike is not documents else "documents"
    note = (f"No comparison pair given (parameters, or `compare:` in the manifest): the "
            f"earliest and the latest of the {which}, {a!r} and {b!r}"
            + (f", with {mid!r} as the midpoint." if mid else "."))  # fmt: skip
    a, b, mid, notes = pick_documents(documents, a, b, mid)
    return a, b, mid, [note, *notes]


#: Administrative levels from the top down (sort order in every table and chart).
LEVEL_ORDER = ("national", "province", "city", "county", "district")


def _doc_order(documents: pd.DataFrame) -> list[str]:
    return list(pd.unique(documents["doc_id"].astype(str)))


def label_table(documents: pd.DataFrame) -> pd.DataFrame:
    """``doc_id, label, label_en``: each document's display labels, the one rule every table,
    chart and widget uses. ``label`` falls back to the title, then the doc_id; ``label_en`` to
    the doc_id."""
    d = documents.copy()
    d["doc_id"] = d["doc_id"].astype(str)
    label = d["label"] if "label" in d else pd.Series(pd.NA, index=d.index)
    label_en = d["label_en"] if "label_en" in d else pd.Series(pd.NA, index=d.index)
    fallback = d["title"] if "title" in d else d["doc_id"]
    label = label.where(~blank(label), fallback).where(lambda s: ~blank(s), d["doc_id"])
    label_en = label_en.where(~blank(label_en), d["doc_id"])
    return pd.DataFrame({"doc_id": d["doc_id"], "label": label, "label_en": label_en})


def corpus_overview(documents: pd.DataFrame) -> pd.DataFrame:
    """One display row per document: labels, level, type, year (or its bounds), plan period, size.

    Returns ``doc_id, label, label_en, jurisdiction, jurisdiction_en, level, doc_type, year,
    year_certain, year_min, year_max, period_start, period_end, n_chars, n_measures``;
    ``year_certain`` is true when the document has a ``date`` or its bounds meet
    (``year_min == year_max``); else ``year`` is only the earliest its text allows. Sorted by year (a
    document without a year by its ``year_min``), then label. ``period_*`` come from ``period``
    (``2016-2020``); missing values stay NA.
    """
    _require(documents, ["doc_id"], "documents")
    d = documents.copy()
    d["doc_id"] = d["doc_id"].astype(str)
    out = label_table(d)
    for col in ("jurisdiction", "jurisdiction_en", "level", "doc_type"):
        out[col] = d[col].to_numpy() if col in d else pd.NA
    for col in ("year", "year_min", "year_max", "n_chars", "n_measures"):
        out[col] = (
            pd.to_numeric(d[col], errors="coerce").astype("Int64").to_numpy() if col in d else pd.NA
        )
        out[col] = out[col].astype("Int64")
    dated = ~blank(d["date"]) if "date" in d else pd.Series(False, index=d.index)
    closed = (out["year_min"] == out["year_max"]).fillna(False).astype(bool)
    out["year_certain"] = (dated.to_numpy() | closed.to_numpy()) & out["year"].notna().to_numpy()
    period = d["period"] if "period" in d else pd.Series(pd.NA, index=d.index)
    span = period.astype("string").str.extract(r"((?:19|20)\d{2})\D+((?:19|20)\d{2})")
    out["period_start"] = pd.to_numeric(span[0], errors="coerce").astype("Int64").to_numpy()
    out["period_end"] = pd.to_numeric(span[1], errors="coerce").astype("Int64").to_numpy()
    cols = ["doc_id", "label", "label_en", "jurisdiction", "jurisdiction_en", "level", "doc_type"]
    cols += [
        "year",
        "year_certain",
        "year_min",
        "year_max",
        "period_start",
        "period_end",
        "n_chars",
        "n_measures",
    ]
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


def group_cleaning_reasons(
    summary: pd.DataFrame, groups: Sequence[tuple[str, str]], other: str = "other"
) -> pd.DataFrame:
    """A :func:`cleaning_summary` with its reasons gathered into ``groups``: ``(id, pattern)``
    pairs, the first whose regular expression is found in a reason wins, the rest go to
    ``other``. Same columns, ``reason`` now the group id, counts summed per document and group;
    groups keep the order of ``groups``."""
    _require(summary, ["doc_id", "reason"], "cleaning summary")
    compiled = [(gid, re.compile(pat)) for gid, pat in groups if pat]

    def group_of(reason: str) -> str:
        return next((gid for gid, rx in compiled if rx.search(reason)), other)

    s = summary.assign(reason=summary["reason"].fillna("").astype(str).map(group_of))
    order = {gid: i for i, (gid, _) in enumerate(groups)}
    num = [c for c in summary.columns if c not in ("doc_id", "reason")]
    out = s.groupby(["doc_id", "reason"], sort=False)[num].sum().reset_index()
    out["_g"] = out["reason"].map(order).fillna(len(order))
    out = out.sort_values(["doc_id", "_g"], kind="stable").drop(columns="_g")
    return out.reset_index(drop=True)
