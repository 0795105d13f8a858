"""Interactive exploration of built tables: small look-ups and an ipywidgets explorer.

The look-ups are pure (tables in, DataFrame out) and are what the notebooks and the explorer
call: :func:`topic_view` (one topic's measures in every document, with their targets),
:func:`measure_counterparts` (a measure's matches in other documents), :func:`shared_passages`
(reuse overlapping a measure). :func:`document_order` and :func:`pick_documents` choose documents
for the notebooks without hard-coding a corpus. :func:`build_explorer` wires them into a widget
for JupyterLab; nothing here writes files.
"""

from __future__ import annotations

import difflib
import html
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from compare.errors import CompareError

if TYPE_CHECKING:
    import ipywidgets

__all__ = [
    "build_date",
    "build_explorer",
    "document_labels",
    "document_order",
    "example_measure",
    "frame_html",
    "label_ids",
    "measure_counterparts",
    "most_shared_topic",
    "pairs_html",
    "pick_documents",
    "save_charts",
    "shared_passages",
    "target_matrix",
    "top_categories",
    "topic_html",
    "topic_view",
]

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


# --------------------------------------------------------------------------- documents
def _table(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    if name not in tables:
        raise CompareError(f"table {name!r} is missing")
    return tables[name]


def _blank(value: Any) -> bool:
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and value != value)
        or (isinstance(value, str) and not value.strip())
    )


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
    """``doc_id -> label`` (``label`` or ``label_en``; falls back to the title, then the id)."""
    col = "label_en" if lang == "en" else "label"
    out = {}
    for row in documents.to_dict("records"):
        doc_id = str(row["doc_id"])
        label = row.get(col)
        if _blank(label) and lang != "en":
            label = row.get("title")
        out[doc_id] = doc_id if _blank(label) else str(label)
    return out


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


def build_date(build_dir: str | Path) -> str:
    """The data date of a build (``build_info.json``): charts print it as "data as of".

    It comes from the manifest's ``data_date`` (or the newest document date), never from the
    clock, so figures are the same on every run.
    """
    info = Path(build_dir) / "build_info.json"
    if not info.exists():
        raise CompareError("no build found (build_info.json); run `compare build` first", build_dir)
    data_date = json.loads(info.read_text(encoding="utf-8")).get("data_date") or ""
    if not data_date:
        raise CompareError("build_info.json gives no data_date; rebuild with `compare build`", info)
    return data_date


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


def target_matrix(side: pd.DataFrame, documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`compare.targets.side_by_side` as a matrix: indicators × jurisdictions, short readings.

    Cells read like ``≥2 期/year`` (:func:`compare.targets.describe_target`), with ``(n)`` added
    when the jurisdiction set that indicator more than once. Columns follow the documents' year
    order when ``documents`` is given.
    """
    from compare.targets import describe_target

    if side.empty:
        return pd.DataFrame(index=pd.Index([], name="indicator"))
    cells = side.assign(
        reading=[
            describe_target(r) + (f" ({int(r['n_targets'])})" if r.get("n_targets", 1) > 1 else "")
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


def _diff_html(a: str, b: str) -> tuple[str, str]:
    """Both texts escaped, with what only ``a`` has struck red and what only ``b`` has green."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        x, y = html.escape(a[i1:i2]), html.escape(b[j1:j2])
        if op == "equal":
            left.append(x)
            right.append(y)
            continue
        if x:
            left.append(f"<del style='background:#fdd;color:#900'>{x}</del>")
        if y:
            right.append(f"<ins style='background:#dfd;color:#060;text-decoration:none'>{y}</ins>")
    return "".join(left), "".join(right)


def pairs_html(
    pairs: pd.DataFrame,
    targets: pd.DataFrame | None = None,
    label_a: str = "A",
    label_b: str = "B",
    n: int = 15,
) -> str:
    """The first ``n`` rows of :func:`compare.analysis.aligned_pairs` as an HTML table.

    Each pair shows both texts with a character diff (deleted red, added green) and, under each
    text, the numeric targets (quotes) of that measure, so changed numbers and deadlines stand out.
    """
    quotes: dict[str, list[str]] = {}
    if targets is not None and len(targets):
        for mid, q in zip(targets["measure_id"], targets["quote"], strict=True):
            if not _blank(mid):
                quotes.setdefault(str(mid), []).append(str(q))
    rows = []
    for r in pairs.head(n).to_dict("records"):
        a, b = _diff_html(str(r["text_a"]), str(r["text_b"]))
        ta = "；".join(quotes.get(str(r["measure_id_a"]), [])) or "—"
        tb = "；".join(quotes.get(str(r["measure_id_b"]), [])) or "—"
        rows.append(
            f"<tr><td>{float(r['score']):.2f}</td>"
            f"<td><span class='m'>{_esc(r['measure_id_a'])}</span><br>{a}"
            f"<br><span class='m'>targets: {_esc(ta)}</span></td>"
            f"<td><span class='m'>{_esc(r['measure_id_b'])}</span><br>{b}"
            f"<br><span class='m'>targets: {_esc(tb)}</span></td></tr>"
        )
    if not rows:
        return frame_html(pairs.head(0), [], "No aligned pair between these documents.")
    head = f"<tr><th>score</th><th>{_esc(label_a)}</th><th>{_esc(label_b)}</th></tr>"
    return f"{_CSS}<div class='cmp-x'><table>{head}{''.join(rows)}</table></div>"


def save_charts(
    plot: Callable[..., Any],
    figures_dir: str | Path,
    stem: str,
    langs: list[str],
    per_lang: Mapping[str, Mapping[str, Any]] | None = None,
    **kwargs: Any,
) -> Any:
    """Draw ``plot(**kwargs, lang=lang)`` for each language and save it as ``<stem>_<lang>``.

    ``per_lang`` (``{lang: {argument: value}}``) adds arguments that differ by language (a
    title, labels). Returns the figure of the first language (for the notebook to display);
    ``None`` when ``langs`` is empty.
    """
    from compare.charts import save_figure

    first = None
    for lang in langs:
        extra = dict(per_lang.get(lang, {})) if per_lang else {}
        fig = plot(**{**kwargs, **extra}, lang=lang)
        save_figure(fig, figures_dir, f"{stem}_{lang}")
        first = fig if first is None else first
    return first


def top_categories(category_cov: pd.DataFrame, n: int = 3) -> list[str]:
    """The ``n`` categories holding the most measures over all documents of a coverage table."""
    total = category_cov.groupby("category_id", sort=False)["n"].sum()
    total = total[total > 0].sort_values(ascending=False, kind="stable")
    return [str(c) for c in total.index[:n]]


# --------------------------------------------------------------------------- look-ups
def _primary_alignments(alignments: pd.DataFrame) -> pd.DataFrame:
    """One alignment per measure: the highest-scoring one."""
    a = alignments
    if "score" in a:
        a = a.sort_values("score", ascending=False, kind="stable")
    return a.drop_duplicates("measure_id")


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
    a = _primary_alignments(_table(tables, "alignments"))
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
    a = _primary_alignments(_table(tables, "alignments"))
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
    topic = _primary_alignments(tables.get("alignments", pd.DataFrame(columns=["measure_id"])))
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


# --------------------------------------------------------------------------- the widget
_CSS = (
    "<style>.cmp-x table{border-collapse:collapse;width:100%}"
    ".cmp-x td,.cmp-x th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;"
    "text-align:left;font-size:13px}.cmp-x .t{color:#a33;font-weight:600}"
    ".cmp-x .m{color:#666;font-size:11px}</style>"
)


def _esc(value: Any) -> str:
    return "" if _blank(value) else html.escape(str(value))


def _highlight(text: str, quotes: list[str]) -> str:
    """Escape ``text`` and mark each target quote in it."""
    out = _esc(text)
    for q in sorted({q for q in quotes if q}, key=len, reverse=True):
        eq = html.escape(q)
        out = out.replace(eq, f"<span class='t'>{eq}</span>")
    return out


def topic_html(view: pd.DataFrame, documents: pd.DataFrame) -> str:
    """A topic view as an HTML table: one column per document holding measures of the topic
    (year order, scrolling sideways when wide), then a line naming the documents without any.
    """
    labels = document_labels(documents)
    order = document_order(documents)
    present = [d for d in order if (view["doc_id"] == d).any()]
    absent = [d for d in order if d not in present]
    cells = []
    for doc in present:
        parts = []
        for r in view[view["doc_id"] == doc].to_dict("records"):
            quotes = str(r["targets"]).split("；") if r["targets"] else []
            listed = f"<br><span class='m'>targets: {_esc(r['targets'])}</span>" if quotes else ""
            parts.append(
                f"<p><span class='m'>{_esc(r['measure_id'])}</span><br>"
                f"{_highlight(str(r['text']), quotes)}{listed}</p>"
            )
        cells.append("".join(parts))
    head = "".join(f"<th>{_esc(labels[d])}</th>" for d in present)
    body = "".join(f"<td style='min-width:260px'>{c}</td>" for c in cells)
    table = f"<table><tr>{head}</tr><tr>{body}</tr></table>" if present else ""
    missing = (
        "<p class='m'>No measure of this topic in: "
        + "、".join(_esc(labels[d]) for d in absent)
        + "</p>"
        if absent
        else ""
    )
    return f"{_CSS}<div class='cmp-x' style='overflow-x:auto'>{table}{missing}</div>"


def frame_html(df: pd.DataFrame, columns: list[str], empty: str) -> str:
    """Some columns of a table as escaped HTML (``empty`` when it has no rows)."""
    if df.empty:
        return f"{_CSS}<div class='cmp-x'><p class='m'>{html.escape(empty)}</p></div>"
    head = "".join(f"<th>{_esc(c)}</th>" for c in columns)
    rows = []
    for r in df[columns].to_dict("records"):
        cells = (
            f"<td>{r[c]:.2f}</td>"
            if isinstance(r[c], float) and c == "score"
            else f"<td>{_esc(r[c])}</td>"
            for c in columns
        )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"{_CSS}<div class='cmp-x'><table><tr>{head}</tr>{''.join(rows)}</table></div>"


def _topic_options(tables: Mapping[str, pd.DataFrame], taxonomy: Any) -> list[tuple[str, str]]:
    """``(label, topic_id)`` for each topic some measure is aligned to, taxonomy order first."""
    seen = list(
        pd.unique(_primary_alignments(tables["alignments"])["topic_id"].dropna().astype(str))
    )
    seen = [t for t in seen if t.strip()]
    names: dict[str, str] = {}
    order: list[str] = []
    if taxonomy is not None:
        topics = taxonomy.topics
        names = dict(zip(topics["topic_id"], topics["label_zh"], strict=True))
        order = topics["topic_id"].tolist()
    ranked = [t for t in order if t in seen] + sorted(t for t in seen if t not in order)
    return [(f"{names[t]} ({t})" if t in names else t, t) for t in ranked]


def _default_taxonomy() -> Any:
    try:
        from compare.taxonomy import load_taxonomy

        return load_taxonomy()
    except CompareError:
        return None


def build_explorer(
    tables: Mapping[str, pd.DataFrame],
    texts: Mapping[str, str],
    taxonomy: Any = None,
) -> ipywidgets.Widget:
    """A widget: pick a topic to see its measures in every document side by side (targets
    highlighted); pick one of them to see its counterparts (``matches``) and shared passages
    (``reuse``, with context from ``texts``). ``taxonomy`` (default: ``data/taxonomy.yml``)
    only supplies topic names.
    """
    import ipywidgets as w

    documents = _table(tables, "documents")
    if taxonomy is None:
        taxonomy = _default_taxonomy()
    topics = _topic_options(tables, taxonomy)
    start = most_shared_topic(tables)
    topic_box = w.Dropdown(
        options=topics, value=start, description="Topic 主题", layout=w.Layout(width="60%")
    )
    measure_box = w.Dropdown(options=[], description="Measure 措施", layout=w.Layout(width="60%"))
    topic_out = w.HTML()
    match_out = w.HTML()
    reuse_out = w.HTML()
    measures = _table(tables, "measures").set_index("measure_id")

    def context(doc_id: str, start: int, length: int, pad: int = 20) -> str:
        text = texts.get(doc_id, "")
        if not text:
            return ""
        pre, mid = text[max(0, start - pad) : start], text[start : start + length]
        post = text[start + length : start + length + pad]
        return f"…{_esc(pre)}<b>{_esc(mid)}</b>{_esc(post)}…"

    def show_topic(change: Any = None) -> None:
        topic = topic_box.value
        if topic is None:
            topic_out.value = frame_html(pd.DataFrame(), [], "No measure is aligned to a topic.")
            measure_box.options = []
            return
        view = topic_view(tables, topic)
        topic_out.value = topic_html(view, documents)
        measure_box.options = [
            (f"{r['label']} {r['path']} {str(r['heading'] or '')[:30]}", r["measure_id"])
            for r in view.to_dict("records")
        ]

    def show_measure(change: Any = None) -> None:
        mid = measure_box.value
        if mid is None:
            match_out.value = reuse_out.value = ""
            return
        cp = measure_counterparts(tables, mid)
        match_out.value = "<h4>Counterparts 相似措施</h4>" + frame_html(
            cp, ["other_label", "score", "path", "topic_id", "text"], "No counterpart found."
        )
        sp = shared_passages(tables, mid)
        if not sp.empty:
            sp = sp.assign(
                other_context=[
                    context(str(d), int(s), int(n))
                    for d, s, n in zip(
                        sp["other_doc_id"], sp["other_char_start"], sp["length"], strict=True
                    )
                ]
            )
        reuse_out.value = "<h4>Shared passages 共用段落</h4>" + _passages_html(sp)

    def _passages_html(sp: pd.DataFrame) -> str:
        if sp.empty:
            return frame_html(sp, [], "No passage shared with another document.")
        rows = "".join(
            f"<tr><td>{_esc(r['other_label'])}</td><td>{int(r['length'])}</td>"
            f"<td>{_esc(r['text'])}</td><td>{r['other_context']}</td></tr>"
            for r in sp.to_dict("records")
        )
        head = "<tr><th>other_label</th><th>length</th><th>text</th><th>in context</th></tr>"
        return f"{_CSS}<div class='cmp-x'><table>{head}{rows}</table></div>"

    topic_box.observe(show_topic, names="value")
    measure_box.observe(show_measure, names="value")
    show_topic()
    show_measure()
    n = len(measures)
    header = w.HTML(
        f"<b>{len(documents)}</b> documents, <b>{n}</b> measures, <b>{len(topics)}</b> topics"
    )
    return w.VBox([header, topic_box, topic_out, measure_box, match_out, reuse_out])
