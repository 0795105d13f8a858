"""compare.analysis on small tables built by hand (design.md schemas), checked against hand values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from compare import analysis as A
from compare.analysis.base import _year_of
from compare.errors import CompareError

DOCS = pd.DataFrame(
    {
        "doc_id": ["a-2012", "b-2021", "c-20xx", "sp-01"],
        "title": [
            "甲市关于法治政府建设的意见",
            "乙市法治政府建设实施方案（2021—2025年）",
            "某区方案",
            "讲话",
        ],
        "label": ["甲 2012", "乙 2021–2025", "某区 20xx", "讲话01（市）"],
        "label_en": ["A 2012", "B 2021–2025", "District 20xx", "Speech 01 (city)"],
        "jurisdiction": ["甲市", "乙市", "某区", None],
        "jurisdiction_en": ["A city", "B city", "a district", None],
        "level": ["city", "city", "district", "county"],
        "doc_type": ["意见", "实施方案", "实施方案", "讲话"],
        "year": [2012, 2021, None, 2019],
        "year_min": [2012, 2021, 2015, 2019],
        "year_max": [2012, 2021, 2019, 2019],
        "period": [None, "2021-2025", None, None],
        "n_chars": [1000, 3000, 500, 800],
        "n_measures": [4, 3, 2, 0],
    }
)

CATS = pd.DataFrame(
    {
        "id": ["enf", "dec", "sup"],
        "national2021": [5, 4, 8],
        "label_zh": ["健全行政执法工作体系", "健全行政决策制度体系", "健全行政权力制约和监督体系"],
        "label_en": ["Enforcement", "Decision-making", "Oversight"],
    }
)
TOPICS = pd.DataFrame(
    {
        "id": ["enf.a", "enf.b", "dec.a", "sup.a"],
        "category_id": ["enf", "enf", "dec", "sup"],
        "label_zh": ["执法改革", "三项制度", "重大决策", "监督"],
        "label_en": ["Reform", "Three systems", "Major decisions", "Oversight"],
    }
)


def _measures() -> pd.DataFrame:
    rows = [
        # doc, path, start, end
        ("a-2012", "1", 0, 100),
        ("a-2012", "2", 100, 150),
        ("a-2012", "3", 150, 300),
        ("a-2012", "4", 300, 400),  # left unaligned
        ("b-2021", "1", 0, 200),
        ("b-2021", "2", 200, 300),
        ("b-2021", "3", 300, 1000),
        ("c-20xx", "1", 0, 50),
        ("c-20xx", "2", 50, 100),
    ]
    return pd.DataFrame(
        {
            "doc_id": [r[0] for r in rows],
            "measure_id": [f"{r[0]}/{r[1]}" for r in rows],
            "seq": range(len(rows)),
            "path": [r[1] for r in rows],
            "number": [f"{r[1]}." for r in rows],
            "heading": [f"标题{r[1]}" for r in rows],
            "text": [f"{r[0]} 第{r[1]}项" for r in rows],
            "char_start": [r[2] for r in rows],
            "char_end": [r[3] for r in rows],
        }
    )


def _alignments() -> pd.DataFrame:
    rows = [
        ("a-2012/1", "enf", "enf.a", 0.9),
        ("a-2012/2", "enf", "enf.b", 0.8),
        ("a-2012/3", "dec", "dec.a", 0.7),
        ("a-2012/3", "sup", "sup.a", 0.2),  # weaker duplicate: ignored
        ("a-2012/4", "", "", 0.0),  # unaligned
        ("b-2021/1", "enf", "enf.a", 0.9),
        ("b-2021/2", "sup", "sup.a", 0.9),
        ("b-2021/3", "sup", "sup.a", 0.9),
        ("c-20xx/1", "dec", "dec.a", 0.5),
        ("c-20xx/2", "enf", "enf.b", 0.5),
    ]
    return pd.DataFrame(
        {
            "doc_id": [r[0].split("/")[0] for r in rows],
            "measure_id": [r[0] for r in rows],
            "category_id": [r[1] for r in rows],
            "national2021": 0,
            "topic_id": [r[2] for r in rows],
            "score": [r[3] for r in rows],
            "evidence": "",
            "method": "lexicon",
            "secondary": "",
        }
    )


def _share(cov: pd.DataFrame, doc: str, key: str, col: str = "category_id") -> float:
    return float(cov.loc[(cov["doc_id"] == doc) & (cov[col] == key), "share"].iloc[0])


# ----------------------------------------------------------------------------- coverage
def test_coverage_by_measures_hand_values():
    cov = A.coverage(_alignments(), _measures(), DOCS, taxonomy=CATS)
    assert list(cov.columns) == ["doc_id", "category_id", "n", "total", "share"]
    assert len(cov) == 4 * 4  # every document × every category and unassigned, zeros included
    # a-2012: 4 measures, 2 enf, 1 dec (its weaker 'sup' duplicate ignored), 1 unaligned
    assert _share(cov, "a-2012", "enf") == pytest.approx(2 / 4)
    assert _share(cov, "a-2012", "dec") == pytest.approx(1 / 4)
    assert _share(cov, "a-2012", "sup") == 0
    assert _share(cov, "a-2012", "unassigned") == pytest.approx(1 / 4)
    assert list(cov["category_id"].iloc[:4]) == ["enf", "dec", "sup", "unassigned"]
    shares = cov[cov["total"] > 0].groupby("doc_id")["share"].sum()
    assert np.allclose(shares, 1.0)  # nothing lost: the unassigned row holds the rest
    without = A.coverage(_alignments(), _measures(), DOCS, taxonomy=CATS, unassigned=False)
    assert len(without) == 4 * 3 and "unassigned" not in set(without["category_id"])
    assert _share(cov, "b-2021", "sup") == pytest.approx(2 / 3)
    # a document without measures: n 0, share NaN (not 0: nothing to share)
    sp = cov[cov["doc_id"] == "sp-01"]
    assert (sp["n"] == 0).all() and sp["share"].isna().all()
    assert list(pd.unique(cov["doc_id"])) == list(DOCS["doc_id"])
    assert list(cov["category_id"].iloc[:3]) == ["enf", "dec", "sup"]


def test_coverage_by_chars_hand_values():
    cov = A.coverage(_alignments(), _measures(), DOCS, weight="chars", taxonomy=CATS)
    # a-2012 total 400 chars: enf = 100 + 50, dec = 150
    assert _share(cov, "a-2012", "enf") == pytest.approx(150 / 400)
    assert _share(cov, "a-2012", "dec") == pytest.approx(150 / 400)
    # b-2021 total 1000: sup = 100 + 700
    assert _share(cov, "b-2021", "sup") == pytest.approx(0.8)
    assert (
        int(cov.loc[(cov["doc_id"] == "b-2021") & (cov["category_id"] == "sup"), "n"].iloc[0])
        == 800
    )


def test_coverage_topic_level_carries_category():
    cov = A.coverage(_alignments(), _measures(), DOCS, level="topic", taxonomy=TOPICS)
    assert list(cov.columns) == ["doc_id", "category_id", "topic_id", "n", "total", "share"]
    row = cov[(cov["doc_id"] == "a-2012") & (cov["topic_id"] == "enf.b")].iloc[0]
    assert row["category_id"] == "enf" and row["n"] == 1 and row["share"] == pytest.approx(0.25)


def test_coverage_without_taxonomy_uses_seen_ids_and_rejects_bad_args():
    cov = A.coverage(_alignments(), _measures(), DOCS)
    assert list(pd.unique(cov["category_id"])) == ["dec", "enf", "sup", "unassigned"]
    with pytest.raises(CompareError):
        A.coverage(_alignments(), _measures(), DOCS, level="section")
    with pytest.raises(CompareError):
        A.coverage(_alignments(), _measures(), DOCS, weight="words")


def test_coverage_matrix_is_wide_in_order():
    cov = A.coverage(_alignments(), _measures(), DOCS, taxonomy=CATS)
    m = A.coverage_matrix(cov)
    assert list(m.index) == list(DOCS["doc_id"])
    assert list(m.columns) == ["enf", "dec", "sup", "unassigned"]
    assert m.loc["a-2012", "enf"] == pytest.approx(0.5)
    assert A.coverage_matrix(cov, value="n").loc["b-2021", "sup"] == 2


def test_unassigned_counts_the_aligners_abstentions_and_missing_rows():
    al = _alignments()
    al.loc[al["measure_id"] == "b-2021/2", ["category_id", "topic_id"]] = "unassigned"
    al = al[al["measure_id"] != "c-20xx/1"]  # no alignment row at all
    cov = A.coverage(al, _measures(), DOCS, level="topic", taxonomy=TOPICS)
    un = cov[cov["topic_id"] == "unassigned"].set_index("doc_id")
    assert un.loc["b-2021", "n"] == 1 and un.loc["c-20xx", "n"] == 1 and un.loc["a-2012", "n"] == 1
    assert (un["category_id"] == "unassigned").all()
    assert A.top_topics(cov, n=2)[-1] == "unassigned"
    assert "unassigned" not in set(A.distinctive_topics(cov)["topic_id"])
    cats = A.coverage(al, _measures(), DOCS, taxonomy=CATS)
    assert "unassigned" not in A.top_categories(cats, n=10)
    assert A.document_totals(cats).to_dict() == {"a-2012": 4, "b-2021": 3, "c-20xx": 2, "sp-01": 0}


def test_top_topics_keeps_taxonomy_order():
    cov = A.coverage(_alignments(), _measures(), DOCS, level="topic", taxonomy=TOPICS)
    # enf.a 2, enf.b 2, dec.a 2, sup.a 2 measures; unassigned 1 (a-2012/4)
    assert A.top_topics(cov, n=4) == ["enf.a", "enf.b", "dec.a", "sup.a", "unassigned"]
    assert len(A.top_topics(cov, n=2)) == 3


def test_topic_breakdown_share_in_category():
    cov = A.coverage(_alignments(), _measures(), DOCS, level="topic", taxonomy=TOPICS)
    br = A.topic_breakdown(cov, "enf")
    assert set(br["topic_id"]) == {"enf.a", "enf.b"}
    a = br[br["doc_id"] == "a-2012"].set_index("topic_id")
    assert a.loc["enf.a", "share_in_category"] == pytest.approx(0.5)
    assert a.loc["enf.a", "n_category"] == 2
    assert br[br["doc_id"] == "sp-01"]["share_in_category"].isna().all()
    with pytest.raises(CompareError):
        A.topic_breakdown(cov, "nope")


def test_distinctive_topics_hand_values():
    cov = A.coverage(_alignments(), _measures(), DOCS, level="topic", taxonomy=TOPICS)
    d = A.distinctive_topics(cov, docs=["a-2012", "b-2021", "c-20xx"])
    a = d[d["doc_id"] == "a-2012"].set_index("topic_id")
    # enf.a: a 1/4, b 1/3, c 0 -> others mean 1/6; share - others = 1/4 - 1/6 = 1/12
    assert a.loc["enf.a", "distinctiveness"] == pytest.approx(1 / 12)
    assert a.loc["enf.a", "n_others"] == 1 and not a.loc["enf.a", "exclusive"]
    # sup.a only in b: exclusive, listed first for b
    b = d[d["doc_id"] == "b-2021"]
    assert b.iloc[0]["topic_id"] == "sup.a" and bool(b.iloc[0]["exclusive"])
    assert b.iloc[0]["rank"] == 1
    # enf.b in a (1/4) and c (1/2): for c, 1/2 - (1/4 + 0)/2 = 3/8
    c = d[d["doc_id"] == "c-20xx"].set_index("topic_id")
    assert c.loc["enf.b", "distinctiveness"] == pytest.approx(3 / 8)
    assert (d["distinctiveness"] > 0).all()


def test_category_shift_with_midpoint():
    cov = A.coverage(_alignments(), _measures(), DOCS, taxonomy=CATS)
    s = A.category_shift(cov, "a-2012", "b-2021", doc_mid="c-20xx")
    assert list(s["category_id"]) == ["sup", "enf", "dec", "unassigned"]  # by delta, descending
    sup = s.set_index("category_id").loc["sup"]
    assert sup["share_a"] == 0 and sup["share_b"] == pytest.approx(2 / 3)
    assert sup["delta"] == pytest.approx(2 / 3)
    enf = s.set_index("category_id").loc["enf"]
    assert enf["delta"] == pytest.approx(1 / 3 - 1 / 2)
    assert enf["share_mid"] == pytest.approx(1 / 2)
    assert (s["doc_mid"] == "c-20xx").all()
    no_mid = A.category_shift(cov, "a-2012", "b-2021")
    assert no_mid["share_mid"].isna().all()
    with pytest.raises(CompareError):
        A.category_shift(cov, "a-2012", "zzz")


def test_topic_presence_change():
    cov = A.coverage(_alignments(), _measures(), DOCS, level="topic", taxonomy=TOPICS)
    ch = A.topic_presence_change(cov, "a-2012", "b-2021")
    got = dict(zip(ch["topic_id"], ch["status"], strict=True))
    assert got == {"sup.a": "new", "enf.b": "dropped", "dec.a": "dropped"}
    kept = A.topic_presence_change(cov, "a-2012", "b-2021", include_kept=True)
    assert kept.set_index("topic_id").loc["enf.a", "status"] == "kept"
    assert list(kept["status"]) == ["new", "dropped", "dropped", "kept"]


# ----------------------------------------------------------------------------- keyness
def test_keyness_g2_matches_a_hand_computed_2x2_table():
    # target: term x 10 times in 100 tokens; reference: x 5 times in 200 tokens.
    target = [["x"] * 10 + ["y"] * 90]
    ref = [["x"] * 5, ["y"] * 195]
    kt = A.keyness(target, ref, min_count=3)
    assert list(kt.columns) == ["term", "count_target", "count_ref", "log_ratio", "g2", "p_value"]
    x = kt.set_index("term").loc["x"]
    # observed 10, 5, 90, 195; expected = row total * column total / 300 = 5, 10, 95, 190
    by_hand = 2 * (
        10 * math.log(10 / 5)
        + 5 * math.log(5 / 10)
        + 90 * math.log(90 / 95)
        + 195 * math.log(195 / 190)
    )
    assert by_hand == pytest.approx(7.32981, abs=1e-5)
    assert x["g2"] == pytest.approx(by_hand)
    assert x["p_value"] == pytest.approx(math.erfc(math.sqrt(by_hand / 2)))  # χ²(1) tail
    assert x["log_ratio"] == pytest.approx(2.0)  # (10/100) / (5/200) = 4
    assert (x["count_target"], x["count_ref"]) == (10, 5)
    # the complementary term is under-used in the target: same |G2|, negative sign
    assert kt.set_index("term").loc["y", "g2"] == pytest.approx(-by_hand)
    assert list(kt["term"]) == ["x", "y"]


def test_keyness_zero_count_min_count_and_williams():
    target = [["数字政府"] * 4 + ["法治"] * 6, ["罕见"]]
    ref = [["依法行政"] * 3 + ["法治"] * 7]
    kt = A.keyness(target, ref, min_count=3).set_index("term")
    assert "罕见" not in kt.index  # total count 1 < 3
    n1, n2 = 11, 10
    assert kt.loc["数字政府", "log_ratio"] == pytest.approx(math.log2((4 / n1) / (0.5 / n2)))
    assert kt.loc["依法行政", "g2"] < 0
    plain = kt.loc["数字政府", "g2"]
    w = A.keyness(target, ref, min_count=3, correction="williams").set_index("term")
    n = n1 + n2
    q = 1 + (n / 4 + n / 17 - 1) * (n / n1 + n / n2 - 1) / (6 * n)
    assert w.loc["数字政府", "g2"] == pytest.approx(plain / q)
    with pytest.raises(CompareError):
        A.keyness([["a"]], [], min_count=1)


# ----------------------------------------------------------------------------- matches
def test_aligned_pairs_uses_both_directions_one_to_one():
    m = _measures()
    matches = pd.DataFrame(
        {
            "measure_id": ["a-2012/1", "a-2012/1", "a-2012/2", "b-2021/3", "a-2012/3"],
            "other_measure_id": ["b-2021/1", "b-2021/2", "b-2021/1", "a-2012/3", "c-20xx/1"],
            "score": [0.9, 0.5, 0.8, 0.7, 0.99],
            "rank": [1, 2, 1, 1, 1],
        }
    )
    p = A.aligned_pairs(matches, m, "a-2012", "b-2021")
    assert list(zip(p["measure_id_a"], p["measure_id_b"], strict=True)) == [
        ("a-2012/1", "b-2021/1"),
        ("a-2012/3", "b-2021/3"),  # from a b→a row, turned round
    ]  # a-2012/2 wanted b-2021/1, already taken; c-20xx is another document
    assert p.iloc[0]["text_a"] == "a-2012 第1项" and p.iloc[0]["text_b"] == "b-2021 第1项"
    loose = A.aligned_pairs(matches, m, "a-2012", "b-2021", one_to_one=False)
    assert set(loose["measure_id_a"]) == {"a-2012/1", "a-2012/2", "a-2012/3"}
    assert len(A.aligned_pairs(matches, m, "a-2012", "b-2021", min_score=0.85)) == 1


# ----------------------------------------------------------------------------- targets
def _targets() -> pd.DataFrame:
    rows = [
        # doc, value, value_max, unit, deadline, indicator, status
        ("a-2012", 80.0, None, "%", "2015年底前", "review", "target"),
        ("a-2012", 90.0, 95.0, "%", "2015", "review", "target"),
        ("b-2021", 100.0, None, "%", "2025-12-31", "review", "target"),
        ("b-2021", 40.0, None, "学时", pd.Timestamp("2023-06-30"), "training", "target"),
        ("b-2021", 7.0, None, "%", 2024, "review", "achievement"),
        ("c-20xx", 3.0, None, "次", 2019, "", "target"),  # no indicator
    ]
    return pd.DataFrame(
        {
            "doc_id": [r[0] for r in rows],
            "measure_id": [f"{r[0]}/1" for r in rows],
            "quote": "q",
            "char_start": 0,
            "char_end": 1,
            "value": [r[1] for r in rows],
            "value_max": [r[2] for r in rows],
            "comparator": [">=", "between", "=", ">=", ">=", ">="],
            "unit": [r[3] for r in rows],
            "per": None,
            "deadline": [r[4] for r in rows],
            "kind": "target",
            "subject": "",
            "actor": "",
            "indicator": [r[5] for r in rows],
            "status": [r[6] for r in rows],
        }
    )


INDICATORS = pd.DataFrame(
    {
        "id": ["training", "review"],
        "label_zh": ["培训学时", "合法性审查率"],
        "label_en": ["Training hours", "Legality review rate"],
        "unit": ["学时", "%"],
    }
)


def test_target_ranges_by_jurisdiction():
    tr = A.target_ranges(_targets(), DOCS, INDICATORS)
    assert list(tr["indicator"]) == ["training", "review", "review"]  # indicators' order
    a = tr[(tr["indicator"] == "review") & (tr["jurisdiction"] == "甲市")].iloc[0]
    assert (a["n"], a["low"], a["high"], a["median"]) == (2, 80.0, 95.0, 85.0)
    assert a["label"] == "甲市" and a["label_en_doc"] == "A city" and a["unit"] == "%"
    assert a["comparators"] == ">=;between"
    b = tr[(tr["indicator"] == "review") & (tr["jurisdiction"] == "乙市")].iloc[0]
    assert b["n"] == 1  # the achievement (7 %) is no target: left out
    every = A.target_ranges(_targets(), DOCS, INDICATORS, statuses=None)
    assert every[every["jurisdiction"] == "乙市"]["n"].sum() == 3


def test_target_ranges_by_document_labels():
    tr = A.target_ranges(_targets(), DOCS, INDICATORS, by="doc_id")
    assert "doc_id" in tr.columns
    assert set(tr["label"]) == {"甲 2012", "乙 2021–2025"}


def test_deadline_timeline_parses_years():
    dl = A.deadline_timeline(_targets(), DOCS)
    got = {(r.doc_id, r.deadline_year): r.n_targets for r in dl.itertuples()}
    assert got == {
        ("a-2012", 2015): 2,
        ("b-2021", 2023): 1,
        ("b-2021", 2025): 1,
        ("c-20xx", 2019): 1,
    }
    a = dl[dl["doc_id"] == "a-2012"].iloc[0]
    assert a["lead_years"] == 3 and a["label"] == "甲 2012" and a["indicators"] == "review"
    assert pd.isna(dl[dl["doc_id"] == "c-20xx"].iloc[0]["lead_years"])
    assert list(dl["doc_id"]) == ["a-2012", "b-2021", "b-2021", "c-20xx"]


# ----------------------------------------------------------------------------- corpus
def test_corpus_overview_sorts_and_parses_period():
    ov = A.corpus_overview(DOCS)
    assert list(ov["doc_id"]) == ["a-2012", "c-20xx", "sp-01", "b-2021"]  # 20xx sorts by year_min
    b = ov.set_index("doc_id").loc["b-2021"]
    assert (b["period_start"], b["period_end"]) == (2021, 2025)
    assert pd.isna(ov.set_index("doc_id").loc["c-20xx", "year"])


def test_corpus_counts():
    cc = A.corpus_counts(DOCS)
    assert list(cc["level"]) == ["city", "city", "county", "district"]
    row = cc[(cc["level"] == "city") & (cc["doc_type"] == "实施方案")].iloc[0]
    assert (row["n_docs"], row["n_chars"], row["n_measures"]) == (1, 3000, 3)
    assert cc["n_docs"].sum() == len(DOCS)


def test_cleaning_summary():
    log = pd.DataFrame(
        {
            "doc_id": ["a-2012", "a-2012", "a-2012", "b-2021", "b-2021"],
            "char_start": [0, 0, 5, 0, 9],
            "char_end": [0, 0, 9, 1, 9],
            "source_start": [0, 10, 30, 0, 50],
            "source_end": [10, 14, 34, 1, 60],
            "original": ["首页 > 新闻中心", "打印本页", "法治政府", "後", "扫一扫在手机打开当前页"],
            "replacement": ["", "", "法治政府", "后", ""],
            "action": ["remove", "remove", "flag", "replace", "remove"],
            "reason": ["nav", "nav", "ocr?", "t2s", "qr"],
        }
    )
    cs = A.cleaning_summary(log).set_index(["doc_id", "reason"])
    assert cs.loc[("a-2012", "nav"), "n_removed"] == 2
    assert cs.loc[("a-2012", "nav"), "chars_removed"] == len("首页 > 新闻中心") + 4
    assert cs.loc[("a-2012", "ocr?"), "chars_flagged"] == 4
    assert cs.loc[("b-2021", "t2s"), "chars_replaced"] == 1
    assert cs.loc[("b-2021", "qr"), "chars_removed"] == 11
    assert int(cs["chars_removed"].sum()) == 9 + 4 + 11


def test_year_of_variants():
    assert _year_of("2025年底前") == 2025
    assert _year_of("2023-12-31") == 2023
    assert _year_of(pd.Timestamp("2024-01-01")) == 2024
    assert _year_of(2022) == 2022
    assert np.isnan(_year_of(None)) and np.isnan(_year_of("年底前")) and np.isnan(_year_of(12))


def test_taxonomy_tables_with_native_id_columns():
    """compare.taxonomy names its ids category_id / topic_id / indicator_id: accepted as well."""
    cats = CATS.rename(columns={"id": "category_id"})
    topics = TOPICS.rename(columns={"id": "topic_id"})
    inds = INDICATORS.rename(columns={"id": "indicator_id"}).assign(topic_id="enf.a")
    a = A.coverage(_alignments(), _measures(), DOCS, taxonomy=CATS)
    b = A.coverage(_alignments(), _measures(), DOCS, taxonomy=cats)
    pd.testing.assert_frame_equal(a, b)
    t = A.coverage(_alignments(), _measures(), DOCS, level="topic", taxonomy=topics)
    assert list(t["topic_id"].iloc[:4]) == ["enf.a", "enf.b", "dec.a", "sup.a"]
    assert list(t["category_id"].iloc[:4]) == ["enf", "enf", "dec", "sup"]
    tr = A.target_ranges(_targets(), DOCS, inds)
    assert list(tr["indicator"]) == ["training", "review", "review"]
    assert tr["label_en"].iloc[0] == "Training hours"
