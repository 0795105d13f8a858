"""compare.charts: every chart draws (zh and en) without a missing-glyph warning; saving is
byte-for-byte reproducible."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from compare import __version__
from compare import analysis as A
from compare import charts as C
from compare.charts import labels as L
from compare.errors import CompareError

DATE = "2026-11-25"
SOURCES = ["宜兴市人民政府 2012", "南京市人民政府 2021"]

DOCS = pd.DataFrame(
    {
        "doc_id": ["yixing-2012", "caoxian-2016", "nanjing-2021", "speeches-01"],
        "title": [
            "宜兴市人民政府关于加快推进法治政府建设的实施意见",
            "曹县法治政府建设实施纲要",
            "南京市法治政府建设实施方案（2021—2025年）",
            "讲话",
        ],
        "label": ["宜兴 2012", "曹县 2016–2020", "南京 2021–2025", "讲话01（市）"],
        "label_en": ["Yixing 2012", "Caoxian 2016–2020", "Nanjing 2021–2025", "Speech 01 (city)"],
        "jurisdiction": ["宜兴市", "曹县", "南京市", None],
        "jurisdiction_en": ["Yixing", "Caoxian", "Nanjing", None],
        "level": ["county", "county", "city", "city"],
        "doc_type": ["意见", "纲要", "实施方案", "讲话"],
        "year": [2012, 2017, 2021, None],
        "year_min": [2012, 2017, 2021, 2018],
        "year_max": [2012, 2017, 2021, 2020],
        "period": [None, "2016-2020", "2021-2025", None],
        "n_chars": [8000, 15000, 20000, 5000],
        "n_measures": [3, 3, 4, 0],
    }
)
CATS = pd.DataFrame(
    {
        "id": ["functions", "enforcement", "disputes"],
        "national2021": [2, 5, 7],
        "label_zh": [
            "健全政府机构职能体系，推动更好发挥政府作用",
            "健全行政执法工作体系",
            "健全社会矛盾纠纷行政预防调处化解体系",
        ],
        "label_en": [
            "Government functions and roles",
            "Administrative law enforcement",
            "Preventing and resolving social disputes",
        ],
    }
)
TOPICS = pd.DataFrame(
    {
        "id": ["en.reform", "en.three", "fn.x", "dp.x"],
        "category_id": ["enforcement", "enforcement", "functions", "disputes"],
        "label_zh": [
            "综合行政执法体制改革",
            "行政执法三项制度（公示、全过程记录、法制审核）",
            "职能",
            "纠纷",
        ],
        "label_en": [
            "Comprehensive enforcement reform",
            "Three enforcement systems (disclosure, recording, legal review)",
            "Functions",
            "Disputes",
        ],
    }
)
INDICATORS = pd.DataFrame(
    {
        "id": ["review_rate", "training_hours"],
        "label_zh": ["重大行政决策合法性审查率", "执法人员每年法律知识培训学时"],
        "label_en": ["Legality review rate of major decisions", "Annual legal training hours"],
        "unit": ["%", "学时"],
    }
)

_ALIGN = [  # measure, category, topic
    ("yixing-2012/1", "functions", "fn.x"),
    ("yixing-2012/2", "functions", "fn.x"),
    ("yixing-2012/3", "enforcement", "en.reform"),
    ("caoxian-2016/1", "enforcement", "en.three"),
    ("caoxian-2016/2", "disputes", "dp.x"),
    ("caoxian-2016/3", "functions", "fn.x"),
    ("nanjing-2021/1", "enforcement", "en.three"),
    ("nanjing-2021/2", "enforcement", "en.reform"),
    ("nanjing-2021/3", "disputes", "dp.x"),
    ("nanjing-2021/4", "disputes", "dp.x"),
]


def _measures() -> pd.DataFrame:
    ids = [m for m, _, _ in _ALIGN]
    return pd.DataFrame(
        {
            "doc_id": [m.split("/")[0] for m in ids],
            "measure_id": ids,
            "seq": range(len(ids)),
            "path": [m.split("/")[1] for m in ids],
            "number": [m.split("/")[1] + "." for m in ids],
            "heading": "",
            "text": [f"（{m}）加强行政执法" for m in ids],
            "char_start": [i * 100 for i in range(len(ids))],
            "char_end": [i * 100 + 80 for i in range(len(ids))],
        }
    )


def _alignments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": [m.split("/")[0] for m, _, _ in _ALIGN],
            "measure_id": [m for m, _, _ in _ALIGN],
            "category_id": [c for _, c, _ in _ALIGN],
            "national2021": 0,
            "topic_id": [t for _, _, t in _ALIGN],
            "score": 1.0,
            "evidence": "",
            "method": "lexicon",
            "secondary": "",
        }
    )


def _targets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["yixing-2012", "caoxian-2016", "nanjing-2021", "nanjing-2021"],
            "measure_id": "m",
            "quote": "q",
            "char_start": 0,
            "char_end": 1,
            "value": [80.0, 90.0, 100.0, 40.0],
            "value_max": [None, 95.0, None, None],
            "comparator": [">=", "between", "=", ">="],
            "unit": ["%", "%", "%", "学时"],
            "per": None,
            "deadline": ["2015年底前", "2020", "2025-12-31", "2023"],
            "kind": "target",
            "subject": "",
            "actor": "",
            "indicator": ["review_rate", "review_rate", "review_rate", "training_hours"],
            "status": "target",
        }
    )


def _cleaning_log() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["yixing-2012", "yixing-2012", "nanjing-2021"],
            "char_start": 0,
            "char_end": [0, 4, 0],
            "source_start": 0,
            "source_end": 5,
            "original": ["首页 > 政务公开", "法治政府", "扫一扫在手机打开当前页"],
            "replacement": ["", "法治政府", ""],
            "action": ["remove", "flag", "remove"],
            "reason": ["网页导航", "疑似OCR错误", "QR code prompt"],
        }
    )


COV = A.coverage(_alignments(), _measures(), DOCS, taxonomy=CATS)
TCOV = A.coverage(_alignments(), _measures(), DOCS, level="topic", taxonomy=TOPICS)
KEY = A.keyness(
    [["数字政府"] * 8 + ["营商环境"] * 5 + ["法治"] * 20],
    [["依法行政"] * 9 + ["行政审批"] * 4 + ["法治"] * 20],
)
TABLES: dict[str, Callable[[str], Figure]] = {
    "heatmap": lambda lang: C.plot_coverage_heatmap(
        A.coverage_matrix(COV),
        documents=DOCS,
        categories=CATS,
        totals=A.document_totals(COV),
        min_measures=4,
        lang=lang,
        sources=SOURCES,
        data_date=DATE,
    ),
    "drilldown": lambda lang: C.plot_topic_drilldown(
        A.topic_breakdown(TCOV, "enforcement"),
        documents=DOCS,
        topics=TOPICS,
        categories=CATS,
        lang=lang,
        sources=SOURCES,
        data_date=DATE,
    ),
    "shift": lambda lang: C.plot_category_shift(
        A.category_shift(COV, "yixing-2012", "nanjing-2021", "caoxian-2016"),
        documents=DOCS,
        categories=CATS,
        lang=lang,
        sources=SOURCES,
        data_date=DATE,
    ),
    "keyness": lambda lang: C.plot_keyness(
        KEY,
        n=5,
        target_label="南京 2021",
        reference_label="宜兴 2012",
        documents=DOCS,
        target_id="nanjing-2021",
        reference_id="yixing-2012",
        lang=lang,
        sources=SOURCES,
        data_date=DATE,
    ),
    "timeline": lambda lang: C.plot_corpus_timeline(
        A.corpus_overview(DOCS), lang=lang, sources=SOURCES, data_date=DATE
    ),
    "overview": lambda lang: C.plot_documents_overview(
        A.corpus_counts(DOCS), lang=lang, sources=SOURCES, data_date=DATE
    ),
    "targets": lambda lang: C.plot_target_ranges(
        A.target_ranges(_targets(), DOCS, INDICATORS), lang=lang, sources=SOURCES, data_date=DATE
    ),
    "deadlines": lambda lang: C.plot_deadline_timeline(
        A.deadline_timeline(_targets(), DOCS),
        documents=DOCS,
        lang=lang,
        sources=SOURCES,
        data_date=DATE,
    ),
    "cleaning": lambda lang: C.plot_cleaning_summary(
        A.cleaning_summary(_cleaning_log()),
        documents=DOCS,
        lang=lang,
        sources=SOURCES,
        data_date=DATE,
    ),
}

#: Strings each chart must show (zh, en): its labels come from label tables, not ids.
EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    "heatmap": (
        [
            "各文件措施的类别分布",
            "宜兴 2012",
            "健全行政执法工作体系",
            "讲话01（市）",
            "未归类",
            "少于4条",
        ],
        ["by category", "Yixing 2012", "Administrative law enforcement", "Unassigned", "n=4"],
    ),
    "drilldown": (
        ["健全行政执法工作体系：各文件的主题分布", "综合行政执法体制改革"],
        ["Administrative law enforcement: topics by document", "Nanjing 2021–2025"],
    ),
    "shift": (
        ["宜兴 2012 → 南京 2021–2025", "曹县 2016–2020", "健全行政执法工作体系"],
        ["Yixing 2012 → Nanjing 2021–2025", "Caoxian 2016–2020", "Government functions"],
    ),
    "keyness": (
        ["关键词：南京 2021 对比 宜兴 2012", "数字政府", "依法行政"],
        ["Keyness", "数字政府", "依法行政", "untranslated"],
    ),
    "timeline": (
        ["语料时间线", "宜兴 2012", "县级", "规划期"],
        ["Corpus timeline", "Yixing 2012", "County", "Plan period"],
    ),
    "overview": (
        ["语料构成", "县级", "纲要", "讲话"],
        ["Corpus by administrative level", "County", "Outline", "Speech"],
    ),
    "targets": (
        ["量化目标", "重大行政决策合法性审查率（%）", "宜兴市"],
        ["numeric targets", "Legality review rate of major decisions (%)", "Yixing"],
    ),
    "deadlines": (["量化目标的完成时限", "宜兴 2012"], ["Deadlines", "Yixing 2012"]),
    "cleaning": (
        ["清洗记录", "删除字数", "标记字数", "网页导航", "南京 2021–2025"],
        ["Cleaning log", "Characters removed", "Characters flagged", "Nanjing 2021–2025"],
    ),
}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _texts(fig: Figure) -> str:
    """All text drawn in a figure (titles, ticks, legends, annotations), whitespace removed
    (labels are wrapped, so line breaks may fall anywhere)."""
    fig.canvas.draw()
    return "|".join(_squash(t.get_text()) for t in fig.findobj(Text) if t.get_text())


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(TABLES))
def test_chart_draws_with_labels_and_no_missing_glyph(name: str, lang: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph (or any other warning) fails the test
        fig = TABLES[name](lang)
        assert isinstance(fig, Figure)
        text = _texts(fig)
        for fmt in ("png", "svg", "pdf"):
            fig.savefig(io.BytesIO(), format=fmt, dpi=72)
    for expected in EXPECTED[name][0 if lang == "zh" else 1]:
        assert _squash(expected) in text, (expected, text)
    assert f"compare{__version__}" in text and DATE in text
    assert _squash(("来源：" if lang == "zh" else "Source: ") + SOURCES[0]) in text


def test_cjk_font_is_the_bundled_noto_file() -> None:
    name = C.use_cjk_font()
    assert name == "Noto Sans CJK SC"
    assert C.cjk_font_path().name == "NotoSansCJKsc-Regular.otf"
    assert "mplfonts" in str(C.cjk_font_path())
    assert mpl.rcParams["font.family"][0] == name
    assert mpl.rcParams["axes.unicode_minus"] is False
    assert mpl.rcParams["svg.hashsalt"]


def test_save_figure_is_byte_identical_across_runs(tmp_path) -> None:
    first = C.save_figure(TABLES["heatmap"]("zh"), tmp_path / "one", "heatmap", dpi=72)
    second = C.save_figure(TABLES["heatmap"]("zh"), tmp_path / "two", "heatmap", dpi=72)
    assert [p.name for p in first] == ["heatmap.png", "heatmap.svg", "heatmap.pdf"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    png, svg, pdf = (p.read_bytes() for p in first)
    assert b"matplotlib" not in png.lower()  # no Software chunk
    assert b"<dc:date>" not in svg
    assert b"CreationDate" not in pdf and b"ModDate" not in pdf
    assert not list((tmp_path / "one").glob(".*.tmp"))  # atomic: no temp files left


def test_save_figure_twice_same_figure(tmp_path) -> None:
    fig = TABLES["shift"]("en")
    a = [p.read_bytes() for p in C.save_figure(fig, tmp_path, "shift", dpi=72)]
    b = [p.read_bytes() for p in C.save_figure(fig, tmp_path, "shift", dpi=72)]
    assert a == b
    with pytest.raises(CompareError):
        C.save_figure(fig, tmp_path, "shift", formats=("jpg",))


def test_charts_need_a_data_date_and_a_known_lang() -> None:
    with pytest.raises(CompareError):
        C.plot_corpus_timeline(A.corpus_overview(DOCS), sources=SOURCES, data_date=None)
    with pytest.raises(CompareError):
        C.plot_corpus_timeline(A.corpus_overview(DOCS), lang="fr", data_date=DATE)


def test_wrap_balances_chinese_and_keeps_words() -> None:
    w = C.wrap("健全行政权力制约和监督体系", 22)
    assert w.split("\n") == ["健全行政权力制", "约和监督体系"]
    assert C.wrap("健全行政执法工作体系", 22) == "健全行政执法工作体系"
    # closing punctuation may hang one full-width character past the width
    assert all(L._dw(line) <= 22 for line in C.wrap("法治政府建设，" * 6, 20).split("\n"))
    assert not any(line.startswith("，") for line in C.wrap("法治政府建设，" * 6, 13).split("\n"))
    en = C.wrap("Preventing and resolving social disputes", 30).split("\n")
    assert en == ["Preventing and resolving", "social disputes"]


def test_labels_from_native_taxonomy_columns() -> None:
    topics = TOPICS.rename(columns={"id": "topic_id"})  # also has category_id: topic_id wins
    assert L._tax_labels(["en.three"], topics, "zh") == [
        "行政执法三项制度（公示、全过程记录、法制审核）"
    ]
    inds = INDICATORS.rename(columns={"id": "indicator_id"}).assign(topic_id="en.reform")
    assert L._tax_labels(["training_hours"], inds, "en") == ["Annual legal training hours"]
    assert L._tax_labels(["unknown"], CATS, "en") == ["unknown"]


# --------------------------------------------------------------------------- what is drawn
def _scatter_points(fig: Figure, ax: int = 0) -> list[tuple[float, float]]:
    from matplotlib.collections import PathCollection

    axes = fig.get_axes()[ax]
    return [
        (float(x), float(y))
        for c in axes.collections
        if isinstance(c, PathCollection)
        for x, y in c.get_offsets()
    ]


def _bars(fig: Figure, ax: int = 0) -> list[tuple[float, float]]:
    """(y centre, width) of every horizontal bar of one panel."""
    from matplotlib.patches import Rectangle

    axes = fig.get_axes()[ax]
    return [
        (round(p.get_y() + p.get_height() / 2, 6), float(p.get_width()))
        for p in axes.patches
        if isinstance(p, Rectangle)
    ]


def test_heatmap_cells_are_the_matrix_handed_in() -> None:
    import numpy as np
    from matplotlib.collections import QuadMesh

    matrix = A.coverage_matrix(COV)
    fig = TABLES["heatmap"]("en")
    mesh = next(c for c in fig.get_axes()[0].collections if isinstance(c, QuadMesh))
    drawn = np.ma.filled(mesh.get_array().astype(float), np.nan).reshape(matrix.shape[::-1])
    np.testing.assert_allclose(drawn, matrix.to_numpy(dtype=float).T, equal_nan=True)


def test_heatmap_prints_n_under_each_column_and_hatches_small_documents() -> None:
    fig = TABLES["heatmap"]("zh")
    ax = fig.get_axes()[0]
    totals = A.document_totals(COV)
    drawn = {t.get_gid(): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("n-")}
    assert drawn == {f"n-{j}": f"n={int(n)}" for j, n in enumerate(totals)}
    hatched = sorted(p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith("small"))
    # min 4: yixing (3) and caoxian (3) are small; nanjing (4) is not; the speech (0) is blank
    assert hatched == ["small-0", "small-1"]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows[-1].startswith("未归类")


def test_category_shift_points_are_the_shares() -> None:
    shift = A.category_shift(COV, "yixing-2012", "nanjing-2021", "caoxian-2016")
    by_row: dict[float, list[float]] = {}
    for x, y in _scatter_points(TABLES["shift"]("en")):
        by_row.setdefault(y, []).append(round(x, 9))
    drawn = sorted(sorted(v) for v in by_row.values())
    expected = sorted(
        sorted(round(float(r[c]), 9) for c in ("share_a", "share_mid", "share_b"))
        for _, r in shift.iterrows()
    )
    assert drawn == expected


def test_keyness_bars_are_the_signed_g2_of_the_top_terms() -> None:
    widths = sorted(round(w, 6) for _, w in _bars(TABLES["keyness"]("en")))
    top = KEY[KEY["g2"] != 0]
    assert widths == sorted(round(float(g), 6) for g in top["g2"])


def test_overview_bars_add_up_to_the_counts_per_level() -> None:
    counts = A.corpus_counts(DOCS)
    fig = TABLES["overview"]("en")
    for ax, col, scale in ((0, "n_docs", 1), (1, "n_chars", 1000)):
        per_row: dict[float, float] = {}
        for y, w in _bars(fig, ax):
            per_row[y] = per_row.get(y, 0.0) + w
        expected = counts.groupby("level")[col].sum() / scale
        assert sorted(per_row.values()) == sorted(expected.astype(float))


def test_target_range_points_are_low_median_and_high() -> None:
    ranges = A.target_ranges(_targets(), DOCS, INDICATORS)
    fig = TABLES["targets"]("en")
    for ax, (_, panel) in enumerate(ranges.groupby("indicator", sort=False)):
        drawn = sorted({round(x, 6) for x, _ in _scatter_points(fig, ax)})
        expected = sorted({round(float(v), 6) for c in ("low", "high", "median") for v in panel[c]})
        assert drawn == expected


def test_cleaning_bars_are_the_characters_per_action() -> None:
    summary = A.cleaning_summary(_cleaning_log())
    fig = TABLES["cleaning"]("en")
    drawn = sorted(w for ax in (0, 1) for _, w in _bars(fig, ax) if w)
    cols = [c for c in summary.columns if c.startswith("chars_")]
    expected = sorted(float(v) for c in cols for v in summary[c] if v)
    assert drawn == expected


def _doc_colour(doc_id: str) -> tuple[float, ...]:
    from matplotlib.colors import to_rgba

    return to_rgba(C.colours().document(DOCS)[doc_id])


def test_documents_keep_their_manifest_colour_in_every_chart() -> None:
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Rectangle

    key = TABLES["keyness"]("en").get_axes()[0]
    bars = [p for p in key.patches if isinstance(p, Rectangle)]
    pos = {to_rgba(p.get_facecolor()) for p in bars if p.get_width() > 0}
    neg = {to_rgba(p.get_facecolor()) for p in bars if p.get_width() < 0}
    assert pos == {_doc_colour("nanjing-2021")} and neg == {_doc_colour("yixing-2012")}
    shift = TABLES["shift"]("en").get_axes()[0]
    drawn = {to_rgba(c.get_facecolor()[0]) for c in shift.collections if len(c.get_facecolor())}
    assert {_doc_colour(d) for d in ("yixing-2012", "nanjing-2021", "caoxian-2016")} <= drawn
    # the colour follows the manifest position, not the order a chart meets the documents in
    assert C.colours().document(DOCS)["nanjing-2021"] == C.colours().documents[2]


def test_timeline_draws_uncertain_years_as_ranges() -> None:
    docs = DOCS.assign(date=["2012-08-23", "2017-07-26", None, None])
    docs.loc[2, ["year_max"]] = None  # nanjing: in or after 2021, no upper bound
    ov = A.corpus_overview(docs)
    assert ov.set_index("doc_id")["year_certain"].to_dict() == {
        "yixing-2012": True, "caoxian-2016": True, "nanjing-2021": False, "speeches-01": False,
    }  # fmt: skip
    fig = C.plot_corpus_timeline(ov, lang="en", data_date=DATE)
    ax = fig.get_axes()[0]
    ranges = {ln.get_gid(): list(ln.get_xdata()) for ln in ax.lines if ln.get_gid()}
    row = {d: i for i, d in enumerate(ov["doc_id"])}
    assert ranges[f"range-{row['nanjing-2021']}"] == [2021, 2026]  # open end: the data date
    assert ranges[f"range-{row['speeches-01']}"] == [2018, 2020]
    assert len(ranges) == 2


def test_cleaning_groups_name_every_reason_in_the_chart_language() -> None:
    log = _cleaning_log().assign(reason=["site navigation bar", "stray '?' (mojibake?)", "x"])
    groups = [(g["id"], g["match"]) for g in C.cleaning_groups()]
    summary = A.group_cleaning_reasons(A.cleaning_summary(log), groups)
    assert set(summary["reason"]) == {"web", "mojibake", "other"}
    fig = C.plot_cleaning_summary(summary, documents=DOCS, lang="zh", data_date=DATE)
    legend = [t.get_text() for sf in fig.subfigs for lg in sf.legends for t in lg.get_texts()]
    assert len(legend) == 3
    assert all(re.search(r"[\u4e00-\u9fff]", t) and not re.search(r"[A-Za-z]", t) for t in legend)
    assert sum(w for ax in fig.get_axes() for _, w in _bars(fig, fig.get_axes().index(ax))) == sum(
        summary[c].sum() for c in ("chars_removed", "chars_replaced", "chars_flagged")
    )


def test_keyness_leaves_out_places_and_own_jurisdictions() -> None:
    skip = A.keyness_exclusions(DOCS.assign(province=["江苏省", "山东省", "江苏省", None]))
    assert {"南京市", "南京", "宜兴", "曹县", "江苏", "江苏省", "上海"} <= skip
    key = A.keyness([["南京"] * 9 + ["数字政府"] * 8], [["宜兴"] * 9 + ["依法行政"] * 8],
                    exclude=skip)  # fmt: skip
    assert set(key["term"]) == {"数字政府", "依法行政"}


def test_sharing_counts_counterparts_and_passages_per_jurisdiction_pair() -> None:
    cp = pd.DataFrame({
        "measure_id": ["yixing-2012/1", "yixing-2012/1", "yixing-2012/2", "nanjing-2021/1"],
        "doc_id": ["yixing-2012", "yixing-2012", "yixing-2012", "nanjing-2021"],
        "other_doc_id": ["nanjing-2021", "caoxian-2016", None, "yixing-2012"],
        "status": ["counterpart", "counterpart", "none", "counterpart"],
    })  # fmt: skip
    reuse = pd.DataFrame({"doc_id": ["yixing-2012"], "other_doc_id": ["nanjing-2021"],
                          "length": [12]})  # fmt: skip
    sh = A.sharing(cp, reuse, DOCS)
    row = sh.set_index(["jurisdiction", "other_jurisdiction"])
    assert row.loc[("宜兴市", "南京市"), "n_counterparts"] == 1
    assert row.loc[("宜兴市", "南京市"), "n_measures"] == 2
    assert row.loc[("宜兴市", "南京市"), "passage_chars"] == 12
    assert row.loc[("南京市", "宜兴市"), "passage_chars"] == 12  # both directions
    assert row.loc[("南京市", "宜兴市"), "share"] == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = C.plot_sharing(sh, lang="en", data_date=DATE)
    from matplotlib.collections import QuadMesh

    ax = fig.get_axes()[0]
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    names = list(pd.unique(sh["jurisdiction_en"]))
    drawn = np.ma.filled(mesh.get_array().astype(float), np.nan).reshape(len(names), len(names))
    want = sh.pivot(index="jurisdiction_en", columns="other_jurisdiction_en", values="share")
    np.testing.assert_allclose(drawn, want.reindex(index=names, columns=names), equal_nan=True)


def test_shorten_keeps_labels_to_two_lines() -> None:
    long = "Three enforcement systems (disclosure, recording, legal review)"
    assert L.shorten(long, 30, 2) == "Three enforcement systems"  # the note goes first
    cut = L.shorten(
        "Oversight by people's congresses, CPPCC, courts, procuratorates and media", 30, 2
    )
    assert cut.count("\n") == 1 and cut.endswith("…")
    assert all(L._dw(line) <= 30 for line in cut.split("\n"))
    assert L.shorten("Administrative law enforcement", 30, 2) == "Administrative law enforcement"


def test_topic_heatmap_of_many_long_topics_fits_a_page() -> None:
    from matplotlib.collections import QuadMesh

    n = 21
    ids = [f"t{i:02d}" for i in range(n)]
    topics = pd.DataFrame({
        "id": ids,
        "label_zh": [f"第{i}项主题：行政执法三项制度（公示、全过程记录、法制审核）的落实与监督" for i in range(n)],
        "label_en": [f"Topic {i}: enforcement disclosure, whole-process recording and legal review"
                     f" of major enforcement decisions by every department" for i in range(n)],
    })  # fmt: skip
    rng = np.random.default_rng(0)
    docs = DOCS.copy()
    matrix = pd.DataFrame(rng.random((len(docs), n)) / n, index=docs["doc_id"], columns=ids)
    for lang in ("zh", "en"):
        fig = C.plot_coverage_heatmap(matrix, documents=docs, categories=topics,
                                      totals=A.document_totals(COV), lang=lang, data_date=DATE)  # fmt: skip
        assert fig.get_size_inches()[1] <= 11.0, lang
        ax = fig.get_axes()[0]
        rows = [t.get_text() for t in ax.get_yticklabels()]
        assert len(rows) == n and all(r.count("\n") <= 1 for r in rows)
        mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
        drawn = np.ma.filled(mesh.get_array().astype(float), np.nan).reshape(n, len(docs))
        np.testing.assert_allclose(drawn, matrix.to_numpy(dtype=float).T)
        cells = [t.get_text() for t in ax.texts if not t.get_gid()]
        assert cells == [L._pct(v) for v in matrix.to_numpy(dtype=float).T.ravel()]


def test_deadline_timeline_draws_an_inferred_issue_year_as_a_range() -> None:
    docs = DOCS.assign(date=["2012-08-23", "2017-07-26", None, None])
    docs.loc[2, ["year_max"]] = None  # nanjing: in or after 2021, year inferred
    tl = A.deadline_timeline(_targets(), docs)
    assert tl.drop_duplicates("doc_id").set_index("doc_id")["doc_year_certain"].to_dict() == {
        "yixing-2012": True, "caoxian-2016": True, "nanjing-2021": False,
    }  # fmt: skip
    fig = C.plot_deadline_timeline(tl, documents=docs, lang="en", data_date=DATE)
    ax = fig.get_axes()[0]
    row = {d: i for i, d in enumerate(pd.unique(tl["doc_id"]))}
    ranges = {ln.get_gid(): list(ln.get_xdata()) for ln in ax.lines if ln.get_gid()}
    assert ranges == {f"issued-{row['nanjing-2021']}": [2021, 2026]}  # open end: the data date
    ticks = [(x, y) for c in ax.collections if c.get_paths() and len(c.get_offsets()) == 1
             for x, y in c.get_offsets() if c.get_sizes()[0] == 160]  # fmt: skip
    assert sorted(y for _, y in ticks) == [row["yixing-2012"], row["caoxian-2016"]]
    legend = [t.get_text() for sf in fig.subfigs for lg in sf.legends for t in lg.get_texts()]
    assert any(t.startswith("Year uncertain") for t in legend)


def test_the_count_note_names_the_measures_counted() -> None:
    """``n`` under the coverage heatmap counts the modes given to the coverage (commitments by
    default): the note says so, so a speech that only reviews past work reads n=0 for a reason."""
    matrix, totals = A.coverage_matrix(COV), A.document_totals(COV)

    def note(lang: str, modes: tuple[str, ...] | None) -> str:
        fig = C.plot_coverage_heatmap(matrix, documents=DOCS, categories=CATS, totals=totals,
                                      lang=lang, modes=modes, data_date=DATE)  # fmt: skip
        return _texts(fig)

    assert _squash("n：该文件计入的措施数（只计部署任务，其余不计）") in note("zh", ("commitment",))
    assert _squash("n: the document's measures counted (commitments only)") in note(
        "en", ("commitment",)
    )
    both = note("en", ("commitment", "review"))
    assert _squash("(commitments; reviews of past work only)") in both
    every = note("en", None)
    assert _squash("n: the document's measures counted;") in every and "only)" not in every
