"""Tests for compare.read: decoding, HTML reduction, errors, splitting into parts."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from compare.errors import CompareError
from compare.text.read import Part, SourceText, decode_bytes, read_source, split_parts

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
FIXTURES = Path(__file__).parent / "fixtures" / "read"

# The strings the encoded fixtures were made from (see fixtures/read/make_fixtures.py),
# with newlines as read_source returns them.
SIMPLIFIED = (
    "关于加快推进法治政府建设的实施意见\n"
    "\n"
    "各镇人民政府，各有关部门：\n"
    "一、总体要求\n"
    "（一）指导思想。坚持依法行政，建设法治政府。\n"
    "（二）工作目标。到2025年，基本建成职能科学、权责法定的法治政府。\n"
)
TRADITIONAL = (
    "關於加快推進法治政府建設的實施意見\n"
    "各鎮人民政府：\n"
    "一、總體要求\n"
    "（一）堅持依法行政，建設法治政府。\n"
    "二、主要任務\n"
    "（一）健全依法決策機制，規範行政執法行為。\n"
)
SPEECH_SPLIT = r"^在全[市县区]法治政府建设工作\S{0,6}会[议]?上的讲话(?:[(（]摘要[)）])?\s*$"


@pytest.mark.parametrize(
    ("name", "encoding", "expected"),
    [
        ("gbk.txt", "gb18030", SIMPLIFIED),
        ("big5.txt", "big5", TRADITIONAL),
        ("utf16_bom.txt", "utf-16", SIMPLIFIED),
        ("utf16le_nobom.txt", "utf-16-le", SIMPLIFIED),
        ("utf8_bom.txt", "utf-8-sig", SIMPLIFIED),
    ],
)
def test_fixture_encodings_decode_exactly(name: str, encoding: str, expected: str) -> None:
    source = read_source(FIXTURES / name)
    assert source == SourceText(FIXTURES / name, expected, encoding, "text")


def test_seed_files_are_utf8_text() -> None:
    for path in sorted(RAW.glob("00*.txt")):
        source = read_source(path)
        assert (source.encoding, source.format) == ("utf-8", "text")
        assert source.text == path.read_text(encoding="utf-8")


def test_yixing_stray_span_does_not_make_it_html() -> None:
    source = read_source(RAW / "000_555a7841707b4dce.txt")
    assert source.format == "text"
    assert "/span>" in source.text


@pytest.mark.parametrize(
    "text",
    [
        "法治",  # 4 bytes in GBK: too short for statistics, must still come out right
        "依法行政",
        "建设法治政府，推进依法行政。",
        "第一条 为了规范行政执法行为，制定本办法。",
    ],
)
def test_short_gbk_texts_decode_as_gb18030(text: str) -> None:
    assert decode_bytes(text.encode("gbk")) == (text, "gb18030")


@pytest.mark.parametrize("text", ["法治政府", "建設法治政府", "規範行政執法行為。"])
def test_short_big5_texts_decode_as_big5(text: str) -> None:
    assert decode_bytes(text.encode("big5")) == (text, "big5")


def test_utf16_big_endian_without_bom() -> None:
    assert decode_bytes(TRADITIONAL.encode("utf-16-be")) == (TRADITIONAL, "utf-16-be")


def test_newlines_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes("一、总则\r\n（一）目标\r二、任务\n".encode())
    assert read_source(path).text == "一、总则\n（一）目标\n二、任务\n"


def test_saved_government_page_is_reduced_to_text() -> None:
    source = read_source(FIXTURES / "gov_page.txt")
    assert source.format == "html"
    assert source.encoding == "utf-8"
    text = source.text
    # head (title), style and script are dropped, tags and comments gone, entities decoded
    assert "_规范性文件_" not in text
    assert "font-size" not in text and "_hmt" not in text
    assert "<" not in text and "&gt;" not in text and "正文结束" not in text
    assert "当前位置：首页 > 政务公开 > 规范性文件" in text
    # block elements on their own lines; <br> splits the signature; cells joined by " | "
    lines = text.split("\n")
    assert "某市人民政府关于进一步加强行政执法监督工作的意见" in lines
    assert "　　2.严格落实重大执法决定法制审核制度。" in lines
    assert lines.count("某市人民政府") == 1 and "2021年6月18日" in lines
    assert "附件 | 行政执法事项清单.docx |" in lines
    assert "\n\n\n" not in text


def test_html_is_recognised_by_content_not_extension(tmp_path: Path) -> None:
    path = tmp_path / "saved.txt"
    path.write_text("<html><body><p>第一段</p><p>第二段</p></body></html>", encoding="utf-8")
    source = read_source(path)
    assert source.format == "html"
    assert source.text == "第一段\n\n第二段\n"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("empty.txt", "file is empty"),
        ("blank.txt", "only whitespace"),
        ("binary.txt", "binary"),
        ("does-not-exist.txt", "file not found"),
    ],
)
def test_bad_fixtures_raise_one_line_errors(name: str, problem: str) -> None:
    with pytest.raises(CompareError) as info:
        read_source(FIXTURES / name)
    message = str(info.value)
    assert problem in message
    assert name in message and "\n" not in message


def test_directory_is_refused() -> None:
    with pytest.raises(CompareError, match="is a directory"):
        read_source(FIXTURES)


def test_control_characters_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "ctrl.txt"
    path.write_bytes(b"abc\x01\x02\x03def\x04\x05" * 20)
    with pytest.raises(CompareError, match="control characters"):
        read_source(path)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (bytes(range(0x80, 0x100)) * 3 + b"x", "cannot determine the text encoding"),
    ],
)
def test_binary_and_unknown_bytes(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(CompareError, match=problem):
        read_source(path)


def test_split_speeches_into_twelve_parts() -> None:
    text = read_source(RAW / "004_ccc4eb72ef48a563.txt").text
    parts, preamble = split_parts(text, SPEECH_SPLIT)
    assert [p.part for p in parts] == list(range(1, 13))
    assert parts[0].title == "在全市法治政府建设工作推进会上的讲话"
    assert parts[5].title == "在全市法治政府建设工作会议上的讲话"
    assert parts[6].title == "在全市法治政府建设工作推进会上的讲话(摘要)"
    assert parts[11].title == "在全区法治政府建设工作推进会上的讲话"
    # the table of contents and the site intro come before the first speech
    assert preamble is not None
    assert text[preamble[0] : preamble[1]].startswith(
        "(整理)在法治政府建设工作推进会上的讲话整理12篇"
    )
    assert "12.在全区法治政府建设工作推进会上的讲话(十二) 78" in text[slice(*preamble)]
    # the spans tile the text without gaps or overlaps
    assert preamble == (0, parts[0].start)
    assert all(a.end == b.start for a, b in itertools.pairwise(parts))
    assert parts[-1].end == len(text)
    assert text[parts[0].start :].startswith("在全市法治政府建设工作推进会上的讲话\n今天召开全市")
    assert text[parts[-1].start : parts[-1].end].rstrip().endswith("下一篇:返回列表")


def test_split_without_preamble() -> None:
    text = "第一篇\n正文一\n第二篇\n正文二"
    parts, preamble = split_parts(text, r"^第.篇$")
    assert preamble is None
    assert parts == [Part(1, "第一篇", 0, 8), Part(2, "第二篇", 8, len(text))]


def test_split_errors_name_the_file() -> None:
    with pytest.raises(CompareError, match=r"corpus\.yml: invalid split pattern"):
        split_parts("正文", "([", "corpus.yml")
    with pytest.raises(CompareError, match="matches no line"):
        split_parts("正文", "^讲话$", "corpus.yml")


def test_utf8_cut_mid_character_is_still_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt"
    data = "一、总体要求\n坚持依法行政。".encode()
    path.write_bytes(data[:-2])  # the last 。 loses two of its three bytes
    source = read_source(path)
    assert source.encoding == "utf-8"
    assert source.text == "一、总体要求\n坚持依法行政\ufffd"
