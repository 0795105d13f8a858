"""Score a build against a gold folder: measures, targets and top-level alignment.

The gold is written by reading the texts (``data/dev/README.md``); this module only compares.
Every function takes tables (DataFrames) and returns tables, so a notebook can score any build.

Matching rules (the contract the gold is written for):
- a gold measure matches a built measure of the same document when their headings are equal or
  when the first characters after the numbering marker agree (punctuation, spaces and width
  ignored); each built measure serves at most one gold measure, in document order;
- a gold target matches a built target of the same document with ``status == "target"`` when the
  value and unit agree (for a deadline: the date); each built target serves at most one gold row;
- alignment is scored on matched measures: accuracy and macro-F1 of the top-level category over
  the measures the aligner assigned, and the share it left ``unassigned``;
- ``mode`` (commitment, review, problem, rationale) is scored on matched measures whose gold
  row gives one: the share the build got right.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.table import Table

from compare.errors import CompareError
from compare.io import write_csv

#: Characters compared when matching a measure by its first words.
START_CHARS = 8
#: The category an aligner gives when it abstains.
UNASSIGNED = "unassigned"
GOLD_FILES = ("documents", "measures", "targets")
_NON_WORD = re.compile(r"[\W_]+")


def _key(text: object, n: int | None = START_CHARS) -> str:
    """Text reduced for matching: NFKC, no punctuation or spaces, first ``n`` characters."""
    if not isinstance(text, str):
        return ""
    out = _NON_WORD.sub("", unicodedata.normalize("NFKC", text))
    return out if n is None else out[:n]


def read_gold(gold_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The gold tables of a folder: ``documents.csv``, ``measures.csv``, ``targets.csv``."""
    gold_dir = Path(gold_dir)
    out: dict[str, pd.DataFrame] = {}
    for name in GOLD_FILES:
        path = gold_dir / f"{name}.csv"
        if not path.is_file():
            raise CompareError(f"gold table {name}.csv not found", gold_dir)
        try:
            out[name] = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise CompareError(f"unreadable gold table: {exc}", path) from None
    return out


def _start_of(row: pd.Series) -> str:
    """A built measure's text after its numbering marker."""
    text = str(row.get("text") or "")
    number = str(row.get("number") or "")
    if number and text.startswith(number):
        text = text[len(number) :]
    return text


def match_measures(gold: pd.DataFrame, built: pd.DataFrame) -> pd.DataFrame:
    """One row per gold measure and per unmatched built measure: ``outcome`` hit / miss / extra."""
    rows: list[dict] = []
    built_by_doc = {d: g for d, g in built.groupby("doc_id", sort=False)}
    for doc_id, g in gold.groupby("doc_id", sort=False):
        b = built_by_doc.get(doc_id, built.iloc[0:0])
        starts = [_key(_start_of(r)) for _, r in b.iterrows()]
        heads = [_key(h, None) for h in b.get("heading", pd.Series("", index=b.index))]
        used: set[int] = set()
        for _, gr in g.iterrows():
            gs, gh = _key(gr["start"]), _key(gr.get("heading", ""), None)
            hit = next(
                (
                    i
                    for i in range(len(b))
                    if i not in used
                    and ((gh and heads[i] == gh) or (gs and starts[i].startswith(gs)))
                ),
                None,
            )
            row = {"doc_id": doc_id, "gold_path": gr["path"], "gold_start": gr["start"]}
            if hit is None:
                rows.append({**row, "outcome": "miss", "measure_id": ""})
            else:
                used.add(hit)
                rows.append({**row, "outcome": "hit", "measure_id": b.iloc[hit]["measure_id"]})
        for i in range(len(b)):
            if i not in used:
                rows.append(
                    {
                        "doc_id": doc_id,
                        "gold_path": "",
                        "gold_start": "",
                        "outcome": "extra",
                        "measure_id": b.iloc[i]["measure_id"],
                    }
                )
    return pd.DataFrame(
        rows, columns=["doc_id", "outcome", "gold_path", "gold_start", "measure_id"]
    )


def _number(value: object) -> float | None:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else round(out, 6)


def target_key(row: pd.Series) -> tuple:
    """What must agree for two targets to be the same: the date of a deadline, else value + unit."""
    deadline = str(row.get("deadline") or "")
    if deadline and deadline != "nan":
        return ("deadline", deadline[:10])
    return (_number(row.get("value")), str(row.get("unit") or ""))


def match_targets(gold: pd.DataFrame, built: pd.DataFrame) -> pd.DataFrame:
    """One row per gold target and per unmatched built target: ``outcome`` hit / miss / extra."""
    gold = gold[gold["status"] == "target"]
    built = built[built["status"] == "target"]
    rows: list[dict] = []
    pool: dict[tuple, list[int]] = defaultdict(list)
    for i, r in built.iterrows():
        pool[(r["doc_id"], target_key(r))].append(i)
    for _, g in gold.iterrows():
        key = (g["doc_id"], target_key(g))
        row = {"doc_id": g["doc_id"], "quote": g["quote"], "key": str(key[1])}
        if pool.get(key):
            i = pool[key].pop(0)
            rows.append({**row, "outcome": "hit", "built_quote": built.at[i, "quote"]})
        else:
            rows.append({**row, "outcome": "miss", "built_quote": ""})
    for (doc_id, key), left in sorted(pool.items(), key=lambda kv: str(kv[0])):
        for i in left:
            rows.append(
                {
                    "doc_id": doc_id,
                    "quote": "",
                    "key": str(key),
                    "outcome": "extra",
                    "built_quote": built.at[i, "quote"],
                }
            )
    return pd.DataFrame(rows, columns=["doc_id", "outcome", "quote", "key", "built_quote"])


def _prf(outcomes: pd.Series) -> dict[str, float]:
    hit = int((outcomes == "hit").sum())
    miss = int((outcomes == "miss").sum())
    extra = int((outcomes == "extra").sum())
    precision = hit / (hit + extra) if hit + extra else float("nan")
    recall = hit / (hit + miss) if hit + miss else float("nan")
    return {"gold": hit + miss, "built": hit + extra, "precision": precision, "recall": recall}


def macro_f1(truth: list[str], pred: list[str]) -> float:
    """Macro-F1 over the classes present in ``truth``."""
    scores = []
    for c in sorted(set(truth)):
        tp = sum(t == c and p == c for t, p in zip(truth, pred, strict=True))
        fp = sum(t != c and p == c for t, p in zip(truth, pred, strict=True))
        fn = sum(t == c and p != c for t, p in zip(truth, pred, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores) if scores else float("nan")


def align_outcomes(
    gold: pd.DataFrame, matched: pd.DataFrame, alignments: pd.DataFrame
) -> pd.DataFrame:
    """Gold category beside the built one for every matched gold measure that has a category."""
    g = gold[gold["category_id"] != ""][["doc_id", "path", "category_id"]]
    hits = matched[matched["outcome"] == "hit"][["doc_id", "gold_path", "measure_id"]]
    m = hits.merge(g, left_on=["doc_id", "gold_path"], right_on=["doc_id", "path"])
    pred = alignments.drop_duplicates("measure_id")[["measure_id", "category_id"]]
    m = m.merge(pred.rename(columns={"category_id": "built"}), on="measure_id", how="left")
    m["built"] = m["built"].fillna(UNASSIGNED)
    return m.rename(columns={"category_id": "gold"})[["doc_id", "measure_id", "gold", "built"]]


def _align_scores(rows: pd.DataFrame) -> dict[str, float]:
    assigned = rows[rows["built"] != UNASSIGNED]
    n = len(rows)
    return {
        "labelled": n,
        "unassigned": (n - len(assigned)) / n if n else float("nan"),
        "accuracy": float((assigned["gold"] == assigned["built"]).mean())
        if len(assigned)
        else float("nan"),
        "macro_f1": macro_f1(list(assigned["gold"]), list(assigned["built"])),
    }


def mode_outcomes(gold: pd.DataFrame, matched: pd.DataFrame, built: pd.DataFrame) -> pd.DataFrame:
    """Gold ``mode`` beside the built one for every matched gold measure that has a mode."""
    cols = ["doc_id", "measure_id", "gold", "built"]
    if "mode" not in gold or "mode" not in built:
        return pd.DataFrame(columns=cols)
    g = gold[gold["mode"] != ""][["doc_id", "path", "start", "mode"]]
    g = g.drop_duplicates(["doc_id", "path", "start"])
    hits = matched[matched["outcome"] == "hit"]
    m = hits.merge(
        g, left_on=["doc_id", "gold_path", "gold_start"], right_on=["doc_id", "path", "start"]
    )
    pred = built.drop_duplicates("measure_id")[["measure_id", "mode"]]
    m = m.merge(pred.rename(columns={"mode": "built"}), on="measure_id", how="left")
    m["built"] = m["built"].fillna("")
    return m.rename(columns={"mode": "gold"})[cols]


def _mode_scores(rows: pd.DataFrame) -> dict[str, float]:
    n = len(rows)
    right = float((rows["gold"] == rows["built"]).mean()) if n else float("nan")
    return {"matched": n, "accuracy": right}


@dataclass
class Evaluation:
    """Scores of one build against one gold folder, with every miss kept for reading."""

    summary: pd.DataFrame
    measures: pd.DataFrame
    targets: pd.DataFrame
    alignment: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def overall(self, metric: str) -> float:
        """One figure of the ``all`` row, e.g. ``overall("measures_recall")``."""
        return float(self.summary.loc[self.summary["scope"] == "all", metric].iloc[0])


def evaluate_build(
    tables: dict[str, pd.DataFrame], gold: dict[str, pd.DataFrame], split: str | None = None
) -> Evaluation:
    """Score built tables against gold, for the documents of ``split`` (``None``: all)."""
    docs = gold["documents"]
    if split:
        docs = docs[docs["split"] == split]
    ids = set(docs["doc_id"])
    missing = ids - set(tables["documents"]["doc_id"])
    if missing:
        raise CompareError(f"the build lacks gold documents: {', '.join(sorted(missing))}")

    def only(df: pd.DataFrame) -> pd.DataFrame:
        return df[df["doc_id"].isin(ids)]

    gm, gt = only(gold["measures"]), only(gold["targets"])
    mm = match_measures(gm, only(tables["measures"]))
    tm = match_targets(gt, only(tables["targets"]))
    am = align_outcomes(gm, mm, only(tables["alignments"]))
    mo = mode_outcomes(gm, mm, only(tables["measures"]))
    kind = dict(zip(docs["doc_id"], docs["kind"], strict=True))
    scopes = [("all", ids)]
    scopes += [(f"kind:{k}", {d for d in ids if kind[d] == k}) for k in sorted(set(kind.values()))]
    scopes += [(f"doc:{d}", {d}) for d in sorted(ids)]
    rows = []
    for scope, members in scopes:
        m = _prf(mm.loc[mm["doc_id"].isin(members), "outcome"])
        t = _prf(tm.loc[tm["doc_id"].isin(members), "outcome"])
        a = _align_scores(am[am["doc_id"].isin(members)])
        mode = _mode_scores(mo[mo["doc_id"].isin(members)])
        rows.append(
            {
                "scope": scope,
                **{f"measures_{k}": v for k, v in m.items()},
                **{f"targets_{k}": v for k, v in t.items()},
                **{f"align_{k}": v for k, v in a.items()},
                **{f"mode_{k}": v for k, v in mode.items()},
            }
        )
    return Evaluation(pd.DataFrame(rows), mm, tm, am)


#: Columns of the printed summary: (summary column, header).
SUMMARY_COLUMNS = (
    ("measures_gold", "measures"),
    ("measures_precision", "P"),
    ("measures_recall", "R"),
    ("targets_gold", "targets"),
    ("targets_precision", "P"),
    ("targets_recall", "R"),
    ("align_labelled", "labelled"),
    ("align_accuracy", "accuracy"),
    ("align_macro_f1", "macro-F1"),
    ("align_unassigned", "unassigned"),
    ("mode_accuracy", "mode"),
)


def summary_table(scored: Evaluation, title: str = "") -> Table:
    """The overall and per-kind rows as a rich table (per-document rows are in the CSV)."""
    table = Table(title=title, title_justify="left")
    table.add_column("scope")
    for _, header in SUMMARY_COLUMNS:
        table.add_column(header, justify="right")
    rows = scored.summary[~scored.summary["scope"].str.startswith("doc:")]
    for _, row in rows.iterrows():
        cells = []
        for col, _ in SUMMARY_COLUMNS:
            value = row[col]
            if isinstance(value, float) and math.isnan(value):
                cells.append("–")
            elif col.endswith(("_gold", "_labelled")):
                cells.append(str(int(value)))
            else:
                cells.append(f"{value:.3f}")
        table.add_row(row["scope"], *cells)
    return table


def write_evaluation(scored: Evaluation, folder: str | Path) -> None:
    """The summary and every miss as CSV files in ``folder`` (each written atomically)."""
    folder = Path(folder)
    write_csv(scored.summary, folder / "summary.csv")
    write_csv(scored.measures[scored.measures["outcome"] != "hit"], folder / "measure_misses.csv")
    write_csv(scored.targets[scored.targets["outcome"] != "hit"], folder / "target_misses.csv")
    wrong = scored.alignment[scored.alignment["gold"] != scored.alignment["built"]]
    write_csv(wrong, folder / "alignment_misses.csv")


def gold_beside_built(
    gold_measures: pd.DataFrame, built: dict[str, pd.DataFrame], doc_ids: Any
) -> pd.DataFrame:
    """The reader's category beside the built alignment of every gold measure of ``doc_ids``
    found in the build: ``doc_id, measure_id, gold, built, guess, score, evidence, text``
    (``guess``: the best category even when ``built`` is ``unassigned``)."""
    ids = set(doc_ids)
    gm = gold_measures[gold_measures["doc_id"].isin(ids)]
    bm = built["measures"][built["measures"]["doc_id"].isin(ids)]
    matched = match_measures(gm, bm)
    out = align_outcomes(gm, matched, built["alignments"])
    a = built["alignments"].drop_duplicates("measure_id").set_index("measure_id")
    text = bm.drop_duplicates("measure_id").set_index("measure_id")["text"]
    out["score"] = out["measure_id"].map(a["score"])
    out["evidence"] = out["measure_id"].map(a["evidence"]).fillna("")
    first = a["secondary"].fillna("").str.split(";").str[0]
    out["guess"] = np.where(
        out["built"] == "unassigned", out["measure_id"].map(first), out["built"]
    )
    out["text"] = out["measure_id"].map(text).fillna("")
    return out.reset_index(drop=True)


def training_labels(gold: dict[str, pd.DataFrame], built: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """``data/labels/dev.csv``: the reader's category and topic of every gold measure of a
    ``dev`` document found in the build, with the built measure's id, the headings above it and
    its text (the learned aligner trains on them; a ``frozen`` document never appears). ``gold``: :func:`read_gold`;
    ``built``: the tables of a build of the development corpus."""
    docs = gold["documents"]
    dev = set(docs.loc[docs["split"] == "dev", "doc_id"])
    gm = gold["measures"][gold["measures"]["doc_id"].isin(dev)]
    labelled = gm[["category_id", "topic_id"]].fillna("").astype(str) != ""
    gm = gm[labelled.all(axis=1)]  # the labels loader needs both
    bm = built["measures"][built["measures"]["doc_id"].isin(dev)]
    matched = match_measures(gm, bm)
    hit = matched[matched["outcome"] == "hit"]
    where = zip(hit["doc_id"], hit["gold_path"], strict=True)
    hits = dict(zip(where, hit["measure_id"], strict=True))
    by_id = bm.drop_duplicates("measure_id").set_index("measure_id")
    paths = zip(gm["doc_id"], gm["path"], strict=True)
    out = gm.assign(measure_id=[hits.get(key, "") for key in paths])
    out = out[out["measure_id"] != ""].drop_duplicates("measure_id")
    return pd.DataFrame(
        {
            "doc_id": out["doc_id"].to_numpy(),
            "measure_id": out["measure_id"].to_numpy(),
            "heading": out["measure_id"].map(by_id["heading"]).fillna("").to_numpy(),
            "category_id": out["category_id"].to_numpy(),
            "topic_id": out["topic_id"].fillna("").to_numpy(),
            "note": "dev gold (data/dev/gold/measures.csv)",
            "parent_headings": out["measure_id"]
            .map(by_id["parent_headings"])
            .fillna("")
            .to_numpy(),
            "text": out["measure_id"].map(by_id["text"]).fillna("").to_numpy(),
        }
    )


def counterpart_precision(counterparts: pd.DataFrame, judged: pd.DataFrame) -> pd.DataFrame:
    """Precision@1 of the reported counterparts against a reader's judgements
    (``data/dev/gold/counterparts.csv``), per ``split`` and overall: of each measure's rank-1
    counterpart (its best-scoring ``status == "counterpart"`` row, ties to the smaller id), those
    a reader judged, and the share judged ``same``. Pairs below the threshold are never reported,
    so every figure is "above the threshold"."""
    found = counterparts[counterparts["status"] == "counterpart"]
    order = ["measure_id", "score", "other_measure_id"]
    rank1 = found.sort_values(order, ascending=[True, False, True]).drop_duplicates("measure_id")
    keys = ["measure_id", "other_measure_id"]
    pairs = judged.merge(rank1[keys], how="inner", on=keys).drop_duplicates(keys)
    rows = [("all", pairs), *((str(s), part) for s, part in pairs.groupby("split", sort=True))]
    return pd.DataFrame([_precision_row(name, part) for name, part in rows])


def _precision_row(split: str, pairs: pd.DataFrame) -> dict[str, Any]:
    same = pairs["judgement"] == "same"
    return {"split": split, "judged_rank1": len(pairs), "same": int(same.sum()),
            "precision_at_1": float(same.mean()) if len(pairs) else math.nan}  # fmt: skip
