"""compare.segment on the seed corpus and on hand-written texts in other numbering styles.

Expected values were written by reading the texts (data/raw/ and tests/fixtures/segment/).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import opencc
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.config import REPO_ROOT
from compare.errors import CompareError
from compare.structure.measures import MEASURE_COLUMNS, extract_measures, parse_units
from compare.structure.segment import SEGMENT_COLUMNS, load_config, segment_text

RAW = REPO_ROOT / "data" / "raw"
FIXTURES = Path(__file__).parent / "fixtures" / "segment"
SEEDS = {
    "yixing-2012": "000_555a7841707b4dce.txt",
    "caoxian-2016": "001_9b9a54170b52034a.txt",
    "district-20xx": "002_031ba38f685b3de9.txt",
    "nanjing-2021": "003_06ec0521e48adf05.txt",
}
SPEECHES = "004_ccc4eb72ef48a563.txt"
#: Page furniture around the seed texts (breadcrumbs, header table, footers); none of it may
#: end up inside a measure. (The stray "</span>" inside Yixing item 8 is mojibake in the body,
#: for clean.py to deal with.)
JUNK = ("当前位置", "返回顶部", "打印本页", "关闭窗口", "ICP备", "免责声明", "您的位置",
        "互联网用户分享", "http", "文章地址", "文号", "下一篇", "|")  # fmt: skip


# ------------------------------------------------------------------ clean text of the seeds

_T2S = opencc.OpenCC("t2s")
_PUNCT = str.maketrans(
    {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
)
_MARKER_AHEAD = r"(?=[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,3}[、.．])"


def _standin_clean(text: str) -> str:
    """Stand-in for compare.clean: simplified, full-width punctuation, lines before markers."""
    text = re.sub(r"\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+)\)", "", text)  # inline pinyin
    text = re.sub(r"<?/?span>", "", text)  # the stray HTML tag
    text = _T2S.convert(text).translate(_PUNCT)
    return re.sub(r"[ \u3000]+" + _MARKER_AHEAD, "\n", text)


@cache
def clean(name: str) -> str:
    """Clean text of a raw seed file: compare.clean when present, else the stand-in."""
    raw = (RAW / name).read_text(encoding="utf-8")
    try:
        from compare.text.clean import clean_text
    except ImportError:
        return _standin_clean(raw)
    return clean_text(raw).text


@cache
def seed(doc_id: str) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """(clean text, segments, measures) of a seed document."""
    text = clean(SEEDS[doc_id])
    segs = segment_text(text, doc_id)
    return text, segs, extract_measures(segs, text)


@cache
def _split_speeches() -> list[tuple[str, pd.DataFrame, pd.DataFrame | None]]:
    """The speeches file split at the title lines of data/corpus.yml's `split` regex."""
    manifest = yaml.safe_load((REPO_ROOT / "data" / "corpus.yml").read_text(encoding="utf-8"))
    split = next(d["split"] for d in manifest["documents"] if d["id"] == "speeches")
    text = clean(SPEECHES)
    starts = [m.start() for m in re.finditer(split, text, flags=re.M)]
    out = [(text[: starts[0]], segment_text(text[: starts[0]], "speeches-00"), None)]
    for k, s in enumerate(starts):
        part = text[s : starts[k + 1] if k + 1 < len(starts) else len(text)]
        doc_id = f"speeches-{k + 1:02d}"
        segs = segment_text(part, doc_id)
        out.append((part, segs, extract_measures(segs, part)))
    return out


def speeches() -> list[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """The 12 speeches (without the header and table of contents before the first one)."""
    return _split_speeches()[1:]


def fixture(name: str) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    segs = segment_text(text, name)
    return text, segs, extract_measures(segs, text)


def all_docs() -> list[tuple[str, pd.DataFrame, pd.DataFrame]]:
    return [seed(d) for d in SEEDS] + speeches()


def by_path(measures: pd.DataFrame) -> pd.DataFrame:
    return measures.set_index("path")


# ------------------------------------------------------------------ contract on every seed


def test_every_seed_is_lossless_and_measures_are_slices() -> None:
    for text, segs, measures in all_docs():
        assert list(segs.columns) == SEGMENT_COLUMNS
        assert list(measures.columns) == MEASURE_COLUMNS
        assert "".join(segs.sort_values("seq")["text"]) == text
        assert (segs["char_start"].iloc[1:].to_numpy() == segs["char_end"].iloc[:-1]).all()
        for m in measures.itertuples():
            assert text[m.char_start : m.char_end] == m.text
        assert measures["measure_id"].is_unique


def test_no_web_junk_inside_measures() -> None:
    for _, _, measures in all_docs():
        for body in measures["text"]:
            assert not [j for j in JUNK if j in body], body[:60]


@pytest.mark.parametrize(
    ("doc_id", "n"),
    # issue 11: framing items count (Yixing +2 总体要求/工作目标, Caoxian +4 指导思想/总体目标/
    # 基本原则/衡量标准, district +2 指导思想/工作内容); Nanjing counted them already
    [("yixing-2012", 30), ("caoxian-2016", 41), ("district-20xx", 13), ("nanjing-2021", 40)],
)
def test_seed_measure_counts(doc_id: str, n: int) -> None:
    assert len(seed(doc_id)[2]) == n


# ------------------------------------------------------------------ seeds, read by hand


def test_yixing() -> None:
    _, segs, m = seed("yixing-2012")
    paths = list(m["path"])
    assert paths[:4] == ["一/（一）", "一/（二）", "二/（一）/1", "二/（一）/2"]
    assert paths[26:] == ["二/（七）/25", "三/（一）", "三/（二）", "三/（三）"]
    assert "二/（三）/8" in paths and "二/（四）/11" in paths
    mp = by_path(m)
    assert mp.loc["二/（一）/1", "heading"] == "深化行政管理体制改革"
    assert mp.loc["二/（一）/1", "number"] == "1、"
    assert mp.loc["二/（四）/11", "heading"] == "完善行政执法体制"  # printed as "11、 完善…"
    assert mp.loc["二/（七）/25", "heading"] == "营造法治环境"
    assert mp.loc["三/（二）", "heading"] == "明确责任，狠抓落实"
    assert (
        mp.loc["二/（一）/1", "parent_headings"]
        == "主要任务 / 推进政府职能转变，提升行政管理水平和服务效能"
    )
    assert mp.loc["二/（六）/17", "parent_path"] == "二/（六）"
    # 一、总体要求和工作目标: its two items are measures that frame the plan (issue 11)
    framed = mp.loc[["一/（一）", "一/（二）"]]
    assert list(framed["heading"]) == ["总体要求", "工作目标"] and framed["framing"].all()
    assert not mp.drop(index=["一/（一）", "一/（二）"])["framing"].any()
    assert (m["mode"] == "commitment").all()
    sig = segs[segs["kind"] == "signature"]
    assert len(sig) == 1
    assert "".join(sig["text"].iloc[0].split()).startswith("宜兴市人民政府二○一二年四月五日")
    assert mp.loc["三/（三）", "text"].endswith("达到法治政府建设的相关目标要求。")
    assert segs["kind"].iloc[0] == "preamble"


def test_caoxian() -> None:
    _, segs, m = seed("caoxian-2016")
    assert m["path"].iloc[4] == "二/（一）/1" and m["path"].iloc[-1] == "三/37"
    assert list(m["path"].iloc[11:13]) == ["二/（二）/8", "二/（二）/9"]  # numbering runs on
    framed = by_path(m).loc[["一/（一）", "一/（二）", "一/（三）", "一/（四）"]]
    assert list(framed["heading"]) == ["指导思想", "总体目标", "基本原则", "衡量标准"]
    assert framed["framing"].all() and int(m["framing"].sum()) == 4
    mp = by_path(m)
    assert mp.loc["二/（一）/1", "heading"] == "明确政府职能定位"
    assert mp.loc["二/（一）/1", "lead_units"] == "县编办"
    assert mp.loc["二/（一）/1", "responsible_units"] == "县发改局；县人社局；县法制办"
    # a comma inside the responsible list: 责任部门：县发改局，县财政局、…县人民银行等
    assert mp.loc["二/（一）/4", "lead_units"] == "县市场监管局"
    assert (
        mp.loc["二/（一）/4", "responsible_units"]
        == "县发改局；县财政局；县农业局；县商务局；县人民银行"
    )
    assert mp.loc["二/（三）/10", "lead_units"] == "县政府办公室；县法制办"
    assert mp.loc["二/（三）/10", "responsible_units"] == "县直有关部门"
    # 牵头单位 and a unit with its own brackets: 乡镇（街道）
    assert mp.loc["三/30", "lead_units"] == "县委办公室；县政府办公室"
    assert mp.loc["三/30", "responsible_units"] == "乡镇（街道）；县直有关部门"
    assert mp.loc["三/30", "parent_headings"] == "组织保障和落实机制"
    assert (m["lead_units"].iloc[4:] != "").all()  # the four framing items carry no units
    closing = segs[segs["kind"] == "closing"]["text"].iloc[0]
    assert closing.startswith("各级各部门要认真贯彻执行本纲要")


def test_nanjing_is_flat() -> None:
    _, segs, m = seed("nanjing-2021")
    zh = "一二三四五六七八九十"
    expected = [f"（{zh[i - 1]}）" for i in range(1, 11)]
    assert list(m["path"].iloc[:10]) == expected
    assert list(m["path"].iloc[-3:]) == ["（三十八）", "（三十九）", "（四十）"]
    mp = by_path(m)
    assert mp.loc["（一）", "heading"] == "指导思想"
    assert mp.loc["（四）", "heading"] == "强化政府协同高效依法履职"
    assert mp.loc["（四十）", "heading"] == "加大理论研究和宣传力度"
    assert (m["parent_path"] == "").all()
    closing = segs[segs["kind"] == "closing"]["text"].iloc[0]
    assert closing.lstrip().startswith("各区各部门要全面准确理解法治政府建设的精神和要求")
    assert "确保各项任务措施落到实处" in closing


def test_district_plan() -> None:
    _, segs, m = seed("district-20xx")
    zh = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"]
    # 一、指导思想 and 三、工作内容 frame the plan; 二、责任单位 lists units: no measure
    assert list(m["path"]) == ["一", "三"] + [f"四/（{n}）" for n in zh]
    assert list(m["framing"]) == [True, True] + [False] * 11
    m = m.iloc[2:]
    mp = by_path(m)
    assert mp.loc["四/（二）", "heading"] == "深化政府职能转变，优化政府服务"
    assert mp.loc["四/（十一）", "heading"] == "深入开展普法宣传教育，提高全民法治意识"
    assert (m["parent_headings"] == "工作安排").all()
    sp = segs.set_index("path")
    assert sp.loc["二", "kind"] == "heading" and sp.loc["二", "heading"] == "责任单位"
    assert not sp.loc[["二/（一）", "二/（二）"], "is_measure"].any()
    closing = segs[segs["kind"] == "closing"]["text"].iloc[0]
    assert closing.lstrip().startswith("通过以上措施的实施")


def test_table_of_contents_is_not_numbered_content() -> None:
    text, segs, _ = _split_speeches()[0]
    assert "目录\n1.在全市法治政府建设工作推进会上的讲话" in text
    assert list(segs["kind"]) == ["preamble"]


def test_speeches() -> None:
    parts = speeches()
    assert len(parts) == 12
    assert all(len(m) >= 1 for _, _, m in parts)
    m1 = by_path(parts[0][2])
    # 第一，… carries an inline run 一要 … 二要 … under chapter 二、
    assert m1.loc["二/第一/一要", "heading"] == "完善重大行政决策程序"
    assert m1.loc["二/第一/二要", "heading"] == "全面落实法律顾问制度"
    assert m1.loc["二/第五", "heading"] == "加强政府立法工作"
    assert m1.loc["一/一是", "heading"] == "简政放权更加深入"
    assert "一/一是~2" in m1.index  # a second 一是… run restarts under the same chapter
    # a speaker who mixes 一要 / 二要 / 三是 keeps one run
    m4 = by_path(parts[3][2])
    assert list(m4.index) == ["一", "二", "三/一要", "三/二要", "三/三是"]  # top leaves count
    assert m4.loc["三/三是", "heading"] == "严格督察督办"
    # 一是 … with 1. … under it, numbering restarting in 二是
    m5 = by_path(parts[4][2])
    assert m5.loc["一是/1", "heading"] == "建章立制，压实责任"
    assert m5.loc["二是/4", "heading"] == "健全随机抽查工作制度"
    assert len(m5) == 10
    # a paragraph introducing the next run (ends with ：) is text, not part of 五是
    texts = parts[0][1].query("kind == 'text'")["text"]
    assert len(texts) == 1 and texts.iloc[0].startswith("在看到成绩的同时")
    assert texts.iloc[0].rstrip().endswith("：")
    # flat speech: only 一、二、
    assert list(parts[11][2]["path"]) == ["一", "二"]
    for _, segs, _ in parts:
        assert segs["kind"].iloc[0] == "preamble"


# ------------------------------------------------------------------ other numbering styles


def test_regulation_articles_and_chapters() -> None:
    _, segs, m = fixture("regulation")
    # issue 11: the article is the measure; its （一）项 stay inside it (``points``)
    assert list(m["path"]) == ["第二章/第三条", "第二章/第四条", "第三章/第五条"]
    assert list(m["points"]) == [0, 3, 0]
    mp = by_path(m)
    assert (
        mp.loc["第二章/第三条", "heading"] == "起草行政规范性文件，应当深入调查研究，广泛听取意见"
    )
    assert mp.loc["第二章/第四条", "text"].endswith("（三）违反本办法第三条规定的。")
    assert mp.loc["第二章/第四条", "parent_headings"] == "制定程序"
    sp = segs.set_index("path")
    assert sp.loc["第一章", "heading"] == "总则" and sp.loc["第四章", "heading"] == "附则"
    assert not sp.loc[["第一章/第一条", "第一章/第二条", "第四章/第六条"], "is_measure"].any()
    assert sp.loc["第二章/第四条", "kind"] == "item"


def test_paren_arabic_under_chapters() -> None:
    _, segs, m = fixture("paren_arabic")
    assert list(m["path"]) == ["一/（1）", "一/（2）", "二/（1）", "二/（2）", "二/（3）", "三"]
    mp = by_path(m)
    assert mp.loc["二/（3）", "heading"] == "加强执法人员培训"
    assert mp.loc["一/（2）", "parent_headings"] == "加强制度建设"
    assert segs["kind"].iloc[-1] == "signature"
    assert segs["text"].iloc[-1] == "某县人民政府办公室\n2023年2月20日\n"
    # 三、 has prose only: a top-level leaf is the finest numbered item, a measure (issue 11)
    three = segs.set_index("path").loc["三"]
    assert three["is_measure"] and "予以通报" in three["text"]


def test_fullwidth_dot_items_and_units() -> None:
    _, segs, m = fixture("fullwidth_dot")
    assert list(m["path"]) == ["1", "2", "3"]
    assert list(m["number"]) == ["1．", "2．", "3．"]
    assert list(m["heading"]) == ["严格执法主体资格", "规范执法程序", "加强执法监督"]
    assert list(m["lead_units"]) == ["县司法局", "县司法局", ""]
    assert list(m["responsible_units"]) == ["县直各执法部门", "", "县纪委监委；县司法局"]
    assert list(segs["kind"].iloc[-2:]) == ["closing", "signature"]
    # the list of attachments after the closing is not numbered content
    assert segs["text"].iloc[-2].startswith("各单位要高度重视")
    assert "附件：1．县直执法部门名单" in segs["text"].iloc[-2]
    assert segs["text"].iloc[-1] == "某县人民政府\n2021年3月5日\n（此件公开发布）\n"


def test_speech_with_inline_runs() -> None:
    _, segs, m = fixture("speech")
    # issue 11: runs written inside a paragraph (…：一是…；二是…) are points, not measures
    assert list(m["path"]) == ["一", "二/第一", "二/第二", "二/第三"]
    mp = by_path(m)
    assert "一是制度体系更加完善" in mp.loc["一", "text"]
    assert list(m["points"]) == [3, 2, 0, 0]
    assert mp.loc["一", "mode"] == "review"
    assert mp.loc["二/第二", "number"] == "第二，"
    assert mp.loc["二/第二", "heading"] == "严格规范公正文明执法"
    # "统一是非标准" is no marker: the paragraph stays in the text of 一、
    assert "统一是非标准" in mp.loc["一", "text"]
    assert segs["kind"].iloc[-1] == "closing" and segs["text"].iloc[-1].startswith("同志们，建设")


def test_plan_with_running_arabic_numbers() -> None:
    _, segs, m = fixture("plan_zh_arabic")
    assert list(m["path"]) == ["一", "二/1", "二/2", "二/3", "三/4", "三/5"]
    mp = by_path(m)
    assert mp.loc["二/1", "lead_units"] == "区司法局"
    assert mp.loc["二/1", "responsible_units"] == "各街道；区直各部门"
    assert mp.loc["二/2", "lead_units"] == "区司法局；区委编办"
    assert mp.loc["二/3", "responsible_units"] == ""
    assert mp.loc["三/4", "parent_headings"] == "保障措施"
    assert segs["kind"].iloc[-1] == "closing"
    assert by_path(m).loc["一", "framing"]  # a top-level framing item is a measure


# ------------------------------------------------------------------ false positives, units


def test_numbers_inside_sentences_are_not_items() -> None:
    text = (
        "全面贯彻党的十八届三中、四中全会精神，落实第1、2项任务。\n"
        "2012年以来成效明显，统一是非标准。唯一要求是依法办事。\n"
        "二是本段没有一是，不成序列。\n"
    )
    segs = segment_text(text, "x")
    assert list(segs["kind"]) == ["preamble"]
    assert extract_measures(segs, text).empty


def test_out_of_sequence_marker_is_rejected() -> None:
    text = "一、甲\n（一）乙。\n（二）丙。\n（四）丁，不是（三）之后的编号。\n二、戊\n"
    segs = segment_text(text)
    assert list(segs["path"][segs["kind"] != "preamble"]) == ["一", "一/（一）", "一/（二）", "二"]
    assert "（四）丁" in segs.set_index("path").loc["一/（二）", "text"]


def test_flattened_text_without_line_breaks() -> None:
    text = (
        "提出如下意见： 一、总体要求 （一）指导思想。坚持依法行政。 二、主要任务"
        " （一）推进职能转变 1、深化体制改革。减少审批事项。 2、改革管理方式。推行一站式服务。"
        " 宜兴市人民政府 二○一二年四月五日"
    )
    segs = segment_text(text)
    m = extract_measures(segs, text)
    assert list(m["path"]) == ["一/（一）", "二/（一）/1", "二/（一）/2"]
    assert list(m["heading"]) == ["指导思想", "深化体制改革", "改革管理方式"]
    assert m["text"].iloc[2] == "2、改革管理方式。推行一站式服务。"
    assert segs["text"].iloc[-1] == "宜兴市人民政府 二○一二年四月五日"


def test_parts_and_half_bracket_numbers() -> None:
    text = "第一部分 总体要求\n坚持依法行政。\n第二部分 主要任务\n1）加强立法。\n2）规范执法。\n"
    m = extract_measures(segment_text(text), text)
    assert list(m["path"]) == ["第一部分", "第二部分/1）", "第二部分/2）"]
    assert list(m["heading"]) == ["总体要求", "加强立法", "规范执法"]
    assert list(m["framing"]) == [True, False, False]


def test_articles_numbered_past_one_thousand() -> None:
    """A code's articles run past 第一千条 (the Civil Code ends at 第一千二百六十条)."""
    from cn2an import an2cn

    text = "".join(f"第{an2cn(n)}条　第{n}项规定的内容。\n" for n in range(1, 1261))
    paths = list(segment_text(text)["path"])
    assert len(paths) == 1260
    assert paths[998:1001] == ["第九百九十九条", "第一千条", "第一千零一条"]
    assert paths[-1] == "第一千二百六十条"


def test_repeated_paths_get_suffixes() -> None:
    text = "一、甲\n1.乙。\n2.丙。\n1.丁。\n"
    assert list(segment_text(text)["path"].iloc[1:]) == ["一/1", "一/2", "一/1~2"]


def test_parse_units() -> None:
    assert parse_units("……落实。（牵头部门：县编办，责任部门：县财政局、县法制办等）") == (
        ["县编办"], ["县财政局", "县法制办"]
    )  # fmt: skip
    assert parse_units("牵头单位：市司法局；责任单位：各区政府、市直各部门") == (
        ["市司法局"], ["各区政府", "市直各部门"]
    )  # fmt: skip
    assert parse_units("（责任部门：乡镇（街道）、县直有关部门）") == (
        [], ["乡镇（街道）", "县直有关部门"]
    )  # fmt: skip
    assert parse_units("（牵头单位：市司法局；完成时限：2022年底前）") == (["市司法局"], [])
    assert parse_units("加强领导（含县、乡两级）。") == ([], [])
    assert parse_units("") == ([], [])


def test_empty_text() -> None:
    segs = segment_text("", "x")
    assert segs.empty and list(segs.columns) == SEGMENT_COLUMNS
    assert extract_measures(segs, "").empty


def test_bad_vocabulary_file(tmp_path: Path) -> None:
    bad = tmp_path / "segmentation.yml"
    bad.write_text("styles:\n  - name: x\n    pattern: '第(一'\n", encoding="utf-8")
    with pytest.raises(CompareError, match=r"segmentation\.yml"):
        load_config(bad)
    bad.write_text("styles:\n  - name: x\n    pattern: '第一'\n", encoding="utf-8")
    with pytest.raises(CompareError, match=r"\(\?P<n>"):
        load_config(bad)


# ------------------------------------------------------------------ any text

_PIECES = st.sampled_from([
    "一、", "二、", "三、", "（一）", "（二）", "（三）", "(四)", "1.", "2.", "3、", "1．", "（1）",
    "（2）", "第一条", "第二条", "第一章", "第二章", "一是", "二是", "三是", "一要", "二要", "第一，",
    "第二，", "①", "②", "\n", "\n\n", " ", "\u3000", "。", "：", "；", "，", "2012年", "十八届三中、",
    "法治政府", "建设", "（牵头部门：县编办，责任部门：县直有关部门）", "某市人民政府",
    "二○一二年四月五日", "等", "（", "）", "x", "9",
])  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=40))
def test_any_text_is_lossless(pieces: list[str]) -> None:
    text = "".join(pieces)
    segs = segment_text(text, "h")
    assert "".join(segs["text"]) == text
    assert (segs["char_end"] > segs["char_start"]).all()
    assert set(segs["kind"]) <= {"preamble", "heading", "item", "text", "closing", "signature"}
    assert not segs.loc[segs["is_measure"], "kind"].ne("item").any()
    measures = extract_measures(segs, text)
    for m in measures.itertuples():
        assert text[m.char_start : m.char_end] == m.text
    assert measures["measure_id"].is_unique
