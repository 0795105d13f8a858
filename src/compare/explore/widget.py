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


def topic_options(tables: Mapping[str, pd.DataFrame], taxonomy: Any) -> list[tuple[str, str]]:
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


def passage_context(texts: Mapping[str, str], doc_id: str, start: int, length: int,
                    pad: int = 20) -> str:  # fmt: skip
    """A shared passage in its document, escaped, the passage in bold and ``pad`` characters
    around it (empty when the text is not at hand)."""
    text = texts.get(doc_id, "")
    if not text:
        return ""
    pre, mid = text[max(0, start - pad) : start], text[start : start + length]
    post = text[start + length : start + length + pad]
    return f"…{_esc(pre)}<b>{_esc(mid)}</b>{_esc(post)}…"


def passages_html(sp: pd.DataFrame) -> str:
    """Shared passages (:func:`compare.analysis.shared_passages` plus ``other_context``)."""
    if sp.empty:
        return frame_html(sp, [], "No passage shared with another document.")
    rows = "".join(
        f"<tr><td>{_esc(r['other_label'])}</td><td>{int(r['length'])}</td>"
        f"<td>{_esc(r['text'])}</td><td>{r['other_context']}</td></tr>"
        for r in sp.to_dict("records")
    )
    head = "<tr><th>other_label</th><th>length</th><th>text</th><th>in context</th></tr>"
    return f"{_CSS}<div class='cmp-x'><table>{head}{rows}</table></div>"


class _Explorer:
    """The widgets of :func:`build_explorer` and what each choice shows."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], texts: Mapping[str, str],
                 taxonomy: Any) -> None:  # fmt: skip
        import ipywidgets as w

        self.tables, self.texts = tables, texts
        self.documents = _table(tables, "documents")
        self.topics = topic_options(tables, taxonomy)
        self.topic_box = w.Dropdown(options=self.topics, value=most_shared_topic(tables),
                                    description="Topic 主题", layout=w.Layout(width="60%"))  # fmt: skip
        self.measure_box = w.Dropdown(
            options=[], description="Measure 措施", layout=w.Layout(width="60%")
        )
        self.topic_out, self.match_out, self.reuse_out = w.HTML(), w.HTML(), w.HTML()
        self.topic_box.observe(self.show_topic, names="value")
        self.measure_box.observe(self.show_measure, names="value")

    def show_topic(self, change: Any = None) -> None:
        topic = self.topic_box.value
        if topic is None:
            self.topic_out.value = frame_html(
                pd.DataFrame(), [], "No measure is aligned to a topic."
            )
            self.measure_box.options = []
            return
        view = topic_view(self.tables, topic)
        self.topic_out.value = topic_html(view, self.documents)
        self.measure_box.options = [
            (f"{r['label']} {r['path']} {str(r['heading'] or '')[:30]}", r["measure_id"])
            for r in view.to_dict("records")
        ]

    def show_measure(self, change: Any = None) -> None:
        mid = self.measure_box.value
        if mid is None:
            self.match_out.value = self.reuse_out.value = ""
            return
        cp = measure_counterparts(self.tables, mid)
        self.match_out.value = "<h4>Counterparts 相似措施</h4>" + frame_html(
            cp, ["other_label", "score", "path", "topic_id", "text"], "No counterpart found."
        )
        sp = shared_passages(self.tables, mid)
        if not sp.empty:
            where = zip(sp["other_doc_id"], sp["other_char_start"], sp["length"], strict=True)
            sp = sp.assign(other_context=[
                passage_context(self.texts, str(d), int(s), int(n)) for d, s, n in where
            ])  # fmt: skip
        self.reuse_out.value = "<h4>Shared passages 共用段落</h4>" + passages_html(sp)

    def widget(self) -> ipywidgets.Widget:
        import ipywidgets as w

        self.show_topic()
        self.show_measure()
        n_docs, n_measures = len(self.documents), len(_table(self.tables, "measures"))
        header = w.HTML(f"<b>{n_docs}</b> documents, <b>{n_measures}</b> measures, "
                        f"<b>{len(self.topics)}</b> topics")  # fmt: skip
        return w.VBox([header, self.topic_box, self.topic_out, self.measure_box,
                       self.match_out, self.reuse_out])  # fmt: skip


def build_explorer(
    tables: Mapping[str, pd.DataFrame],
    texts: Mapping[str, str],
    taxonomy: Any = None,
) -> ipywidgets.Widget:
    """A widget: pick a topic to see its measures in every document side by side (targets
    highlighted); pick one of them to see its counterparts (``matches``) and shared passages
    (``reuse``, with context from ``texts``). ``taxonomy`` (default: ``data/taxonomy.yml``)
    only supplies topic names. For a page that works without Jupyter, see
    :mod:`compare.explore.page`.
    """
    if taxonomy is None:
        taxonomy = _default_taxonomy()
    return _Explorer(tables, texts, taxonomy).widget()
