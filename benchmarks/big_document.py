"""Big single documents: per-MB time of each stage and of the whole build for 1, 10 and 30 MB.

One document is made by concatenating the project's real texts (``data/raw`` and, when present,
``data/dev/raw``; HTML pages left out) until it reaches the size. Time per MB should stay flat
as the size grows: a stage whose per-MB time rises is superlinear in the document's length.

    python benchmarks/big_document.py                 # 1, 10 and 30 MB (about ten minutes)
    python benchmarks/big_document.py --sizes 1 4     # quicker

Writes ``benchmarks/big_document.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cn2an

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: Prints the peak RSS (KiB) of the command it runs (a separate process, so that this script's
#: own memory is not counted).
_PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def source_texts(root: Path = ROOT) -> list[str]:
    """The project's real plain texts, in a fixed order."""
    folders = [root / "data" / "raw", root / "data" / "dev" / "raw"]
    paths = [p for f in folders if f.is_dir() for p in sorted(f.iterdir())]
    paths = [p for p in paths if p.suffix in (".txt", ".md") and p.name != "README.md"]
    return [p.read_text(encoding="utf-8") for p in paths]


def sentences(texts: list[str]) -> list[str]:
    """The texts' sentences (ending in 。, 10-300 characters, no line breaks), in order."""
    found = []
    for text in texts:
        for part in re.findall(r"[^。\n]+。", text):
            part = part.strip()
            if 10 <= len(part) <= 300 and not part.startswith("第"):
                found.append(part)
    return found


#: Articles per chapter, sentences per article of the generated document.
ARTICLES, PER_ARTICLE = 30, 3


def make_document(megabytes: float, path: Path, texts: list[str]) -> Path:
    """Write one UTF-8 document of at least ``megabytes`` MB: real sentences of ``texts`` set
    out as one long regulation (第N章 chapters of ``ARTICLES`` articles, numbered afresh in
    each chapter, ``PER_ARTICLE`` sentences each). Unlike the texts themselves laid end to
    end, its structure runs to the last line, so every stage sees every megabyte: the
    measures found grow with the size (laid end to end, the first text's closing
    swallowed the rest and no measure was found after 0.5 MB)."""
    pool = sentences(texts)
    lines, size, i, chapter = [], 0, 0, 0
    while size < megabytes * 1e6:
        chapter += 1
        new = [f"第{cn2an.an2cn(chapter)}章　{pool[i % len(pool)][:12]}"]
        for article in range(1, ARTICLES + 1):
            body = "".join(pool[(i + k) % len(pool)] for k in range(PER_ARTICLE))
            i += PER_ARTICLE
            new.append(f"第{cn2an.an2cn(article)}条　{body}")
        lines += new
        size += sum(len(line.encode()) + 1 for line in new)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def manifest_for(doc: Path, folder: Path) -> Path:
    """A one-entry manifest for ``doc`` (data from the project's ``data/``)."""
    path = folder / f"{doc.stem}.yml"
    path.write_text(
        "documents:\n"
        f"  - id: {doc.stem}\n    file: {doc.name}\n    title: 合并文本\n"
        "    jurisdiction: 某市\n    level: city\n    doc_type: 实施方案\n    year: 2021\n",
        encoding="utf-8",
    )
    return path


def stage_times(doc: Path) -> dict[str, float]:
    """Seconds per stage of one document, in this process (the pipeline's own stages)."""
    from compare import align, targets
    from compare.build import Pipeline
    from compare.config import DataFiles
    from compare.structure import measures, segment
    from compare.text import clean, read

    pipe = Pipeline.load(DataFiles(ROOT / "data"))
    times: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        out = fn()
        times[name] = time.perf_counter() - start
        return out

    source = timed("read", lambda: read.read_source(doc))
    text = timed(
        "clean", lambda: clean.clean_text(source.text, clean.default_steps(pipe.cleaning))
    ).text
    segs = timed("segment", lambda: segment.segment_text(text, "big", config=pipe.segmentation))
    found = timed(
        "measures", lambda: measures.extract_measures(segs, text, config=pipe.segmentation)
    )
    timed("align", lambda: align.align_measures(found, aligners=pipe.aligners))
    rows = timed("targets", lambda: targets.extract_targets(text, "big", vocab=pipe.vocabulary))
    timed("assign targets", lambda: targets.assign_measures(rows, found))
    return times


def whole_build(manifest: Path, out: Path) -> dict[str, float]:
    """`compare build --jobs 1 --no-cache` as its own process: wall seconds and peak RSS."""
    cmd = [sys.executable, "-m", "compare", "build", "-q", "--corpus", str(manifest),
           "--out", str(out), "--jobs", "1", "--no-cache"]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAK, *cmd], check=True, capture_output=True,
                          text=True)  # fmt: skip
    return {
        "wall_s": time.perf_counter() - start,
        "peak_rss_mb": int(done.stdout.split()[-1]) / 1024,
    }


def render(results: list[dict[str, Any]]) -> str:
    """Markdown: seconds per MB of each stage and of the build, one column per size."""
    sizes = [r["mb"] for r in results]
    head = "| per MB | " + " | ".join(f"{s:.1f} MB" for s in sizes) + " |"
    lines = [head, "|---" * (len(sizes) + 1) + "|"]
    for stage in results[0]["stages"]:
        cells = [f"{r['stages'][stage] / r['mb']:.2f} s" for r in results]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    lines.append("| **whole build** | " + " | ".join(
        f"**{r['build']['wall_s'] / r['mb']:.2f} s**" for r in results) + " |")  # fmt: skip
    lines.append("| peak memory | " + " | ".join(
        f"{r['build']['peak_rss_mb']:.0f} MB" for r in results) + " |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    """Measure each size, print the table, write ``benchmarks/big_document.json``."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10, 30])
    parser.add_argument("--out", type=Path, default=HERE / "big_document.json")
    args = parser.parse_args()
    texts = source_texts()
    results = []
    with tempfile.TemporaryDirectory(prefix="compare-big-") as tmp:
        work = Path(tmp)
        for mb in args.sizes:
            doc = make_document(mb, work / f"big-{mb:g}mb.txt", texts)
            real_mb = doc.stat().st_size / 1e6
            stages = stage_times(doc)
            build = whole_build(manifest_for(doc, work), work / f"build-{mb:g}")
            results.append({"mb": real_mb, "stages": stages, "build": build})
            print(f"{real_mb:.1f} MB: build {build['wall_s']:.1f}s", file=sys.stderr)
    table = render(results)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
