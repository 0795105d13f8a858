"""Tokens for 法治政府建设 texts: jieba with the domain dictionary and stopwords in ``data/lexicon``.

``cut(text)`` is lossless (``"".join(cut(text)) == text``); ``tokenize(text)`` keeps content
tokens only (no stopwords, punctuation or whitespace) and re-joins dictionary phrases that
contain punctuation (``双随机、一公开``), which jieba itself always splits.

A :class:`Tokenizer` holds one dedicated :class:`jieba.Tokenizer` built from the data folder's
user dictionary plus any ``words`` the caller adds (the aligners add the taxonomy's seed terms:
tokenize knows nothing of the taxonomy). :func:`get_tokenizer` returns the one for a data folder
and word list, built once and rebuilt when a dictionary file changes (:mod:`compare.config`);
jieba's cache file lives in ``$COMPARE_CACHE`` (default ``~/.cache/compare``), never in the
system temp dir, and jieba's log is silenced.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

import jieba

from compare.config import DataFiles
from compare.errors import CompareError

#: Characters jieba keeps inside one word (its ``re_han_default``); others split words.
_WORDCHARS = re.compile(r"^[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+$")
#: A token made only of punctuation, symbols or whitespace.
_NONWORD = re.compile(r"^[\W_]+$")
#: Seed terms longer than this are not added to the dictionary (they are phrases, not words).
MAX_SEED_WORD_LEN = 8
#: Frequency given to seed terms the user dictionary does not list.
SEED_FREQ = 3000
USERDICT = "lexicon/userdict.txt"
STOPWORDS = "lexicon/stopwords.txt"


def cache_dir() -> Path:
    """Where jieba's prefix-dictionary cache is kept: ``$COMPARE_CACHE`` or ``~/.cache/compare``."""
    path = Path(os.environ.get("COMPARE_CACHE") or Path.home() / ".cache" / "compare")
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_userdict(
    path: str | Path | None = None, data: DataFiles | None = None
) -> list[tuple[str, int | None, str | None]]:
    """Entries of a user dictionary as ``(word, freq, tag)``; bad frequencies raise CompareError."""
    files = DataFiles.resolve(data)
    where = Path(path) if path else files.path(USERDICT)
    out: list[tuple[str, int | None, str | None]] = []
    for n, line in enumerate(files.lines(where), start=1):
        parts = line.split()
        freq: int | None = None
        tag: str | None = None
        if len(parts) > 1:
            if not parts[1].isdigit():
                raise CompareError(f"entry {n} ({line!r}): frequency must be an integer", where)
            freq = int(parts[1])
        if len(parts) > 2:
            tag = parts[2]
        out.append((parts[0], freq, tag))
    return out


def load_stopwords(path: str | Path | None = None, data: DataFiles | None = None) -> frozenset[str]:
    """The stopword set (``data/lexicon/stopwords.txt`` by default)."""
    files = DataFiles.resolve(data)
    return frozenset(files.lines(Path(path) if path else files.path(STOPWORDS)))


def _parts(word: str) -> list[str]:
    """A dictionary word as jieba can hold it: split at characters jieba never keeps in a word."""
    if _WORDCHARS.match(word):
        return [word]
    return [p for p in re.split(r"[^\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+", word) if p]


class Tokenizer:
    """jieba with the user dictionary, stopwords and extra ``words`` of one data folder.

    ``cut`` and ``tokenize`` as the module functions; ``tokens`` is ``tokenize`` remembered per
    text (cross-validation tokenises the same texts once per fold). Pickles without the jieba
    instance, which is rebuilt on first use.
    """

    def __init__(self, data: DataFiles | None = None, words: Iterable[str] = ()) -> None:
        self.data = DataFiles.resolve(data)
        self.words = tuple(words)
        self._jieba: jieba.Tokenizer | None = None
        self._compounds: dict[tuple[str, ...], str] | None = None
        self._memo: dict[str, tuple[str, ...]] = {}
        self.stopwords = load_stopwords(data=self.data)

    def __getstate__(self) -> dict:
        return {"data": self.data, "words": self.words}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["data"], state["words"])  # type: ignore[misc]

    @property
    def key(self) -> str:
        """What decides the tokens: the data folder and the extra words."""
        words = hashlib.sha256("\n".join(self.words).encode()).hexdigest()[:16]
        return f"{self.data.root}|{words}"

    @property
    def jieba(self) -> jieba.Tokenizer:
        """The jieba tokenizer, built on first use."""
        if self._jieba is None:
            self._jieba = self._build()
        return self._jieba

    @property
    def tmp_dir(self) -> str:
        """jieba's cache folder."""
        return str(self.jieba.tmp_dir)

    def _build(self) -> jieba.Tokenizer:
        logging.getLogger("jieba").setLevel(logging.WARNING)
        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.tmp_dir = str(cache_dir())
        tok.initialize()
        known: set[str] = set()
        for word, freq, tag in read_userdict(data=self.data):
            for part in _parts(word):
                if part not in known:
                    tok.add_word(part, freq, tag)
                    known.add(part)
        for term in self.words:
            if len(term) <= MAX_SEED_WORD_LEN and term not in known and _WORDCHARS.match(term):
                tok.add_word(term, SEED_FREQ)
                known.add(term)
        self._compounds = {
            tuple(tok.lcut(word, HMM=False)): word
            for word, _, _ in read_userdict(data=self.data)
            if not _WORDCHARS.match(word)
        }
        return tok

    def cut(self, text: str) -> list[str]:
        """All tokens, punctuation and whitespace included: ``"".join(cut(text)) == text``."""
        return self.jieba.lcut(text)

    def _join_compounds(self, tokens: list[str]) -> list[str]:
        compounds = self._compounds
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

    def tokenize(self, text: str) -> list[str]:
        """Content tokens: stopwords, punctuation and whitespace dropped; punctuated phrases
        joined."""
        tokens = self._join_compounds(self.cut(text))
        stop = self.stopwords
        return [t for t in tokens if t.strip() and not _NONWORD.match(t) and t not in stop]

    def tokens(self, text: str) -> list[str]:
        """:meth:`tokenize`, remembered per text."""
        hit = self._memo.get(text)
        if hit is None:
            if len(self._memo) > 50_000:
                self._memo.clear()
            hit = self._memo[text] = tuple(self.tokenize(text))
        return list(hit)

    __call__ = tokens

    def forget(self) -> None:
        """Drop the remembered tokens (for timing or counting the work)."""
        self._memo.clear()


def get_tokenizer(data: DataFiles | None = None, words: Iterable[str] = ()) -> Tokenizer:
    """The :class:`Tokenizer` of a data folder and word list: one per process, made again when
    the user dictionary or the stopwords change."""
    files = DataFiles.resolve(data)
    words = tuple(words)
    key = hashlib.sha256("\n".join(words).encode()).hexdigest()
    return files.derive([USERDICT, STOPWORDS], lambda: Tokenizer(files, words), key=key)


def cut(text: str) -> list[str]:
    """All tokens of the default tokenizer (no extra words), punctuation and whitespace
    included."""
    return get_tokenizer().cut(text)


def tokenize(text: str) -> list[str]:
    """Content tokens of the default tokenizer (no extra words)."""
    return get_tokenizer().tokenize(text)
