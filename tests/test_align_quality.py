"""Issue 12: calibrated scores and abstention, training labels, the semantic aligner's cache,
counterparts above a judged threshold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from compare.build import BuildResult


@pytest.fixture(scope="module")
def seed(seed_build: tuple[BuildResult, Path]) -> BuildResult:
    return seed_build[0]


def test_training_labels_are_seeds_and_dev_gold_never_frozen() -> None:
    from compare.align import load_training
    from compare.config import DataFiles

    train = load_training()
    gold = DataFiles.resolve().root / "dev" / "gold" / "documents.csv"
    docs = pd.read_csv(gold, dtype=str)
    frozen = set(docs.loc[docs["split"] == "frozen", "doc_id"])
    dev = set(docs.loc[docs["split"] == "dev", "doc_id"])
    assert not set(train["doc_id"]) & frozen
    assert len(set(train["doc_id"]) & dev) >= 15
    assert len(train) >= 116 + 300 and (train["text"].str.len() > 0).all()


def test_calibrated_score_is_monotone_in_the_models_probability() -> None:
    from compare.align import fit_aligners

    fitted = fit_aligners()
    raw = np.linspace(0, 1, 101)
    score = fitted.calibration.score(raw)
    assert fitted.calibration.model is not None
    assert np.all(np.diff(score) >= 0) and score.min() >= 0 and score.max() <= 1
    assert fitted.calibration.threshold == 0.5


def test_seed_build_leaves_few_unassigned_and_names_the_best_guess(seed: BuildResult) -> None:
    a = seed.tables["alignments"]
    left = a[a["category_id"] == "unassigned"]
    assigned = a[a["category_id"] != "unassigned"]
    assert len(left) <= 0.10 * len(a)
    assert (left["topic_id"] == "unassigned").all() and (left["score"] < 0.5).all()
    assert (assigned["score"] >= 0.5).all() and not (assigned["topic_id"] == "unassigned").any()
    assert left["national2021"].isna().all()
    assert all(s.split(";")[0].startswith("C") for s in left["secondary"])
    assert (a["evidence"].str.len() > 0).mean() > 0.9


def test_embedding_cache_reads_what_it_wrote(tmp_path: Path) -> None:
    from compare.align import EmbeddingCache
    from compare.align.semantic import EMBEDDERS

    texts = ["加强行政复议工作。", "推进政务公开。", "加强行政复议工作。"]
    calls: list[list[str]] = []

    def embed(batch: list[str]) -> np.ndarray:
        calls.append(batch)
        return EMBEDDERS["e5"]()(batch)

    cache = EmbeddingCache(tmp_path, "e5")
    first = cache.get(texts, embed)
    assert first.shape == (3, 384) and np.array_equal(first[0], first[2])
    assert len(calls) == 1 and len(calls[0]) == 2  # a repeated text is embedded once
    again = cache.get(texts[:2], embed)
    assert len(calls) == 1 and np.array_equal(again, first[:2])
    assert len(list((tmp_path / "embeddings" / "e5").glob("*.npy"))) == 2


def test_counterparts_pass_the_threshold_or_say_none(seed: BuildResult) -> None:
    from compare.match import COUNTERPART_MIN

    c = seed.tables["counterparts"]
    docs = seed.tables["documents"]
    n_j = docs["jurisdiction"].nunique()
    assert set(c["status"]) <= {"counterpart", "none"}
    # one row per measure and other jurisdiction
    assert len(c) == len(seed.tables["measures"]) * (n_j - 1)
    hit = c[c["status"] == "counterpart"]
    assert (hit["score"] >= COUNTERPART_MIN).all() and (hit["why"].str.len() > 0).all()
    assert (hit["jurisdiction"] != hit["other_jurisdiction"]).all()
    none = c[c["status"] == "none"]
    assert (none["other_measure_id"] == "").all() and none["score"].isna().all()
    assert (c["category_id"] != "").all()
    assert (hit["other_category_id"] != "").all()


def test_best_counterpart_shares_its_words(seed: BuildResult) -> None:
    """The strongest counterpart's ``why`` names runs found in both texts."""
    from compare.match import match_text

    c = seed.tables["counterparts"]
    row = c.loc[c["score"].idxmax()]
    text = seed.tables["measures"].set_index("measure_id")["text"]
    terms = row["why"].split("; ")
    assert max(len(t) for t in terms) >= 4
    for t in terms:
        assert t in match_text(text[row["measure_id"]])
        assert t in match_text(text[row["other_measure_id"]])


def test_shared_terms_are_common_runs_longest_first() -> None:
    from compare.match import shared_terms

    why = shared_terms("健全行政调解机制，推进多元化解。", "建立健全行政调解机制。")
    assert why.split("; ")[0] == "健全行政调解机制"


def test_counterparts_of_an_empty_corpus() -> None:
    from compare.match import COUNTERPART_COLUMNS, counterparts

    empty = pd.DataFrame(columns=["doc_id", "measure_id", "text"])
    out = counterparts(empty, pd.DataFrame(columns=["doc_id", "jurisdiction"]), empty)
    assert list(out.columns) == COUNTERPART_COLUMNS and len(out) == 0


def test_reliability_diagram_draws_the_table() -> None:
    from compare.align import quality
    from compare.charts.quality import plot_reliability

    score = [0.05, 0.15, 0.55, 0.58, 0.95, 0.97, 0.99]
    right = [0, 0, 1, 0, 1, 1, 1]
    table = quality.reliability_table(score, right)
    assert table["n"].tolist() == [1, 1, 2, 3]
    assert table["accuracy"].tolist() == [0.0, 0.0, 0.5, 1.0]
    fig = plot_reliability(table, lang="en", data_date="2026-01-01")
    ax = fig.subfigs[0].axes[0]
    points = ax.collections[0].get_offsets()
    assert np.allclose(points[:, 0], table["mean_score"]) and np.allclose(
        points[:, 1], [0, 0, 0.5, 1]
    )
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "2", "3"]


def test_confusion_chart_writes_every_count() -> None:
    from compare.align import quality
    from compare.charts.quality import plot_confusion

    m = quality.confusion(["C01", "C01", "C02", "C02"], ["C01", "C02", "C02", "unassigned"],
                          ["C01", "C02"])  # fmt: skip
    assert m.columns.tolist() == ["C01", "C02", "unassigned"]
    assert m.to_numpy().tolist() == [[1, 1, 0], [0, 1, 1]]
    ax = plot_confusion(m, lang="zh", data_date="2026-01-01").subfigs[0].axes[0]
    drawn = {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts
    }
    assert drawn == {(0, 0): "1", (0, 1): "1", (1, 1): "1", (1, 2): "1"}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["C01", "C02", "unassigned"]


def test_methods_chart_draws_both_accuracies() -> None:
    from compare.charts.quality import plot_methods

    table = pd.DataFrame({"method": ["a", "b", "c"], "lodo_dev_acc": [0.7, 0.8, 0.6],
                          "frozen_acc": [0.65, 0.72, 0.5]})  # fmt: skip
    ax = plot_methods(table, lang="en", data_date="2026-01-01").subfigs[0].axes[0]
    bars = [p.get_width() for p in ax.patches]
    # sorted by LODO accuracy (ascending from the bottom): c, a, b; LODO bars, then frozen
    assert np.allclose(bars, [0.6, 0.7, 0.8, 0.5, 0.65, 0.72])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c", "a", "b"]


def test_lodo_holds_each_document_out_of_its_own_model() -> None:
    """A held-out document is predicted by a model fitted on every other document, and only
    the documents asked for are held out."""
    from sklearn.base import clone

    from compare import align
    from compare.align import quality

    labels = align.load_training()
    model = align.ALIGNERS[align.DEFAULT_ALIGNER](align.load_taxonomy(), None, None)
    lodo = quality.lodo_predictions(model, labels, documents=2)
    docs = sorted(labels["doc_id"].unique())
    assert sorted(lodo["doc_id"].unique()) == [docs[0], docs[-1]]
    one = labels[labels["doc_id"] == docs[0]]
    assert list(lodo.loc[lodo["doc_id"] == docs[0], "measure_id"]) == list(one["measure_id"])
    rest = labels[labels["doc_id"] != docs[0]]
    # fitted on the label table, as lodo_predictions reads it (headings above + text)
    alone = clone(model).fit(rest, rest["category_id"].to_numpy())
    expected = list(alone.predict(one))
    assert list(lodo.loc[lodo["doc_id"] == docs[0], "predicted"]) == expected
    assert lodo["score"].between(0, 1).all()
