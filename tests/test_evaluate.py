"""compare.evaluate: matching rules on hand-written frames, and the gold files' own consistency."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from compare.config import DataFiles
from compare.evaluate import (
    evaluate_build,
    macro_f1,
    match_measures,
    match_targets,
    read_gold,
    training_labels,
)

ROOT = Path(__file__).resolve().parents[1]


def _built_measures() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["d1", "d1", "d1"],
            "measure_id": ["d1/第二条", "d1/第三条", "d1/第四条"],
            "number": ["第二条", "第三条", "第四条"],
            "heading": ["", "", ""],
            "text": [
                "第二条　市人民政府应当加强领导。",
                "第三条 区人民政府应当建立制度。",
                "第四条　本条例自2020年1月1日起施行。",
            ],
        }
    )


def test_measures_match_by_first_characters_ignoring_spaces_and_width() -> None:
    gold = pd.DataFrame(
        {
            "doc_id": ["d1", "d1"],
            "path": ["第二条", "第五条"],
            "heading": ["", ""],
            "start": ["市人民政府应当加强领导。", "县人民政府应当"],
        }
    )
    out = match_measures(gold, _built_measures())
    assert out["outcome"].tolist() == ["hit", "miss", "extra", "extra"]
    assert out.loc[0, "measure_id"] == "d1/第二条"


def test_measures_match_by_heading_and_each_built_measure_serves_once() -> None:
    built = pd.DataFrame(
        {
            "doc_id": ["d"],
            "measure_id": ["d/（一）"],
            "number": ["（一）"],
            "heading": ["加强行政执法"],
            "text": ["（一）加强行政执法。要严格执法。"],
        }
    )
    gold = pd.DataFrame(
        {
            "doc_id": ["d", "d"],
            "path": ["（一）", "（二）"],
            "heading": ["加强行政执法", "加强行政执法"],
            "start": ["加强行政执法。要严格", "加强行政执法。要严格"],
        }
    )
    assert match_measures(gold, built)["outcome"].tolist() == ["hit", "miss"]


def test_targets_need_value_unit_and_target_status() -> None:
    gold = pd.DataFrame(
        {
            "doc_id": ["d", "d", "d"],
            "quote": ["二十个工作日内", "2023年年底前", "增长8%"],
            "value": ["20", "", "8"],
            "unit": ["工作日", "", "%"],
            "deadline": ["", "2023-12-31", ""],
            "status": ["target", "target", "achievement"],
        }
    )
    built = pd.DataFrame(
        {
            "doc_id": ["d", "d", "d", "d"],
            "quote": ["20个工作日内", "2023年年底前", "增长8%", "20天"],
            "value": [20.0, None, 8.0, 20.0],
            "unit": ["工作日", None, "%", "天"],
            "deadline": [None, "2023-12-31", None, None],
            "status": ["target", "target", "achievement", "target"],
        }
    )
    out = match_targets(gold, built)
    assert out["outcome"].tolist() == ["hit", "hit", "extra"]
    assert out.loc[2, "built_quote"] == "20天"


def test_macro_f1_by_hand() -> None:
    # class a: tp 1, fp 1, fn 1 -> 0.5; class b: tp 1, fp 1, fn 1 -> 0.5
    assert macro_f1(["a", "a", "b", "b"], ["a", "b", "a", "b"]) == pytest.approx(0.5)
    assert macro_f1(["a", "b"], ["a", "b"]) == 1.0


def test_evaluate_build_scores_a_small_build() -> None:
    built = _built_measures()
    tables = {
        "documents": pd.DataFrame({"doc_id": ["d1"]}),
        "measures": built,
        "targets": pd.DataFrame(columns=["doc_id", "quote", "value", "unit", "status"]),
        "alignments": pd.DataFrame(
            {
                "doc_id": "d1",
                "measure_id": built["measure_id"],
                "category_id": ["C10_leadership", "C05_enforcement", "C01_overall"],
            }
        ),
    }
    gold = {
        "documents": pd.DataFrame({"doc_id": ["d1"], "kind": ["regulation"], "split": ["dev"]}),
        "measures": pd.DataFrame(
            {
                "doc_id": ["d1", "d1"],
                "path": ["第二条", "第三条"],
                "heading": ["", ""],
                "start": ["市人民政府应当加强", "区人民政府应当建立"],
                "category_id": ["C10_leadership", "C03_rules"],
            }
        ),
        "targets": pd.DataFrame(columns=["doc_id", "quote", "value", "unit", "status"]),
    }
    ev = evaluate_build(tables, gold)
    assert ev.overall("measures_recall") == 1.0
    assert ev.overall("measures_precision") == pytest.approx(2 / 3)
    assert ev.overall("align_accuracy") == 0.5


def test_gold_files_are_consistent() -> None:
    gold = read_gold(DataFiles.resolve().path("dev", "gold"))
    docs = gold["documents"]
    assert set(docs["split"]) == {"dev", "frozen"}
    assert set(docs["kind"]) >= {"plan", "regulation", "report"}
    frozen = docs[docs["split"] == "frozen"]
    assert set(frozen["kind"]) == set(docs["kind"]), "the frozen third covers every kind"
    assert 0.25 <= len(frozen) / len(docs) <= 0.4
    measures = gold["measures"]
    assert set(measures["doc_id"]) <= set(docs["doc_id"])
    assert (measures["category_id"] != "").sum() >= 300
    assert set(measures["mode"]) <= {"commitment", "review", "problem", "rationale"}
    assert set(gold["targets"]["status"]) <= {"target", "achievement", "baseline"}


#: README rows of the held-out table: label -> (summary column, higher is better).
README_FIGURES = {
    "measures precision": ("measures_precision", True),
    "measures recall": ("measures_recall", True),
    "targets precision": ("targets_precision", True),
    "targets recall": ("targets_recall", True),
    "alignment agreement on assigned measures": ("align_accuracy", True),
    "alignment share unassigned": ("align_unassigned", False),
    "measure `mode` right (matched measures)": ("mode_accuracy", True),
}


def readme_frozen_figures() -> dict[str, float]:
    """The figures the README's held-out table states, by label."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- frozen-figures -->")[1]
    out = {}
    for label in README_FIGURES:
        match = re.search(rf"^\| {re.escape(label)} \| \*\*([0-9.]+)\*\*", block, re.M)
        assert match, f"README's held-out table lacks the row {label!r}"
        out[label] = float(match.group(1))
    return out


@pytest.fixture(scope="module")
def dev_tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """The tables of a build of the development corpus."""
    from compare.build import build

    out = tmp_path_factory.mktemp("dev") / "build"
    return build(DataFiles.resolve().path("dev", "corpus.yml"), out, jobs=2).tables


def test_training_labels_are_the_dev_gold_of_the_built_measures(
    dev_tables: dict[str, pd.DataFrame],
) -> None:
    """data/labels/dev.csv is what training_labels makes of the gold and a build: every dev
    document's labelled measures (with the built text), no frozen document."""
    data = DataFiles.resolve()
    gold = read_gold(data.path("dev", "gold"))
    made = training_labels(gold, dev_tables)
    stored = pd.read_csv(data.path("labels", "dev.csv"), dtype=str, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(made.astype(str), stored.fillna("").astype(str))
    frozen = set(gold["documents"].query("split == 'frozen'")["doc_id"])
    assert not set(stored["doc_id"]) & frozen
    dev = set(gold["documents"].query("split == 'dev'")["doc_id"])
    assert set(stored["doc_id"]) == dev & set(gold["measures"]["doc_id"])


def test_frozen_figures_hold_what_the_readme_says(dev_tables: dict[str, pd.DataFrame]) -> None:
    """Build the development corpus and score the frozen split: no figure below the README's."""
    data = DataFiles.resolve()
    scored = evaluate_build(dev_tables, read_gold(data.path("dev", "gold")), "frozen")
    stated = readme_frozen_figures()
    for label, (column, higher_is_better) in README_FIGURES.items():
        measured = scored.overall(column)
        if higher_is_better:
            assert measured >= stated[label] - 0.005, (label, measured, stated[label])
        else:
            assert measured <= stated[label] + 0.005, (label, measured, stated[label])


def test_counterparts_above_the_threshold_hold_their_judged_precision(
    dev_tables: dict[str, pd.DataFrame],
) -> None:
    """The README's counterpart precision@1: of the rank-1 counterparts a reader judged (blind to
    the score), the share judged ``same``, on the dev pairs the threshold was chosen on and on the
    frozen pairs (judged only to report)."""
    from compare.evaluate import counterpart_precision

    judged = pd.read_csv(DataFiles.resolve().path("dev", "gold", "counterparts.csv"), dtype=str)
    scored = counterpart_precision(dev_tables["counterparts"], judged).set_index("split")
    assert scored.loc["frozen", "judged_rank1"] >= 90
    assert scored.loc["frozen", "precision_at_1"] >= 0.91  # README: 0.917 on 96
    assert scored.loc["dev", "precision_at_1"] >= 0.85  # the bar the threshold was chosen for


def test_mode_is_scored_on_matched_measures() -> None:
    from compare.evaluate import mode_outcomes

    gold = pd.DataFrame(
        {"doc_id": ["d"] * 3, "path": ["一", "一", "二"], "start": ["甲", "乙", "丙"],
         "mode": ["review", "commitment", ""]}
    )  # fmt: skip
    matched = pd.DataFrame(
        {"doc_id": ["d"] * 3, "outcome": ["hit", "hit", "hit"], "gold_path": ["一", "一", "二"],
         "gold_start": ["甲", "乙", "丙"], "measure_id": ["d/一", "d/一~2", "d/二"]}
    )  # fmt: skip
    built = pd.DataFrame(
        {"measure_id": ["d/一", "d/一~2", "d/二"], "mode": ["review", "review", "review"]}
    )
    out = mode_outcomes(gold, matched, built)
    assert list(zip(out.gold, out.built, strict=True)) == [
        ("review", "review"),
        ("commitment", "review"),
    ]
