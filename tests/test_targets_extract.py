"""Tests for compare.targets: gold-fixture precision/recall, exclusions, offsets, library checks.

The gold CSVs in tests/fixtures/targets/ were written by reading the texts, not from this
module's output. A gold row is located in the clean text by its ``quote`` (the
``occurrence``-th hit). A prediction matches a gold row when both are in the same document,
their spans overlap and they agree on the value (on the deadline for deadlines); each gold
row and each prediction is matched at most once.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from compare import analysis
from compare import targets as tg
from compare.config import DataFiles
from compare.targets import deadlines, extract, numbers, rows, spans

FIX = Path(__file__).parent / "fixtures" / "targets"
SEED_FILES = {
    "yixing-2012": "000_555a7841707b4dce.txt",
    "caoxian-2016": "001_9b9a54170b52034a.txt",
    "district-20xx": "002_031ba38f685b3de9.txt",
    "nanjing-2021": "003_06ec0521e48adf05.txt",
    "speeches": "004_ccc4eb72ef48a563.txt",
}
SEED_FLOOR = 0.95
#: Share of matched seed targets whose status agrees with the gold (71 of 72 when set; 70 of 72
#: since a part's tense is voted where its heading names no mode: extracted here without the
#: measures, speeches-06's 7个工作日内, a legal time limit cited in a part that reports, reads as
#: reported. The build, with measures, gets two more seed statuses right: test_targets_status).
SEED_STATUS_FLOOR = 0.97
HELDOUT_FLOOR = 0.90


# --------------------------------------------------------------------------- texts


def _clean(raw: str) -> str:
    """The project's clean text (compare.clean); a rough stand-in while it is unavailable."""
    try:
        from compare.text.clean import clean_text
    except ImportError:  # pragma: no cover - only before clean.py exists
        import opencc

        text = opencc.OpenCC("t2s").convert(raw)
        text = re.sub(r"\(([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*)\)", "", text)
        text = text.translate(str.maketrans("(),:;", "（），：；"))
        return "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return clean_text(raw).text


@lru_cache(maxsize=1)
def seed_texts() -> dict[str, str]:
    """doc_id -> clean text for the 16 seed documents (speeches split as in tables.py)."""
    import yaml

    from compare.text.read import read_source, split_parts

    manifest = yaml.safe_load(DataFiles.resolve().path("corpus.yml").read_text(encoding="utf-8"))
    split = next(d["split"] for d in manifest["documents"] if d["id"] == "speeches")
    out = {}
    for doc_id, name in SEED_FILES.items():
        source = read_source(DataFiles.resolve().path("raw", name)).text
        if doc_id == "speeches":
            parts, _ = split_parts(source, split)
            for p in parts:
                out[f"speeches-{p.part:02d}"] = _clean(source[p.start : p.end])
        else:
            out[doc_id] = _clean(source)
    return out


@lru_cache(maxsize=1)
def heldout_texts() -> dict[str, str]:
    """doc_id -> text of the held-out plans (already clean: written in the clean style)."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(FIX.glob("heldout_*.txt"))}


def load_gold(name: str, texts: dict[str, str]) -> pd.DataFrame:
    """The gold CSV with each row located: char_start/char_end of its quote."""
    gold = pd.read_csv(FIX / name, dtype=str, keep_default_na=False)
    starts, ends = [], []
    for row in gold.itertuples(index=False):
        text = texts[row.doc_id]
        hits = [m.start() for m in re.finditer(re.escape(row.quote), text)]
        k = int(row.occurrence or 1)
        assert len(hits) >= k, f"gold quote not in clean text: {row.doc_id} {row.quote!r}"
        starts.append(hits[k - 1])
        ends.append(hits[k - 1] + len(row.quote))
    gold["char_start"], gold["char_end"] = starts, ends
    gold["value"] = pd.to_numeric(gold["value"], errors="coerce")
    return gold


def _same(g: pd.Series, p: pd.Series) -> bool:
    if g["kind"] == "deadline":
        return p["kind"] == "deadline" and g["deadline"] == p["deadline"]
    return not math.isnan(p["value"]) and math.isclose(g["value"], p["value"], rel_tol=1e-3)


def score(gold: pd.DataFrame, pred: pd.DataFrame) -> dict[str, object]:
    """Precision, recall and the unmatched rows of both sides."""
    used: set[int] = set()
    matched_gold = []
    for gi, g in gold.iterrows():
        cands = pred[
            (pred.doc_id == g.doc_id)
            & (pred.char_start < g.char_end)
            & (g.char_start < pred.char_end)
        ]
        hit = next((pi for pi, p in cands.iterrows() if pi not in used and _same(g, p)), None)
        if hit is not None:
            used.add(hit)
            matched_gold.append((gi, hit))
    precision = len(used) / len(pred) if len(pred) else 1.0
    recall = len(matched_gold) / len(gold) if len(gold) else 1.0
    missed = gold.drop(index=[g for g, _ in matched_gold])
    extra = pred.drop(index=list(used))
    pairs = [(gold.loc[g], pred.loc[p]) for g, p in matched_gold]
    return {"precision": precision, "recall": recall, "missed": missed, "extra": extra,
            "pairs": pairs}  # fmt: skip


def predict(texts: dict[str, str]) -> pd.DataFrame:
    frames = [tg.extract_targets(t, doc_id=d) for d, t in texts.items()]
    return pd.concat(frames, ignore_index=True)


def _report(name: str, result: dict[str, object]) -> str:
    pairs = result["pairs"]
    fields = ["comparator", "unit", "per", "kind", "status"]
    agree = {f: sum(str(g[f]) == str(p[f]) for g, p in pairs) / max(len(pairs), 1) for f in fields}
    lines = [
        f"{name}: precision {result['precision']:.3f}, recall {result['recall']:.3f} "
        f"(matched {len(pairs)}); field agreement on matches: "
        + ", ".join(f"{f} {v:.2f}" for f, v in agree.items())
    ]
    for _, r in result["missed"].iterrows():
        lines.append(f"  missed {r.doc_id} {r.quote}")
    for _, r in result["extra"].iterrows():
        lines.append(f"  extra  {r.doc_id} {r.quote} value={r.value} deadline={r.deadline}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- gold scores


def test_seed_precision_recall() -> None:
    texts = seed_texts()
    assert len(texts) == 16
    result = score(load_gold("gold_seeds.csv", texts), predict(texts))
    report = _report("seeds", result)
    print("\n" + report)
    assert result["precision"] >= SEED_FLOOR, report
    assert result["recall"] >= SEED_FLOOR, report
    pairs = result["pairs"]
    same_status = sum(g["status"] == p["status"] for g, p in pairs) / len(pairs)
    assert same_status >= SEED_STATUS_FLOOR, report


def test_heldout_precision_recall() -> None:
    texts = heldout_texts()
    assert len(texts) >= 2
    result = score(load_gold("gold_heldout.csv", texts), predict(texts))
    report = _report("held-out", result)
    print("\n" + report)
    assert result["precision"] >= HELDOUT_FLOOR, report
    assert result["recall"] >= HELDOUT_FLOOR, report


def test_quotes_are_exact_substrings() -> None:
    for texts in (seed_texts(), heldout_texts()):
        pred = predict(texts)
        assert list(pred.columns) == tg.COLUMNS
        for row in pred.itertuples(index=False):
            assert texts[row.doc_id][row.char_start : row.char_end] == row.quote
            assert row.status in {"target", "achievement", "baseline"}
            assert row.kind in {"quantity", "frequency", "duration", "deadline", "scope"}
            assert row.comparator in {">=", "<=", "=", "range", "approx", "by"}


# --------------------------------------------------------------------------- behaviour


@pytest.mark.parametrize(
    "text",
    [
        "宜兴市人民政府关于印发方案的通知（宜政发〔2012〕60号）",  # document number
        "成文日期：2012-08-23。二○一二年四月五日。发布时间：2017-7-26",  # dates of issue
        "《南京市法治政府建设实施方案（2021—2025年）》《纲要（2016-2020年）》",  # plan periods
        "按照“四个全面”战略布局，做到“两个维护”，推行五证合一。",  # slogans
        "巩固行政执法三项制度成果，推行“合法性审查333工作体系”。",  # named reforms
        "推进12345政务热线改造，加强5G应用，实现政务服务一网通办。",  # numbers in names
        "贯彻党的十八届三中全会精神，在中央政治局第27次集体学习时强调。",  # ordinals
        "累计取消xx项，办理XX件，召开xx次会议，20xx年度工作。",  # placeholders
        "自2004年实施纲要以来，工作取得进展。",  # a past year
        "区属职能部门（15个）：综合办公室、纪检监察局。",  # enumeration count
        "重点抓好以下七个方面的工作，讲三个问题。",  # structure of a speech
        "这是一个重要标志，是一项系统工程。",  # 一个/一项 as articles
        "对年度内行政诉讼败诉一件及以上的，要扣减该单位财力。",  # a condition
        "本部门1年内发生多起重大违法行政案件的，依法追究责任。",  # a condition
        "开展行政执法三年提升行动。",  # a named campaign
        "我市成为全省3个法治政府建设示范市之一。",  # one of
    ],
)
def test_exclusions_produce_no_target(text: str) -> None:
    found = tg.extract_targets(text, "x")
    assert found.empty, found[["quote", "value", "deadline"]].to_string()


@pytest.mark.parametrize(
    ("text", "value", "value_max", "comparator", "unit", "per", "kind"),
    [
        (
            "各级党委政府每年至少举办一期领导干部法治专题培训班。",
            1,
            None,
            ">=",
            "期",
            "year",
            "frequency",
        ),
        ("举办两期以上领导班子法治专题讲座。", 2, None, ">=", "期", "", "frequency"),
        ("法制机构应配备1至2名专兼职法制员。", 1, 2, "range", "名", "", "quantity"),
        ("法制审核人员不少于本单位执法人员总数的5%。", 5, None, ">=", "%", "", "scope"),
        ("有效期一般不超过5年。", 5, None, "<=", "年", "", "duration"),
        ("力争用2年左右时间完成轮训。", 2, None, "approx", "年", "", "duration"),
        ("每季度通报一次执法情况。", 1, None, "=", "次", "quarter", "frequency"),
        ("负责人任期内至少接受1次法治专题脱产培训。", 1, None, ">=", "次", "term", "frequency"),
        ("坚持每两年清理一次规范性文件。", 1, None, "=", "次", "2-year", "frequency"),
        ("复议纠错率不低于90%。", 90, None, ">=", "%", "", "quantity"),
        ("在7个工作日内完成公示。", 7, None, "<=", "工作日", "", "duration"),
        ("审查比例不低于三分之二。", 200 / 3, None, ">=", "%", "", "scope"),
        ("时限压缩百分之三十以上。", 30, None, ">=", "%", "", "quantity"),
        ("调解成功率不低于九成。", 90, None, ">=", "%", "", "quantity"),
        ("辅助人员比例一般不超过1:2。", 0.5, None, "<=", "比", "", "quantity"),
        ("全年共查处违法案件1.2万件。", 12000, None, "=", "件", "year", "quantity"),
        ("区司法局每两个月通报一次。", 1, None, "=", "次", "2-month", "frequency"),
        ("一季度一通报办理情况。", 1, None, "=", "次", "quarter", "frequency"),
        ("对同一企业的检查一年内原则上不超过两次。", 2, None, "<=", "次", "year", "frequency"),
        ("市政府每年部署法治政府建设重点工作。", 1, None, "=", "次", "year", "frequency"),
    ],
)
def test_single_targets(text, value, value_max, comparator, unit, per, kind) -> None:
    found = tg.extract_targets(text, "x")
    assert len(found) == 1, found.to_string()
    row = found.iloc[0]
    assert math.isclose(row.value, value)
    assert math.isnan(row.value_max) if value_max is None else row.value_max == value_max
    assert (row.comparator, row.unit, row.per, row.kind) == (comparator, unit, per, kind)


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("2023年年底前实现信息共享。", "2023-12-31"),
        ("2024年年初基本实现全覆盖。", "2024-01-01"),
        ("2023年6月底前基本实现市级统筹。", "2023-06-30"),
        ("到2025年，政府治理体系日益健全。", "2025-12-31"),
        ("原则上应当在2019年年底前完成。", "2019-12-31"),
        ("2024年6月30日前完成清理。", "2024-06-30"),
        ("2022年上半年前完成。", "2022-06-30"),
    ],
)
def test_deadlines(text: str, deadline: str) -> None:
    found = tg.extract_targets(text, "x")
    assert len(found) == 1, found.to_string()
    row = found.iloc[0]
    assert (row.kind, row.comparator, row.deadline) == ("deadline", "by", deadline)


@pytest.mark.parametrize(
    "text",
    [
        "确保年底前创成示范市。",
        "各单位在4月15日前报送方案。",
        "年内完成权责清单调整。",
    ],
)
def test_relative_deadlines_have_no_date(text: str) -> None:
    found = tg.extract_targets(text, "x")
    assert len(found) == 1, found.to_string()
    assert (found.kind[0], found.comparator[0], found.deadline[0]) == ("deadline", "by", "")


def test_vague_and_recurring_dates() -> None:
    assert tg.extract_targets("市政府每年选取一些规范性文件草案进行听证。", "x").empty
    found = tg.extract_targets("各乡镇于每年1月20日前报送上一年度报告。", "x")
    assert list(zip(found.kind, found.per, found.value, strict=True)) == [("frequency", "year", 1)]


def test_achievement_status() -> None:
    text = "文明行为促进条例等8部地方性法规先后颁布实施。去年累计取消行政审批事项12项。"
    found = tg.extract_targets(text, "x")
    assert list(found.value) == [8, 12]
    assert set(found.status) == {"achievement"}


# --------------------------------------------------------------------------- libraries

#: Numeral phrasings from the fixtures with their reading (checked by hand).
NUMERALS = {"两": 2, "一": 1, "十五": 15, "二十六": 26, "一百二十五": 125, "六": 6, "三": 3,
            "二○一二": 2012, "二〇二五": 2025, "○": 0, "十": 10}  # fmt: skip
#: Deadline phrases from the fixtures with their date (checked by hand).
DEADLINES = {
    "2023年年底前": "2023-12-31", "2024年年初": "2024-01-01", "2023年6月底前": "2023-06-30",
    "2025年": "2025-12-31", "2019年年底前": "2019-12-31", "2012年底": "2012-12-31",
    "2022年年底前": "2022-12-31", "2024年6月底前": "2024-06-30", "2024年6月30日前": "2024-06-30",
    "2023年底前": "2023-12-31", "2024年上半年": "2024-06-30", "2025年第一季度": "2025-03-31",
    "2023年12月31日前": "2023-12-31", "2026年3月底前": "2026-03-31",
}  # fmt: skip


#: cn2an.transform on whole fixture phrasings: what a reader would write in Arabic numerals.
TRANSFORM = {
    "每年举办两期以上讲座": "每年举办2期以上讲座", "每年至少举办一期": "每年至少举办1期",
    "不少于三人": "不少于3人", "十个工作日内": "10个工作日内", "不少于五千份": "不少于5000份",
    "二○一二年四月五日": "2012年4月5日", "每两周开展一次": "每2周开展1次",
    "连续两年": "连续2年", "一百二十五项": "125项", "用三年时间": "用3年时间",
    "百分之三十以上": "30%以上", "不低于九成": "不低于90%",
}  # fmt: skip


def transform_failures() -> list[str]:
    """Fixture phrasings cn2an.transform gets wrong (it is not used on whole phrases here)."""
    import cn2an

    return [s for s, want in TRANSFORM.items() if cn2an.transform(s, "cn2an") != want]


def library_accuracy() -> dict[str, float]:
    """Share of fixture phrasings cn2an / jionlp get right alone, and this module with its rules."""
    import cn2an

    def cn2an_ok(s: str, v: int) -> bool:
        try:
            return cn2an.cn2an(s, "smart") == v
        except ValueError:
            return False

    n_cn = sum(cn2an_ok(s, v) for s, v in NUMERALS.items())
    n_ours = sum(tg.parse_numeral(s) == v for s, v in NUMERALS.items())
    starts = {"2024年年初"}
    n_jio = sum(tg.deadline_by_jionlp(p, p in starts) == d for p, d in DEADLINES.items())
    n_res = 0
    for phrase, date in DEADLINES.items():
        m = re.match(
            r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?(年底|年初|底|上半年|第一季度)?", phrase
        )
        assert m
        y, mo, d, post = m.groups()
        got = tg.resolve_deadline(phrase, int(y), mo and int(mo), d and int(d), post or "")
        n_res += got == date
    return {
        "cn2an": n_cn / len(NUMERALS),
        "parse_numeral": n_ours / len(NUMERALS),
        "jionlp": n_jio / len(DEADLINES),
        "resolve_deadline": n_res / len(DEADLINES),
    }


def test_library_accuracy() -> None:
    acc = library_accuracy()
    wrong = transform_failures()
    acc["cn2an.transform"] = 1 - len(wrong) / len(TRANSFORM)
    print("\nlibrary accuracy on fixture phrasings: "
          + ", ".join(f"{k} {v:.2f}" for k, v in acc.items())
          + f"; cn2an.transform wrong on: {', '.join(wrong)}")  # fmt: skip
    assert acc["parse_numeral"] == 1.0
    assert acc["resolve_deadline"] == 1.0


# --------------------------------------------------------------------------- linking


def test_assign_measures_innermost() -> None:
    text = "二、培训。（一）学法。领导班子每年集中学法不少于2次。（二）其他。"
    found = tg.extract_targets(text, "d")
    measures = pd.DataFrame({
        "doc_id": ["d", "d", "d"], "measure_id": ["d/二", "d/二/（一）", "d/二/（二）"],
        "char_start": [0, 5, text.index("（二）")], "char_end": [len(text), text.index("（二）"), len(text)],
    })  # fmt: skip
    out = tg.assign_measures(found, measures)
    assert list(out.measure_id) == ["d/二/（一）"]
    other = tg.assign_measures(found.assign(doc_id="zzz"), measures)
    assert list(other.measure_id) == [""]


def _indicators() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["lecture_sessions", "training_hours", "review_staff_share"],
        "unit": ["期", "学时", "%"],
        "terms": [["法治专题讲座", "专题讲座"], ["学时"], ["法制审核人员", "执法人员总数"]],
    })  # fmt: skip


def test_map_indicators_and_side_by_side(tmp_path: Path) -> None:
    a = tg.extract_targets("各级政府领导班子每年应当举办2期以上法治专题讲座。", "a")
    b = tg.extract_targets("每人每年接受不少于60学时的培训。领导班子每年举办1期法治专题讲座。", "b")
    t = tg.map_indicators(pd.concat([a, b], ignore_index=True), _indicators())
    assert list(t.indicator) == ["lecture_sessions", "training_hours", "lecture_sessions"]
    docs = pd.DataFrame({"doc_id": ["a", "b"], "jurisdiction": ["甲市", "乙县"],
                         "label": ["甲", "乙"], "year": [2021, 2016]})  # fmt: skip
    side = analysis.side_by_side(t, docs)
    assert list(side.columns) == analysis.SIDE_COLUMNS
    lect = side[side.indicator == "lecture_sessions"].set_index("jurisdiction")
    assert lect.loc["甲市", "value"] == 2 and lect.loc["乙县", "value"] == 1
    paths = analysis.export_side_by_side(side, tmp_path / "side")
    assert [p.name for p in paths] == ["side.csv", "side.xlsx"]
    first = paths[1].read_bytes()
    analysis.export_side_by_side(side, tmp_path / "side")
    assert paths[1].read_bytes() == first


def test_bad_vocabulary_file(tmp_path: Path) -> None:
    from compare.errors import CompareError

    bad = tmp_path / "targets.yml"
    bad.write_text("units: {}\n", encoding="utf-8")
    with pytest.raises(CompareError, match="lacks"):
        tg.load_vocabulary(str(bad))
    broken = tmp_path / "broken.yml"
    text = DataFiles.resolve().path("targets.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("condition_pattern: '", "condition_pattern: '(", 1), "utf-8")
    with pytest.raises(CompareError, match="bad pattern"):
        tg.load_vocabulary(str(broken))


# --------------------------------------------------------------------------- speed


def _frame_by_pandas(rows: list[dict]) -> pd.DataFrame:
    """The targets frame built the plain pandas way (records, then a cast per column)."""
    df = pd.DataFrame(rows, columns=tg.COLUMNS)
    for col in ("char_start", "char_end"):
        df[col] = df[col].astype("int64")
    for col in ("value", "value_max"):
        df[col] = df[col].astype("float64")
    for col in set(tg.COLUMNS) - {"char_start", "char_end", "value", "value_max"}:
        df[col] = df[col].fillna("").astype(str)
    return df.reset_index(drop=True)


def test_frame_is_the_plain_pandas_frame() -> None:
    text = "到2025年底前，每年至少开展2次培训，约1-2名人员。"
    sample_rows = [
        rows.make_row("d", text, 0, 9, comparator="by", deadline="2025-12-31", kind="deadline"),
        rows.make_row("d", text, 10, 20, value=2.0, comparator=">=", unit="次", per=None, kind=7),
        rows.make_row("d", text, 21, 27, value=1.0, value_max=2.0, subject=float("nan")),
    ]
    for sample in (sample_rows, sample_rows[:1], []):
        pd.testing.assert_frame_equal(rows.to_frame(sample), _frame_by_pandas(sample))
    found = 0
    for doc_id, text in seed_texts().items():
        got = tg.extract_targets(text, doc_id)
        found += len(got)
        pd.testing.assert_frame_equal(got, _frame_by_pandas(got.to_dict("records")))
    assert found > 50


def test_no_pattern_is_compiled_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pattern of the vocabulary is compiled when it is loaded, not on each call (Python's
    regex cache holds 512 patterns; the whole pipeline overflows it)."""
    import os
    import sys

    vocab = tg.load_vocabulary()
    text = next(iter(seed_texts().values()))
    tg.extract_targets(text, "d", vocab)  # first call: imports cn2an, jionlp
    re_dir = os.path.dirname(re.__file__)
    callers: list[str] = []
    real = re._compile

    def spy(*args, **kwargs):
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.startswith(re_dir):
            frame = frame.f_back
        callers.append(frame.f_code.co_filename if frame is not None else "")
        return real(*args, **kwargs)

    monkeypatch.setattr(re, "_compile", spy)
    tg.extract_targets(text, "d", vocab)
    modules = {Path(m.__file__) for m in (extract, numbers, deadlines, rows, spans)}
    assert not [c for c in callers if Path(c) in modules]
