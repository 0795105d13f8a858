// The offline explorer (compare.explore.page): filter the embedded tables, show a measure's
// counterparts and shared passages. Plain JavaScript, no library.
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("data").textContent);
  const LIMIT = 400;
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})[c]);
  const docLabel = (i) => D.documents[i][1] || D.documents[i][0];
  const topicName = {};
  D.topics.forEach(([id, label]) => { topicName[id] = label; });

  function highlight(text, targets) {
    let out = esc(text);
    const quotes = targets ? targets.split("；").filter(Boolean) : [];
    quotes.sort((a, b) => b.length - a.length).forEach((q) => {
      const e = esc(q);
      out = out.split(e).join("<span class='t'>" + e + "</span>");
    });
    return out;
  }

  function options(select, items, all) {
    select.innerHTML = "<option value=''>" + esc(all) + "</option>" +
      items.map(([v, label]) => "<option value='" + esc(v) + "'>" + esc(label) + "</option>").join("");
  }

  function filtered() {
    const topic = $("topic").value, doc = $("doc").value;
    const words = $("words").value.trim().split(/\s+/).filter(Boolean);
    return D.measures.map((m, i) => i).filter((i) => {
      const m = D.measures[i];
      if (topic && m[5] !== topic) return false;
      if (doc !== "" && String(m[1]) !== doc) return false;
      const hay = m[3] + " " + m[4] + " " + m[2];
      return words.every((w) => hay.includes(w));
    });
  }

  function render() {
    const hits = filtered();
    $("count").textContent = hits.length + " measures 条措施" +
      (hits.length > LIMIT ? " (first " + LIMIT + " shown 仅显示前" + LIMIT + "条)" : "");
    $("rows").innerHTML = hits.slice(0, LIMIT).map((i) => {
      const m = D.measures[i];
      return "<tr class='m' data-i='" + i + "'><td>" + esc(docLabel(m[1])) + "</td><td>" +
        esc(m[2]) + "</td><td>" + highlight(m[4], m[6]) + "<br><span class='id'>" + esc(m[0]) +
        (m[6] ? " · targets: " + esc(m[6]) : "") + "</span></td><td>" +
        esc(topicName[m[5]] || m[5]) + "</td></tr>";
    }).join("");
  }

  function counterparts(i) {
    const best = new Map();
    D.matches.forEach(([a, b, s]) => {
      const other = a === i ? b : (b === i ? a : -1);
      if (other >= 0 && !(best.get(other) >= s)) best.set(other, s);
    });
    return [...best.entries()].sort((x, y) => y[1] - x[1]);
  }

  function measureAt(doc, pos) {
    const m = D.measures.find((r) => r[1] === doc && r[7] <= pos && pos < r[8]);
    return m ? m[0] : "";
  }

  function passages(i) {
    const m = D.measures[i], out = [];
    D.reuse.forEach(([a, s, b, t, n, on, text, ca, cb]) => {
      if (a === m[1] && s < m[8] && s + n > m[7]) out.push([b, t, n, text, cb]);
      else if (b === m[1] && t < m[8] && t + on > m[7]) out.push([a, s, on, text, ca]);
    });
    return out.sort((x, y) => y[2] - x[2]);
  }

  function detail(i) {
    const m = D.measures[i];
    const cp = counterparts(i).map(([j, s]) => {
      const o = D.measures[j];
      return "<tr><td>" + esc(docLabel(o[1])) + "</td><td>" + s.toFixed(2) + "</td><td>" +
        esc(o[2]) + "</td><td>" + esc(o[4]) + "<br><span class='id'>" + esc(o[0]) + "</span></td></tr>";
    }).join("");
    const sp = passages(i).map(([d, pos, n, text, ctx]) =>
      "<tr><td>" + esc(docLabel(d)) + "</td><td>" + n + "</td><td>" + esc(text) + "</td><td>…" +
      esc(ctx) + "…<br><span class='id'>" + esc(measureAt(d, pos)) + "</span></td></tr>").join("");
    $("detail").innerHTML = "<h3>" + esc(docLabel(m[1])) + " " + esc(m[2]) + "</h3><p>" +
      highlight(m[4], m[6]) + "</p><h4>Counterparts 相似措施</h4>" +
      (cp ? "<table><tr><th>document</th><th>score</th><th>path</th><th>text</th></tr>" + cp +
        "</table>" : "<p>No counterpart found. 无相似措施。</p>") +
      "<h4>Shared passages 共用段落</h4>" +
      (sp ? "<table><tr><th>other document</th><th>length</th><th>passage</th><th>in context</th></tr>" +
        sp + "</table>" : "<p>No passage shared with another document. 无共用段落。</p>");
  }

  options($("topic"), D.topics, "all topics 全部主题");
  options($("doc"), D.documents.map(([id, label], i) => [String(i), label || id]),
    "all documents 全部文件");
  $("summary").textContent = D.documents.length + " documents 个文件, " + D.measures.length +
    " measures 条措施, " + D.topics.length + " topics 个主题";
  ["topic", "doc"].forEach((id) => $(id).addEventListener("change", render));
  $("words").addEventListener("input", render);
  $("rows").addEventListener("click", (e) => {
    const tr = e.target.closest("tr.m");
    if (!tr) return;
    document.querySelectorAll("tr.sel").forEach((r) => r.classList.remove("sel"));
    tr.classList.add("sel");
    detail(Number(tr.dataset.i));
  });
  render();
})();
