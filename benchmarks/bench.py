"""Speed benchmark: per-stage throughput, whole pipeline vs bare jieba, parallel speed-up,
incremental rebuilds. Reports ratios measured in one run; writes benchmarks/results.json and the
figures table in benchmarks/README.md.

    python benchmarks/bench.py                  # N = 100 and 1,000 (a few minutes)
    python benchmarks/bench.py --sizes 100 1000 10000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from synth import make_corpus  # noqa: E402

from compare import align, match, targets, tokenize  # noqa: E402
from compare import build as tables  # noqa: E402
from compare.config import DataFiles  # noqa: E402
from compare.manifest import load_manifest  # noqa: E402
from compare.structure import kinds, segment  # noqa: E402
from compare.structure import measures as measures_mod  # noqa: E402
from compare.text import clean, read  # noqa: E402


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stage_profile(manifest_path: Path) -> dict[str, Any]:
    """Time each stage over the whole corpus in this process (single core), with the rules and
    fitted aligners loaded once, as a build does (:class:`compare.build.Pipeline`)."""
    import jieba

    manifest = load_manifest(manifest_path)
    rows: list[dict[str, Any]] = []

    def stage(name: str, fn: Callable[[], Any]) -> Any:
        out, secs = _timed(fn)
        rows.append({"stage": name, "seconds": secs, "peak_rss_mb": _peak_mb()})
        return out

    data = DataFiles.resolve()
    pipe = stage("load rules, fit aligners", lambda: tables.Pipeline.load(data))
    sources = stage("read", lambda: [read.read_source(p) for p in manifest["source_path"]])
    steps = clean.default_steps(pipe.cleaning)
    cleaned = stage("clean", lambda: [clean.clean_text(s.text, steps) for s in sources])
    texts = [c.text for c in cleaned]
    ids = list(manifest["doc_id"])
    cfg = pipe.segmentation

    def seg() -> pd.DataFrame:
        frames = []
        for d, t in zip(ids, texts, strict=True):
            kind = kinds.recognise(t, None, cfg).kind
            segs = segment.segment_text(t, doc_id=d, config=cfg, kind=kind)
            frames.append(measures_mod.extract_measures(segs, t, config=cfg, kind=kind))
        return pd.concat(frames, ignore_index=True)

    measures = stage("segment", seg)
    tokenizer = tokenize.get_tokenizer(data)  # once, as a build does (cut() makes one per call)
    stage("tokenise (project tokenizer)", lambda: [tokenizer.cut(t) for t in texts])
    stage("align (fitted aligners)", lambda: align.align_measures(measures, aligners=pipe.aligners))
    stage(
        "targets",
        lambda: [
            targets.extract_targets(t, doc_id=d, vocab=pipe.vocabulary)
            for d, t in zip(ids, texts, strict=True)
        ],
    )
    stage(
        "match",
        lambda: match.match_measures(
            measures, k=tables.MATCH_K, per_document=tables.MATCH_PER_DOC, config=cfg
        ),
    )
    stage(
        "reuse",
        lambda: match.find_reuse(
            dict(zip(ids, texts, strict=True)),
            min_length=tables.REUSE_MIN_LENGTH,
            max_docs=tables.REUSE_MAX_DOCS,
        ),
    )
    jieba.initialize()
    _, bare = _timed(lambda: [jieba.lcut(t) for t in texts])
    n_bytes = sum(len(t.encode()) for t in texts)
    for r in rows:
        r["docs_per_s"] = len(texts) / r["seconds"] if r["seconds"] else float("inf")
        r["mb_per_s"] = n_bytes / 1e6 / r["seconds"] if r["seconds"] else float("inf")
    return {"stages": rows, "bare_jieba_s": bare, "clean_mb": n_bytes / 1e6, "n_docs": len(texts),
            "n_measures": len(measures)}  # fmt: skip


#: Runs a command and prints the peak RSS (KiB) of its largest process. A separate small
#: process, so that the benchmark's own memory (inherited by a fork) is not counted.
_PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def run_build(manifest: Path, out: Path, jobs: int, cache: bool = True) -> dict[str, Any]:
    """Run `compare build` as its own process; wall seconds, peak RSS of the largest process and
    the build's own seconds per phase (`--timings`)."""
    phases = out.parent / f"{out.name}-timings.json"
    cmd = [sys.executable, "-m", "compare", "build", "-q", "--corpus", str(manifest), "--out", str(out),
           "--jobs", str(jobs), "--timings", str(phases)] + ([] if cache else ["--no-cache"])  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *cmd], check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    return {"wall_s": wall, "peak_rss_mb": int(done.stdout.split()[-1]) / 1024,
            "phases": json.loads(phases.read_text(encoding="utf-8"))}  # fmt: skip


def bench_size(n: int, work: Path, jobs: int) -> dict[str, Any]:
    """Everything measured at corpus size ``n``."""
    folder = work / f"n{n}"
    manifest = make_corpus(n, folder)
    raw_mb = sum(p.stat().st_size for p in folder.glob("*.txt")) / 1e6
    result: dict[str, Any] = {"n_docs": n, "raw_mb": raw_mb}
    if n <= 1000:
        profile = stage_profile(manifest)
        result["profile"] = profile
    result["build_1"] = run_build(manifest, folder / "build1", jobs=1, cache=False)
    result[f"build_{jobs}"] = run_build(manifest, folder / "buildp", jobs=jobs, cache=False)
    result["noop_rebuild"] = run_build(manifest, folder / "buildp", jobs=jobs)
    extra = make_corpus(1, folder / "extra", seed=n + 1)
    lines = manifest.read_text(encoding="utf-8").splitlines()
    added = (
        extra.read_text(encoding="utf-8")
        .splitlines()[1]
        .replace("d00000,doc00000.txt", "dnew,extra/doc00000.txt")
    )
    (folder / "manifest_plus1.csv").write_text("\n".join([*lines, added]) + "\n", encoding="utf-8")
    result["add_one_rebuild"] = run_build(
        folder / "manifest_plus1.csv", folder / "buildp", jobs=jobs
    )
    return result


def seed_noop(work: Path, jobs: int) -> dict[str, float]:
    """A no-op rebuild of the seed corpus (after one full build)."""
    out = work / "seed_build"
    run_build(DataFiles.resolve().path("corpus.yml"), out, jobs=jobs)
    return run_build(DataFiles.resolve().path("corpus.yml"), out, jobs=jobs)


def machine() -> str:
    """One line describing this machine."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}"


def _phase_table(res: dict[str, Any], jobs: int) -> list[str]:
    """Seconds per build phase (the build's own clock), 1 process beside ``jobs``: which phases
    run in parallel (documents, the aligner's fits) and which stay serial (corpus stages)."""
    one, many = res["build_1"].get("phases", {}), res[f"build_{jobs}"].get("phases", {})
    if not one or not many:
        return []
    lines = [f"| build phase | 1 process, s | {jobs} processes, s |", "|---|---:|---:|"]
    for name in dict.fromkeys([*one, *many]):
        lines.append(f"| {name} | {one.get(name, 0):.1f} | {many.get(name, 0):.1f} |")
    return [*lines, ""]


def render_markdown(results: dict[str, Any]) -> str:
    """The figures as Markdown tables."""
    lines = [f"Machine: {results['machine']}  ", f"Run: {results['when']}", ""]
    for res in results["sizes"]:
        n = res["n_docs"]
        lines.append(f"### N = {n:,} documents ({res['raw_mb']:.1f} MB raw)")
        lines.append("")
        if "profile" in res:
            p = res["profile"]
            lines += [
                "| stage | seconds | docs/s | MB/s | peak RSS (MB) |",
                "|---|---:|---:|---:|---:|",
            ]
            for s in p["stages"]:
                lines.append(
                    f"| {s['stage']} | {s['seconds']:.2f} | {s['docs_per_s']:.0f} | {s['mb_per_s']:.2f} | {s['peak_rss_mb']:.0f} |"
                )
            lines.append(
                f"| *bare `jieba.lcut`, same clean text* | {p['bare_jieba_s']:.2f} | | {p['clean_mb'] / p['bare_jieba_s']:.2f} | |"
            )
            lines.append("")
        b1, bp = res["build_1"], res[f"build_{results['jobs']}"]
        lines += [
            "| whole build (`compare build`, own process) | wall s | peak RSS MB |",
            "|---|---:|---:|",
        ]
        lines.append(f"| 1 process, no cache | {b1['wall_s']:.1f} | {b1['peak_rss_mb']:.0f} |")
        lines.append(
            f"| {results['jobs']} processes, no cache | {bp['wall_s']:.1f} | {bp['peak_rss_mb']:.0f} |"
        )
        lines.append(
            f"| no-op rebuild | {res['noop_rebuild']['wall_s']:.1f} | {res['noop_rebuild']['peak_rss_mb']:.0f} |"
        )
        lines.append(
            f"| add one document, rebuild | {res['add_one_rebuild']['wall_s']:.1f} | {res['add_one_rebuild']['peak_rss_mb']:.0f} |"
        )
        lines.append("")
        ratio = (
            f"{b1['wall_s'] / res['profile']['bare_jieba_s']:.2f}×" if "profile" in res else "n/a"
        )
        lines.append(f"Whole pipeline (1 process) / bare jieba: **{ratio}**; "
                     f"parallel speed-up: **{b1['wall_s'] / bp['wall_s']:.2f}×**")  # fmt: skip
        lines.append("")
        lines += _phase_table(res, results["jobs"])
    lines.append(
        f"No-op rebuild of the seed corpus: **{results['seed_noop']['wall_s']:.2f} s** (whole process, incl. start-up)"
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmark and write the results."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true", help="Keep the synthetic corpora.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="compare-bench-"))
    results: dict[str, Any] = {
        "machine": machine(),
        "when": time.strftime("%Y-%m-%d"),
        "jobs": args.jobs,
        "sizes": [],
    }
    try:
        for n in args.sizes:
            print(f"N = {n} …", file=sys.stderr)
            results["sizes"].append(bench_size(n, work, args.jobs))
        results["seed_noop"] = seed_noop(work, args.jobs)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    (HERE / "results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    table = render_markdown(results)
    readme = HERE / "README.md"
    text = (
        readme.read_text(encoding="utf-8")
        if readme.exists()
        else "<!-- figures -->\n<!-- /figures -->\n"
    )
    head, _, rest = text.partition("<!-- figures -->")
    _, _, tail = rest.partition("<!-- /figures -->")
    readme.write_text(f"{head}<!-- figures -->\n{table}<!-- /figures -->{tail}", encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
