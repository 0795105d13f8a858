"""Tests for the status of quantities (target / achievement / baseline) and what is not a
quantity, on real texts: the seeds (data/raw) and the development corpus (data/dev/raw, `dev`
split only). Every expected value below was read from the text, not from this code's output."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
from conftest import dev_measures

from compare import targets as tg
from compare.targets import status
from compare.text.clean import clean_text
from compare.text.read import read_source

DEV_RAW = Path(__file__).resolve().parents[1] / "data" / "dev" / "raw"


@lru_cache(maxsize=8)
def dev_targets(name: str, year: int) -> tuple[str, pd.DataFrame]:
    """Clean text of a dev-split file and its targets, extracted as the build does."""
    text = clean_text(read_source(DEV_RAW / name).text).text
    return text, tg.extract_targets(text, doc_id=name, year=year)


def rows_at(text: str, found: pd.DataFrame, phrase: str) -> pd.DataFrame:
    """The rows whose span lies inside the first occurrence of ``phrase``."""
    start = text.index(phrase)
    end = start + len(phrase)
    return found[(found.char_start >= start) & (found.char_end <= end)]


def test_review_figures_of_a_work_report_are_achievements() -> None:
    text, found = dev_targets("luohu_2019_gzbg.txt", 2019)
    # 一、2018年工作回顾: last year's results
    done = rows_at(text, found, "新增学位4400个")
    assert list(zip(done.value, done.unit, done.status, strict=True)) == [
        (4400, "个", "achievement")
    ]
    # 二、2019年主要工作: this year's commitments, and 年内 read as the report's year
    plan = rows_at(text, found, "年内完成查违235万平方米")
    assert list(zip(plan.value, plan.unit, plan.status, strict=True)) == [
        (2350000, "平方米", "target")
    ]
    due = rows_at(text, found, "力争年内完成片区详规编制")
    assert list(zip(due.kind, due.deadline, due.status, strict=True)) == [
        ("deadline", "2019-12-31", "target")
    ]
    in_review = found[found.char_start < text.index("二、2019年主要工作")]
    assert len(in_review) > 50 and set(in_review.status) <= {"achievement", "baseline"}


def test_glossary_and_past_dates_are_not_quantities() -> None:
    text, found = dev_targets("luohu_2019_gzbg.txt", 2019)
    assert found[found.char_start > text.index("名词解释")].empty  # “四个千亿”: 1000亿元以上…
    text, found = dev_targets("futian_2020_gzbg.txt", 2020)
    assert rows_at(text, found, "始于2009年").empty  # a time reference, not a deadline
    assert rows_at(text, found, "市委六届十三次全会").empty  # an ordinal


def test_legal_time_limits_and_sanction_ranges_are_targets() -> None:
    text, found = dev_targets("zj_2016_xinfang.md", 2016)
    limit = rows_at(text, found, "自收到之日起五个工作日内")
    assert list(zip(limit.value, limit.unit, limit.comparator, limit.status, strict=True)) == [
        (5, "工作日", "<=", "target")
    ]
    text, found = dev_targets("shangqiu_2020_yingshang.md", 2020)
    fine = rows_at(text, found, "违法所得三倍以上五倍以下罚款")
    assert list(zip(fine.value, fine.value_max, fine.comparator, fine.unit, strict=True)) == [
        (3, 5, "range", "倍")
    ]
    assert set(fine.status) == {"target"}


def test_cycle_every_two_years_is_once_per_two_years() -> None:
    found = tg.extract_targets("坚持每2年清理一次规范性文件，清理结果向社会公布。", "x")
    assert list(zip(found.value, found.unit, found.per, found.status, strict=True)) == [
        (1, "次", "2-year", "target")
    ]


def test_sentence_tense_and_modality() -> None:
    vocab = tg.load_vocabulary()

    def status_of(text: str, number: str, mode: str = "") -> str:
        i = text.index(number)
        return status.quantity_status(text, i, i + len(number), vocab, mode)

    assert status_of("截至2020年底，全区现有执法人员120名。", "120名") == "baseline"
    assert status_of("全年累计培训执法人员800人。", "800人") == "achievement"
    assert status_of("每年培训执法人员不少于800人。", "800人") == "target"
    assert status_of("新改扩建学校5所。", "5所", mode="review") == "achievement"
    assert status_of("全年共新增学位2万个。", "2万个", mode="commitment") == "target"
    assert status_of("全年共新增学位2万个。", "2万个") == "achievement"


def test_heading_modes() -> None:
    vocab = tg.load_vocabulary()
    assert status.heading_mode("2018年工作回顾", vocab, 2019) == "review"
    assert status.heading_mode("关于2019年工作", vocab, 2020) == "review"
    assert status.heading_mode("关于2020年工作", vocab, 2020) == "commitment"
    assert status.heading_mode("存在问题", vocab, 2020) == "problem"
    assert status.heading_mode("有关名词解释", vocab, 2020) == "notes"
    assert status.heading_mode("总则", vocab, 2020) is None


def test_measure_mode_wins_over_the_heading() -> None:
    text = "一、2020年主要工作\n（一）去年的成绩。新建学校5所。\n（二）今年任务。新建学校8所。\n"
    first = text.index("（一）")
    second = text.index("（二）")
    measures = pd.DataFrame(
        {"char_start": [first, second], "char_end": [second, len(text)],
         "mode": ["review", "commitment"]}
    )  # fmt: skip
    found = tg.extract_targets(text, "x", year=2020, measures=measures)
    assert list(zip(found.value, found.status, strict=True)) == [
        (5, "achievement"),
        (8, "target"),
    ]


def test_no_achievement_reaches_the_targets_views(seed_build) -> None:
    from compare import analysis
    from compare.align.taxonomy import load_taxonomy

    result, _ = seed_build
    built, docs = result.tables["targets"], result.tables["documents"]
    assert {"target", "achievement"} <= set(built["status"])
    indicators = load_taxonomy().indicators
    for view in (
        analysis.target_ranges(built, docs, indicators, by="doc_id"),
        analysis.deadline_timeline(built, docs),
    ):
        kept = view["n" if "n" in view else "n_targets"].sum()
        assert 0 < kept < len(built)
    ranges = analysis.target_ranges(built, docs, indicators, by="doc_id")
    side = analysis.side_by_side(built, docs)
    targets_only = built[built["status"] == "target"]
    drawn = targets_only[(targets_only["indicator"] != "") & targets_only["value"].notna()]
    assert ranges["n"].sum() == len(drawn)
    assert set(side["quote"]) <= set(targets_only["quote"])
    cells = analysis.comparison_cells(built, docs, indicators)
    assert len(cells) and set(cells["quote"]) <= set(targets_only["quote"])


def test_cleanup_cycle_reads_two_years(seed_build) -> None:
    """Yixing 2012: 坚持每2年清理一次规范性文件 — once every two years, a cycle of 2 年."""
    from compare import analysis
    from compare.align.taxonomy import load_taxonomy

    result, _ = seed_build
    built, docs = result.tables["targets"], result.tables["documents"]
    row = built[(built.doc_id == "yixing-2012") & (built.quote == "每2年清理一次")].iloc[0]
    assert (row.value, row.unit, row.per, row.indicator) == (
        1,
        "次",
        "2-year",
        "normative_doc_cleanup_cycle",
    )
    ranges = analysis.target_ranges(built, docs, load_taxonomy().indicators, by="doc_id")
    cycle = ranges[
        (ranges.indicator == "normative_doc_cleanup_cycle") & (ranges.doc_id == "yixing-2012")
    ].iloc[0]
    assert (cycle.unit, cycle.low, cycle.high) == ("年", 2.0, 2.0)


def test_every_targets_view_keeps_commitments_only() -> None:
    """Made-up tables: each jurisdiction reports an achievement (larger value, later document)
    beside its commitment on the same indicator. No view that feeds a targets chart, the
    matrix or its export may show the achievement (or the baseline)."""
    from compare import analysis
    from compare.align.taxonomy import load_taxonomy

    indicators = load_taxonomy().indicators
    ind = str(indicators.iloc[0]["id" if "id" in indicators else "indicator_id"])
    unit = str(indicators.iloc[0].get("unit") or "人")
    docs = pd.DataFrame(
        {"doc_id": ["a1", "a2", "b1"], "jurisdiction": ["甲市", "甲市", "乙市"],
         "jurisdiction_en": ["A", "A", "B"], "year": [2020, 2021, 2020],
         "title": ["t", "t", "t"], "label": ["甲", "甲", "乙"], "label_en": ["A", "A", "B"]}
    )  # fmt: skip
    rows = []
    for doc, value, status_, deadline in [
        ("a1", 10.0, "target", "2021-12-31"), ("a2", 99.0, "achievement", "2020-12-31"),
        ("b1", 20.0, "target", "2022-12-31"), ("b1", 88.0, "achievement", "2019-12-31"),
        ("b1", 77.0, "baseline", ""),
    ]:  # fmt: skip
        rows.append(
            {c: "" for c in tg.COLUMNS}
            | {"doc_id": doc, "quote": f"{value:g}{unit}", "value": value,
               "value_max": float("nan"), "comparator": "=", "unit": unit, "kind": "quantity",
               "indicator": ind, "status": status_, "deadline": deadline, "char_start": 0,
               "char_end": 3}
        )  # fmt: skip
    built = pd.DataFrame(rows)
    achieved = {99.0, 88.0, 77.0}
    cells = analysis.comparison_cells(built, docs, indicators)
    assert sorted(cells["value"]) == [10.0, 20.0] and set(cells["n_targets"]) == {1}
    matrix = analysis.comparison_matrix(cells)
    assert not any(f"{v:g}" in str(c) for v in achieved for c in matrix.to_numpy().ravel())
    side = analysis.side_by_side(built, docs)
    assert sorted(side["value"]) == [10.0, 20.0]
    wide = analysis.target_matrix(side)
    assert not any(f"{v:g}" in str(c) for v in achieved for c in wide.to_numpy().ravel())
    ranges = analysis.target_ranges(built, docs, indicators)
    assert sorted(ranges["high"]) == [10.0, 20.0] and ranges["n"].sum() == 2
    timeline = analysis.deadline_timeline(built, docs)
    assert sorted(timeline["deadline_year"]) == [2021, 2022]


def test_a_part_of_review_items_reads_its_unnumbered_summary_as_review() -> None:
    """龙华 2023 (dev): part 一's heading (迎难而上、顽强拼搏，2022年…) is followed by unnumbered
    ——summary paragraphs, then nine review items; part 二 opens with the year's 预期目标."""
    text, _, found_measures = dev_measures("extra_longhua_2023_gzbg", 2023)
    review_parts = status.part_sections(found_measures)
    assert [(start, mode) for start, _, mode in review_parts] == [(0, "review")]
    found = tg.extract_targets(text, doc_id="longhua", year=2023, measures=found_measures)
    summary = rows_at(text, found, "地区生产总值增长3.1%，达到2952亿元")
    assert list(zip(summary.value, summary.status, strict=True)) == [
        (3.1, "achievement"),
        (2952e8, "achievement"),
    ]
    plan = rows_at(text, found, "地区生产总值增长7%左右")
    assert list(zip(plan.value, plan.status, strict=True)) == [(7, "target")]


def test_an_old_value_of_a_change_is_a_baseline_and_the_new_one_a_target() -> None:
    """广东 2023, 附件1 九: 低保 top-ups 从每月653元、300元提高到676元、311元."""
    text, found = dev_targets("extra_gd_2023_gzbg.txt", 2023)
    change = rows_at(text, found, "分别从每月653元、300元提高到676元、311元")
    assert list(zip(change.value, change.status, strict=True)) == [
        (653, "baseline"), (300, "baseline"), (676, "target"), (311, "target")
    ]  # fmt: skip


def test_annex_commitments_count_and_set_names_do_not() -> None:
    """广东 2023: the 附件1 民生实事 are targets (培训4万人次以上); 新一轮 (a new round), a policy
    package (24条特别措施) and a named ten-year plan (十年“卓粤”计划) are no quantities."""
    text, found = dev_targets("extra_gd_2023_gzbg.txt", 2023)
    trained = rows_at(text, found, "开展“粤菜师傅”培训4万人次以上")
    assert list(zip(trained.value, trained.unit, trained.status, strict=True)) == [
        (40000, "人次", "target")
    ]
    assert rows_at(text, found, "支持新一轮前海总体发展规划获批实施").empty
    assert rows_at(text, found, "落实放宽市场准入24条特别措施").empty
    assert rows_at(text, found, "出台基础研究十年“卓粤”计划").empty


def test_a_commitment_part_that_promises_results_is_no_review() -> None:
    """宝安 2022: 二、高质量做好2022年各项工作，以优异成绩迎接党的二十大胜利召开 opens the
    year's tasks (以优异成绩… is what they are to bring), 一、过去一年工作回顾 the review."""
    vocab = tg.load_vocabulary()
    title = "高质量做好2022年各项工作，以优异成绩迎接党的二十大胜利召开"
    assert status.heading_mode(title, vocab, 2022) == "commitment"
    assert status.heading_mode("过去一年工作回顾", vocab, 2022) == "review"
    text, found = dev_targets("extra_baoan_2022_gzbg.txt", 2022)
    plans = found[found.char_start > text.index("二、高质量做好2022年")]
    assert (plans.status == "target").sum() > 40


def test_a_task_that_aims_at_more_results_is_no_review() -> None:
    """龙华 2022: 实施民生福祉增进行动，努力在共建共治共享共同富裕上取得更多成效 is one of the year's
    tasks (更多成效 is what it is to bring), and its figures are targets (新增床位不少于500张)."""
    vocab = tg.load_vocabulary()
    title = "实施民生福祉增进行动，努力在共建共治共享共同富裕上取得更多成效"
    assert status.heading_mode(title, vocab, 2022) is None  # no review cue: its part decides
    assert (
        status.heading_mode("着力保障和改善民生，交出了一张共享发展有力有为的成绩单", vocab, 2022)
        == "review"
    )
    text, found = dev_targets("extra_longhua_2022_gzbg.txt", 2022)
    beds = rows_at(text, found, "新增床位不少于500张")
    assert list(zip(beds.value, beds.unit, beds.status, strict=True)) == [(500, "张", "target")]


def test_a_task_part_item_that_aims_at_more_results_is_a_commitment() -> None:
    """The same 龙华 2022 item, segmented as the build does: its measure's mode is
    ``commitment`` (its part is the year's tasks), the review items' are ``review``, and its
    figures are targets."""
    text, _, found = dev_measures("extra_longhua_2022_gzbg", 2022)
    modes = dict(zip(found.path, found["mode"], strict=True))
    assert modes["三/（九）"] == "commitment" and modes["一/（八）"] == "review"
    quantities = tg.extract_targets(text, doc_id="lh", year=2022, measures=found)
    beds = rows_at(text, quantities, "新增床位不少于500张")
    assert list(beds.status) == ["target"]


def test_a_review_part_whose_heading_names_no_mode_is_read_from_its_tense() -> None:
    """罗湖 2019 (dev) with its two part headings renamed to words that name no mode: the review
    part is still found from its sentences (results, no commitments), the task part is not."""
    text, _ = dev_targets("luohu_2019_gzbg.txt", 2019)
    review, tasks = "一、2018年工作回顾", "二、2019年主要工作"
    hidden = text.replace(review, "一、奋勇拼搏、争先创优").replace(tasks, "二、凝心聚力、砥砺奋进")
    assert len(hidden) == len(text)  # the same offsets
    start, split = text.index(review), text.index(tasks)
    vocab = tg.load_vocabulary()
    # the greeting before 一、 holds no figure; the review part runs from its heading to 二、
    assert status.tense_sections(hidden, vocab, 2019) == [(start, split, "review")]
    found = tg.extract_targets(hidden, doc_id="luohu", year=2019)
    in_review = found[found.char_start < split]
    assert len(in_review) > 50 and set(in_review.status) <= {"achievement", "baseline"}
    done = rows_at(hidden, found, "新增学位4400个")
    assert list(zip(done.value, done.status, strict=True)) == [(4400, "achievement")]
    plan = rows_at(hidden, found, "年内完成查违235万平方米")
    assert list(zip(plan.value, plan.status, strict=True)) == [(2350000, "target")]
    # a regulation has no review part: its articles' numbers are never voted into one
    regulation = status.passages(hidden, vocab, 2019, kind="regulation")
    assert regulation.mode_at(hidden.index("新增学位4400个")) == ""


def test_a_speech_part_that_reports_gives_achievements_in_the_build(seed_build) -> None:
    """speeches-06's 二、强化问题导向… opens with last year's results (read from the text and in
    tests/fixtures/targets/gold_seeds.csv as achievements): the build reads them as such."""
    result, _ = seed_build
    rows = result.tables["targets"].query("doc_id == 'speeches-06'")
    done = rows[rows.quote.isin(["5个", "100%"])]
    assert sorted(zip(done.quote, done.status, strict=True)) == [
        ("100%", "achievement"),
        ("5个", "achievement"),
    ]


def test_a_quoted_service_radius_is_a_target_and_other_short_quotes_are_not() -> None:
    """龙华 2023 (dev): the task part commits to “15分钟健身圈” and “10分钟服务圈” (read from the
    text; the gold lists them), while quoted names such as “新十条” and “三遴选” stay slogans."""
    text, found = dev_targets("extra_longhua_2023_gzbg.txt", 2023)
    radius = rows_at(text, found, "打造“15分钟健身圈”")
    assert list(zip(radius.value, radius.unit, radius.status, strict=True)) == [
        (15, "分钟", "target")
    ]
    service = rows_at(text, found, "打造文明实践“10分钟服务圈”")
    assert list(zip(service.value, service.unit, strict=True)) == [(10, "分钟")]
    assert rows_at(text, found, "“新十条”").empty
    assert rows_at(text, found, "“三遴选”").empty


def test_half_is_fifty_percent() -> None:
    """龙华 2022 力争实现一半以上的重要建筑…; 职教方案 2019 占总课时一半以上 (dev)."""
    text, found = dev_targets("extra_longhua_2022_gzbg.txt", 2022)
    half = rows_at(text, found, "力争实现一半以上的重要建筑")
    assert list(zip(half.value, half.unit, half.comparator, half.status, strict=True)) == [
        (50, "%", ">=", "target")
    ]
    text, found = dev_targets("gov_2019_zhijiao_fangan.html", 2019)
    half = rows_at(text, found, "原则上占总课时一半以上")
    assert list(zip(half.value, half.unit, strict=True)) == [(50, "%")]
