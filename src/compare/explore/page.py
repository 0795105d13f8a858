"""The explorer as one self-contained HTML page: the tables embedded as JSON, filtered in the
browser by a few lines of plain JavaScript. No CDN, no server, no widget manager: it works
offline, opened from disk (``compare explore`` writes and opens it; ``make report`` writes
``reports/explorer.html``).

Filter the measures by topic, document and words; click a measure to see its counterparts
(``matches``, both directions) and the passages it shares word for word with other documents
(``reuse``, in their context).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from compare.analysis.base import is_blank
from compare.analysis.coverage import primary_alignments
from compare.analysis.documents import document_labels, document_order
from compare.analysis.lookups import _table, _target_summary
from compare.explore.widget import topic_options
from compare.io import write_text

#: Characters of context shown on each side of a shared passage.
CONTEXT = 30


def _str(value: Any) -> str:
    return "" if is_blank(value) else str(value)


def _measure_rows(tables: Mapping[str, pd.DataFrame], doc_index: dict[str, int]) -> list[list]:
    """``[measure_id, doc, path, heading, text, topic_id, targets, char_start, char_end]`` per
    measure, ``doc`` an index into the page's documents."""
    measures = _table(tables, "measures")
    topic = primary_alignments(_table(tables, "alignments")).set_index("measure_id")["topic_id"]
    quotes = _target_summary(tables.get("targets", pd.DataFrame())).set_index("measure_id")
    rows = []
    for r in measures.to_dict("records"):
        mid = str(r["measure_id"])
        rows.append([
            mid, doc_index[str(r["doc_id"])], _str(r.get("path")), _str(r.get("heading")),
            _str(r.get("text")), _str(topic.get(mid)),
            _str(quotes["targets"].get(mid)) if len(quotes) else "",
            int(r["char_start"]), int(r["char_end"]),
        ])  # fmt: skip
    return rows


def _reuse_rows(
    reuse: pd.DataFrame, texts: Mapping[str, str], doc_index: dict[str, int]
) -> list[list]:
    """``[doc, start, other_doc, other_start, length, context, other_context]`` per passage."""

    def context(doc: str, start: int, length: int) -> str:
        text = texts.get(doc, "")
        return text[max(0, start - CONTEXT) : start + length + CONTEXT] if text else ""

    rows = []
    for r in reuse.to_dict("records"):
        a, b = str(r["doc_id"]), str(r["other_doc_id"])
        if a not in doc_index or b not in doc_index:
            continue
        n = int(r["length"])
        other_n = n if is_blank(r.get("other_length")) else int(r["other_length"])
        s, t = int(r["char_start"]), int(r["other_char_start"])
        rows.append([doc_index[a], s, doc_index[b], t, n, other_n,
                     _str(r.get("text")), context(a, s, n), context(b, t, other_n)])  # fmt: skip
    return rows


def explorer_data(
    tables: Mapping[str, pd.DataFrame], texts: Mapping[str, str], taxonomy: Any = None
) -> dict[str, Any]:
    """What the page embeds: documents (year order), topics, measures, matches, reuse."""
    documents = _table(tables, "documents")
    order = document_order(documents)
    labels = document_labels(documents)
    doc_index = {d: i for i, d in enumerate(order)}
    measures = _measure_rows(tables, doc_index)
    m_index = {row[0]: i for i, row in enumerate(measures)}
    matches = _table(tables, "matches")
    pairs = [
        [m_index[str(a)], m_index[str(b)], round(float(s), 3)]
        for a, b, s in zip(matches["measure_id"], matches["other_measure_id"], matches["score"],
                           strict=True)
        if str(a) in m_index and str(b) in m_index
    ]  # fmt: skip
    return {
        "documents": [[d, _str(labels.get(d, d))] for d in order],
        "topics": [[t, label] for label, t in topic_options(tables, taxonomy)],
        "measures": measures,
        "matches": pairs,
        "reuse": _reuse_rows(
            tables.get("reuse", pd.DataFrame(columns=["doc_id"])), texts, doc_index
        ),
        "context": CONTEXT,
    }


def explorer_page(
    tables: Mapping[str, pd.DataFrame],
    texts: Mapping[str, str],
    taxonomy: Any = None,
    title: str = "Explorer 浏览",
) -> str:
    """The whole page as one string (HTML, CSS, data and script inline)."""
    data = json.dumps(explorer_data(tables, texts, taxonomy), ensure_ascii=False)
    data = data.replace("</", "<\\/")  # no text can close the script element
    return (
        _PAGE.replace("@TITLE@", html.escape(title))
        .replace("@STYLE@", _STYLE)
        .replace("@DATA@", data)
        .replace("@SCRIPT@", (Path(__file__).parent / "page.js").read_text(encoding="utf-8"))
    )


def write_explorer(
    tables: Mapping[str, pd.DataFrame],
    texts: Mapping[str, str],
    path: str | Path,
    taxonomy: Any = None,
) -> Path:
    """Write :func:`explorer_page` to ``path``; return it."""
    return write_text(Path(path), explorer_page(tables, texts, taxonomy))


_STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:1em 2em;font-size:14px}
.bar{display:flex;gap:.8em;flex-wrap:wrap;align-items:center;margin:.5em 0}
select,input{font-size:14px;padding:2px 4px}
table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f4f4f4;position:sticky;top:0}
tr.m{cursor:pointer}tr.m:hover{background:#f6f9ff}tr.sel{background:#e8f0ff}
.id{color:#666;font-size:11px}.t{color:#a33;font-weight:600}
#detail{margin-top:1em;padding-top:.5em;border-top:2px solid #888}
"""

_PAGE = """<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>@TITLE@</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>@STYLE@</style></head><body>
<h2>@TITLE@</h2>
<p id="summary"></p>
<div class="bar">
<label>Topic 主题 <select id="topic"></select></label>
<label>Document 文件 <select id="doc"></select></label>
<label>Words 词语 <input id="words" type="search" size="24"></label>
<span id="count"></span>
</div>
<table><thead><tr><th>Document 文件</th><th>Path 编号</th><th>Measure 措施</th>
<th>Topic 主题</th></tr></thead><tbody id="rows"></tbody></table>
<div id="detail"></div>
<script id="data" type="application/json">@DATA@</script>
<script>@SCRIPT@</script>
</body></html>
"""
