"""The explorer widget: pick a topic to see its measures in every document side by side, pick a
measure to see its counterparts and shared passages (JupyterLab, ipywidgets)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from compare.analysis.coverage import primary_alignments
from compare.analysis.lookups import (
    _table,
    measure_counterparts,
    most_shared_topic,
    shared_passages,
    topic_view,
)
from compare.errors import CompareError
from compare.explore.html import _CSS, _esc, frame_html, topic_html

if TYPE_CHECKING:
    import ipywidgets

__all__ = ["build_explorer"]


# --------------------------------------------------------------------------- look-ups


# --------------------------------------------------------------------------- the widget


def _topic_options(tables: Mapping[str, pd.DataFrame], taxonomy: Any) -> list[tuple[str, str]]:
    """``(label, topic_id)`` for each topic some measure is aligned to, taxonomy order first."""
    seen = list(
        pd.unique(primary_alignments(tables["alignments"])["topic_id"].dropna().astype(str))
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
        from compare.align.taxonomy import load_taxonomy

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
