"""Tests of compare.match on the real seed texts (expected values found by reading them)."""

from __future__ import annotations

import re
import tracemalloc
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from compare.errors import CompareError
from compare.match import find_reuse, match_measures, match_text, tfidf_matrix

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
YIXING, CAOXIAN, DISTRICT, NANJING, SPEECHES = "000", "001", "002", "003", "004"
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)")
# a measure starts at a marker after a sentence break: 19、 / 24. / （二十四）
_MARKER = re.compile(r"(?:(?<=[\s。：:；])|^)(\d+[、.．]|[（(][一二三四五六七八九十]+[)）])")


@lru_cache(maxsize=1)
def seed_texts() -> dict[str, str]:
    """The five seed texts, simplified, Yixing's pinyin annotations dropped (test fixture only:
    this keeps the tests independent of clean.py)."""
    import opencc

    conv = opencc.OpenCC("t2s")
    return {
        f.name[:3]: _PINYIN.sub("", conv.convert(f.read_text(encoding="utf-8")))
        for f in sorted(RAW.glob("*.txt"))
    }


@lru_cache(maxsize=1)
def seed_measures() -> pd.DataFrame:
    """Every numbered item of the seeds, split at its marker (a simple stand-in for segment)."""
    rows = []
    for doc, text in seed_texts().items():
        marks = list(_MARKER.finditer(text))
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            rows.append(
                {
                    "doc_id": doc,
                    "measure_id": f"{doc}/{i:03d}",
                    "number": m.group(1),
                    "text": text[m.start() : end].strip(),
                }
            )
    return pd.DataFrame(rows)


def measure_id(doc: str, start: str) -> str:
    """The id of the one measure of ``doc`` whose text starts with ``start``."""
    m = seed_measures()
    hit = m[(m.doc_id == doc) & m.text.str.startswith(start)]
    assert len(hit) == 1, (doc, start, hit)
    return hit.measure_id.iloc[0]


# the 行政复议 measures, as printed in the three documents
YX_REVIEW = (YIXING, "19、加强行政复议和行政应诉工作")
CX_REVIEW = (CAOXIAN, "24.加强行政复议工作")
NJ_REVIEW = (NANJING, "(二十四)深化行政复议体制改革")


def test_match_text_strips_marker_and_unit_note() -> None:
    text = "24.加强行政复议工作。完善审理机制。(牵头部门:县法制办,责任部门:县编办)"
    assert match_text(text, "24.") == "加强行政复议工作 完善审理机制"
    assert match_text("（二十四）深化行政复议体制改革。") == "深化行政复议体制改革"
    assert match_text("第三条 为了规范") == "为了规范"


def test_review_measures_find_each_other() -> None:
    m = seed_measures()
    yx, cx, nj = (measure_id(*x) for x in (YX_REVIEW, CX_REVIEW, NJ_REVIEW))
    top = match_measures(m, k=5, per_document=1).groupby("measure_id").other_measure_id
    top = top.apply(list)
    # Caoxian's 行政复议 measure: Yixing's is its closest measure in any other document
    assert top[cx][0] == yx
    # Nanjing's: both others are among its best five (other documents, one each)
    assert {yx, cx} <= set(top[nj])
    # Yixing's mixes 复议 with 应诉, so each other document's 应诉 measure competes:
    # with two per document, both 复议 counterparts are there
    top2 = match_measures(m, k=10, per_document=2).groupby("measure_id").other_measure_id
    assert {cx, nj} <= set(top2.apply(list)[yx])


def test_review_measures_find_each_other_in_pipeline_measures() -> None:
    """The same on the project's own read -> clean -> segment output."""
    from compare.structure import measures as measures_mod
    from compare.structure import segment
    from compare.text import clean, read

    frames = []
    for path in sorted(RAW.glob("*.txt")):
        text = clean.clean_text(read.read_source(path).text).text
        frames.append(
            measures_mod.extract_measures(segment.segment_text(text, path.name[:3]), text)
        )
    m = pd.concat(frames, ignore_index=True)
    ids = [
        m[(m.doc_id == doc) & m.text.str.contains(title)].measure_id.iloc[0]
        for doc, title in [
            (YIXING, "加强行政复议和行政应诉工作"),
            (CAOXIAN, "加强行政复议工作。"),
            (NANJING, "深化行政复议体制改革"),
        ]
    ]
    top = match_measures(m, k=10, per_document=2).groupby("measure_id").other_measure_id
    top = top.apply(list)
    for mid in ids:
        assert set(ids) - {mid} <= set(top[mid]), mid


def test_matches_table_invariants() -> None:
    m = seed_measures()
    out = match_measures(m, k=3, per_document=1, min_score=0.1)
    assert list(out.columns) == ["measure_id", "other_measure_id", "score", "rank", "other_doc_id"]
    doc_of = dict(zip(m.measure_id, m.doc_id, strict=True))
    assert (out.measure_id.map(doc_of) != out.other_measure_id.map(doc_of)).all()
    assert (out.other_measure_id.map(doc_of) == out.other_doc_id).all()
    assert (out.score >= 0.1).all() and (out.score <= 1.0).all()
    for _, g in out.groupby("measure_id"):
        assert list(g["rank"]) == list(range(1, len(g) + 1))
        assert g.score.is_monotonic_decreasing
        assert g.other_doc_id.is_unique  # per_document=1
        assert len(g) <= 3


def brute_force(m: pd.DataFrame, k: int, per_document: int, min_score: float) -> set:
    """Dense all-pairs reference (fine for the 200 seed measures only)."""
    x = tfidf_matrix([match_text(t, n) for t, n in zip(m.text, m.number, strict=True)])
    sim = (x @ x.T).toarray()
    ids, docs = m.measure_id.to_numpy(), m.doc_id.to_numpy()
    out = set()
    for i in range(len(m)):
        cand = [
            (-round(float(sim[i, j]), 5), ids[j], docs[j])
            for j in range(len(m))
            if docs[j] != docs[i] and sim[i, j] >= min_score
        ]
        cand.sort()
        seen: dict[str, int] = {}
        kept = []
        for _score, other, d in cand:
            if seen.get(d, 0) < per_document:
                seen[d] = seen.get(d, 0) + 1
                kept.append((ids[i], other))
        out |= set(kept[:k])
    return out


@pytest.mark.parametrize("per_document", [1, 2])
def test_exact_on_seeds_equals_dense_reference(per_document: int) -> None:
    m = seed_measures()
    got = match_measures(m, k=4, per_document=per_document, min_score=0.08, max_df=None)
    assert set(zip(got.measure_id, got.other_measure_id, strict=True)) == brute_force(
        m, 4, per_document, 0.08
    )


def test_pruned_search_gives_exact_scores_and_same_top1() -> None:
    m = seed_measures()
    exact = match_measures(m, max_df=None)
    pruned = match_measures(m, max_df=20, chunk_size=7)  # n-grams in > 20 measures left out
    x = tfidf_matrix([match_text(t, n) for t, n in zip(m.text, m.number, strict=True)])
    pos = {mid: i for i, mid in enumerate(m.measure_id)}
    dense = np.array(
        [
            x[pos[a]].multiply(x[pos[b]]).sum()
            for a, b in zip(pruned.measure_id, pruned.other_measure_id, strict=True)
        ]
    )
    assert np.allclose(pruned.score, dense, atol=1e-5)
    e1 = exact[exact["rank"] == 1].set_index("measure_id").other_measure_id
    p1 = pruned[pruned["rank"] == 1].set_index("measure_id").other_measure_id
    # a harsh cap for 300 measures (10 %): most best matches survive all the same
    assert (p1.reindex(e1.index) == e1).mean() > 0.8


def test_top_n_product_keeps_each_rows_best_entries_in_other_documents() -> None:
    from compare.match.topk import chunk_top_pairs

    m = seed_measures()
    x = tfidf_matrix([match_text(t, n) for t, n in zip(m.text, m.number, strict=True)])
    doc = pd.factorize(m.doc_id)[0].astype(np.int64)
    start, keep = 40, 5
    largest = int(np.bincount(doc).max())
    rows, cols, vals = chunk_top_pairs(
        x[start : start + 60], x.T.tocsr(), start, doc, keep, largest
    )
    assert (doc[rows] != doc[cols]).all()
    dense = (x[start : start + 60] @ x.T).toarray()
    for i, row in enumerate(dense):
        row[doc == doc[start + i]] = 0.0
        best = np.sort(row[row > 0])[::-1][:keep]
        got = np.sort(vals[rows == start + i])[::-1][:keep]
        assert np.allclose(got, best, atol=1e-5), start + i
        assert np.allclose(vals[rows == start + i], row[cols[rows == start + i]], atol=1e-5)


def test_tfidf_parts_equal_the_whole_matrix_split_in_one_or_two_processes() -> None:
    from compare.match.counterparts import tfidf_split

    texts = [f"{i % 7}{t}" for i in range(6) for t in seed_measures().text]  # > 250k chars
    assert sum(map(len, texts)) > 250_000  # two blocks at least
    x = tfidf_matrix(texts)
    df = np.bincount(x.indices, minlength=x.shape[1])
    want = (x[:, np.flatnonzero((df >= 2) & (df <= 40))], x[:, np.flatnonzero(df > 40)])
    for jobs in (1, 2):
        got = tfidf_split(texts, 40, jobs=jobs)
        for g, w in zip(got, want, strict=True):
            assert g.shape == w.shape and (g != w).nnz == 0
            assert np.array_equal(g.indptr, w.indptr) and np.array_equal(g.indices, w.indices)


def test_deterministic_and_independent_of_row_order() -> None:
    m = seed_measures()
    a = match_measures(m, chunk_size=50)
    b = match_measures(m.sample(frac=1, random_state=3), chunk_size=13)
    key = ["measure_id", "rank"]
    pd.testing.assert_frame_equal(
        a.sort_values(key, ignore_index=True), b.sort_values(key, ignore_index=True)
    )


@pytest.mark.parametrize("max_df", [None, 20])
def test_chunks_shared_among_processes_give_the_same_table(max_df: int | None) -> None:
    """``jobs=2`` hands the chunks to two forked processes: byte for byte the table of one
    process and of one chunk (exact and pruned search alike)."""
    m = seed_measures()
    one = match_measures(m, max_df=max_df)
    serial = match_measures(m, max_df=max_df, chunk_size=40)
    shared = match_measures(m, max_df=max_df, chunk_size=40, jobs=2)
    assert len(one) > 250  # pairs from every chunk of 40
    pd.testing.assert_frame_equal(shared, serial)
    pd.testing.assert_frame_equal(shared, one)


def test_ties_broken_by_id() -> None:
    m = pd.DataFrame(
        {
            "doc_id": ["a", "b", "b", "c"],
            "measure_id": ["a/1", "b/2", "b/1", "c/1"],
            "text": ["加强行政复议工作"] * 4,
        }
    )
    out = match_measures(m, k=5)
    assert out[out.measure_id == "a/1"].other_measure_id.tolist() == ["b/1", "c/1"]
    assert out[out.measure_id == "b/2"].other_measure_id.tolist() == ["a/1", "c/1"]


def test_bad_input() -> None:
    with pytest.raises(CompareError):
        match_measures(pd.DataFrame({"measure_id": ["x"], "text": ["y"]}))
    with pytest.raises(CompareError):
        match_measures(
            pd.DataFrame({"doc_id": ["a", "a"], "measure_id": ["x", "x"], "text": ["", ""]})
        )
    assert match_measures(seed_measures().head(0)).empty


@pytest.mark.parametrize("columns", [["doc_id", "measure_id", "text"], None])
def test_vocabulary_is_read_once_not_per_measure(
    columns: list[str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading data/segmentation.yml once per row made 2,000 measures take a minute."""
    import compare.structure.config as structure_config

    calls = []
    real = structure_config.parse_yaml
    monkeypatch.setattr(
        structure_config, "parse_yaml", lambda *a, **k: calls.append(a) or real(*a, **k)
    )
    m = seed_measures() if columns is None else seed_measures()[columns]
    assert len(match_measures(m)) > 0
    assert len(calls) <= 1


def test_matching_reads_the_unit_notes_of_the_config_it_is_given() -> None:
    """A data folder that names another note label (here 经办科室): matching with that folder's
    rules leaves the note out of the compared words, the default rules keep it."""
    import dataclasses

    from compare.structure.config import load_config

    body = "加强行政复议工作，完善案件审理机制，提高办案质量。"
    m = pd.DataFrame({
        "doc_id": ["a", "b"], "measure_id": ["a/1", "b/1"],
        "text": [f"1.{body}（经办科室：法制科、复议科、应诉科）", f"1.{body}（经办科室：督查室）"],
    })  # fmt: skip
    default = load_config()
    assert "经办科室" not in default.other_labels
    ours = dataclasses.replace(default, other_labels=(*default.other_labels, "经办科室"))
    assert match_measures(m, config=ours)["score"].min() == pytest.approx(1.0)
    assert match_measures(m)["score"].max() < 0.95


def test_scales_with_bounded_memory() -> None:
    """20k synthetic measures (seed clauses, resampled): the peak stays far below a dense n x n."""
    rng = np.random.default_rng(0)
    clauses = [
        c for c in re.split(r"[。；，,;\s]+", "".join(seed_texts().values())) if 6 <= len(c) <= 30
    ]
    n = 20_000
    texts = ["，".join(clauses[j] for j in rng.integers(0, len(clauses), 2)) for _ in range(n)]
    m = pd.DataFrame(
        {
            "doc_id": [f"d{i // 40:04d}" for i in range(n)],
            "measure_id": [f"d{i // 40:04d}/{i % 40}" for i in range(n)],
            "text": texts,
        }
    )
    tracemalloc.start()
    out = match_measures(m, k=3)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    dense = n * n * 4  # one float32 all-pairs matrix: 1.6 GB
    assert peak < dense / 8, peak
    assert len(out) > n  # most measures found counterparts
    assert (out.measure_id.str[:5] != out.other_measure_id.str[:5]).all()


# ------------------------------------------------------------------------------------------
# reuse
# ------------------------------------------------------------------------------------------

STOCK = "有件必备、有备必审、有错必纠"


def content(s: str) -> str:
    return re.sub(r"[\W_]+", "", s)


@lru_cache(maxsize=1)
def seed_reuse() -> pd.DataFrame:
    return find_reuse(seed_texts())


def test_reuse_finds_stock_phrase_with_offsets() -> None:
    texts = seed_texts()
    # by reading: only Yixing (规范性文件备案审查) and Caoxian (measure 9) print it
    assert [d for d, t in texts.items() if STOCK in t] == [YIXING, CAOXIAN]
    reuse = seed_reuse()
    rows = reuse[reuse.text.str.contains(STOCK)]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row.doc_id, row.other_doc_id) == (YIXING, CAOXIAN)
    # both read "做到有件必备、有备必审、有错必纠。" then go different ways
    assert row.text == "做到" + STOCK
    a = texts[YIXING][row.char_start : row.char_start + row.length]
    b = texts[CAOXIAN][row.other_char_start : row.other_char_start + row.other_length]
    assert a == b == row.text
    assert texts[YIXING].index(STOCK) == row.char_start + 2
    assert texts[CAOXIAN].index(STOCK) == row.other_char_start + 2


def test_reuse_does_not_depend_on_how_the_work_is_split() -> None:
    from compare.match.reuse import Content, _seed_pairs

    texts = [t for _, t in sorted(seed_texts().items())]
    whole = Content.of(texts)
    blocks = Content.of(texts, block_chars=5_000)  # several texts per block, and one per block
    for a, b in zip(
        (whole.codes, whole.offsets, whole.starts),
        (blocks.codes, blocks.offsets, blocks.starts),
        strict=True,
    ):
        assert np.array_equal(a, b)
    assert whole.codes.size > 0.8 * sum(map(len, texts)) and whole.starts[-1] == whole.codes.size
    one = set(zip(*(c.tolist() for c in _seed_pairs(whole, 10, None)), strict=True))
    many = _seed_pairs(whole, 10, None, pass_shingles=2_000)  # 2**6 passes
    assert len(one) > 1000 and set(zip(*(c.tolist() for c in many), strict=True)) == one
    shared = _seed_pairs(whole, 10, None, pass_shingles=2_000, jobs=2)  # the passes forked
    assert all(np.array_equal(a, b) for a, b in zip(many, shared, strict=True))


def test_reuse_finds_each_location() -> None:
    """Caoxian's 法定职责必须为，法无授权不可为 is in two speeches of the collection in the same
    order (and once reversed, which is not the same passage)."""
    reuse = seed_reuse()
    rows = reuse[
        (reuse.doc_id == CAOXIAN)
        & (reuse.other_doc_id == SPEECHES)
        & reuse.text.str.contains("法定职责必须为")
        & reuse.text.str.contains("法无授权不可为")
    ]
    speeches = seed_texts()[SPEECHES]
    expected = [m.start() for m in re.finditer("法定职责必须为.法无授权不可为", speeches)]
    assert len(expected) == 2
    assert sorted(rows.other_char_start) == expected


def test_reuse_rows_are_true_maximal_and_once_per_pair() -> None:
    texts = seed_texts()
    reuse = seed_reuse()
    assert list(reuse.columns) == [
        "doc_id",
        "char_start",
        "other_doc_id",
        "other_char_start",
        "length",
        "text",
        "other_length",
    ]
    assert (reuse.doc_id < reuse.other_doc_id).all()
    assert not reuse.duplicated(["doc_id", "char_start", "other_doc_id", "other_char_start"]).any()
    for r in reuse.itertuples():
        a, b = texts[r.doc_id], texts[r.other_doc_id]
        mine = a[r.char_start : r.char_start + r.length]
        theirs = b[r.other_char_start : r.other_char_start + r.other_length]
        assert mine == r.text
        assert content(mine) == content(theirs) and len(content(mine)) >= 10
        # maximal: the next content characters before (and after) differ
        before_a, before_b = content(a[: r.char_start])[-1:], content(b[: r.other_char_start])[-1:]
        after_a = content(a[r.char_start + r.length :])[:1]
        after_b = content(b[r.other_char_start + r.other_length :])[:1]
        assert before_a != before_b or not before_a
        assert after_a != after_b or not after_a


def test_reuse_ignores_punctuation_and_reports_both_spans() -> None:
    texts = {
        "b": "要做到 有件必备，有备必审，有错必纠！",
        "a": "做到有件必备、有备必审、有错必纠。",
    }
    out = find_reuse(texts)
    assert len(out) == 1
    r = out.iloc[0]
    assert (r.doc_id, r.char_start, r.length, r.text) == ("a", 0, 16, "做到" + STOCK)
    assert (r.other_doc_id, r.other_char_start, r.other_length) == ("b", 1, 17)
    assert find_reuse(texts, min_length=17).empty  # 16 content characters


def test_reuse_skips_same_document_and_short_passages() -> None:
    texts = {"a": "谁执法谁普法。谁执法谁普法。", "b": "落实谁执法谁普法责任制"}
    assert find_reuse(texts).empty  # 6 characters < 10
    out = find_reuse(texts, min_length=6)
    assert sorted(out.char_start) == [0, 7] and set(out.other_char_start) == {2}
    assert (out.doc_id == "a").all()
    pd.testing.assert_frame_equal(find_reuse(texts, min_length=6, max_docs=2), out)
    assert find_reuse(texts, min_length=6, max_docs=1).empty  # in 2 documents > 1: no seed
