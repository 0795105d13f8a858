"""Chinese numerals, read one way for every stage: dates (dating), numbering markers (segment)
and the values of targets (targets).

- :func:`digit_string`: a number written digit by digit, as years are (二〇一二 -> 2012).
- :func:`zh_number`: a positional numeral with 十/百/千 (十一 -> 11, 一百零二 -> 102).
- :func:`parse_int`: a marker's number: Arabic digits, ①-⑳, or :func:`zh_number`.
- :func:`parse_numeral`: any numeral in a target (Arabic with decimals, digit strings,
  cn2an for the rest: 三万, 百分之九十) as a float, or ``None``.
"""

from __future__ import annotations

import re

#: Every character read as one digit. The zero has many spellings in the texts: 〇 (U+3007),
#: the circle ○ (U+25CB), and a Latin or full-width letter O typed for it.
DIGITS = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "O": 0, "o": 0, "一": 1, "二": 2, "两": 2, "三": 3,
          "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
#: The Chinese digits proper (the zeros a regex character class should accept, no Latin O).
ZH_DIGITS = "零〇○一二两三四五六七八九"
UNITS = {"十": 10, "百": 100, "千": 1000}

_ARABIC = re.compile(r"\d+(?:\.\d+)?")


def digit_string(token: str) -> int:
    """A number written digit by digit: 二〇二五 -> 2025, 二○一二 -> 2012 (KeyError if not)."""
    return int("".join(str(DIGITS[c]) for c in token))


def zh_number(s: str) -> int:
    """Value of a positional Chinese numeral (``十一`` -> 11, ``一百零二`` -> 102)."""
    total, digit = 0, None
    for ch in s:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            total += (1 if digit is None else digit) * UNITS[ch]
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return total + (digit or 0)


def parse_int(s: str) -> int:
    """The number of a marker or a day: ``12``, ``⑫``, ``十二`` -> 12 (ValueError if none)."""
    if s.isascii() and s.isdigit():
        return int(s)
    if len(s) == 1 and "①" <= s <= "⑳":
        return ord(s) - ord("①") + 1
    return zh_number(s)


def parse_numeral(token: str) -> float | None:
    """A numeral (Arabic, Chinese, or a digit-by-digit year like 二○一二) as a number.

    cn2an does the work; two small rules cover what it rejects: the circle ``○`` (U+25CB),
    which it does not read as zero, and digit-by-digit strings (``二○二五``), read digit by digit.
    """
    import cn2an

    token = token.strip()
    if _ARABIC.fullmatch(token):
        return float(token)
    norm = token.replace("○", "〇")
    if len(norm) >= 3 and all(c in ZH_DIGITS for c in norm):
        return float(digit_string(norm))
    try:
        return float(cn2an.cn2an(norm, "smart"))
    except (ValueError, KeyError, TypeError):
        return None
