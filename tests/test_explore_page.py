"""The offline explorer page: self-contained (no network), and its filters work (the page's
own script run under node with a minimal stand-in for the browser's document)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from compare import explore

#: Runs the page's script with stub elements; reads actions from argv, prints what it shows.
_NODE = r"""
const fs = require("fs");
const [page, actions] = [fs.readFileSync(process.argv[1], "utf8"), JSON.parse(process.argv[2])];
const data = page.match(/<script id="data" type="application\/json">([\s\S]*?)<\/script>/)[1];
const script = page.match(/<script>([\s\S]*?)<\/script>/)[1];
const els = {}, handlers = {};
const el = (id) => els[id] || (els[id] = {id, value: "", innerHTML: "", textContent: id === "data" ? data : "",
  addEventListener: (type, fn) => { handlers[id + ":" + type] = fn; }});
global.document = {getElementById: el, querySelectorAll: () => []};
new Function(script)();
const out = [];
for (const [id, value] of actions) {
  if (id === "click") {
    handlers["rows:click"]({target: {closest: () => ({dataset: {i: String(value)}, classList: {add() {}}})}});
  } else {
    el(id).value = value;
    handlers[id + (id === "words" ? ":input" : ":change")]();
  }
  out.push({count: el("count").textContent, rows: el("rows").innerHTML, detail: el("detail").innerHTML});
}
console.log(JSON.stringify(out));
"""


@pytest.fixture
def page(small_tables, tmp_path: Path) -> Path:
    tables, texts = small_tables
    return explore.write_explorer(tables, texts, tmp_path / "explorer.html")


def test_the_page_loads_nothing_from_the_network(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)[^>]*(src|href)\s*=", html, re.I)
    assert "http://" not in html and "https://" not in html
    assert html.count("<script") == 2  # the data and the inline script


def test_the_page_embeds_every_measure(small_tables, page: Path) -> None:
    tables, _ = small_tables
    html = page.read_text(encoding="utf-8")
    raw = re.search(r'<script id="data" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(raw.group(1))
    assert [m[0] for m in data["measures"]] == tables["measures"]["measure_id"].tolist()
    assert data["documents"][0] == ["yixing-2012", "宜兴 2012"]  # year order


def _run(page: Path, actions: list[list]) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    done = subprocess.run([node, "-e", _NODE, str(page), json.dumps(actions)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_filters_and_details_work(small_tables, page: Path) -> None:
    tables, _ = small_tables
    ids = tables["measures"]["measure_id"].tolist()
    topic, docs, words, clicked = _run(page, [
        ["topic", "T_major_decision"], ["doc", "3"], ["words", "合法性审查"],
        ["click", ids.index("yixing-2012/一")],
    ])  # fmt: skip
    assert topic["count"].startswith("3 measures")
    assert "南京 2021–2025" in topic["rows"] and "推进数字法治政府" not in topic["rows"]
    assert "<span class='t'>达到100%</span>" in topic["rows"]  # the target is marked
    assert docs["count"].startswith("1 measures") and "南京" in docs["rows"]  # topic and document
    assert words["count"].startswith("1 measures")
    assert "曹县 2016–2020" in clicked["detail"]  # a counterpart
    assert "严格执行重大行政决策程序" in clicked["detail"]  # a shared passage


def test_a_search_that_matches_nothing(page: Path) -> None:
    (shown,) = _run(page, [["words", "不存在的词语"]])
    assert shown["count"].startswith("0 measures") and shown["rows"] == ""
