"""Time and peak memory of ``match_measures`` and ``find_reuse`` on synthetic corpora.

Synthetic measures are resampled seed text: clauses (split at ``。；，``) of the five seed
documents, drawn at random, 3-7 per measure, with 15 % of their characters replaced by
characters drawn from the seed text (so measures are alike without being copies), plus a few
stock phrases copied verbatim into some measures. 40 measures make a document.

    .venv/bin/python benchmarks/match_scaling.py            # n = 1k, 10k, 50k
    .venv/bin/python benchmarks/match_scaling.py 1000 5000   # other sizes
    .venv/bin/python benchmarks/match_scaling.py find_reuse  # one function

Each size runs in a fresh process so peak memory is not polluted by the previous size: the
function runs once for the time and the growth of ``ru_maxrss`` (RSS+), then once more under
``tracemalloc`` (traced peak of Python and numpy allocations).
"""

from __future__ import annotations

import glob
import multiprocessing as mp
import re
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
STOCK = [
    "有件必备、有备必审、有错必纠",
    "法定职责必须为、法无授权不可为",
    "谁执法谁普法",
    "严格规范公正文明执法",
    "职能科学、权责法定、执法严明、公开公正、廉洁高效、守法诚信",
]
PER_DOC = 40


def seed_text() -> str:
    """All seed texts, simplified, pinyin annotations removed."""
    import opencc

    conv = opencc.OpenCC("t2s")
    parts = []
    for f in sorted(glob.glob(str(ROOT / "data" / "raw" / "*.txt"))):
        text = conv.convert(Path(f).read_text(encoding="utf-8"))
        parts.append(re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)", "", text))
    return "\n".join(parts)


def synthetic_measures(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` synthetic measures (doc_id, measure_id, number, text), 40 per document."""
    rng = np.random.default_rng(seed)
    text = seed_text()
    clauses = [c for c in re.split(r"[。；，,;\s]+", text) if 4 <= len(c) <= 60]
    alphabet = np.array([ch for ch in text if "\u4e00" <= ch <= "\u9fff"])
    rows = []
    for i in range(n):
        picks = rng.integers(0, len(clauses), rng.integers(3, 8))
        body = "，".join(clauses[p] for p in picks)
        chars = np.array(list(body))
        swap = rng.random(chars.size) < 0.15
        chars[swap] = rng.choice(alphabet, swap.sum())
        body = "".join(chars)
        if rng.random() < 0.1:
            body += "，" + STOCK[rng.integers(len(STOCK))]
        d, j = divmod(i, PER_DOC)
        rows.append(
            {
                "doc_id": f"d{d:05d}",
                "measure_id": f"d{d:05d}/{j + 1}",
                "number": f"{j + 1}.",
                "text": f"{j + 1}.{body}。",
            }
        )
    return pd.DataFrame(rows)


def _task(what: str, measures: pd.DataFrame, texts: dict[str, str]) -> pd.DataFrame:
    from compare.match import find_reuse, match_measures

    if what == "match_measures":
        return match_measures(measures)
    if what == "find_reuse":
        return find_reuse(texts)
    if what == "reuse index only":  # no shingle is a seed: the hashing and sorting alone
        return find_reuse(texts, max_docs=1)
    return find_reuse(texts, max_docs=50)


#: ``find_reuse`` costs the index (linear in characters) plus the seed pairs, which grow with
#: the output (a passage in N documents gives N(N-1)/2 rows); the last two rows separate them.
TASKS = ("match_measures", "find_reuse", "reuse max_docs=50", "reuse index only")


def _run(task: tuple[str, int], queue: mp.Queue) -> None:
    what, n = task
    measures = synthetic_measures(n)
    texts = {d: "\n".join(g["text"]) for d, g in measures.groupby("doc_id")}

    def run() -> pd.DataFrame:
        return _task(what, measures, texts)

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    out = run()
    # timed without tracemalloc, which slows Python code; CPU time is robust to a busy machine
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
    del out
    tracemalloc.start()
    out = run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    chars = sum(len(t) for t in texts.values())
    queue.put((what, n, len(texts), chars, seconds, cpu, peak / 2**20, rss / 2**10, len(out)))


def main(sizes: list[int], tasks: list[str]) -> None:
    ctx = mp.get_context("spawn")
    print(
        f"{'function':<18} {'measures':>9} {'docs':>6} {'chars':>10} {'wall s':>8} {'CPU s':>7} "
        f"{'traced MB':>10} {'RSS+ MB':>8} {'rows':>8} {'dense n*n MB':>12}"
    )
    for what in tasks:
        for n in sizes:
            queue = ctx.Queue()
            proc = ctx.Process(target=_run, args=((what, n), queue))
            proc.start()
            res = queue.get()
            proc.join()
            what_, n_, docs, chars, sec, cpu, peak, rss, rows = res
            print(
                f"{what_:<18} {n_:>9} {docs:>6} {chars:>10} {sec:>8.2f} {cpu:>7.2f} {peak:>10.1f} "
                f"{rss:>8.0f} {rows:>8} {n_ * n_ * 4 / 2**20:>12.0f}",
                flush=True,
            )


if __name__ == "__main__":
    args = sys.argv[1:]
    chosen = [a for a in args if a in TASKS] or list(TASKS)
    main([int(a) for a in args if a.isdigit()] or [1_000, 10_000, 50_000], chosen)
