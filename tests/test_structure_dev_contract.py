"""The measure contract (docs/design.md) on real texts of the development corpus, `dev` split
only (data/dev/raw, never a frozen text). Every expected value was read from the text itself:
article counts and 章/节 headings from the file, items from their numbering."""

from __future__ import annotations

from conftest import dev_measures


def test_regulation_articles_sit_under_their_chapters_and_sections() -> None:
    """安阳市政务服务条例: 6 章, 第三章 with 4 节, 第一条 … 第五十八条 (read from the file)."""
    _, segs, found = dev_measures("anyang_2021_zhengwu_fuwu")
    articles = segs[(segs.kind == "item") & segs.number.str.match(r"第.+条$")]
    assert len(articles) == 58
    # purpose (为了…制定本条例), scope (…适用本条例; gaps left to other law) and commencement
    # (本条例自…起施行) are segments, every other article is a measure
    kept = set(found.path.str.rsplit("/", n=1).str[-1])
    assert {"第一条", "第二条", "第五十八条"}.isdisjoint(kept)
    assert len(found) == 55
    # 总则 articles are measures, under 第一章
    assert {"第一章/第三条", "第一章/第八条"} <= set(found.path)
    # 节 headings are parents, never measures, and never under a 条
    sections = segs[segs.number.str.match(r"第.+节$", na=False)]
    assert list(sections.path) == [
        "第三章/第一节",
        "第三章/第二节",
        "第三章/第三节",
        "第三章/第四节",
    ]
    assert not sections.is_measure.any()
    assert not found.path.str.contains("节$").any()
    assert not segs.path.str.contains(r"条/第.+节").any()
    first = found[found.path.str.startswith("第三章/第一节/")].iloc[0]
    assert first.parent_path == "第三章/第一节"
    assert first.parent_headings.split(" / ")[1].startswith("一般规定")
    # an article's （一）（二） items stay inside it
    assert not found.path.str.contains("（").any()


def test_referral_articles() -> None:
    """A referral to other law is no measure beside a scope paragraph (安阳 第二条), but an
    article that sends one specific matter to other law is a rule (在线政务服务 第十三条)."""
    _, _, found = dev_measures("anyang_2021_zhengwu_fuwu")
    assert "第一章/第二条" not in set(found.path)
    _, _, found = dev_measures("gov_2019_zaixian_zhengwu")
    assert "第十三条" in set(found.path)
    _, _, found = dev_measures("gov_2020_ducha")
    assert "第二十七条" not in set(found.path)  # 其他监督检查 follow other law: scope


def test_plan_framing_items_are_measures_with_framing() -> None:
    """国办 2004 实施意见: 一、(significance and guiding thought) frames; the tasks do not."""
    _, _, found = dev_measures("extra_gov_2004_ssyj")
    framing = found[found.framing]
    assert list(framing.path) == ["一"]
    assert len(found) > len(framing) + 30


def test_inline_enumerations_are_not_measures() -> None:
    """罗湖 2019: 一是…二是… run inside paragraphs (17 times after a comma or stop); they stay
    in the item that holds them."""
    text, _, found = dev_measures("luohu_2019_gzbg", 2019)
    inline = [
        i for i in range(len(text)) if text.startswith("一是", i) and text[i - 1] in "，。：；"
    ]
    assert len(inline) >= 10
    assert not found.number.str.contains("是").any()
    for pos in inline:
        holder = found[(found.char_start < pos) & (found.char_end > pos)]
        assert len(holder) <= 1


def test_glossary_items_are_not_measures() -> None:
    """盐田 2020 ends with 政府工作报告名词、术语注释 and 11 numbered terms: none is a measure."""
    text, _, found = dev_measures("yantian_2020_gzbg", 2020)
    glossary = text.index("名词、术语注释")
    assert len(found) > 10
    assert (found.char_start < glossary).all()


def test_report_modes_follow_the_year_their_part_is_about() -> None:
    """福田 2020: 一、关于2019年工作 is the review, 二、关于2020年工作 the plans; 盐田 2020:
    the 一是…四是 of 2020年发展形势和总体要求 are commitments, the items after 2019年工作回顾
    reviews."""
    _, _, found = dev_measures("futian_2020_gzbg", 2020)
    mode = dict(zip(found.path, found["mode"], strict=True))
    assert {mode[p] for p in mode if p.startswith("一/")} == {"review"}
    assert mode["三"] == "commitment"
    _, _, found = dev_measures("yantian_2020_gzbg", 2020)
    mode = dict(zip(found.path, found["mode"], strict=True))
    assert [mode[p] for p in ("（一）", "（四）")] == ["review", "review"]
    assert [mode[p] for p in ("一是", "四是")] == ["commitment"] * 2
    plans = [m for p, m in mode.items() if p.startswith(("一/", "二/", "三/"))]
    assert len(plans) > 5 and set(plans) == {"commitment"}


def _context_by_scan(rows: list[dict], k: int) -> list[str]:
    """The reference for :func:`compare.structure.contract.context`: walk back over every
    earlier segment (the implementation before the one-pass outline, O(k) per measure)."""
    from compare.structure.contract import _FIRST_SENTENCE, _parent, _tail

    own = rows[k]
    out = [own["heading"] or _FIRST_SENTENCE.match(own["text"]).group(0)]
    parent = _parent(own["path"])
    for r in reversed(rows[:k]):
        if r["kind"] in ("item", "heading"):
            if r["path"] == parent and parent:
                out.append(r["heading"])
                out.extend(reversed(_tail(r["text"], r["heading"])))
                parent = _parent(parent)
        elif r["kind"] in ("text", "preamble"):
            out.extend(reversed(_tail(r["text"])))
    return [c for c in out if c]


def test_context_from_the_outline_equals_a_walk_over_every_earlier_segment() -> None:
    """A regulation, a work report and a plan: the same context for every measure."""
    from compare.structure.contract import Outline, context

    for doc_id in ("anyang_2021_zhengwu_fuwu", "luohu_2019_gzbg", "gov_2019_zhijiao_fangan"):
        _, segs, _ = dev_measures(doc_id)
        rows = segs.sort_values("seq").to_dict("records")
        outline = Outline.of(rows)
        measures = [k for k, r in enumerate(rows) if r["is_measure"]]
        assert len(measures) > 10
        for k in measures:
            assert context(rows, k, outline) == _context_by_scan(rows, k), (doc_id, k)


def test_an_attached_document_is_read_and_a_glossary_after_附_is_not() -> None:
    """广东 2023: after the report, 附件1 / 2023年省十件民生实事 lists ten numbered 民生实事 —
    measures, their numbering restarting (一~2 … 四~2, then 五 … 十) — and 附件2 / 名词解释 is a
    glossary. 龙华 2021 ends with 附：名词解释 and 19 numbered terms: none is a measure, and the
    last item (四) ends before it."""
    text, _, found = dev_measures("extra_gd_2023_gzbg", 2023)
    annex = text.index("2023年省十件民生实事\n")
    items = found[found.char_start > annex]
    assert items.path.tolist() == [
        "一~2",
        "二~2",
        "三~2",
        "四~2",
        "五",
        "六",
        "七",
        "八",
        "九",
        "十",
    ]
    assert items.iloc[0].text.startswith("一、深入实施“粤菜师傅”")
    assert (found.char_end <= text.index("名词解释")).all()
    text, _, found = dev_measures("extra_longhua_2021_gzbg", 2021)
    glossary = text.index("附：名词解释")
    assert found.path.tolist()[-1] == "四" and len(found) == 13
    assert (found.char_end <= glossary).all()
