"""Shared fixtures: small tables following docs/design.md, built from short texts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from compare.build import BuildResult, build
from compare.config import REPO_ROOT, DataFiles
from compare.match import counterparts
from compare.output import MODEL_CACHE_ENV
from compare.structure import kinds
from compare.structure.measures import extract_measures
from compare.structure.segment import load_config, segment_text
from compare.text.clean import clean_text
from compare.text.read import read_source

DEV = REPO_ROOT / "data" / "dev"


@cache
def dev_measures(doc_id: str, year: int | None = None) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """Clean text, segments and measures of a dev-split document, built as the build does."""
    docs = pd.read_csv(DEV / "gold" / "documents.csv", dtype=str)
    row = docs[docs["doc_id"] == doc_id].iloc[0]
    assert row["split"] == "dev", "contract tests use dev texts only"
    (path,) = (DEV / "raw").glob(f"{doc_id}.*")
    text = clean_text(read_source(path).text).text
    cfg = load_config()
    kind = kinds.recognise(text, row["doc_type"], cfg).kind
    segs = segment_text(text, doc_id, cfg, kind=kind)
    return text, segs, extract_measures(segs, text, config=cfg, kind=kind, year=year)


#: (doc_id, label, label_en, jurisdiction, jurisdiction_en, level, doc_type, year) and measures:
#: (path, text, category_id, topic_id). The third document has no year (bounds 2019-2021).
# fmt: off
_DOCS = [
    ("yixing-2012", "宜兴 2012", "Yixing 2012", "宜兴市", "Yixing", "county", "意见", 2012, [
        ("一", "一、推进依法决策。严格执行重大行政决策程序，到2015年重大决策合法性审查率达到100%。",
         "C04_decisions", "T_major_decision"),
        ("二", "二、规范行政执法。全面落实行政执法责任制，推行执法公示。", "C05_enforcement",
         "T_enforcement_conduct"),
        ("三", "三、加强组织领导。各级政府主要负责人履行推进法治政府建设第一责任人职责。",
         "C10_leadership", "T_first_responsible"),
    ]),
    ("caoxian-2016", "曹县 2016–2020", "Caoxian 2016–2020", "曹县", "Caoxian", "county", "纲要",
     2017, [
        ("一", "一、完善决策机制。严格执行重大行政决策程序，合法性审查率达到100%。",
         "C04_decisions", "T_major_decision"),
        ("二", "二、化解矛盾纠纷。健全人民调解、行政调解、司法调解联动工作体系。", "C07_disputes",
         "T_mediation"),
    ]),
    ("district-20xx", "某区 20xx", "District 20xx", "某区", "anonymous district", "district",
     "实施方案", None, [
        ("一", "一、加强行政复议。畅通行政复议渠道，每件复议案件承办人员不少于2名。",
         "C07_disputes", "T_reconsideration"),
    ]),
    ("nanjing-2021", "南京 2021–2025", "Nanjing 2021–2025", "南京市", "Nanjing", "city",
     "实施方案", 2021, [
        ("一", "一、健全决策制度。严格执行重大行政决策程序，到2025年合法性审查率达到100%。",
         "C04_decisions", "T_major_decision"),
        ("二", "二、推进数字法治政府。到2023年政务服务事项网上可办率达到90%以上。", "C09_digital",
         "T_digital_gov"),
        ("三", "三、加强组织领导。党政主要负责人切实履行推进法治建设第一责任人职责。",
         "C10_leadership", "T_first_responsible"),
    ]),
]
# fmt: on


def make_tables() -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Every design.md table for four small documents, and their clean texts."""
    docs, measures, segments, aligns, targets, log = [], [], [], [], [], []
    texts: dict[str, str] = {}
    for doc_id, label, label_en, jur, jur_en, level, doc_type, year, items in _DOCS:
        title = f"{jur}法治政府建设文件"
        text = title + "\n"
        segments.append((doc_id, "preamble", None, 0, len(text), text, False))
        for seq, (path, body, cat, topic) in enumerate(items):
            start = len(text)
            text += body + "\n"
            end = start + len(body)
            mid = f"{doc_id}/{path}"
            heading = body.split("。")[0][2:]
            measures.append({
                "doc_id": doc_id, "measure_id": mid, "seq": seq, "path": path,
                "number": f"{path}、", "heading": heading, "text": body, "char_start": start,
                "char_end": end, "parent_path": "", "parent_headings": "", "lead_units": "",
                "responsible_units": "",
            })  # fmt: skip
            segments.append((doc_id, "item", path, start, end + 1, text[start : end + 1], True))
            aligns.append({
                "doc_id": doc_id, "measure_id": mid, "category_id": cat, "national2021": None,
                "topic_id": topic, "score": 1.0, "evidence": "", "method": "lexicon",
                "secondary": "",
            })  # fmt: skip
            pct = body.find("100%") if "100%" in body else body.find("90%")
            if pct >= 0:
                q0 = body.rfind("达到", 0, pct)
                q1 = pct + (4 if "100%" in body else 3)
                targets.append({
                    "doc_id": doc_id, "measure_id": mid, "quote": body[q0:q1],
                    "char_start": start + q0, "char_end": start + q1,
                    "value": 100.0 if "100%" in body else 90.0, "value_max": None,
                    "comparator": ">=" if "以上" in body else "=", "unit": "%", "per": "",
                    "deadline": body[body.find("到") + 1 : body.find("年") + 1] if "到20" in body
                    else None,
                    "kind": "rate", "subject": "", "actor": "",
                    "indicator": "legality_review_rate" if cat == "C04_decisions"
                    else "online_service_rate", "status": "target",
                })  # fmt: skip
        texts[doc_id] = text
        docs.append({
            "doc_id": doc_id, "source_file": f"raw/{doc_id}.txt", "part": None, "title": title,
            "label": label, "label_en": label_en, "jurisdiction": jur, "jurisdiction_en": jur_en,
            "level": level, "province": "", "adcode": "", "issuer": "", "doc_type": doc_type,
            "doc_number": "", "year": year, "date": "", "period": "", "year_basis": "",
            "year_min": year or 2019, "year_max": year or 2021, "date_flags": "", "encoding": "utf-8",
            "format": "txt", "n_chars": len(text), "n_measures": len(items),
        })  # fmt: skip
        log.append({
            "doc_id": doc_id, "char_start": 0, "char_end": 0, "source_start": 0, "source_end": 4,
            "original": "【打印】", "replacement": "", "action": "remove", "reason": "web junk",
        })  # fmt: skip
    m = pd.DataFrame(measures).set_index("measure_id")
    matches = []
    for a, b in [("yixing-2012/一", "caoxian-2016/一"), ("yixing-2012/一", "nanjing-2021/一"),
                 ("caoxian-2016/一", "nanjing-2021/一"), ("yixing-2012/三", "nanjing-2021/三")]:  # fmt: skip
        for x, y in ((a, b), (b, a)):
            matches.append({"measure_id": x, "other_measure_id": y, "score": 0.8, "rank": 1,
                            "other_doc_id": m.loc[y, "doc_id"]})  # fmt: skip
    phrase = "严格执行重大行政决策程序"
    reuse = []
    ids = sorted(texts)
    for i, d1 in enumerate(ids):
        for d2 in ids[i + 1 :]:
            s1, s2 = texts[d1].find(phrase), texts[d2].find(phrase)
            if min(s1, s2) < 0:
                continue
            reuse.append({"doc_id": d1, "char_start": s1, "other_doc_id": d2,
                          "other_char_start": s2, "length": len(phrase), "text": phrase,
                          "other_length": len(phrase)})  # fmt: skip
    seg_cols = ["doc_id", "kind", "path", "char_start", "char_end", "text", "is_measure"]
    segs = pd.DataFrame(segments, columns=seg_cols)
    segs.insert(1, "seg_id", [f"{d}#{i}" for i, d in enumerate(segs["doc_id"])])
    segs.insert(2, "seq", segs.groupby("doc_id").cumcount())
    for col in ("level", "marker_type", "number", "heading"):
        segs[col] = ""
    documents = pd.DataFrame(docs)
    for col in ("part", "year", "year_min", "year_max", "n_chars", "n_measures"):
        documents[col] = pd.to_numeric(documents[col]).astype("Int64")
    tables = {
        "documents": documents,
        "cleaning_log": pd.DataFrame(log),
        "segments": segs,
        "measures": pd.DataFrame(measures),
        "alignments": pd.DataFrame(aligns),
        "matches": pd.DataFrame(matches),
        "reuse": pd.DataFrame(reuse),
        "targets": pd.DataFrame(targets),
    }
    tables["counterparts"] = counterparts(tables["measures"], documents, tables["alignments"])
    return tables, texts


@pytest.fixture
def small_tables() -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Four documents' tables (one without a year) and their clean texts."""
    return make_tables()


@pytest.fixture(scope="session", autouse=True)
def shared_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every build of the session, in this process and in the CLI and notebook processes it
    starts, keeps and reads its fitted aligners in one folder (``$COMPARE_MODEL_CACHE``), so
    the aligners are fitted once per data folder, not once per build."""
    if os.environ.get("PYTEST_XDIST_WORKER"):  # one folder for all workers of this run
        folder = tmp_path_factory.getbasetemp().parent / "models"
        folder.mkdir(exist_ok=True)
    else:
        folder = tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(MODEL_CACHE_ENV, str(folder))
        yield folder


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path]:
    """One real build of ``data/corpus.yml`` per test session (tests must not modify it)."""
    out = tmp_path_factory.mktemp("seed_build")
    return build(DataFiles.resolve().path("corpus.yml"), out, jobs=2), out
