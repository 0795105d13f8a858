"""HTML for the explorer and the notebooks: topic views, measure pairs with their differences
marked, any table."""

from __future__ import annotations

import difflib
import html
from typing import Any

import pandas as pd

from compare.analysis.base import is_blank
from compare.analysis.documents import document_labels, document_order


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
            if not is_blank(mid):
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


_CSS = (
    "<style>.cmp-x table{border-collapse:collapse;width:100%}"
    ".cmp-x td,.cmp-x th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;"
    "text-align:left;font-size:13px}.cmp-x .t{color:#a33;font-weight:600}"
    ".cmp-x .m{color:#666;font-size:11px}</style>"
)


def _esc(value: Any) -> str:
    return "" if is_blank(value) else html.escape(str(value))


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
