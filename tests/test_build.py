"""The whole build on the seed corpus: acceptance figures, nothing lost, caching, a new document."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from compare.build import TABLES, BuildResult, build, load_tables
from compare.config import DataFiles
from compare.manifest import load_manifest
from compare.output import MODEL_CACHE_ENV, cache_folder, models_folder
from compare.text import read
from compare.text.clean import restore_source

JUNK = re.compile(
    r"ICP备|浏览次数|打印本页|关闭窗口|返回顶部|免责声明|当前位置|您的位置|下一篇|上一篇|https?://|联系QQ|互联网用户分享"
)


@pytest.fixture(scope="module")
def seed(seed_build: tuple[BuildResult, Path]) -> BuildResult:
    return seed_build[0]


def test_every_table_written_and_loadable(seed_build: tuple[BuildResult, Path]) -> None:
    result, out = seed_build
    loaded = load_tables(out)
    for name in TABLES:
        assert len(loaded[name]) == len(result.tables[name])
        assert (out / f"{name}.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert sorted(p.stem for p in (out / "texts").glob("*.txt")) == sorted(result.texts)


def test_acceptance_measure_counts(seed: BuildResult) -> None:
    counts = seed.tables["measures"].groupby("doc_id").size()
    # issue 11: framing items are measures (framing = true)
    assert counts["yixing-2012"] == 30  # 25 numbered + 3 工作要求 + 总体要求, 工作目标
    assert counts["caoxian-2016"] == 41  # 37 + 指导思想, 总体目标, 基本原则, 衡量标准
    assert counts["nanjing-2021"] == 40  # its 指导思想, 主要原则, 总体目标 counted already
    assert counts["district-20xx"] == 13  # the 11 工作安排 items + 指导思想, 工作内容
    docs = seed.tables["documents"].set_index("doc_id")
    assert docs.loc["caoxian-2016", "structure"] == "plan" and docs.loc["caoxian-2016", "wrapper"]
    assert docs.loc["speeches-01", "structure"] == "speech"
    speeches = [f"speeches-{i:02d}" for i in range(1, 13)]
    assert all(counts.get(s, 0) >= 1 for s in speeches)


def test_headings_read_from_the_texts(seed: BuildResult) -> None:
    m = seed.tables["measures"].set_index("measure_id")
    assert m.loc["yixing-2012/二/（一）/1", "heading"] == "深化行政管理体制改革"
    assert m.loc["yixing-2012/三/（二）", "heading"] == "明确责任，狠抓落实"
    assert m.loc["caoxian-2016/二/（六）/24", "heading"] == "加强行政复议工作"
    assert m.loc["nanjing-2021/（二十四）", "heading"] == "深化行政复议体制改革"
    assert m.loc["district-20xx/四/（八）", "heading"].startswith("加强行政复议和行政诉讼工作")


def test_no_web_junk_inside_any_measure(seed: BuildResult) -> None:
    bad = seed.tables["measures"][seed.tables["measures"]["text"].str.contains(JUNK)]
    assert bad.empty, bad[["measure_id", "text"]].to_string()


def test_cleaning_is_lossless_per_document(seed: BuildResult) -> None:
    """Each document's source text is rebuilt exactly from its clean text and its log."""
    manifest = load_manifest(DataFiles.resolve().path("corpus.yml"))
    log = seed.tables["cleaning_log"]
    for path, rows in manifest.groupby("source_path"):
        source = read.read_source(path).text
        spans = {rows["doc_id"].iloc[0]: (0, len(source))}
        if rows["split"].iloc[0]:
            parts, _ = read.split_parts(source, rows["split"].iloc[0])
            spans = {f"{rows['entry_id'].iloc[0]}-{p.part:02d}": (p.start, p.end) for p in parts}
        for doc_id, (start, end) in spans.items():
            doc_log = log[(log["doc_id"] == doc_id) & (log["source_start"] >= start)].copy()
            doc_log[["source_start", "source_end"]] -= start
            assert restore_source(seed.texts[doc_id], doc_log) == source[start:end], doc_id


def test_table_of_contents_outside_the_speeches_is_logged_not_lost(seed: BuildResult) -> None:
    log = seed.tables["cleaning_log"]
    outside = log[log["reason"].str.startswith("outside every part")]
    assert len(outside) == 1
    assert "目录" in outside["original"].iloc[0]
    assert outside["source_start"].iloc[0] == 0


def test_segments_concatenate_to_the_clean_text(seed: BuildResult) -> None:
    segs = seed.tables["segments"].sort_values(["doc_id", "seq"])
    for doc_id, group in segs.groupby("doc_id"):
        assert "".join(group["text"]) == seed.texts[doc_id]


def test_offsets_point_into_the_clean_text(seed: BuildResult) -> None:
    for name, col in (("measures", "text"), ("targets", "quote")):
        for row in seed.tables[name].itertuples():
            assert seed.texts[row.doc_id][row.char_start : row.char_end] == getattr(row, col)


def test_every_measure_aligned_to_category_and_topic(seed: BuildResult) -> None:
    a = seed.tables["alignments"]
    assert set(a["measure_id"]) == set(seed.tables["measures"]["measure_id"])
    assert a["category_id"].notna().all() and (a["category_id"] != "").all()
    assert a["topic_id"].notna().all() and (a["topic_id"] != "").all()


def test_reconsideration_measures_find_each_other(seed: BuildResult) -> None:
    """The 行政复议 measures of Yixing, Caoxian and Nanjing are among each other's matches."""
    m = seed.tables["matches"]
    ids = ["yixing-2012/二/（六）/19", "caoxian-2016/二/（六）/24", "nanjing-2021/（二十四）"]
    for a in ids:
        partners = set(m.loc[m["measure_id"] == a, "other_measure_id"])
        assert set(ids) - {a} <= partners, a


def test_yixing_date_conflict_flagged(seed: BuildResult) -> None:
    docs = seed.tables["documents"].set_index("doc_id")
    assert "2012-04-05" in docs.loc["yixing-2012", "date_flags"]
    assert docs.loc["yixing-2012", "year"] == 2012
    assert (
        pd.isna(docs.loc["nanjing-2021", "year_max"])
        and docs.loc["nanjing-2021", "year_min"] >= 2021
    )


def test_noop_rebuild_uses_the_cache_and_gives_the_same_tables(
    seed_build: tuple[BuildResult, Path], tmp_path: Path
) -> None:
    first, built = seed_build
    out = tmp_path / "build"
    shutil.copytree(built, out)
    again = build(DataFiles.resolve().path("corpus.yml"), out, jobs=1)
    assert again.n_cached == again.n_files == 5
    for name in TABLES:
        pd.testing.assert_frame_equal(again.tables[name], first.tables[name])


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_rebuild_of_scattered_files_gives_the_tables_of_a_fresh_build(
    seed_build: tuple[BuildResult, Path], tmp_path: Path, jobs: int
) -> None:
    """Files to redo between files read from the cache are processed in runs of consecutive
    files (one run = one gathered part): the tables must come out in manifest order all the
    same."""
    import json
    import pickle

    first, built = seed_build
    out = tmp_path / "build"
    shutil.copytree(built, out)
    shutil.copytree(cache_folder(built), cache_folder(out))
    (cache_folder(out) / "corpus.pkl").unlink()  # the per-file cache alone (kept build: below)
    redo = {"caoxian-2016", "district-20xx", "speeches"}  # the 2nd, 3rd and 5th files
    dropped = 0
    for path in (cache_folder(out) / "docs").glob("*.pkl"):
        docs = pickle.loads(path.read_bytes())
        if any(str(d.meta["doc_id"]).startswith(tuple(redo)) for d in docs):
            path.unlink()
            dropped += 1
    assert dropped == 3
    info = json.loads((out / "build_info.json").read_text(encoding="utf-8"))
    info["build_key"] = "stale"  # not up to date: each file is read back or redone
    (out / "build_info.json").write_text(json.dumps(info), encoding="utf-8")
    again = build(DataFiles.resolve().path("corpus.yml"), out, jobs=jobs)
    assert (again.n_files, again.n_cached) == (5, 2)
    for name in TABLES:
        pd.testing.assert_frame_equal(again.tables[name], first.tables[name])


def test_files_to_redo_are_cut_into_runs_of_consecutive_files() -> None:
    from compare.workers import _runs

    assert _runs([1, 2, 4, 5, 6, 7, 9], 3) == [[1, 2], [4, 5, 6], [7], [9]]
    assert _runs([], 3) == []


def test_files_are_shared_out_in_runs_of_files_to_compute_and_files_to_read() -> None:
    from compare.workers import BATCH_FILES, READ_FILES, plan_runs

    # one process: runs of files to compute only (the cached ones are read where they are met)
    assert plan_runs([True, False, False, True, False], 1) == ([([1, 2], False), ([4], False)],
                                                              False)  # fmt: skip
    # one new file after many cached ones: the workers read the cached ones, in runs
    runs, parallel = plan_runs([True] * 100 + [False], 2)
    assert parallel and runs[-1] == ([100], False)
    assert [len(r) for r, cached in runs[:-1] if cached] == [12] * 8 + [4]  # 100 // (2 x 4)
    # few cached files and one to compute: no pool is worth starting
    assert plan_runs([True] * READ_FILES + [False], 2)[1] is False
    assert plan_runs([False] * 3, 2) == ([([0], False), ([1], False), ([2], False)], True)
    runs, _ = plan_runs([False] * 1000, 2)
    assert [len(r) for r, _ in runs] == [BATCH_FILES] * 31 + [1000 - 31 * BATCH_FILES]


def test_workers_that_read_cached_files_give_the_tables_of_a_fresh_build(
    seed_build: tuple[BuildResult, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two processes the cached files are read in the workers, in runs (one file a run
    here), and gathered by the build as parts: the tables come out as those of one process."""
    import json
    import pickle

    from compare import workers

    monkeypatch.setattr(workers, "READ_FILES", 1)  # 4 cached files are more than one run
    first, built = seed_build
    out = tmp_path / "build"
    shutil.copytree(built, out)
    shutil.copytree(cache_folder(built), cache_folder(out))
    (cache_folder(out) / "corpus.pkl").unlink()  # the per-file cache alone
    for path in (cache_folder(out) / "docs").glob("*.pkl"):
        if any(
            str(d.meta["doc_id"]).startswith("district") for d in pickle.loads(path.read_bytes())
        ):
            path.unlink()
    info = json.loads((out / "build_info.json").read_text(encoding="utf-8"))
    info["build_key"] = "stale"
    (out / "build_info.json").write_text(json.dumps(info), encoding="utf-8")
    assert workers.plan_runs([True, True, False, True, True], 2)[1]  # the workers read
    again = build(DataFiles.resolve().path("corpus.yml"), out, jobs=2)
    assert (again.n_files, again.n_cached) == (5, 4)
    for name in TABLES:
        pd.testing.assert_frame_equal(again.tables[name], first.tables[name])


def _stale_copy(built: Path, out: Path) -> None:
    """A copy of the build ``built`` and its cache at ``out`` that is not up to date."""
    import json

    shutil.copytree(built, out)
    shutil.copytree(cache_folder(built), cache_folder(out))
    info = json.loads((out / "build_info.json").read_text(encoding="utf-8"))
    info["build_key"] = "stale"
    (out / "build_info.json").write_text(json.dumps(info), encoding="utf-8")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_rebuild_takes_unchanged_files_from_the_kept_build(
    seed_build: tuple[BuildResult, Path], tmp_path: Path, jobs: int
) -> None:
    """The last build's results kept whole serve the files whose keys it holds, one slice per
    run of files: with the 2nd, 3rd and 5th files gone from it (and no per-file cache), the
    1st and 4th come from it, the rest are computed, and every table equals the fresh build's."""
    from compare.cache import CorpusStore
    from compare.workers import Kept

    first, built = seed_build
    out = tmp_path / "build"
    _stale_copy(built, out)
    shutil.rmtree(cache_folder(out) / "docs")
    store = CorpusStore(cache_folder(out) / "corpus.pkl")
    kept = store.read()
    assert isinstance(kept, Kept) and len(kept.keys) == 5
    keys = [f"gone-{i}" if i in (1, 2, 4) else key for i, key in enumerate(kept.keys)]
    store.write(Kept(keys, kept.n_docs, kept.n_rows, kept.part))
    again = build(DataFiles.resolve().path("corpus.yml"), out, jobs=jobs)
    assert (again.n_files, again.n_cached) == (5, 2)
    for name in TABLES:
        pd.testing.assert_frame_equal(again.tables[name], first.tables[name])
    assert store.read().keys == kept.keys  # kept again, whole


def test_the_kept_build_serves_files_in_their_new_order(
    seed_build: tuple[BuildResult, Path],
) -> None:
    """Files that moved are served one run per stretch that kept its order, each document with
    the rows of its own file and where that file is now."""
    from compare.cache import CorpusStore

    _, built = seed_build
    kept = CorpusStore(cache_folder(built) / "corpus.pkl").read()
    docs = [m["doc_id"] for m in kept.part.meta]
    by_file = []  # each file's documents, as kept
    for n in kept.n_docs:
        by_file.append(docs[: int(n)])
        docs = docs[int(n) :]
    order = [4, 0, 1, 3]  # the 5th file first, then the 1st and 2nd, the 3rd gone
    keys = [kept.keys[j] for j in order] + ["new"]
    groups = [[{"source_path": f"/moved/{j}", "source_file": f"{j}.txt"}] for j in [*order, 9]]
    runs = kept.runs(keys, groups)
    assert {i: n for i, (n, _) in runs.items()} == {0: 1, 1: 2, 3: 1}
    for i, (n, part) in runs.items():
        want = [d for j in order[i : i + n] for d in by_file[j]]
        assert [m["doc_id"] for m in part.meta] == want
        assert {m["source_path"] for m in part.meta} == {f"/moved/{j}" for j in order[i : i + n]}
        for name, table in part.tables.items():
            assert set(table["doc_id"]) <= set(want), name
            assert len(table) == sum((kept.part.tables[name]["doc_id"] == d).sum() for d in want)
        assert sorted(part.texts) == sorted(want)


def test_an_unreadable_kept_build_falls_back_to_the_per_file_cache(
    seed_build: tuple[BuildResult, Path], tmp_path: Path
) -> None:
    first, built = seed_build
    out = tmp_path / "build"
    _stale_copy(built, out)
    (cache_folder(out) / "corpus.pkl").write_bytes(b"\x80\x05 not a pickle")
    again = build(DataFiles.resolve().path("corpus.yml"), out, jobs=1)
    assert (again.n_files, again.n_cached) == (5, 5)
    for name in TABLES:
        pd.testing.assert_frame_equal(again.tables[name], first.tables[name])


def test_a_sixth_document_joins_every_table(
    seed_build: tuple[BuildResult, Path], tmp_path: Path
) -> None:
    out = tmp_path / "build"
    shutil.copytree(seed_build[1], out)
    # the per-file cache lives in the store beside the build link, not inside the build
    shutil.copytree(cache_folder(seed_build[1]), cache_folder(out))
    corpus = tmp_path / "corpus.yml"
    raw = tmp_path / "raw"
    shutil.copytree(DataFiles.resolve().path("raw"), raw)
    new = raw / "new_plan.txt"
    new.write_bytes(
        "苍溪县2023年法治政府建设工作要点\n一、健全依法决策机制\n（一）严格落实重大行政决策程序。"
        "2023年6月底前完成重大行政决策事项目录编制。\n二、加强行政复议\n（二）深化行政复议体制改革，"
        "每年开展行政复议案件评查不少于2次。\n".encode("gb18030")
    )
    text = DataFiles.resolve().path("corpus.yml").read_text(encoding="utf-8")
    text += (
        "  - id: cangxi-2023\n    file: raw/new_plan.txt\n    title: 苍溪县2023年法治政府建设工作要点\n"
        "    jurisdiction: 苍溪县\n    level: county\n    year: 2023\n    doc_type: 工作要点\n"
    )
    corpus.write_text(text, encoding="utf-8")
    result = build(corpus, out, jobs=1)
    assert result.n_cached == 5 and result.n_files == 6  # only the new file was processed
    docs = result.tables["documents"].set_index("doc_id")
    assert (
        docs.loc["cangxi-2023", "adcode"] == "510824"
        and docs.loc["cangxi-2023", "encoding"] == "gb18030"
    )
    for name in ("measures", "alignments", "targets", "segments"):
        assert (result.tables[name]["doc_id"] == "cangxi-2023").any(), name
    deadlines = result.tables["targets"].query("doc_id == 'cangxi-2023'")["deadline"]
    assert "2023-06-30" in set(deadlines.dropna())


def test_measure_body_follows_marker_and_heading(seed: BuildResult) -> None:
    m = seed.tables["measures"].set_index("measure_id")
    row = m.loc["caoxian-2016/二/（六）/24"]
    assert row["number"] == "24." and row["heading"] == "加强行政复议工作"
    assert row["body"].startswith("进一步推进相对集中行政复议权工作")
    assert row["text"].endswith(row["body"])
    assert row["lead_units"] == "县法制办" and "县财政局" in row["responsible_units"]


#: sha256 of every table CSV and clean text of the seed build, frozen before the package was
#: restructured (issue 10): a change of layout must not change a byte of the results. When a
#: change of behaviour is meant, rebuild and rewrite the file (`sha256sum` in the build folder).
FROZEN = Path(__file__).parent / "fixtures" / "seed_tables.sha256"


def test_seed_tables_are_byte_identical_to_the_frozen_build(
    seed_build: tuple[BuildResult, Path],
) -> None:
    import hashlib

    _, out = seed_build
    frozen = dict(line.split()[::-1] for line in FROZEN.read_text(encoding="utf-8").splitlines())
    written = sorted(p.name for p in out.glob("*.csv")) + sorted(
        f"texts/{p.name}" for p in (out / "texts").glob("*.txt")
    )
    assert sorted(frozen) == sorted(written)
    changed = [
        n for n in written if hashlib.sha256((out / n).read_bytes()).hexdigest() != frozen[n]
    ]
    assert not changed, f"tables differ from the frozen seed build: {changed}"


def test_two_builds_in_one_process_follow_their_own_data(
    tmp_path: Path, seed_build: tuple[BuildResult, Path]
) -> None:
    """No state carries over between builds, and an edit in place is noticed even by a kept
    cache: one :class:`DataFiles` (its cache kept between the builds, as in a notebook) builds
    a copy of the data folder whose taxonomy lacks a term, then the same folder with the file
    restored in place; the first gets other alignments, the second exactly the seed build's."""
    import os

    seed, _ = seed_build
    data_dir = tmp_path / "data"
    shutil.copytree(DataFiles.resolve().root, data_dir, ignore=shutil.ignore_patterns("raw"))
    (data_dir / "raw").symlink_to(DataFiles.resolve().path("raw"))
    taxonomy = data_dir / "taxonomy.yml"
    original = taxonomy.read_text(encoding="utf-8")
    assert "行政复议: " in original
    data = DataFiles(data_dir)
    # the lexicon knows one term less: 行政复议 no longer scores anything (same size on disk)
    taxonomy.write_text(original.replace("行政复议: ", "行政覆议: "), encoding="utf-8")
    os.utime(taxonomy, ns=(10**18, 10**18))
    edited = build(data_dir / "corpus.yml", tmp_path / "out", jobs=1, data_dir=data)
    assert edited.data is data
    taxonomy.write_text(original, encoding="utf-8")
    os.utime(taxonomy, ns=(2 * 10**18, 2 * 10**18))  # only the time tells the files apart
    again = build(data_dir / "corpus.yml", tmp_path / "out", jobs=1, data_dir=data)
    assert again.n_cached == 0  # the edited build's cache entries are not this data's
    key = ["measure_id", "category_id", "topic_id", "score", "evidence"]
    assert not edited.tables["alignments"][key].equals(seed.tables["alignments"][key])
    for name in ("alignments", "measures", "targets", "matches", "counterparts"):
        pd.testing.assert_frame_equal(again.tables[name], seed.tables[name])


def test_a_rebuild_reads_the_fitted_aligners_back_with_the_same_tables(
    seed_build: tuple[BuildResult, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fitted aligners are kept in the build store: a later build process (here: a fresh
    DataFiles, so no in-process cache, and fitting made to fail) reads them back, and a build that
    reads them writes the same tables as one that fitted them."""
    from compare import align

    first, built = seed_build
    kept = sorted(models_folder(built).glob("aligners-*.pkl"))
    assert kept
    monkeypatch.delenv(MODEL_CACHE_ENV, raising=False)  # no shared folder: the build's own store
    out = tmp_path / "build"  # a new build folder whose store holds only the fitted models
    assert models_folder(out) == cache_folder(out) / "models"
    models_folder(out).mkdir(parents=True)
    for path in kept:
        shutil.copy2(path, models_folder(out) / path.name)

    def no_fit(**_: object) -> None:
        raise AssertionError("aligners refitted although kept")

    monkeypatch.setattr(align, "fit_aligners", no_fit)
    again = build(DataFiles.resolve().path("corpus.yml"), out, jobs=1, use_cache=True)
    assert again.n_cached == 0 and not again.up_to_date
    for name in TABLES:
        pd.testing.assert_frame_equal(again.tables[name], first.tables[name])


def one_document_corpora(folder: Path, n: int = 2) -> list[Path]:
    """Manifests of one seed document each (the first ``n`` of ``data/corpus.yml``)."""
    corpora = []
    for i, row in load_manifest(DataFiles.resolve().path("corpus.yml")).head(n).iterrows():
        corpus = folder / f"corpus{i}.yml"
        entry = f"documents:\n  - id: {row['doc_id']}\n    file: {row['source_path']}\n"
        corpus.write_text(entry, encoding="utf-8")
        corpora.append(corpus)
    return corpora


def test_a_build_without_the_cache_refits_and_refreshes_the_kept_aligners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``use_cache=False`` (``--no-cache``) does not read the kept aligners but writes them, so
    the next build (another corpus, a fresh DataFiles) reads them back instead of refitting."""
    from compare import align

    monkeypatch.delenv(MODEL_CACHE_ENV, raising=False)
    out = tmp_path / "build"
    fits: list[object] = []
    real_fit = align.fit_aligners

    def counted_fit(**kwargs: object) -> object:
        fits.append(fits[0] if fits else real_fit(**kwargs))  # fitted once, counted each time
        return fits[-1]

    monkeypatch.setattr(align, "fit_aligners", counted_fit)
    corpora = one_document_corpora(tmp_path)
    root = DataFiles.resolve().root
    build(corpora[0], out, jobs=1, use_cache=False, data_dir=DataFiles(root))
    kept = sorted(models_folder(out).glob("aligners-*.pkl"))
    assert len(fits) == 1 and len(kept) == 1  # written by a build that does not read it
    kept[0].write_bytes(b"stale")  # not read: refitted and rewritten
    build(corpora[0], out, jobs=1, use_cache=False, data_dir=DataFiles(root))
    assert len(fits) == 2 and kept[0].read_bytes() != b"stale"
    again = build(corpora[1], out, jobs=1, data_dir=DataFiles(root))
    assert len(fits) == 2 and len(again.tables["alignments"]) > 0  # read back, not refitted


def test_builds_of_other_corpora_share_the_fitted_aligners_of_one_model_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``$COMPARE_MODEL_CACHE``: the first build fits and keeps its aligners there, a build of
    another corpus into another folder (and a fresh DataFiles) reads them back."""
    from compare import align

    shared = tmp_path / "models"
    monkeypatch.setenv(MODEL_CACHE_ENV, str(shared))
    corpora = one_document_corpora(tmp_path)
    data = DataFiles.resolve()
    fits: list[int] = []
    real_fit = align.fit_aligners

    def counted_fit(**kwargs: object) -> object:
        fits.append(1)
        return real_fit(**kwargs)

    monkeypatch.setattr(align, "fit_aligners", counted_fit)
    build(corpora[0], tmp_path / "a", jobs=1, data_dir=data.root)
    assert len(fits) == 1 and len(list(shared.glob("aligners-*.pkl"))) == 1
    other = build(corpora[1], tmp_path / "b", jobs=1, data_dir=DataFiles(data.root))
    assert len(fits) == 1 and not (cache_folder(tmp_path / "b") / "models").exists()
    assert len(other.tables["alignments"]) > 0


def test_design_lists_the_columns_of_every_built_table(
    seed_build: tuple[BuildResult, Path],
) -> None:
    """docs/design.md gives each table's columns as the build writes them, in order."""
    design = (Path(__file__).parents[1] / "docs" / "design.md").read_text(encoding="utf-8")
    listed = {
        name: [c.strip() for c in cols.replace("\n", " ").split(",")]
        for name, cols in re.findall(r"^`(\w+)`: `([^`]+)`", design, flags=re.MULTILINE)
    }
    tables = load_tables(seed_build[1])
    assert {n: listed.get(n) for n in TABLES} == {n: list(tables[n].columns) for n in TABLES}


def test_batch_alignment_gives_each_document_its_own_alignments(seed: BuildResult) -> None:
    """The build aligns the measures of many files in one batch: row for row the same as
    aligning each document's measures alone."""
    from compare import align

    fitted = align.fit_aligners(data=seed.data)
    measures, built = seed.tables["measures"], seed.tables["alignments"]
    assert measures["doc_id"].nunique() > 10
    alone = pd.concat(
        [
            align.align_measures(m, aligners=fitted)
            for _, m in measures.groupby("doc_id", sort=False)
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(alone.reset_index(drop=True), built.reset_index(drop=True))


def test_an_up_to_date_build_starts_neither_cpca_nor_the_matcher(
    seed_build: tuple[BuildResult, Path],
) -> None:
    """A no-op rebuild reads the manifest as written and the tables back: cpca (place codes) and
    scipy (matching) are not even imported, which keeps it under a second (benchmarks/)."""
    import subprocess
    import sys

    _, out = seed_build
    corpus = DataFiles.resolve().path("corpus.yml")
    probe = (
        "import sys; from compare.build import build; "
        f"r = build({str(corpus)!r}, {str(out)!r}, jobs=1); "
        "print(r.up_to_date, len(r.tables['measures']), "
        "sorted(m for m in ('cpca', 'scipy', 'sklearn', 'jieba') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[-2] == "True 301 []"
