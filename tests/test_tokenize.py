"""The domain tokenizer keeps legal terms whole, drops noise, and is lossless when asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from compare.tokenize import cache_dir, cut, get_tokenizer, load_stopwords, tokenize

SENTENCE = (
    "严格落实合法性审查，发挥行政复议化解行政争议主渠道作用，"
    "具有行政执法权的行政机关全部配备公职律师，健全以“双随机、一公开”监管为基本手段的监管机制。"
)


@pytest.mark.parametrize("term", ["合法性审查", "行政复议", "公职律师", "双随机、一公开"])
def test_domain_terms_are_single_tokens(term: str) -> None:
    assert term in tokenize(SENTENCE)


def test_other_domain_terms() -> None:
    tokens = tokenize(
        "深化放管服改革，落实行政执法三项制度，严格执行重大行政决策程序，建设法治政府。"
    )
    for term in ("放管服", "三项制度", "重大行政决策", "法治政府"):
        assert term in tokens


def test_cut_is_lossless() -> None:
    text = SENTENCE + "\n（二）加强行政应诉工作。 2025年底前完成。"
    assert "".join(cut(text)) == text


def test_tokenize_drops_stopwords_punctuation_and_space() -> None:
    tokens = tokenize("进一步 加强和规范行政应诉工作，（一）！")
    assert "行政应诉" in tokens
    for noise in ("的", "和", "，", "（", " ", "进一步", "工作"):
        assert noise not in tokens
    assert "和" in load_stopwords()


def test_extra_words_such_as_taxonomy_seed_terms_are_in_the_dictionary() -> None:
    from compare.align.taxonomy import load_taxonomy

    seeded = get_tokenizer(words=load_taxonomy().seed_terms())
    assert "府院联动" in seeded.tokenize("健全完善府院联动机制")
    assert "诉访分离" in seeded.tokenize("严格实行诉访分离")
    assert Path(seeded.tmp_dir).exists()


def test_an_edited_user_dictionary_is_used_at_once(tmp_path: Path) -> None:
    import os

    from compare.config import DataFiles

    (tmp_path / "lexicon").mkdir()
    (tmp_path / "lexicon" / "stopwords.txt").write_text("的\n", encoding="utf-8")
    userdict = tmp_path / "lexicon" / "userdict.txt"
    userdict.write_text("# none yet\n", encoding="utf-8")
    data = DataFiles(tmp_path)
    word = "嵌套词典测试词"
    assert word not in get_tokenizer(data).tokenize(f"我们{word}的用法")
    userdict.write_text(f"{word} 10000\n", encoding="utf-8")
    os.utime(userdict, ns=(10**18, 10**18))
    assert word in get_tokenizer(data).tokenize(f"我们{word}的用法")


def test_cache_dir_follows_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPARE_CACHE", str(tmp_path / "cache"))
    assert cache_dir() == tmp_path / "cache"
    assert cache_dir().is_dir()
