"""A synthetic corpus for the benchmark: real seed measures resampled under varied numbering,
web junk and encodings (deterministic for a given seed)."""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import opencc

from compare.config import DataFiles
from compare.manifest import load_manifest
from compare.structure import measures as measures_mod
from compare.structure import segment
from compare.text import clean, read

_MARKER = re.compile(
    r"^\s*(?:[（(]?[一二三四五六七八九十百]+[)）、]|[（(]?\d+[)）.、．]|第[一二三四五六七八九十]+条)\s*"
)
_CN = "一二三四五六七八九十"
STYLES = ("chapter-paren-arabic", "chapter-arabic", "articles", "paren-arabic", "fullwidth-dot")
JUNK_HEAD = (
    "当前位置：首页 > 政务公开 > 政策文件\n",
    "您的位置：首页 >> 法治政府 >> 规范性文件\n发布时间：2022-03-15 浏览次数：{n}\n",
    "【字体：大 中 小】 【打印本页】\n",
)
JUNK_TAIL = (
    "\n【返回顶部】 【打印本页】 【关闭窗口】\n主办单位：某市人民政府办公室\n某ICP备{n}号-1\n",
    "\n免责声明：本站所有信息均搜集自互联网，如有侵权请联系删除。\n",
    "\n上一篇：关于印发某某方案的通知\n下一篇：返回列表\n",
    "\n本文由互联网用户分享整理。文章地址：http://www.example.com/news/{n}.html\n",
)
ENCODINGS = ("utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16")


def cn_number(n: int) -> str:
    """1..99 as Chinese numerals (一, 十, 十二, 二十三)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN[tens - 1] + "十")
    return head + (_CN[ones - 1] if ones else "")


def seed_measures() -> list[str]:
    """Body texts (marker stripped) of every measure in the seed corpus."""
    bodies = []
    manifest = load_manifest(DataFiles.resolve().path("corpus.yml"))
    for path, rows in manifest.groupby("source_path", sort=True):
        source = read.read_source(path)
        texts = [source.text]
        pattern = rows["split"].iloc[0]
        if pattern:
            parts, _ = read.split_parts(source.text, pattern, path)
            texts = [source.text[p.start : p.end] for p in parts]
        for text in texts:
            cleaned = clean.clean_text(text).text
            measures = measures_mod.extract_measures(segment.segment_text(cleaned), cleaned)
            bodies += [_MARKER.sub("", t).strip() for t in measures["text"] if len(t) > 40]
    return bodies


def render(bodies: list[str], style: str, rng: random.Random) -> str:
    """One plan: a title, a preamble, chapters of numbered measures, a signature."""
    out = [
        f"某{rng.choice('市县区')}法治政府建设实施方案\n",
        "为深入推进依法行政，结合本地实际，制定本方案。\n",
    ]
    n_chapters = rng.randint(2, 4)
    per = max(1, len(bodies) // n_chapters)
    k = 0
    for c in range(n_chapters):
        chunk = bodies[c * per : (c + 1) * per if c < n_chapters - 1 else len(bodies)]
        if style != "articles":
            out.append(f"{cn_number(c + 1)}、主要任务之{cn_number(c + 1)}\n")
        for body in chunk:
            k += 1
            j = chunk.index(body) + 1
            marker = {
                "chapter-paren-arabic": f"{j}." if j % 2 else f"{j}、",
                "chapter-arabic": f"（{cn_number(j)}）",
                "articles": f"第{cn_number(k)}条 ",
                "paren-arabic": f"（{j}）",
                "fullwidth-dot": f"{j}．",
            }[style]
            out.append(f"{marker}{body}\n")
    out.append(
        f"某{rng.choice('市县区')}人民政府\n2022年{rng.randint(1, 12)}月{rng.randint(1, 28)}日\n"
    )
    return "".join(out)


def make_corpus(n_docs: int, folder: Path, seed: int = 0, target_bytes: int = 10_000) -> Path:
    """Write ``n_docs`` synthetic plans (~``target_bytes`` UTF-8 each) and a CSV manifest; return it."""
    rng = random.Random(seed)
    bodies = seed_measures()
    t2s = opencc.OpenCC("s2t")
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n_docs):
        picked, size = [], 0
        while size < target_bytes * 0.85:
            body = rng.choice(bodies)
            picked.append(body)
            size += len(body.encode())
        style = rng.choice(STYLES)
        text = rng.choice(JUNK_HEAD).format(n=rng.randint(100, 9999))
        text += render(picked, style, rng)
        text += rng.choice(JUNK_TAIL).format(n=rng.randint(10000, 99999))
        encoding = rng.choice(ENCODINGS)
        if rng.random() < 0.1:
            text, encoding = t2s.convert(text), rng.choice(("utf-8", "big5"))
        name = f"doc{i:05d}.txt"
        (folder / name).write_bytes(text.encode(encoding, errors="ignore"))
        rows.append({"id": f"d{i:05d}", "file": name, "title": f"方案{i}", "jurisdiction": "某县",
                     "level": "county", "province": "", "year": str(2015 + i % 10), "doc_type": "实施方案"})  # fmt: skip
    manifest = folder / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return manifest
