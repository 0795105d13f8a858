"""Dates: stated, signed, and bounded by what a text cites; contradictions flagged."""

from __future__ import annotations

import datetime as dt

from compare.text.dating import (
    cited_events,
    date_evidence,
    resolve_dates,
    signature_date,
    stated_dates,
)


def test_signature_in_chinese_numerals() -> None:
    text = "……努力促进本单位各项工作达到相关目标要求。 宜兴市人民政府 二○一二年四月五日 |"
    assert signature_date(text) == dt.date(2012, 4, 5)
    assert signature_date("县政府办公室\n2017年7月26日") == dt.date(2017, 7, 26)
    assert signature_date("二〇二一年十二月三十日印发") == dt.date(2021, 12, 30)


def test_header_dates() -> None:
    assert stated_dates("文號 | 宜政發[2012]60號 |\n成文日期 | 2012-08-23 |") == [
        ("成文日期", dt.date(2012, 8, 23))
    ]
    assert stated_dates("发布时间:2017-7-26 浏览次数: 435") == [("发布时间", dt.date(2017, 7, 26))]


def test_manifest_date_contradicted_by_signature_is_flagged_not_chosen() -> None:
    source = "成文日期 | 2012-08-23 |\n……\n宜兴市人民政府 二○一二年四月五日"
    ev = date_evidence(source, source)
    out = resolve_dates({"date": "2012-08-23", "year": "2012"}, ev)
    assert out["date"] == "2012-08-23"  # the manifest's value is kept ...
    assert "signature date 2012-04-05" in out["date_flags"]  # ... and the conflict reported


def test_undated_text_gets_a_lower_bound_from_citations() -> None:
    text = "坚持以习近平法治思想为指导，深入贯彻党的十九大精神，认真实施民法典。"
    events = cited_events(text)
    assert set(events["after"]) == {"2020-11", "2017-10", "2020-05"}
    out = resolve_dates({}, date_evidence(text, text))
    assert out["year"] == 2020 and out["year_min"] == 2020
    assert "习近平法治思想" in out["year_basis"]
    assert out["date_flags"] == ""


def test_stated_year_earlier_than_a_cited_event_is_flagged() -> None:
    text = "全面贯彻八五普法规划。"
    out = resolve_dates({"year": "2019"}, date_evidence(text, text))
    assert out["year"] == 2019
    assert "earlier than cited 八五普法规划" in out["date_flags"]
