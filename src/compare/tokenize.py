"""Tokens for 法治政府建设 texts: jieba's dictionary segmentation with the domain dictionary and
stopwords in ``data/lexicon``, run by a compiled engine.

``cut(text)`` is lossless (``"".join(cut(text)) == text``); ``tokenize(text)`` keeps content
tokens only (no stopwords, punctuation or whitespace) and re-joins dictionary phrases that
contain punctuation (``双随机、一公开``), which jieba itself always splits.

A :class:`Tokenizer` holds one dedicated segmenter built from the data folder's user dictionary
plus any ``words`` the caller adds (the aligners add the taxonomy's seed terms: tokenize knows
nothing of the taxonomy). :func:`get_tokenizer` returns the one for a data folder and word list,
built once and rebuilt when a dictionary file changes (:mod:`compare.config`).

The engine is ``rjieba`` (jieba-rs: the same dictionary, the same maximum-probability route over
the same DAG, ~13x faster than stock jieba on policy text), with jieba's HMM for unknown words
off (``HMM = False``): the HMM guesses words the dictionary does not hold, and jieba-rs' HMM does
not guess like jieba's. Stock jieba (``engine="jieba"``, HMM off as well) is the reference:
``tests/test_tokenize.py`` checks token-for-token identity on the seeds and the development
texts and lists the differences. User-dictionary words go to both engines the same way: split at
characters neither keeps inside a word (:func:`_parts`), added with ``add_word`` in file order,
and phrases with punctuation re-joined after cutting (``_join_compounds``). jieba's cache file
lives in ``$COMPARE_CACHE`` (default ``~/.cache/compare``), never in the system temp dir.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

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
#: jieba's HMM for words outside the dictionary: off (see the module doc).
HMM = False
#: Segmentation engines: the compiled one used by default, and stock jieba (the reference).
ENGINES = ("rjieba", "jieba")
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


def _new_engine(engine: str) -> Any:
    """An empty segmenter with the default dictionary: ``rjieba.Jieba`` or a ``jieba.Tokenizer``
    (its cache file in :func:`cache_dir`, its log silenced)."""
    if engine == "rjieba":
        import rjieba

        return rjieba.Jieba()
    if engine == "jieba":
        import jieba

        logging.getLogger("jieba").setLevel(logging.WARNING)
        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.tmp_dir = str(cache_dir())
        tok.initialize()
        return tok
    raise CompareError(f"unknown tokenizer engine {engine!r} (use one of {', '.join(ENGINES)})")


class Tokenizer:
    """The domain segmenter with the user dictionary, stopwords and extra ``words`` of one data
    folder; ``engine`` is ``"rjieba"`` (default) or ``"jieba"`` (the stock reference).

    ``cut`` and ``tokenize`` as the module functions; ``tokens`` is ``tokenize`` remembered per
    text (cross-validation tokenises the same texts once per fold). Pickles without the engine,
    which is rebuilt on first use.
    """

    def __init__(
        self, data: DataFiles | None = None, words: Iterable[str] = (), engine: str = "rjieba"
    ) -> None:
        if engine not in ENGINES:
            raise CompareError(f"unknown tokenizer engine {engine!r} (use one of {ENGINES})")
        self.data = DataFiles.resolve(data)
        self.words = tuple(words)
        self.engine_name = engine
        self._engine: Any = None
        self._compounds: dict[tuple[str, ...], str] | None = None
        self._compound_lengths: list[int] = []  # longest first
        self._compound_starts: set[str] = set()  # the first token of each compound
        self._memo: dict[str, tuple[str, ...]] = {}
        self._kept: dict[str, bool] = {}
        self.stopwords = load_stopwords(data=self.data)

    def __getstate__(self) -> dict:
        return {"data": self.data, "words": self.words, "engine": self.engine_name}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["data"], state["words"], state.get("engine", "rjieba"))  # type: ignore[misc]

    @property
    def key(self) -> str:
        """What decides the tokens: the data folder, the extra words and the engine."""
        words = hashlib.sha256("\n".join(self.words).encode()).hexdigest()[:16]
        return f"{self.data.root}|{words}|{self.engine_name}"

    @property
    def engine(self) -> Any:
        """The segmenter, built on first use."""
        if self._engine is None:
            self._engine = self._build()
        return self._engine

    def _build(self) -> Any:
        tok = _new_engine(self.engine_name)
        add = tok.add_word
        known: set[str] = set()
        userdict = read_userdict(data=self.data)
        for word, freq, tag in userdict:
            for part in _parts(word):
                if part not in known:
                    add(part, freq, tag)
                    known.add(part)
        for term in self.words:
            if len(term) <= MAX_SEED_WORD_LEN and term not in known and _WORDCHARS.match(term):
                add(term, SEED_FREQ, None)
                known.add(term)
        split = self._splitter(tok)
        self._compounds = {
            tuple(split(word)): word for word, _, _ in userdict if not _WORDCHARS.match(word)
        }
        self._compound_lengths = sorted({len(k) for k in self._compounds}, reverse=True)
        self._compound_starts = {k[0] for k in self._compounds if k}
        return tok

    def _splitter(self, tok: Any) -> Any:
        if self.engine_name == "rjieba":
            return lambda text: tok.cut(text, HMM)
        return lambda text: tok.lcut(text, HMM=HMM)

    def cut(self, text: str) -> list[str]:
        """All tokens, punctuation and whitespace included: ``"".join(cut(text)) == text``."""
        if self.engine_name == "rjieba":
            return self.engine.cut(text, HMM)
        return self.engine.lcut(text, HMM=HMM)

    def _join_compounds(self, tokens: list[str]) -> list[str]:
        compounds = self._compounds
        if not compounds:
            return tokens
        lengths, starts = self._compound_lengths, self._compound_starts
        out: list[str] = []
        i = 0
        while i < len(tokens):
            if tokens[i] not in starts:  # most tokens begin no compound
                out.append(tokens[i])
                i += 1
                continue
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
        kept = self._kept  # whether a token is content, decided once per distinct token
        stop = self.stopwords
        if len(kept) > 200_000:
            kept.clear()
        for t in set(tokens).difference(kept):
            kept[t] = bool(t.strip()) and not _NONWORD.match(t) and t not in stop
        return [t for t in tokens if kept[t]]

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
        """Drop the remembered tokens and token tests (for timing or counting the work)."""
        self._memo.clear()
        self._kept.clear()


def get_tokenizer(
    data: DataFiles | None = None, words: Iterable[str] = (), engine: str = "rjieba"
) -> Tokenizer:
    """The :class:`Tokenizer` of a data folder, word list and engine: one per process, made
    again when the user dictionary or the stopwords change."""
    files = DataFiles.resolve(data)
    words = tuple(words)
    key = (hashlib.sha256("\n".join(words).encode()).hexdigest(), engine)
    return files.derive([USERDICT, STOPWORDS], lambda: Tokenizer(files, words, engine), key=key)


def cut(text: str) -> list[str]:
    """All tokens of the default tokenizer (no extra words), punctuation and whitespace
    included."""
    return get_tokenizer().cut(text)


def tokenize(text: str) -> list[str]:
    """Content tokens of the default tokenizer (no extra words)."""
    return get_tokenizer().tokenize(text)
