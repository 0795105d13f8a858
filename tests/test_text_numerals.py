"""compare.text.numerals: the one Chinese-numeral reader of dating, segment and targets."""

from __future__ import annotations

import pytest

from compare.text.numerals import digit_string, parse_int, parse_numeral, zh_number


@pytest.mark.parametrize(
    ("text", "value"),
    [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("二十六", 26), ("一百零二", 102),
     ("两百", 200), ("三千零五", 3005)],
)  # fmt: skip
def test_positional_numerals(text: str, value: int) -> None:
    assert zh_number(text) == value


def test_every_zero_spelling_reads_digit_by_digit() -> None:
    for year in ("二〇一二", "二○一二", "二零一二", "二O一二", "二Ｏ一二"):
        assert digit_string(year) == 2012


def test_marker_numbers() -> None:
    assert [parse_int(s) for s in ("12", "⑫", "十二", "①")] == [12, 12, 12, 1]
    with pytest.raises(ValueError):
        parse_int("第")


@pytest.mark.parametrize(
    ("token", "value"),
    [("60", 60.0), ("2.5", 2.5), ("二○二五", 2025.0), ("三万", 30000.0), ("两", 2.0),
]
)  # fmt: skip
def test_target_values(token: str, value: float) -> None:
    assert parse_numeral(token) == value
    assert parse_numeral("不是数") is None
