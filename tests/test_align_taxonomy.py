"""The taxonomy file loads, covers the national chapters, and bad files fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from compare.align.taxonomy import load_taxonomy
from compare.errors import CompareError

GOOD = """
categories:
  - {id: A, national2021: 1, label_zh: 甲, label_en: A}
  - {id: B, national2021: 2, label_zh: 乙, label_en: B}
topics:
  - {id: TA, category: A, label_zh: 甲一, label_en: A1, terms: [行政复议: 3, 复议]}
  - {id: TB, category: B, label_zh: 乙一, label_en: B1, terms: {信访: 2}}
indicators:
  - {id: I1, label_zh: 指标, label_en: I, unit: 人, topic: TA, terms: [承办]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taxonomy.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_taxonomy_has_the_ten_chapters_and_c11() -> None:
    tax = load_taxonomy()
    cats = tax.categories
    assert len(cats) == 11
    assert cats["national2021"].dropna().tolist() == list(range(1, 11))
    assert tax.category_ids[-1] == "C11_other"
    assert cats.loc[cats["national2021"].isna(), "category_id"].tolist() == ["C11_other"]
    assert cats["label_zh"].str.len().min() > 0 and cats["label_en"].str.len().min() > 0
    # the 2015 纲要 counterpart is given where one exists
    assert (
        cats.set_index("category_id").loc["C07_disputes", "national2015"]
        == "依法有效化解社会矛盾纠纷"
    )


def test_every_topic_has_a_known_parent_and_seed_terms() -> None:
    tax = load_taxonomy()
    assert 30 <= len(tax.topics) <= 50
    assert set(tax.topics["category_id"]) == set(tax.category_ids)
    for row in tax.topics.itertuples():
        assert row.category_id in tax.category_ids
        assert row.terms and len(row.terms) == len(row.weights)
        assert row.definition
    assert tax.parent("T_reconsideration") == "C07_disputes"
    assert tax.national2021("C07_disputes") == 7
    assert tax.national2021("C11_other") is None


def test_indicators_have_terms_units_and_known_topics() -> None:
    tax = load_taxonomy()
    ind = tax.indicators.set_index("indicator_id")
    for key in (
        "enforcement_training_hours",
        "reconsideration_case_handlers",
        "litigation_loss_rate",
        "leadership_law_lectures",
        "leadership_collective_study",
        "normative_doc_cleanup_cycle",
        "normative_doc_validity",
        "legal_review_staff_ratio",
        "public_lawyer_coverage",
    ):
        assert key in ind.index
        assert ind.loc[key, "terms"] and ind.loc[key, "unit"]
        assert ind.loc[key, "topic_id"] in tax.topic_ids


def test_an_edited_taxonomy_is_read_again(tmp_path: Path) -> None:
    import os

    path = write(tmp_path, GOOD)
    assert load_taxonomy(path).category_ids == ["A", "B"]
    path.write_text(
        path.read_text(encoding="utf-8").replace("label_zh: 乙,", "label_zh: 丙,"), "utf-8"
    )
    os.utime(path, ns=(10**18, 10**18))
    assert load_taxonomy(path).categories["label_zh"].tolist() == ["甲", "丙"]


def test_small_file_parses_weights(tmp_path: Path) -> None:
    tax = load_taxonomy(write(tmp_path, GOOD))
    assert tax.category_ids == ["A", "B"]
    assert tax.seed_terms() == {"行政复议": 3.0, "复议": 1.0, "信访": 2.0}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{id: B, national2021: 2", "{id: A, national2021: 2", "duplicate category id 'A'"),
        ("{id: TB, category: B", "{id: TA, category: B", "duplicate topic id 'TA'"),
        ("{id: TB, category: B", "{id: TB, category: Z", "topic 'TB': unknown parent category 'Z'"),
        ("label_zh: 乙, ", "", "category 'B': missing label_zh"),
        ("label_zh: 乙一, ", "", "topic 'TB': missing label_zh"),
        ("topic: TA, terms", "topic: TX, terms", "indicator 'I1': unknown topic 'TX'"),
        ("terms: [承办]", "terms: []", "indicator 'I1': missing terms"),
        ("terms: {信访: 2}", "terms: {信访: many}", "topic 'TB': term '信访' has a non-numeric"),
    ],
)
def test_bad_taxonomy_names_the_entry_and_file(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(CompareError) as err:
        load_taxonomy(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_category_without_topic_is_an_error(tmp_path: Path) -> None:
    text = GOOD.replace(
        "  - {id: TB, category: B, label_zh: 乙一, label_en: B1, terms: {信访: 2}}\n", ""
    )
    with pytest.raises(CompareError, match="category 'B' has no topic"):
        load_taxonomy(write(tmp_path, text))


def test_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(CompareError, match="not found"):
        load_taxonomy(tmp_path / "nope.yml")
    with pytest.raises(CompareError, match=r"taxonomy\.yml:2:1: taxonomy file is not valid YAML"):
        load_taxonomy(write(tmp_path, "categories: [\n"))
    with pytest.raises(CompareError, match="'categories' must be a non-empty list"):
        load_taxonomy(write(tmp_path, "topics: []\n"))
