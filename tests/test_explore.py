"""compare.explore: look-ups on small tables and the explorer widget."""

from __future__ import annotations

import pandas as pd
import pytest

from compare import analysis, explore
from compare.errors import CompareError


def test_topic_view_lists_every_documents_measures_with_targets(small_tables) -> None:
    tables, _ = small_tables
    view = analysis.topic_view(tables, "T_major_decision")
    assert list(view.columns) == analysis.TOPIC_VIEW_COLUMNS
    assert view["doc_id"].tolist() == ["yixing-2012", "caoxian-2016", "nanjing-2021"]
    assert view["n_targets"].tolist() == [1, 1, 1]
    assert view.loc[0, "targets"] == "达到100%"
    assert view.loc[0, "label"] == "宜兴 2012"


def test_topic_view_uses_the_primary_alignment_only(small_tables) -> None:
    tables, _ = small_tables
    extra = tables["alignments"].iloc[[1]].assign(topic_id="T_major_decision", score=0.1)
    tables["alignments"] = pd.concat([tables["alignments"], extra], ignore_index=True)
    view = analysis.topic_view(tables, "T_major_decision")
    assert "yixing-2012/二" not in set(view["measure_id"])


def test_topic_view_of_an_unused_topic_is_empty(small_tables) -> None:
    tables, _ = small_tables
    view = analysis.topic_view(tables, "T_nothing")
    assert view.empty
    assert list(view.columns) == analysis.TOPIC_VIEW_COLUMNS


def test_measure_counterparts_reads_both_directions_once(small_tables) -> None:
    tables, _ = small_tables
    # only the reverse direction for one pair, and a duplicate pair with a lower score
    m = tables["matches"]
    m = m[~((m["measure_id"] == "yixing-2012/三") & (m["other_measure_id"] == "nanjing-2021/三"))]
    tables["matches"] = m
    cp = analysis.measure_counterparts(tables, "yixing-2012/三")
    assert cp["other_measure_id"].tolist() == ["nanjing-2021/三"]
    assert cp.loc[0, "other_label"] == "南京 2021–2025"
    assert cp.loc[0, "topic_id"] == "T_first_responsible"
    cp = analysis.measure_counterparts(tables, "yixing-2012/一")
    assert sorted(cp["other_doc_id"]) == ["caoxian-2016", "nanjing-2021"]
    assert cp["other_measure_id"].is_unique


def test_measure_counterparts_unknown_measure(small_tables) -> None:
    tables, _ = small_tables
    with pytest.raises(CompareError):
        analysis.measure_counterparts(tables, "nowhere/1")


def test_shared_passages_are_oriented_from_the_measure(small_tables) -> None:
    tables, texts = small_tables
    sp = analysis.shared_passages(tables, "nanjing-2021/一")  # nanjing is always other_doc_id
    assert sorted(sp["other_doc_id"]) == ["caoxian-2016", "yixing-2012"]
    for r in sp.to_dict("records"):
        assert texts[r["doc_id"]][r["char_start"] : r["char_start"] + r["length"]] == r["text"]
        assert r["other_measure_id"] == f"{r['other_doc_id']}/一"
    assert analysis.shared_passages(tables, "nanjing-2021/二").empty


def test_pick_documents_falls_back_to_earliest_and_latest(small_tables) -> None:
    tables, _ = small_tables
    docs = tables["documents"]
    a, b, mid, notes = analysis.pick_documents(docs, "yixing-2012", "nanjing-2021", "caoxian-2016")
    assert (a, b, mid, notes) == ("yixing-2012", "nanjing-2021", "caoxian-2016", [])
    a, b, mid, notes = analysis.pick_documents(docs, "x", "y", "z")
    assert (a, b, mid) == ("yixing-2012", "nanjing-2021", "district-20xx")
    assert len(notes) == 3 and "'x'" in notes[0]
    two = docs[docs["doc_id"].isin(["yixing-2012", "nanjing-2021"])]
    assert analysis.pick_documents(two, "x", "y", "z")[2] is None


def test_document_order_by_year_unknown_last() -> None:
    docs = pd.DataFrame(
        {"doc_id": ["a", "b", "c"], "year": [pd.NA, 2020, pd.NA], "year_min": [pd.NA, 2020, 2010]}
    )
    assert analysis.document_order(docs) == ["c", "b", "a"]


def test_build_explorer_updates_on_selection(small_tables) -> None:
    tables, texts = small_tables
    box = explore.build_explorer(tables, texts)
    _header, topic, topic_out, measure, match_out, reuse_out = box.children
    topic.value = "T_major_decision"
    assert "南京 2021–2025" in topic_out.value and "<span class='t'>" in topic_out.value
    measure.value = "yixing-2012/一"
    assert "曹县 2016–2020" in match_out.value
    assert "严格执行重大行政决策程序" in reuse_out.value
    topic.value = "T_digital_gov"
    assert measure.value == "nanjing-2021/二"
    assert "No passage" in reuse_out.value


def test_most_shared_topic(small_tables) -> None:
    tables, _ = small_tables
    assert analysis.most_shared_topic(tables) == "T_major_decision"
    tables["alignments"] = tables["alignments"].iloc[0:0]
    assert analysis.most_shared_topic(tables) is None


def test_target_matrix_and_pairs_html(small_tables) -> None:
    from compare.analysis import side_by_side

    tables, _ = small_tables
    side = side_by_side(tables["targets"], tables["documents"])
    matrix = analysis.target_matrix(side, tables["documents"])
    assert list(matrix.columns) == ["宜兴市", "曹县", "南京市"]
    assert matrix.loc["legality_review_rate", "南京市"].startswith("100")
    pairs = pd.DataFrame(
        {"measure_id_a": ["yixing-2012/一"], "measure_id_b": ["nanjing-2021/一"], "score": [0.8],
         "text_a": ["到2015年达到100%"], "text_b": ["到2025年达到100%"]}
    )  # fmt: skip
    out = explore.pairs_html(pairs, tables["targets"], "A", "B")
    assert "<del" in out and "<ins" in out and "达到100%" in out


def test_example_measure_has_the_most_connections(small_tables) -> None:
    tables, _ = small_tables
    assert analysis.example_measure(tables, "T_major_decision") == "yixing-2012/一"
    assert analysis.example_measure(tables, "T_nothing") is None


def test_label_ids_names_categories_topics_and_indicators(small_tables) -> None:
    from compare.align.taxonomy import load_taxonomy

    tables, _ = small_tables
    taxonomy = load_taxonomy()
    named = analysis.label_ids(
        tables["alignments"].assign(indicator="litigation_loss_rate"), taxonomy
    )
    cols = list(named.columns)
    assert cols[cols.index("topic_id") + 1] == "topic"
    assert named.loc[0, "category"] == "行政决策制度体系"
    assert named.loc[0, "indicator_label"] == "行政诉讼败诉率"
    en = analysis.label_ids(tables["alignments"].assign(topic_id="T_unknown"), taxonomy, "en")
    assert en.loc[0, "topic"] == "T_unknown"
    assert en.loc[0, "category"] == "Administrative decision-making"


def test_comparison_documents_default_to_the_earliest_and_latest_plan(small_tables) -> None:
    tables, _ = small_tables
    docs = tables["documents"].copy()
    docs["structure"] = ["plan", "plan", "plan", "report"]  # nanjing-2021 is not a plan here
    a, b, mid, notes = analysis.comparison_documents(docs)
    assert (a, b, mid) == ("yixing-2012", "district-20xx", "caoxian-2016")
    assert "earliest and the latest of the plans" in notes[0]
    given = analysis.comparison_documents(docs, "caoxian-2016", "nanjing-2021")
    assert given == ("caoxian-2016", "nanjing-2021", None, [])


def test_the_manifest_names_the_comparison(tmp_path) -> None:
    from compare.manifest import manifest_comparison

    path = tmp_path / "corpus.yml"
    path.write_text("compare: {earlier: a, later: b}\ndocuments: []\n", encoding="utf-8")
    assert manifest_comparison(path) == {"earlier": "a", "later": "b"}
    path.write_text("compare: {first: a}\ndocuments: []\n", encoding="utf-8")
    with pytest.raises(CompareError, match="compare: takes earlier, later, midpoint"):
        manifest_comparison(path)
    path.write_text("documents: []\n", encoding="utf-8")
    assert manifest_comparison(path) == {}
    assert manifest_comparison(tmp_path / "none.yml") == {}
