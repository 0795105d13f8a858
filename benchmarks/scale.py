"""Scale run (issue 13, item 6): one ``--jobs J --no-cache`` build per corpus size, with wall
time, peak memory of the largest process and of the whole process tree, the build's own seconds
per phase, and the growth exponents between consecutive sizes. Writes benchmarks/scale.json.

    python benchmarks/scale.py --sizes 1000 10000 50000      # about an hour on 2 cores
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import machine  # noqa: E402
from synth import make_corpus  # noqa: E402


def _tree_rss_mb(root: int) -> tuple[float, float]:
    """Resident memory (MB) of ``root`` and all its descendants: (sum, largest one). Linux only."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(stat[1]), []).append(pid)
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[pid] = int(line.split()[1]) / 1024
    todo, seen = [root], []
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo.extend(children.get(pid, []))
    sizes = [rss.get(p, 0.0) for p in seen]
    return sum(sizes), max(sizes, default=0.0)


def timed_build(manifest: Path, out: Path, jobs: int) -> dict[str, Any]:
    """`compare build --no-cache` in its own process, memory sampled every 0.5 s."""
    timings = out.parent / f"{out.name}-timings.json"
    cmd = [sys.executable, "-m", "compare", "build", "-q", "--corpus", str(manifest), "--out",
           str(out), "--jobs", str(jobs), "--no-cache", "--timings", str(timings)]  # fmt: skip
    peak = {"tree_mb": 0.0, "largest_mb": 0.0}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def sample() -> None:
        while proc.poll() is None:
            tree, largest = _tree_rss_mb(proc.pid)
            peak["tree_mb"] = max(peak["tree_mb"], tree)
            peak["largest_mb"] = max(peak["largest_mb"], largest)
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"build of {manifest} failed ({proc.returncode}): {err[-2000:]}")
    phases = json.loads(timings.read_text(encoding="utf-8"))
    return {"wall_s": wall, **peak, "phases": phases}


def exponents(rows: list[dict[str, Any]], key: str) -> list[float]:
    """log(y2 / y1) / log(n2 / n1) between consecutive sizes."""
    return [
        math.log(b[key] / a[key]) / math.log(b["n_docs"] / a["n_docs"])
        for a, b in itertools.pairwise(rows)
    ]


def render(results: dict[str, Any]) -> str:
    """The scale table as Markdown."""
    rows, jobs = results["sizes"], results["jobs"]
    lines = [
        f"Machine: {results['machine']}  ",
        f"Run: {results['when']}, `compare build --jobs {jobs} --no-cache`, one run per size",
        "",
        "| N | raw MB | wall s | peak MB, largest process | peak MB, all processes |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n_docs']:,} | {r['raw_mb']:.0f} | {r['wall_s']:.1f} | "
            f"{r['largest_mb']:.0f} | {r['tree_mb']:.0f} |"
        )
    lines.append("")
    pairs = [f"{a['n_docs']:,} → {b['n_docs']:,}" for a, b in itertools.pairwise(rows)]
    lines += ["| growth exponent | " + " | ".join(pairs) + " |", "|---|" + "---:|" * len(pairs)]
    for key, name in (("wall_s", "time"), ("largest_mb", "memory, largest"),
                      ("tree_mb", "memory, all")):  # fmt: skip
        lines.append(f"| {name} | " + " | ".join(f"{e:.2f}" for e in exponents(rows, key)) + " |")
    lines.append("")
    names = list(dict.fromkeys(p for r in rows for p in r["phases"]))
    lines += ["| phase, s | " + " | ".join(f"{r['n_docs']:,}" for r in rows) + " |",
              "|---|" + "---:|" * len(rows)]  # fmt: skip
    for name in names:
        cells = " | ".join(f"{r['phases'].get(name, 0):.1f}" for r in rows)
        lines.append(f"| {name} | {cells} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the scale measurements and write benchmarks/scale.json."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="compare-scale-"))
    results: dict[str, Any] = {"machine": machine(), "when": time.strftime("%Y-%m-%d"),
                               "jobs": args.jobs, "sizes": []}  # fmt: skip
    try:
        for n in args.sizes:
            folder = work / f"n{n}"
            manifest = make_corpus(n, folder)
            raw_mb = sum(p.stat().st_size for p in folder.glob("*.txt")) / 1e6
            print(f"N = {n:,} ({raw_mb:.0f} MB) …", file=sys.stderr, flush=True)
            row = {
                "n_docs": n,
                "raw_mb": raw_mb,
                **timed_build(manifest, folder / "build", args.jobs),
            }
            results["sizes"].append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (HERE / "scale.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    print(render(results))


if __name__ == "__main__":
    main()
