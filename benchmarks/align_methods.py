"""Alignment methods compared on the same folds (issue 12): writes docs/alignment_methods.csv.

Each method is fitted leave-one-document-out (LODO) over the training labels
(``compare.align.load_training``: seed labels + dev-split gold, never a frozen text), and once
on all of them to predict the frozen split's gold measures (texts from a build of
``data/dev/corpus.yml``, matched to the gold by ``compare.evaluate.match_measures``; forced
choice, no abstention). Ensembles are weighted means of member probabilities, computed from the
members' own out-of-fold probabilities (what :class:`compare.align.EnsembleAligner` computes).

    PYTHONPATH=src python benchmarks/align_methods.py --build /tmp/x/dev [--embeddings]

``--build``: a build folder of the dev corpus (its ``measures.parquet``). ``--embeddings`` adds
e5 and USE (slow: several minutes of embedding; cached under ``--cache``). Without it, rows
of ``--previous`` (the CSV as it stands) for the embedding methods, and for the methods named
by ``--skip``, are kept as they were measured, and say so in ``measured``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import f1_score
from sklearn.model_selection import LeaveOneGroupOut

from compare import align
from compare.align.alignments import CATEGORY_MODEL
from compare.config import DataFiles
from compare.evaluate import match_measures, read_gold

ROOT = Path(__file__).resolve().parents[1]


def _proba(model, texts, classes):
    p = model.predict_proba(texts)
    out = np.zeros((len(texts), len(classes)))
    index = {c: j for j, c in enumerate(classes)}
    for j, c in enumerate(model.classes_):
        out[:, index[str(c)]] = p[:, j]
    return out


def lodo_and_frozen(est, texts, y, groups, frozen_texts, classes):
    """Out-of-fold probabilities on the training texts, frozen ones from a fit on all, and the
    seconds per 1,000 predicted measures."""
    oof = np.zeros((len(texts), len(classes)))
    for train, test in LeaveOneGroupOut().split(texts, y, groups):
        model = clone(est).fit([texts[i] for i in train], y[train])
        oof[test] = _proba(model, [texts[i] for i in test], classes)
    model = clone(est).fit(texts, y)
    started = time.perf_counter()
    frozen = _proba(model, frozen_texts, classes)
    per_1000 = (time.perf_counter() - started) / max(len(frozen_texts), 1) * 1000
    return oof, frozen, per_1000


def scores(y, proba, classes):
    pred = np.asarray(classes, dtype=object)[np.argmax(proba, axis=1)]
    present = sorted(set(y))
    return float(np.mean(pred == y)), float(
        f1_score(y, pred, labels=present, average="macro", zero_division=0)
    )


def frozen_set(build: Path, gold_dir: Path) -> tuple[list[str], np.ndarray]:
    gold = read_gold(gold_dir)
    docs = gold["documents"]
    ids = set(docs.loc[docs["split"] == "frozen", "doc_id"])
    gm = gold["measures"][gold["measures"]["doc_id"].isin(ids)]
    bm = pd.read_parquet(build / "measures.parquet")
    bm = bm[bm["doc_id"].isin(ids)]
    hits = match_measures(gm, bm)
    hits = hits[hits["outcome"] == "hit"]
    g = gm[gm["category_id"] != ""][["doc_id", "path", "category_id"]]
    m = hits.merge(g, left_on=["doc_id", "gold_path"], right_on=["doc_id", "path"])
    text = bm.drop_duplicates("measure_id").set_index("measure_id")["text"]
    return m["measure_id"].map(text).fillna("").tolist(), m["category_id"].to_numpy(dtype=object)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "alignment_methods.csv")
    ap.add_argument("--previous", type=Path, default=ROOT / "docs" / "alignment_methods.csv")
    ap.add_argument("--embeddings", action="store_true")
    ap.add_argument("--skip", nargs="*", default=[], help="method keys kept from --previous")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/align/emb"))
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    data = DataFiles.resolve()
    tax = align.load_taxonomy(data=data)
    labels = align.load_training()
    texts = labels["text"].astype(str).tolist()
    y = labels["category_id"].astype(str).to_numpy(dtype=object)
    groups = labels["doc_id"].astype(str).to_numpy()
    dev_docs = set(read_gold(data.path("dev", "gold"))["documents"]["doc_id"])
    is_dev = np.array([g in dev_docs for g in groups])
    frozen_texts, frozen_y = frozen_set(args.build, data.path("dev", "gold"))
    classes = list(tax.category_ids)

    def learned(**kw):
        return align.LearnedAligner(tax, level="category", **kw)

    base = {
        "lexicon": ("lexicon (seed terms)", align.LexiconAligner(tax, level="category")),
        "learned": ("learned before (words + chars + lexicon, blended)", learned()),
        "learned_char": ("char 1-3-gram TF-IDF + LR", learned(**CATEGORY_MODEL)),
        "char+lex": (
            "char + lexicon features + LR",
            learned(**{**CATEGORY_MODEL, "lexicon_weight": 1.0}),
        ),
    }
    for key in args.skip:
        base.pop(key, None)
    if args.embeddings:
        for model in ("e5", "use"):
            base[model] = (f"{model} + LR", align.SemanticAligner(model, cache_dir=args.cache))
    probs = {}
    for key, (_, est) in base.items():
        started = time.perf_counter()
        probs[key] = lodo_and_frozen(est, texts, y, groups, frozen_texts, classes)
        print(key, f"{time.perf_counter() - started:.0f}s", flush=True)
    names = {k: v[0] for k, v in base.items()}
    ensembles = [("lexicon", "learned_char", w) for w in (0.2, 0.3, 0.4, 0.5)]
    if args.embeddings:
        ensembles += [("lexicon", m, 0.3) for m in ("e5", "use")]
        ensembles += [("learned_char", m, 0.5) for m in ("e5", "use")]
    for a, b, w in ensembles:
        key = f"ens:{a}*{w}+{b}"
        pa, pb = probs[a], probs[b]
        probs[key] = (w * pa[0] + (1 - w) * pb[0], w * pa[1] + (1 - w) * pb[1], pa[2] + pb[2])
        names[key] = f"ensemble {w:g} x {a} + {1 - w:g} x {b}"
    rows = []
    for key, (oof, frozen, per_1000) in probs.items():
        la, lf = scores(y, oof, classes)
        da, df = scores(y[is_dev], oof[is_dev], classes)
        fa, ff = scores(frozen_y, frozen, classes)
        rows.append({"method": names[key], "method_key": key, "lodo_acc": la, "lodo_f1": lf,
                     "lodo_dev_acc": da, "lodo_dev_f1": df, "frozen_acc": fa, "frozen_f1": ff,
                     "seconds_per_1000": per_1000, "measured": "this run"})  # fmt: skip
    table = pd.DataFrame(rows)
    if args.previous.exists():
        prev = pd.read_csv(args.previous)
        kept = prev["method_key"].isin(args.skip)
        if not args.embeddings:
            kept |= prev["method_key"].str.contains("e5|use")
        keep = prev[kept & ~prev["method_key"].isin(table["method_key"])].copy()
        keep["measured"] = keep.get("measured", "earlier run (same folds, same labels)")
        keep["measured"] = keep["measured"].fillna("earlier run (same folds, same labels)")
        table = pd.concat([table, keep], ignore_index=True)
    table.round(3).to_csv(args.out, index=False)
    print(table.round(3).to_string())


if __name__ == "__main__":
    main()
