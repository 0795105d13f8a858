"""Both aligners follow the scikit-learn contract, get clear cases right, and reach the target."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score

from compare import align
from compare.align import (
    ALIGNMENT_COLUMNS,
    UNASSIGNED_BELOW,
    LearnedAligner,
    LexiconAligner,
    align_measures,
    evaluate,
    load_labels,
    load_overrides,
)
from compare.config import DataFiles
from compare.errors import CompareError
from compare.manifest import load_manifest
from compare.structure import measures as measures_mod
from compare.structure import segment
from compare.text import clean, read

#: Real sentences in the style of the national 纲要, one per unmistakable topic.
CLEAR = {
    "T_reconsideration": "（二十二）发挥行政复议化解行政争议主渠道作用。全面深化行政复议体制改革，"
    "整合地方行政复议职责，按照事编匹配、优化节约、按需调剂的原则，合理调配编制资源。",
    "T_emergency": "（十七）完善突发事件应对制度。修改突发事件应对法，系统梳理和修改应急管理相关法律法规，"
    "健全突发事件监测预警、信息报告、应急响应、恢复重建、调查评估等机制。",
    "T_open_gov": "（二十七）全面主动落实政务公开。坚持以公开为常态、不公开为例外，"
    "用提升政务公开质量推进决策、执行、管理、服务和结果公开。",
    "T_legal_counsel": "积极推行法律顾问制度和公职律师制度，充分发挥法律顾问、公职律师在重大行政决策中的作用。",
}
CLEAR_CATEGORY = {
    "T_reconsideration": "C07_disputes",
    "T_emergency": "C06_emergency",
    "T_open_gov": "C08_oversight",
    "T_legal_counsel": "C04_decisions",
}


@pytest.fixture(scope="module")
def measures() -> pd.DataFrame:
    """Measures of the labelled plans, through the real read -> clean -> segment chain."""
    labelled = set(load_labels()["doc_id"])
    manifest = load_manifest(DataFiles.resolve().path("corpus.yml"))
    frames = []
    for row in manifest[manifest["doc_id"].isin(labelled)].itertuples():
        text = clean.clean_text(read.read_source(row.source_path).text).text
        segs = segment.segment_text(text, doc_id=row.doc_id)
        frames.append(measures_mod.extract_measures(segs, text))
    return pd.concat(frames, ignore_index=True)


def test_labels_are_valid_and_match_segmented_measures(measures: pd.DataFrame) -> None:
    labels = load_labels()
    assert len(labels) >= 100
    assert set(labels["measure_id"]) <= set(measures["measure_id"])
    assert labels["category_id"].nunique() == 11


@pytest.mark.parametrize("make", [LexiconAligner, LearnedAligner])
def test_sklearn_contract(make: type, measures: pd.DataFrame) -> None:
    labels = load_labels()
    est = make(level="category")
    params = est.get_params()
    assert "taxonomy" in params and "level" in params
    twin = clone(est)
    assert twin.get_params() == params and not hasattr(twin, "classes_")
    assert twin.fit(labels["text"], labels["category_id"]) is twin
    assert all(name.endswith("_") for name in vars(twin) if name not in params)
    pred = twin.predict(labels["text"][:5])
    proba = twin.predict_proba(labels["text"][:5])
    assert len(pred) == 5 and set(pred) <= set(twin.classes_)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert twin.decision_function(labels["text"][:5]).shape == (5, len(twin.classes_))
    assert len(twin.explain(labels["text"][:5])) == 5


def test_unfitted_aligners_refuse_to_predict() -> None:
    from sklearn.exceptions import NotFittedError

    for est in (LexiconAligner(), LearnedAligner()):
        with pytest.raises(NotFittedError):
            est.predict(["加强行政复议工作。"])


@pytest.mark.parametrize("topic", sorted(CLEAR))
def test_lexicon_gets_unmistakable_sentences(topic: str) -> None:
    lex = LexiconAligner(level="topic").fit(None)
    assert lex.predict([CLEAR[topic]])[0] == topic
    cat = LexiconAligner(level="category").fit(None)
    assert cat.predict([CLEAR[topic]])[0] == CLEAR_CATEGORY[topic]
    assert lex.explain([CLEAR[topic]])[0]


def test_align_measures_on_unmistakable_sentences(measures: pd.DataFrame) -> None:
    new = pd.DataFrame(
        {"doc_id": "new", "measure_id": [f"new/{t}" for t in CLEAR], "text": list(CLEAR.values())}
    )
    both = pd.concat([measures, new], ignore_index=True)
    out = align_measures(both).set_index("measure_id")
    assert out.columns.tolist() == [c for c in ALIGNMENT_COLUMNS if c != "measure_id"]
    for topic, category in CLEAR_CATEGORY.items():
        row = out.loc[f"new/{topic}"]
        assert (row["category_id"], row["topic_id"], row["method"]) == (category, topic, "learned")
        assert row["national2021"] == int(category[1:3])
        assert row["evidence"]
        assert 0 < row["score"] <= 1


def test_overrides_win_and_are_marked(measures: pd.DataFrame, tmp_path: Path) -> None:
    target = measures["measure_id"].iloc[0]
    path = tmp_path / "overrides.csv"
    path.write_text(
        f"measure_id,category_id,topic_id,note\n{target},C11_other,T_regional,test override\n",
        encoding="utf-8",
    )
    out = align_measures(measures, method="lexicon", overrides=path).set_index("measure_id")
    assert out.loc[target, "category_id"] == "C11_other"
    assert out.loc[target, "topic_id"] == "T_regional"
    assert out.loc[target, "method"] == "override"
    assert "test override" in out.loc[target, "evidence"]
    assert out.loc[target, "national2021"] is pd.NA
    assert (out.drop(index=target)["method"] == "lexicon").all()


def test_bad_override_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text("measure_id,category_id,topic_id,note\nx/1,C07_disputes,T_regional,\n")
    with pytest.raises(CompareError, match="T_regional belongs to C11_other"):
        load_overrides(path)
    assert load_overrides().columns.tolist() == ["measure_id", "category_id", "topic_id", "note"]


def test_learned_model_serves_a_corpus_without_any_labelled_document() -> None:
    new = pd.DataFrame({"doc_id": "x", "measure_id": ["x/1"], "text": [CLEAR["T_open_gov"]]})
    out = align_measures(new)  # trains on the labels' own texts, not on this corpus
    assert out.loc[0, "method"] == "learned" and out.loc[0, "category_id"] == "C08_oversight"


def test_learned_falls_back_to_lexicon_without_labelled_texts() -> None:
    new = pd.DataFrame({"doc_id": "x", "measure_id": ["x/1"], "text": [CLEAR["T_open_gov"]]})
    no_labels = load_labels().iloc[0:0].drop(columns=["text"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = align_measures(new, labels=no_labels)
    assert any("lexicon instead" in str(w.message) for w in caught)
    assert out.loc[0, "method"] == "lexicon" and out.loc[0, "category_id"] == "C08_oversight"


def test_labelled_texts_are_the_current_segmentation(measures: pd.DataFrame) -> None:
    """The labels keep their texts; they must still be what segmentation yields (else relabel)."""
    joined = load_labels().merge(
        measures[["measure_id", "text"]], on="measure_id", suffixes=("", "_now")
    )
    assert len(joined) == len(load_labels())
    assert (joined["text"] == joined["text_now"]).mean() >= 0.95


def test_cross_validation_treats_both_alike(measures: pd.DataFrame) -> None:
    data = load_labels()
    for est in (LexiconAligner(level="category"), LearnedAligner(level="category")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            scores = cross_val_score(est, data["text"], data["category_id"], cv=3)
        assert len(scores) == 3 and scores.mean() > 0.5


def test_cv_macro_f1_meets_target(measures: pd.DataFrame) -> None:
    learned = evaluate(measures, method="learned", cv=5, level="category")
    lexicon = evaluate(measures, method="lexicon", cv=5, level="category")
    print(f"macro-F1 learned {learned['macro_f1']:.3f}, lexicon {lexicon['macro_f1']:.3f}")
    assert learned["macro_f1"] >= 0.85
    assert learned["n"] == lexicon["n"] == len(load_labels())
    per_class = learned["per_class"]
    assert {"class", "precision", "recall", "f1", "support"} <= set(per_class.columns)
    cm = learned["confusion"]
    assert cm.to_numpy().sum() == learned["n"] and list(cm.index) == list(cm.columns)


def test_heldout_labels_are_valid() -> None:
    """The held-out labels (speeches) load; they are never used for training or tuning."""
    heldout = load_labels(DataFiles.resolve().path("labels", "heldout.csv"))
    assert len(heldout) > 100
    assert heldout["doc_id"].str.startswith("speeches-").all()


def test_aligner_with_a_taxonomy_object_clones() -> None:
    from compare.align.taxonomy import load_taxonomy

    est = LexiconAligner(taxonomy=load_taxonomy(), level="category")
    twin = clone(est).fit(None)
    assert twin.predict([CLEAR["T_open_gov"]])[0] == "C08_oversight"


# ---------------------------------------------------------------------------------------------
# speed: shared work per align_measures call, with outputs equal to separate estimator calls


def _align_by_public_calls(measures: pd.DataFrame, fitted, secondary_ratio: float = 0.5):
    """The alignments columns computed the plain way: every estimator method called separately
    on the same texts (no shared work), as align_measures did before it shared a batch."""
    from compare.align import UNASSIGNED

    texts = measures["text"].tolist()
    cat, lex_topic, topic_model = fitted.category, fitted.lex_topic, fitted.topic_model
    probs = cat.predict_proba(measures)
    classes = [str(c) for c in cat.classes_]
    best = [str(b) for b in cat.predict(measures)]
    top = np.array([probs[i, classes.index(b)] for i, b in enumerate(best)])
    calibrated = fitted.calibration.score(top)
    score = np.round(calibrated, 4)
    evidence = cat.explain(measures)
    secondary = []
    for i, b in enumerate(best):
        order = np.argsort(-probs[i], kind="stable")
        other = [
            classes[j]
            for j in order
            if classes[j] != b and probs[i][j] >= secondary_ratio * probs[i].max()
        ]
        if calibrated[i] < fitted.calibration.threshold:
            other = [b, *other]
        secondary.append(
            ";".join(other[:3] if calibrated[i] < fitted.calibration.threshold else other[:2])
        )
    lex_scores = lex_topic.topic_scores(measures)
    topic_ids = list(lex_topic.classes_)
    p = topic_model.predict_proba(measures)
    tprob = np.zeros((len(texts), len(topic_ids)))
    for j, c in enumerate(topic_model.classes_):
        tprob[:, topic_ids.index(c)] = p[:, j]
    parents = fitted.taxonomy.topics["category_id"].to_numpy()
    topics = []
    for i, c in enumerate(best):
        mask = parents == c
        s = np.zeros(len(topic_ids))
        for part in (np.where(mask, lex_scores[i], 0.0), np.where(mask, tprob[i], 0.0)):
            if part.sum() > 0:
                s += part / part.sum()
        s[~mask] = -1.0
        topics.append(topic_ids[int(np.argmax(s))])
    passed = calibrated >= fitted.calibration.threshold
    best = [b if ok else UNASSIGNED for b, ok in zip(best, passed, strict=True)]
    topics = [t if ok else UNASSIGNED for t, ok in zip(topics, passed, strict=True)]
    return best, score, evidence, secondary, topics


@pytest.fixture(scope="module")
def fitted_default() -> Any:
    """The default aligners of data/, fitted once for the tests that only read them."""
    from compare.align import fit_aligners

    return fit_aligners()


def test_align_measures_equals_separate_estimator_calls(
    measures: pd.DataFrame, fitted_default: Any
) -> None:
    fitted = fitted_default
    assert fitted.method == "learned" and fitted.topic_model is not None
    # the measures' own texts (the headings above are read alike by both: tested below)
    sample = measures.iloc[::3].drop(columns=["parent_headings"]).reset_index(drop=True)
    no_overrides = pd.DataFrame(columns=["measure_id", "category_id", "topic_id", "note"])
    out = align_measures(sample, aligners=fitted, overrides=no_overrides)
    best, score, evidence, secondary, topics = _align_by_public_calls(sample, fitted)
    assert out["category_id"].tolist() == best
    assert np.array_equal(out["score"].to_numpy(), score)
    assert out["evidence"].tolist() == evidence
    assert out["secondary"].tolist() == secondary
    assert out["topic_id"].tolist() == topics


def test_align_measures_scores_tokenises_and_transforms_each_text_once(
    measures: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, fitted_default: Any
) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from compare import align
    from compare.align import ngrams
    from compare.align.lexicon import _Lexicon
    from compare.tokenize import Tokenizer

    fitted = fitted_default
    sample = measures.iloc[:40].drop(columns=["parent_headings"]).reset_index(drop=True)
    counts = {"tokenize": 0, "lexicon": 0, "tfidf": 0}
    real_tokenize, real_scores = Tokenizer.tokenize, _Lexicon.topic_scores
    real_transform = TfidfVectorizer.transform

    def tokenize(self, text: str) -> list[str]:
        counts["tokenize"] += 1
        return real_tokenize(self, text)

    def topic_scores(self, heading: str, body: str, boost: float):
        counts["lexicon"] += 1
        return real_scores(self, heading, body, boost)

    def transform(self, raw):
        counts["tfidf"] += 1
        return real_transform(self, raw)

    real_char_counts = ngrams.char_counts

    def char_counts(vec, texts, vocabulary=None):  # character vectorizers, counted with numpy
        counts["tfidf"] += 1
        return real_char_counts(vec, texts, vocabulary)

    monkeypatch.setattr(ngrams, "char_counts", char_counts)
    monkeypatch.setattr(Tokenizer, "tokenize", tokenize)
    monkeypatch.setattr(_Lexicon, "topic_scores", topic_scores)
    monkeypatch.setattr(TfidfVectorizer, "transform", transform)
    fitted.topic_model.tokenizer_.forget()  # these texts were tokenised when the models were fitted
    align.align_measures(sample, aligners=fitted)
    n = sample["text"].nunique()
    assert counts["tokenize"] == n  # once per text (the category model reads characters only)
    assert counts["lexicon"] == len(sample)  # one lexicon pass for every scorer and feature
    # the category model's char vectorizer, the topic model's word + char vectorizers
    assert counts["tfidf"] == 3


def test_fast_one_vs_rest_probabilities_are_sklearns(
    measures: pd.DataFrame, fitted_default: Any
) -> None:
    from compare.align.learned import _ovr_proba

    fitted = fitted_default
    texts = measures["text"].tolist()
    for model in (fitted.category, fitted.topic_model):
        X = model.features_.transform(texts)
        assert np.array_equal(_ovr_proba(model.model_, X), model.model_.predict_proba(X))


def test_the_aligner_reads_the_headings_above_a_measure(
    seed_build: Any, fitted_default: Any
) -> None:
    """A held-out speech point (never trained on): read with the headings above it (…推进科学
    民主依法决策), as labels are read in training, it is the reader's C04 (data/labels/heldout.csv);
    its own words alone (加强合法性审查…) leave it below the threshold."""
    from compare.align.base import _as_texts

    seed = seed_build[0]
    mid = "speeches-03/二/（三）/三要"
    item = seed.tables["measures"].set_index("measure_id").loc[[mid]].reset_index()
    above = "聚焦重点抓创建，全面提升法治政府建设水平 / 坚持规范程序，推进科学民主依法决策"
    assert item.at[0, "parent_headings"] == above
    assert _as_texts(item) == [above + "\n" + item.at[0, "text"]]
    built = seed.tables["alignments"].set_index("measure_id").loc[mid]
    assert built["category_id"] == "C04_decisions" and built["score"] >= UNASSIGNED_BELOW
    alone = align_measures(item.assign(parent_headings=""), aligners=fitted_default)
    assert alone.at[0, "category_id"] == "unassigned"
    training = align.load_training()
    assert (training["parent_headings"] != "").mean() > 0.5  # labels carry the headings too


def test_overrides_are_read_again_when_the_file_changes(
    measures: pd.DataFrame, tmp_path: Path
) -> None:
    import os
    import shutil

    from compare import align

    shutil.copy(DataFiles.resolve().path("taxonomy.yml"), tmp_path / "taxonomy.yml")
    (tmp_path / "labels").mkdir()
    path = tmp_path / "labels" / "overrides.csv"
    data = DataFiles(tmp_path)
    sample = measures.iloc[:5].reset_index(drop=True)
    mid = sample["measure_id"].iloc[0]
    fitted = align.fit_aligners(method="lexicon", data=data)
    assert (align.align_measures(sample, aligners=fitted)["method"] != "override").all()
    for n, cat in enumerate(["C06_emergency", "C07_disputes"]):
        path.write_text(f"measure_id,category_id,topic_id,note\n{mid},{cat},,n{n}\n", "utf-8")
        os.utime(path, ns=(10**18 + n, 10**18 + n))
        fitted = align.fit_aligners(method="lexicon", data=data)
        out = align.align_measures(sample, aligners=fitted).set_index("measure_id")
        assert out.at[mid, "category_id"] == cat and out.at[mid, "evidence"] == f"override: n{n}"


def test_heldout_figure_is_computed_on_texts_never_trained_on() -> None:
    from compare.align import evaluate_heldout, load_heldout

    held = load_heldout()
    assert not set(held["measure_id"]) & set(load_labels()["measure_id"])
    report = evaluate_heldout(method="learned", level="category")
    print(f"held-out macro-F1 {report['macro_f1']:.3f}, accuracy {report['accuracy']:.3f}")
    assert report["n"] == len(held) >= 150
    # regression floor: 0.767 with the word+char+lexicon model trained on the seed plans; 0.699
    # with the character model trained on the seeds and the dev gold (issue 12: better on new
    # texts, leave-one-document-out 0.69 -> 0.76), measures left unassigned counted as wrong
    assert report["macro_f1"] >= 0.67


# ---------------------------------------------------------------------------------------------
# one contract for every aligner: the ensemble, pickling (workers), heading and body as given


def test_ensemble_follows_the_contract_and_pickles(measures: pd.DataFrame) -> None:
    import pickle

    from compare.align import EnsembleAligner, LearnedAligner
    from compare.align.alignments import CATEGORY_MODEL

    labels = align.load_training()
    members = [("lexicon", LexiconAligner(level="category")),
               ("learned", LearnedAligner(level="category", **CATEGORY_MODEL))]  # fmt: skip
    est = EnsembleAligner(members, weights=(0.2, 0.8)).fit(labels, labels["category_id"])
    twin = pickle.loads(pickle.dumps(est))
    sample = measures.iloc[:30]
    p = est.predict_proba(sample)
    assert p.shape == (len(sample), len(est.classes_)) and np.allclose(p.sum(axis=1), 1.0)
    assert np.array_equal(twin.predict_proba(sample), p)
    lex = est.members_[0][1].predict_proba(sample)
    char = est.members_[1][1].predict_proba(sample)
    idx = [list(est.classes_).index(c) for c in est.members_[1][1].classes_]
    expect = 0.2 * lex
    expect[:, idx] += 0.8 * char
    assert np.allclose(p, expect)
    assert (pd.Series(est.explain(sample)).str.len() > 0).mean() > 0.8


def test_every_aligner_aligns_alike_and_pickles_with_its_tokenizer(measures: pd.DataFrame) -> None:
    import pickle

    for method in ("lexicon", "ensemble"):
        fitted = align.fit_aligners(method=method)
        again = pickle.loads(pickle.dumps(fitted))
        out = align.align_measures(measures.iloc[:20], aligners=again)
        assert (out["method"] == method).all()
        assert out.equals(align.align_measures(measures.iloc[:20], aligners=fitted))
    tokenizer = fitted.category.members_[1][1].tokenizer_  # the ensemble's learned member
    assert tokenizer.engine_name == "rjieba"
    tokenizer.engine  # noqa: B018 (the rjieba engine built, then pickled without it)
    assert pickle.loads(pickle.dumps(tokenizer)).tokenize("政务公开") == tokenizer.tokenize(
        "政务公开"
    )


def test_learned_aligner_pickles_without_its_stacked_weights(
    measures: pd.DataFrame, fitted_default: Any
) -> None:
    """``stacked_`` (a copy of the weights) is left out of the pickle and rebuilt on loading:
    the same matrix bit for bit, the same probabilities, and the copy's bytes gone from the pickle."""
    import pickle

    for model in (fitted_default.category, fitted_default.topic_model):
        blob = pickle.dumps(model)
        with_copy = len(pickle.dumps(dict(vars(model))))  # every attribute, stacked_ included
        again = pickle.loads(blob)
        assert len(blob) < with_copy - 0.9 * model.stacked_[0].nbytes
        assert np.array_equal(again.stacked_[0], model.stacked_[0])
        assert np.array_equal(again.stacked_[1], model.stacked_[1])
        texts = measures["text"].iloc[:40].tolist()
        assert np.array_equal(again.predict_proba(texts), model.predict_proba(texts))


def test_lexicon_trie_matches_what_the_longest_first_alternation_matches() -> None:
    """The lexicon's trie regex finds, on real texts it was not written from (the development
    corpus) and on made-up overlaps, the same matches as the alternation of its seed terms
    longest first: a longest match at each position, none overlapping."""
    import re

    from compare.align.lexicon import _Lexicon, longest_match_pattern
    from compare.align.taxonomy import load_taxonomy

    terms = list(_Lexicon(load_taxonomy()).term_topics)
    assert len(terms) > 300
    ordered = sorted(terms, key=lambda t: (-len(t), t))
    alternation = re.compile("|".join(re.escape(t) for t in ordered))
    trie = longest_match_pattern(terms)
    root = Path(__file__).parents[1] / "data" / "dev" / "raw"
    texts = [p.read_text(encoding="utf-8") for p in sorted(root.iterdir())]
    found = 0
    for text in texts:
        want = [(m.start(), m.end()) for m in alternation.finditer(text)]
        assert [(m.start(), m.end()) for m in trie.finditer(text)] == want
        found += len(want)
    assert found > 5_000
    made_up = longest_match_pattern(["ab", "abcd", "abx", "b", "bcd", "c"])
    assert made_up.findall("abcdabcxabxbcdbc") == ["abcd", "ab", "c", "abx", "bcd", "b", "c"]


def test_lexicon_reads_heading_and_body_from_the_measures_table() -> None:
    lex = LexiconAligner(level="topic").fit(None)
    row = pd.DataFrame(
        {"text": ["一、政务公开。推进工作"], "heading": ["政务公开"], "body": ["推进工作"]}
    )
    as_table = lex.topic_scores(row)
    as_text = lex.topic_scores(row["text"])
    # in the heading the term counts heading_boost more; from a plain text nothing is a heading
    assert as_table.sum() > as_text.sum() > 0


@pytest.mark.parametrize(
    ("ngram_range", "min_df", "max_df"), [((2, 3), 2, 1.0), ((1, 3), 1, 0.5), ((3, 3), 0.002, 150)]
)
def test_char_vectorizer_fitted_with_numpy_equals_scikit_learns(
    ngram_range: tuple[int, int], min_df: float, max_df: float
) -> None:
    """``CharTfidfVectorizer.fit_transform`` gives scikit-learn's fitted vectorizer bit for bit
    on real texts: the same vocabulary (and dict order), idf, and matrix (indices in the same
    order, values, dtypes), with blank runs, full-width and non-BMP characters and empty texts;
    settings it does not count itself fall back to scikit-learn."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from compare.align.ngrams import CharTfidfVectorizer

    root = Path(__file__).parents[1] / "data"
    texts = [line for p in sorted((root / "dev" / "raw").iterdir())
             for line in p.read_text(encoding="utf-8").splitlines()[:60]]  # fmt: skip
    texts += ["", " ", "法", "法治", "  \n\n 政府  建设\t\t", "２０２１年 Ａ", "𠀀中文😀"]
    settings = dict(analyzer="char", ngram_range=ngram_range, lowercase=False,
                    sublinear_tf=True, min_df=min_df, max_df=max_df)  # fmt: skip
    stock, ours = TfidfVectorizer(**settings), CharTfidfVectorizer(**settings)
    want, got = stock.fit_transform(texts), ours.fit_transform(texts)
    assert want.shape[1] > 5_000 and want.nnz > 50_000
    assert type(got) is type(want) and got.dtype == want.dtype and got.shape == want.shape
    assert got.indices.dtype == want.indices.dtype
    for a, b in ((got.indptr, want.indptr), (got.indices, want.indices), (got.data, want.data)):
        assert np.array_equal(a, b)
    assert list(ours.vocabulary_.items()) == list(stock.vocabulary_.items())
    assert np.array_equal(ours.idf_, stock.idf_)
    assert np.array_equal(ours.transform(texts[:50]).data, stock.transform(texts[:50]).data)
    capped = CharTfidfVectorizer(**settings, max_features=100).fit(texts)
    assert (
        capped.vocabulary_ == TfidfVectorizer(**settings, max_features=100).fit(texts).vocabulary_
    )
    with pytest.raises(ValueError, match="no terms remain"):
        CharTfidfVectorizer(analyzer="char", min_df=2).fit(["法治", "政府"])


@pytest.mark.parametrize("ngram_range", [(1, 3), (2, 3)])
def test_char_ngrams_counted_with_numpy_equal_scikit_learns(ngram_range: tuple[int, int]) -> None:
    """``tfidf_transform`` of a character vectorizer is scikit-learn's transform bit for bit
    (same indices, order, dtype and values) on real texts it was not fitted on, including
    blank runs, full-width characters, characters outside the BMP and empty texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from compare.align.ngrams import packed_vocabulary, plain_char, tfidf_transform

    root = Path(__file__).parents[1] / "data"
    fit_on = [line for p in sorted((root / "raw").glob("*.txt"))
              for line in p.read_text(encoding="utf-8", errors="replace").splitlines()]  # fmt: skip
    unseen = [
        p.read_text(encoding="utf-8")[:4000] for p in sorted((root / "dev" / "raw").iterdir())
    ]
    unseen += ["", " ", "法", "法治", "  \n\n 政府  建设\t\t", "２０２１年 Ａ", "𠀀中文😀"]
    vec = TfidfVectorizer(analyzer="char", ngram_range=ngram_range, lowercase=False,
                          sublinear_tf=True, min_df=2).fit(fit_on)  # fmt: skip
    assert plain_char(vec) and len(vec.vocabulary_) > 10_000
    want = vec.transform(unseen)
    got = tfidf_transform(vec, unseen, packed_vocabulary(vec))
    assert type(got) is type(want) and got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data) and want.nnz > 50_000
    words = TfidfVectorizer(lowercase=False).fit(fit_on)
    assert not plain_char(words)  # anything but a plain character analyzer is scikit-learn's
