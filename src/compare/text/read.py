"""Read a raw source file: bytes on disk -> :class:`SourceText` (decoded text, HTML reduced).

Also :func:`split_parts`, which cuts a file holding several documents at their title lines.
Nothing here changes wording; cleaning (and its log) happens in :mod:`compare.clean`.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from compare.errors import CompareError

#: Byte signatures of common non-text files, with the name shown in the error.
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (docx/xlsx/zip)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (doc/xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_HTML_MARK = re.compile(r"<!doctype\s+html|<html[\s>]|<body[\s>]|<head[\s>]", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")
_DROP_TAGS = ("script", "style", "head", "noscript", "template", "iframe", "object", "svg")
_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "tbody", "thead",
    "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "nav",
    "aside", "main", "blockquote", "pre", "form", "hr", "address", "center", "figure",
    "figcaption", "caption",
)  # fmt: skip
_CELL_TAGS = ("td", "th")
#: Legacy Chinese encodings tried, in order of preference when they score equally.
_LEGACY = ("gb18030", "big5", "cp950")
#: Below this share of plausible characters a legacy decoding is rejected.
_MIN_SCORE = 0.6


@dataclass(frozen=True)
class SourceText:
    """A decoded source file. ``format`` is ``"text"`` or ``"html"`` (reduced to text)."""

    path: Path
    text: str
    encoding: str
    format: str


@dataclass(frozen=True)
class Part:
    """One document inside a multi-document file: ``text[start:end]``, 1-based ``part``."""

    part: int
    title: str
    start: int
    end: int


def read_source(path: str | Path) -> SourceText:
    """Read ``path``, detect its encoding, normalise newlines and reduce HTML to text."""
    path = Path(path)
    data = _read_bytes(path)
    text, encoding = decode_bytes(data, path)
    text = _NEWLINES.sub("\n", text)
    if not text.strip():
        raise CompareError("file holds only whitespace, no text", path)
    if looks_like_html(text):
        text = html_to_text(text)
        if not text.strip():
            raise CompareError("HTML page holds no visible text", path)
        return SourceText(path, text, encoding, "html")
    return SourceText(path, text, encoding, "text")


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; missing, directory, unreadable or empty -> CompareError."""
    if path.is_dir():
        raise CompareError("is a directory, expected a text file", path)
    if not path.exists():
        raise CompareError("file not found", path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CompareError(f"cannot read file ({err.strerror})", path) from err
    if not data:
        raise CompareError("file is empty", path)
    return data


def decode_bytes(data: bytes, path: str | Path | None = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)``. Binary or unknown -> CompareError.

    Order: a known binary signature is refused; a BOM decides; NUL bytes mean UTF-16 LE/BE
    (whichever reads as plausible text) or binary; strict UTF-8 (also UTF-8 with a few
    broken bytes, e.g. a page cut mid-character: they become U+FFFD, flagged by cleaning);
    then GB18030, Big5 and BOM-less UTF-16, choosing the decoding whose characters are most
    often common hanzi/punctuation (:func:`plausibility`); last, charset-normalizer.
    """
    for magic, name in _MAGIC:
        if data.startswith(magic):
            raise CompareError(f"not a text file: looks like {name}", path)
    for bom, name, reported in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom) :], name)
            if text is None:
                raise CompareError(f"invalid {reported} text after its byte-order mark", path)
            return _check_text(text, path), reported
    if b"\x00" in data:
        found = _best_decoding(data, ("utf-16-le", "utf-16-be"))
        if found is None:
            raise CompareError("binary file (NUL bytes), not text", path)
        return _check_text(found[0], path), found[1]
    text = _strict(data, "utf-8") or _nearly_utf8(data)
    if text is not None:
        return _check_text(text, path), "utf-8"
    found = _best_decoding(
        data, _LEGACY + (("utf-16-le", "utf-16-be") if len(data) % 2 == 0 else ())
    )
    if found is None:
        found = _charset_normalizer_guess(data)
    if found is None:
        raise CompareError(
            "cannot determine the text encoding (not UTF-8/16, GB18030 or Big5)", path
        )
    return _check_text(found[0], path), found[1]


def _nearly_utf8(data: bytes) -> str | None:
    """UTF-8 with at most one broken sequence per 1000 characters (U+FFFD in their place),
    when the rest holds multi-byte characters; else None."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    multibyte = len(data) - len(text)
    if multibyte > 2 * broken and broken <= max(1, len(text) // 1000):
        return text
    return None


def _best_decoding(data: bytes, codecs_: tuple[str, ...]) -> tuple[str, str] | None:
    """``(text, codec)`` of the strict decoding that reads as the most plausible text
    (first codec wins ties), or None when none decodes or none is plausible enough."""
    best: tuple[float, str, str] | None = None
    for codec in codecs_:
        text = _strict(data, codec)
        if text is None:
            continue
        score = plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, codec)
    if best is None or best[0] < _MIN_SCORE:
        return None
    return best[1], best[2]


def _strict(data: bytes, codec: str) -> str | None:
    """``data`` decoded strictly with ``codec``, or None."""
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _check_text(text: str, path: str | Path | None) -> str:
    """Reject decoded text full of control characters (binary content)."""
    n_control = len(_CONTROL.findall(text))
    if n_control >= 3 and n_control > len(text) // 100:
        raise CompareError(f"binary content ({n_control} control characters), not text", path)
    return text


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    """Fallback for other encodings: charset-normalizer's best guess if it is coherent."""
    from charset_normalizer import from_bytes

    match = from_bytes(data).best()
    if match is None or match.chaos > 0.2 or len(set(str(match).split())) < 2:
        return None
    return str(match), codecs.lookup(match.encoding).name


def plausibility(text: str) -> float:
    """Share of non-ASCII (or control) characters that are common hanzi (GB2312 level 1 or
    Big5 frequent) or CJK punctuation; 1.0 for plain ASCII. Ranks candidate decodings."""
    common = _common_chars()
    wide = [ch for ch in text[:100_000] if ord(ch) > 0x7F or _CONTROL.match(ch)]
    if not wide:
        return 1.0
    return sum(ch in common for ch in wide) / len(wide)


@lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    """GB2312 level-1 hanzi, Big5 frequent hanzi and CJK/full-width punctuation."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):  # GB2312 level 1 (3755 most common simplified hanzi)
        for trail in range(0xA1, 0xFF):
            chars.update(_strict(bytes((lead, trail)), "gb2312") or "")
    for lead in range(0xA4, 0xC7):  # Big5 frequent hanzi (常用字)
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            chars.update(_strict(bytes((lead, trail)), "big5") or "")
    chars.update("，。、；：？！“”‘’（）《》〈〉【】〔〕—…·〇○　﹝﹞「」『』％")
    chars.update(chr(c) for c in range(0xFF01, 0xFF5F))
    return frozenset(chars)


def looks_like_html(text: str) -> bool:
    """True for an HTML page: a doctype/<html>/<body>/<head> tag, or dense markup."""
    if _HTML_MARK.search(text[:5000]):
        return True
    n_tags = len(_TAG.findall(text))
    return n_tags >= 10 and n_tags * 200 >= len(text)


def html_to_text(html: str) -> str:
    """Visible text of an HTML page: scripts, styles and <head> dropped, blocks on own lines,
    table cells separated by `` | ``, HTML whitespace collapsed (``<pre>`` kept as is)."""
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString
    from bs4 import ProcessingInstruction as Instruction

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    hidden = (Comment, Declaration, Doctype, Instruction)
    for node in soup.find_all(string=lambda s: isinstance(s, hidden)):
        node.extract()
    for node in soup.find_all(string=True):
        if isinstance(node, NavigableString) and not node.find_parent(["pre", "textarea"]):
            node.replace_with(_HTML_SPACE.sub(" ", str(node)))
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for tag in soup.find_all(_CELL_TAGS):
        tag.insert_after(" | ")
    text = soup.get_text()
    text = re.sub(r"(?m)^[ \t]+|[ \t]+$", "", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def split_parts(
    text: str, pattern: str, path: str | Path | None = None
) -> tuple[list[Part], tuple[int, int] | None]:
    """Split ``text`` at each line matching ``pattern`` (``re.MULTILINE``).

    Returns the parts (1-based; ``text[start:end]`` runs from its title line to the next
    title line) and the span before the first part (table of contents, intro), or None when
    the first part starts at offset 0. Spans cover ``text`` exactly.
    """
    try:
        regex = re.compile(pattern, re.MULTILINE)
    except re.error as err:
        raise CompareError(f"invalid split pattern {pattern!r} ({err})", path) from err
    starts: list[int] = []
    for match in regex.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if not starts or line_start > starts[-1]:
            starts.append(line_start)
    if not starts:
        raise CompareError(f"split pattern {pattern!r} matches no line", path)
    ends = [*starts[1:], len(text)]
    parts = [
        Part(i, _line_at(text, start).strip(), start, end)
        for i, (start, end) in enumerate(zip(starts, ends, strict=True), start=1)
    ]
    return parts, ((0, starts[0]) if starts[0] > 0 else None)


def _line_at(text: str, start: int) -> str:
    """The line of ``text`` beginning at ``start`` (without its newline)."""
    end = text.find("\n", start)
    return text[start : len(text) if end < 0 else end]
