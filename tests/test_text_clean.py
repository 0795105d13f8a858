"""Tests for compare.clean: the steps on the seed texts and fixtures, the log, losslessness."""

from __future__ import annotations

import re
import time
from functools import cache
from pathlib import Path

import opencc
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compare.errors import CompareError
from compare.text.clean import (
    LOG_COLUMNS,
    CleanResult,
    Edit,
    clean_text,
    flag_dropped_words,
    flag_duplicate_items,
    normalize_brackets,
    normalize_punctuation,
    normalize_whitespace,
    normalize_width,
    remove_inline_pinyin,
    remove_web_junk,
    repair_year_ranges,
    restore_source,
    strip_html,
)
from compare.text.read import read_source

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
FIXTURES = Path(__file__).parent / "fixtures"
YIXING = "000_555a7841707b4dce.txt"
CAOXIAN = "001_9b9a54170b52034a.txt"
DISTRICT = "002_031ba38f685b3de9.txt"
NANJING = "003_06ec0521e48adf05.txt"
SPEECHES = "004_ccc4eb72ef48a563.txt"
TONED_PINYIN = re.compile(r"[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*[)）]")


@cache
def source(name: str) -> str:
    return read_source(RAW / name).text


@cache
def cleaned(name: str) -> CleanResult:
    return clean_text(source(name))


def apply(edits: list[Edit], text: str) -> str:
    """Apply one step's edits by hand (flags change nothing)."""
    out, pos = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.action != "flag":
            out += [text[pos : edit.start], edit.replacement]
            pos = edit.end
    return "".join(out) + text[pos:]


def check_log(original: str, result: CleanResult) -> None:
    """Every log row points at what it says, and the input comes back exactly."""
    log = result.log
    assert list(log.columns) == LOG_COLUMNS
    assert set(log["action"]) <= {"remove", "replace", "flag"}
    for row in log.itertuples():
        assert row.replacement == result.text[row.char_start : row.char_end]
        if row.action == "flag":
            assert row.original == row.replacement
        else:
            assert row.original == original[row.source_start : row.source_end]
            assert row.original != row.replacement
            assert (row.action == "remove") == (row.replacement == "")
    assert restore_source(result.text, log) == original


# --------------------------------------------------------------------------- the seeds


@pytest.mark.parametrize("name", [YIXING, CAOXIAN, DISTRICT, NANJING, SPEECHES])
def test_seed_log_is_exact_and_lossless(name: str) -> None:
    check_log(source(name), cleaned(name))


def test_yixing_is_simplified_without_pinyin() -> None:
    text = cleaned(YIXING).text
    t2s = opencc.OpenCC("t2s")
    assert [c for c in set(text) if t2s.convert(c) != c] == []
    assert "設" not in text and "發" not in text and "關" not in text
    assert TONED_PINYIN.search(text) is None
    assert "建设法治政府是贯彻落实依法治国基本方略、加强政府自身建设" in text


def test_yixing_keeps_real_brackets_header_and_signature() -> None:
    lines = cleaned(YIXING).text.split("\n")
    assert lines[:5] == [
        "文号 | 宜政发[2012]60号 |",
        "制发机关 | 宜兴人民政府 |",
        "成文日期 | 2012-08-23 |",
        "文件类别 | 意见 |",
        "文件状态 | 执行中 |",
    ]
    assert lines[-2:] == ["宜兴市人民政府", "二○一二年四月五日 |"]
    text = "\n".join(lines)
    assert "各镇（园区、街道）和政府各部门" in text
    assert "（一）总体要求。深入贯彻落实科学发展观" in lines[8]


def test_yixing_paragraph_breaks_restored() -> None:
    lines = cleaned(YIXING).text.split("\n")
    assert len(lines) == 50
    assert "一、总体要求和工作目标" in lines
    assert "二、主要任务" in lines
    assert "三、工作要求" in lines
    assert "（七）全面落实法治政府建设保障措施" in lines
    assert (
        lines[5]
        == "各镇人民政府，环科园、经济开发区管委会，市各街道办事处，市各委办局，市各直属单位："
    )
    numbered = [int(m) for m in re.findall(r"(?m)^(\d+)、", "\n".join(lines))]
    assert numbered == list(range(1, 26))
    # the space after a marker is not a paragraph break
    assert any(line.startswith("11、 完善行政执法体制。") for line in lines)


def test_yixing_broken_tag_removed_and_mojibake_flagged() -> None:
    result = cleaned(YIXING)
    assert "/span>" not in result.text
    removed = result.log[result.log["original"] == "/span>"]
    assert removed["reason"].tolist() == ["HTML tag cut off"]
    flags = result.log[result.log["action"] == "flag"]
    assert "?" in set(flags["original"])
    assert {"qū)", "zhèn）"} <= set(flags["original"])
    assert flags["reason"].str.contains("mojibake").any()


def test_caoxian_web_junk_removed() -> None:
    result = cleaned(CAOXIAN)
    text = result.text
    junk_lines = (
        "当前位置",
        "浏览次数",
        "发布时间",
        "【打印本页】",
        "【返回顶部】",
        "ICP",
        "政府主办",
    )
    for junk in junk_lines:
        assert junk not in text
    assert "山东省曹县人民政府2017-2020" not in text
    assert text.startswith(
        "中共曹县县委曹县人民政府关于印发《曹县法治政府建设实施纲要（2016-2020年）》的通知"
    )
    assert text.endswith("各级各部门在贯彻纲要中遇到的问题和困难，要及时向县委、县政府报告。")
    assert "\n2017年7月26日\n" in text
    reasons = set(result.log["reason"])
    assert "site footer (ICP licence / 公网安备)" in reasons


def test_caoxian_year_range_repaired_and_measures_kept() -> None:
    result = cleaned(CAOXIAN)
    assert "20162020" not in result.text
    assert "\n2016-2020年）\n" in result.text
    repairs = result.log[result.log["original"] == "20162020"]
    assert repairs["replacement"].tolist() == ["2016-2020", "2016-2020"]
    assert "《菏泽法治政府建设实施纲要（2016-2020年）》精神" in result.text
    numbers = [int(m) for m in re.findall(r"(?m)^(\d+)\.", result.text)]
    assert numbers == list(range(1, 38))
    assert (
        "（牵头单位：县委办公室、县政府办公室，责任部门：乡镇（街道）、县直有关部门）"
        in result.text
    )


def test_district_shared_footer_and_url_removed() -> None:
    text = cleaned(DISTRICT).text
    assert "互联网用户分享" not in text and "http" not in text and "sanweiyuan" not in text
    assert text.startswith("某区20xx年度法治政府建设工作实施方案\n\n区直各单位、两办事处：")
    assert text.endswith("共同为推进我区法治政府建设作出新的更大贡献。")


def test_nanjing_disclaimer_removed_and_dropped_words_flagged() -> None:
    result = cleaned(NANJING)
    text = result.text
    assert "免责声明" not in text and "QQ" not in text and "您的位置" not in text
    assert text.startswith("南京印发《南京市法治政府建设实施方案（2021—2025年）\n")
    flags = result.log[result.log["action"] == "flag"]
    dropped = flags[flags["reason"].str.contains("习近平新时代中国特色社会主义思想")]
    assert dropped["original"].tolist() == ["习新时代中国特色社会主义思想"]
    assert (flags["original"] == "习法治思想").sum() == 2
    assert "监督、监督" in set(flags["original"])
    for row in flags.itertuples():
        assert text[row.char_start : row.char_end] == row.original


def test_speeches_footer_and_site_intro_removed() -> None:
    text = cleaned(SPEECHES).text
    assert "下一篇" not in text and "返回列表" not in text
    assert "以下是网友为您整理分享" not in text and "供您参考" not in text
    assert "强调法治政府建设的重要性" in text  # the summary sentence before it stays
    assert text.endswith("今天会议就到这里，散会。")


@pytest.mark.parametrize("name", [CAOXIAN, DISTRICT, NANJING, SPEECHES])
def test_simplified_seeds_have_no_t2s_changes(name: str) -> None:
    assert not cleaned(name).log["reason"].str.contains("t2s").any()


# --------------------------------------------------------------------------- fixtures


def test_traditional_page_is_cleaned() -> None:
    original = read_source(FIXTURES / "clean" / "traditional.txt").text
    result = clean_text(original)
    # OpenCC t2s keeps 著 (著力 is also written so in simplified text)
    assert result.text == (
        "关于加快推进法治政府建设的实施意见\n"
        "\n"
        "各镇人民政府，市各委办局：\n"
        "一、总体要求\n"
        "（一）指导思想。坚持依法行政，建设法治政府，著力规范行政权力运行。\n"
        "（二）工作目标。到2022年，政府职能转变基本到位，行政决策科学、民主、合法。\n"
        "二、主要任务\n"
        "1、健全依法决策机制，严格执行重大行政决策法定程序。\n"
        "2、规范行政执法行为，落实行政执法责任制。"
    )
    check_log(original, result)
    runs = result.log[result.log["reason"].str.contains("t2s")]
    assert "關於" in set(runs["original"])  # a contiguous run is one row


def test_saved_government_page_is_cleaned() -> None:
    original = read_source(FIXTURES / "read" / "gov_page.txt").text
    result = clean_text(original)
    assert result.text == (
        "某市人民政府关于进一步加强行政执法监督工作的意见\n"
        "\n"
        "各县（市、区）人民政府，市政府各部门：\n"
        "\n"
        "为全面推进严格规范公正文明执法，根据《法治政府建设实施纲要（2021—2025年）》，"
        "现提出如下意见。\n"
        "\n"
        "一、总体要求\n"
        "\n"
        "（一）指导思想。坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻习近平法治思想。\n"
        "\n"
        "二、主要任务\n"
        "\n"
        "1.全面推行行政执法公示制度。各级行政执法机关要在2021年底前公开执法信息。\n"
        "\n"
        "2.严格落实重大执法决定法制审核制度。\n"
        "\n"
        "附件 | 行政执法事项清单.docx |\n"
        "\n"
        "某市人民政府\n"
        "\n"
        "2021年6月18日"
    )
    check_log(original, result)
    assert not (result.log["action"] == "flag").any()  # intact stock phrases are not flagged


# --------------------------------------------------------------------------- single steps


def test_inline_pinyin_only_after_hanzi() -> None:
    text = "建設(shè)法治、發(fā)展、设(she4)立，各镇（园区、街道）(一)(2016-2020年)(试行)word(á)"
    edits = remove_inline_pinyin(text)
    assert [text[e.start : e.end] for e in edits] == ["(shè)", "(fā)", "(she4)"]
    assert (
        apply(edits, text)
        == "建設法治、發展、设立，各镇（园区、街道）(一)(2016-2020年)(试行)word(á)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("纲要(20162020年)", "纲要(2016-2020年)"),
        ("规划（20212025）", "规划（2021-2025）"),
        ("20202016年", "20202016年"),  # second year not after the first
        ("19002020年", "19002020年"),  # more than 30 years apart
        ("电话20162020", "电话20162020"),  # no 年 or bracket after it
        ("编号120162020年", "编号120162020年"),  # part of a longer number
    ],
)
def test_year_ranges(text: str, expected: str) -> None:
    assert apply(repair_year_ranges(text), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("各部门(单位):", "各部门（单位）："),
        ("(一)加强领导;(二)明确责任!", "（一）加强领导；（二）明确责任！"),
        ("纲要(2016-2020年),请", "纲要（2016-2020年），请"),
        ("(1)建立制度", "（1）建立制度"),
        ("2016-2020年)", "2016-2020年）"),
        ("共1,000元", "共1,000元"),
        ("上午10:30召开", "上午10:30召开"),
        ("Windows (XP) 系统", "Windows (XP) 系统"),
        ("QQ:1640731186", "QQ:1640731186"),
        ("乡镇(街道)、县直", "乡镇（街道）、县直"),
    ],
)
def test_punctuation_in_chinese_context(text: str, expected: str) -> None:
    once = apply(normalize_brackets(text), text)
    assert apply(normalize_punctuation(once), once) == expected


def test_full_width_letters_and_digits() -> None:
    text = "到２０２５年，ＧＤＰ增长５％，（一）"
    assert apply(normalize_width(text), text) == "到2025年，GDP增长5％，（一）"


def test_whitespace() -> None:
    text = "\n\n  一、总则  \n\n\n\n　　（一）目标\xa0\xa0x\u200b\r\n\xa0\xa0二、任务\n\n"
    assert apply(normalize_whitespace(text), text) == "一、总则\n\n（一）目标  x\n二、任务"


def test_html_remnants() -> None:
    text = '第一段</p><p class="x">第二段&nbsp;结束&amp;<br/>下一行<!-- 注释 -->完<span style="c'
    assert apply(strip_html(text), text) == "第一段\n\n第二段 结束&\n下一行完"


@pytest.mark.parametrize(
    "sentence",
    [
        "由市司法局主办、市法制办承办的培训班，每年举办两期。",
        "加强网站ICP备案管理，落实主体责任。",
        "来源可靠的数据应当及时公开，版权所有人的合法权益受法律保护。",
        "当前位置偏远的乡镇，要加强法律服务。",
        "一、加强领导  二、明确责任  三、狠抓落实",
    ],
)
def test_web_junk_never_removes_policy_sentences(sentence: str) -> None:
    text = f"第一条 总则。\n{sentence}\n第二条 附则。"
    assert remove_web_junk(text) == []


def test_web_junk_lines_and_reasons() -> None:
    text = (
        "您现在的位置：首页 > 政策文件\n"
        "网站首页 | 政务公开 | 互动交流\n"
        "正文。\n"
        "上一篇：关于印发某某办法的通知\n"
        "http://www.example.gov.cn/art/2021/1/1/art_1.html\n"
    )
    edits = remove_web_junk(text)
    assert apply(edits, text) == "正文。\n"
    assert [e.reason for e in edits] == [
        "site navigation breadcrumb (当前位置/您的位置)",
        "site navigation bar",
        "previous/next article links (上一篇/下一篇/返回列表)",
        "bare URL on its own line",
    ]


def test_flags_keep_text() -> None:
    text = (
        "坚持以习新时代中国特色社会主义思想为指导，践行习法治思想，监督、监督、行政监督和法治建设。"
    )
    dropped = flag_dropped_words(text)
    assert [e.replacement for e in dropped] == ["习新时代中国特色社会主义思想", "习法治思想"]
    assert [e.replacement for e in flag_duplicate_items(text)] == ["监督、监督"]
    result = clean_text(text)
    assert result.text == text
    assert (result.log["action"] == "flag").all()


def test_custom_steps_and_bad_edits() -> None:
    def shout(text: str) -> list[Edit]:
        return [Edit(0, 2, "ＡＢ", "replace", "test")]

    result = clean_text("ab法治", steps=[shout, normalize_width])
    assert result.text == "AB法治"
    assert result.log[["original", "replacement", "reason"]].values.tolist() == [
        ["ab", "AB", "test; full-width to half-width"]
    ]

    def overlapping(text: str) -> list[Edit]:
        return [Edit(0, 2, "", "remove", "a"), Edit(1, 3, "", "remove", "b")]

    with pytest.raises(ValueError, match="overlapping"):
        clean_text("abcd", steps=[overlapping])


def test_bad_configuration_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cleaning.yml").write_text(
        "web_junk:\n  - name: x\n    pattern: '(['\n", encoding="utf-8"
    )
    monkeypatch.setenv("COMPARE_DATA", str(tmp_path))
    with pytest.raises(CompareError, match=r"cleaning\.yml: invalid regex in web_junk x"):
        clean_text("正文")


def test_speed_is_linear_and_fast() -> None:
    text = "\n".join(source(name) for name in (YIXING, CAOXIAN, NANJING, SPEECHES)) * 4
    clean_text(text[:1000])
    start = time.process_time()
    clean_text(text)
    seconds = time.process_time() - start
    megabytes = len(text.encode()) / 1e6
    assert megabytes / seconds > 1.0  # ~5 MB/s measured; 1 MB/s leaves room for slow CI


# --------------------------------------------------------------------------- properties

TOKENS = [
    *"設發关于法治政府建设一二三監督、。，；：？！“”（）《》【】",
    *"abcxyzAB09 ,:;!?()<>&/\n\t\u3000\xa0\r\ufffd",
    "<p>", "</span>", "/span>", "<br/>", "&nbsp;", "&amp;", "&#20013;", "<!--", "-->",
    "<script>x</script>", '<span style="c"', "(shè)", "(fā)", "qū)", "(一)", "(2016-2020年)",
    "当前位置：首页 > 政务公开\n", "【打印本页】", "鲁ICP备10010757号-1", "下一篇：返回列表\n",
    "http://x.cn/a.html\n", "以下是网友为您整理分享的范文，供您参考！", "20162020年",
    "习法治思想", "监督、监督", "２０２１", "\n\n\n", " 二、", "。 ", "二○一二年四月五日",
    "由互联网用户分享整理。文章地址:http://a.b/c\n", "免责声明:本站信息\n",
    "法" * 1000,
]  # fmt: skip

texts = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=3)), max_size=40).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_property_clean_never_loses_text(text: str) -> None:
    result = clean_text(text)
    check_log(text, result)


@st.composite
def random_steps(draw: st.DrawFn) -> list:
    """Steps proposing random non-overlapping edits on whatever text they get."""
    n_steps = draw(st.integers(1, 4))
    seeds = [draw(st.integers(0, 2**32 - 1)) for _ in range(n_steps)]

    def make(seed: int):
        def step(text: str) -> list[Edit]:
            import random

            rng = random.Random(seed)
            cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, 6)))
            edits = []
            for a, b in zip(cuts[::2], cuts[1::2], strict=False):
                kind = rng.choice(["remove", "replace", "insert", "flag"])
                if kind == "flag":
                    edits.append(Edit(a, b, text[a:b], "flag", f"f{seed}"))
                elif kind == "insert":
                    edits.append(Edit(a, a, "+" * rng.randint(1, 3), "replace", f"i{seed}"))
                else:
                    new = "" if kind == "remove" else "#" * rng.randint(1, 3)
                    edits.append(Edit(a, b, new, kind, f"r{seed}"))
            return edits

        return step

    return [make(seed) for seed in seeds]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abc法治 \n", max_size=30), random_steps())
def test_property_engine_composes_any_steps(text: str, steps: list) -> None:
    result = clean_text(text, steps=steps)
    expected = text
    for step in steps:
        expected = apply(step(expected), expected)
    assert result.text == expected
    check_log(text, result)
    assert isinstance(result.log, pd.DataFrame)


MIXED = "推进依法行政，建設法治政府。" + "完善制度，加强监督。" * 10  # 1 of 94 hanzi traditional
TRADITIONAL = "推進依法行政，建設法治政府。"


@pytest.mark.parametrize(
    ("mode", "mixed_converted", "traditional_converted"),
    [("always", True, True), ("auto", False, True), ("never", False, False)],
)
def test_simplify_modes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    mixed_converted: bool,
    traditional_converted: bool,
) -> None:
    config = (ROOT / "data" / "cleaning.yml").read_text(encoding="utf-8")
    assert "  mode: always\n" in config
    (tmp_path / "cleaning.yml").write_text(
        config.replace("  mode: always\n", f"  mode: {mode}\n"), encoding="utf-8"
    )
    monkeypatch.setenv("COMPARE_DATA", str(tmp_path))
    mixed = clean_text(MIXED).text
    assert mixed == (MIXED.replace("建設", "建设") if mixed_converted else MIXED)
    traditional = clean_text(TRADITIONAL).text
    assert traditional == ("推进依法行政，建设法治政府。" if traditional_converted else TRADITIONAL)


def test_insertions_removed_again_keep_order() -> None:
    """Regression: two insertions at one point, then removals of them and of the text."""
    script = [
        [Edit(0, 0, "+", "replace", "i1")],
        [Edit(0, 0, "+", "replace", "i2")],
        [Edit(0, 1, "", "remove", "r1"), Edit(2, 3, "", "remove", "r1")],
        [Edit(0, 1, "", "remove", "r2")],
    ]
    steps = [lambda text, edits=edits: edits for edits in script]
    result = clean_text("a", steps=steps)
    assert result.text == ""
    check_log("a", result)
    assert result.log[["original", "action"]].values.tolist() == [["a", "remove"]]


def test_real_phrases_are_not_flagged_as_dropped_words() -> None:
    text = "坚持马克思主义，走中国特色社会主义道路，学习习总书记重要讲话，加强法治建设。"
    assert flag_dropped_words(text) == []


def test_junk_of_another_site_style() -> None:
    """Junk lines seen on other sites: 您所在的位置, a site clock, an essay-site intro."""
    page = (
        "今天是:2019年10月31日 星期三 农历十月初七\n"
        "您所在的位置:政务公开 > 工作报告\n"
        "前言:本站為你精心整理了增強法治區政構建意見范文,希望能為你的創作提供參考價值,歡迎咨詢。\n"
        "一、加强组织领导。今天是全区法治政府建设推进会召开的日子。\n"
    )
    result = clean_text(page)
    assert (
        result.text == "一、加强组织领导。今天是全区法治政府建设推进会召开的日子。"
    )  # trailing space trimmed
    reasons = set(result.log["reason"])
    assert {
        "site clock line (今天是 … 星期/农历)",
        "essay-site intro (本站为你整理了…范文…)",
    } <= reasons
    assert restore_source(result.text, result.log) == page
