"""Tokens for 法治政府建设 texts: jieba with the domain dictionary and stopwords in ``data/lexicon``.

``cut(text)`` is lossless (``"".join(cut(text)) == text``); ``tokenize(text)`` keeps content
tokens only (no stopwords, punctuation or whitespace) and re-joins dictionary phrases that
contain punctuation (``双随机、一公开``), which jieba itself always splits.

One dedicated :class:`jieba.Tokenizer` is built per process (``get_tokenizer()``); its cache file
lives in ``$COMPARE_CACHE`` (default ``~/.cache/compare``), never in the system temp dir, and
jieba's log is silenced. In a process pool, call ``get_tokenizer()`` once in each worker.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from pathlib import Path

import jieba

from compare.errors import CompareError
from compare.paths import data_file

#: Characters jieba keeps inside one word (its ``re_han_default``); others split words.
_WORDCHARS = re.compile(r"^[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+$")
#: A token made only of punctuation, symbols or whitespace.
_NONWORD = re.compile(r"^[\W_]+$")
#: Seed terms longer than this are not added to the dictionary (they are phrases, not words).
MAX_SEED_WORD_LEN = 8
#: Frequency given to seed terms the user dictionary does not list.
SEED_FREQ = 3000


def cache_dir() -> Path:
    """Where jieba's prefix-dictionary cache is kept: ``$COMPARE_CACHE`` or ``~/.cache/compare``."""
    path = Path(os.environ.get("COMPARE_CACHE") or Path.home() / ".cache" / "compare")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CompareError("lexicon file not found", path) from None
    return [
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]


def read_userdict(path: str | Path | None = None) -> list[tuple[str, int | None, str | None]]:
    """Entries of a user dictionary as ``(word, freq, tag)``; bad frequencies raise CompareError."""
    path = Path(path) if path else data_file("lexicon", "userdict.txt")
    out: list[tuple[str, int | None, str | None]] = []
    for n, line in enumerate(_read_lines(path), start=1):
        parts = line.split()
        freq: int | None = None
        tag: str | None = None
        if len(parts) > 1:
            if not parts[1].isdigit():
                raise CompareError(f"entry {n} ({line!r}): frequency must be an integer", path)
            freq = int(parts[1])
        if len(parts) > 2:
            tag = parts[2]
        out.append((parts[0], freq, tag))
    return out


@functools.lru_cache(maxsize=4)
def load_stopwords(path: str | None = None) -> frozenset[str]:
    """The stopword set (``data/lexicon/stopwords.txt`` by default)."""
    p = Path(path) if path else data_file("lexicon", "stopwords.txt")
    return frozenset(_read_lines(p))


def _seed_terms() -> dict[str, float]:
    """Taxonomy seed terms (empty if the taxonomy cannot be loaded: the tokenizer still works)."""
    try:
        from compare.taxonomy import load_taxonomy

        return load_taxonomy().seed_terms()
    except CompareError:
        return {}


@functools.lru_cache(maxsize=1)
def get_tokenizer() -> jieba.Tokenizer:
    """The process-wide jieba tokenizer with the domain dictionary and taxonomy seed terms."""
    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.tmp_dir = str(cache_dir())
    tok.initialize()
    known: set[str] = set()
    for word, freq, tag in read_userdict():
        for part in _parts(word):
            if part not in known:
                tok.add_word(part, freq, tag)
                known.add(part)
    for term in _seed_terms():
        if len(term) <= MAX_SEED_WORD_LEN and term not in known and _WORDCHARS.match(term):
            tok.add_word(term, SEED_FREQ)
            known.add(term)
    return tok


def _parts(word: str) -> list[str]:
    """A dictionary word as jieba can hold it: split at characters jieba never keeps in a word."""
    if _WORDCHARS.match(word):
        return [word]
    return [p for p in re.split(r"[^\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+", word) if p]


@functools.lru_cache(maxsize=1)
def _compounds() -> dict[tuple[str, ...], str]:
    """Punctuated dictionary phrases as the token sequences jieba cuts them into."""
    out: dict[tuple[str, ...], str] = {}
    tok = get_tokenizer()
    for word, _, _ in read_userdict():
        if not _WORDCHARS.match(word):
            out[tuple(tok.lcut(word, HMM=False))] = word
    return out


def cut(text: str) -> list[str]:
    """All tokens, punctuation and whitespace included: ``"".join(cut(text)) == text``."""
    return get_tokenizer().lcut(text)


def _join_compounds(tokens: list[str]) -> list[str]:
    compounds = _compounds()
    if not compounds:
        return tokens
    lengths = sorted({len(k) for k in compounds}, reverse=True)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in lengths:
            key = tuple(tokens[i : i + n])
            if key in compounds:
                out.append(compounds[key])
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def tokenize(text: str) -> list[str]:
    """Content tokens: stopwords, punctuation and whitespace dropped; punctuated phrases joined."""
    stop = load_stopwords()
    tokens = _join_compounds(cut(text))
    return [t for t in tokens if t.strip() and not _NONWORD.match(t) and t not in stop]
