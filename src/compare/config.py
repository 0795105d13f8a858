"""The one way data files are read: :class:`DataFiles`, and the build's content fingerprint.

Everything a researcher may edit (taxonomy, cleaning and segmentation rules, word lists, chart
strings, dictionaries, labels) lives in one ``data/`` folder. :meth:`DataFiles.resolve` finds it
(:func:`find_data_dir`): an explicit ``data_dir`` (``--data``), else the first folder holding a
``taxonomy.yml`` (itself or as ``data/``) at or above the manifest's folder, else
``$COMPARE_DATA``, else the same search from the working folder; only then the checkout the
package was installed from, and ``compare build`` says so.

Every file is parsed through :meth:`DataFiles.load` (or the :meth:`~DataFiles.yaml`,
:meth:`~DataFiles.csv`, :meth:`~DataFiles.lines` shorthands), and so is every object derived from
files (:meth:`DataFiles.derive`: compiled rules, a tokenizer). There is one cache policy, and
the cache lives on the ``DataFiles`` object (none in this module): a value is kept under the
``(path, mtime_ns, size)`` of each file it was made from, so an edited file is read again on the
next call ("edit the YAML and re-run" holds for every file, in a notebook too), and two data
folders, or two objects, never share a value. A YAML error names the file, line and column.

:func:`fingerprint` hashes the content of every data file and of the package's own ``.py``
files: the build's cache key, with no hand-kept list of modules.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import yaml

from compare.errors import CompareError

#: Repository root when the package is installed from a checkout (``pip install -e .``).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: The package's own folder (its ``.py`` files are part of the build fingerprint).
PACKAGE_DIR = Path(__file__).resolve().parent
#: What counts as a data file. Source texts (``raw/``), manifests (``corpus*``) and the
#: development corpus with its gold (``dev/``) never do: they are the build's inputs (whose own
#: content keys each document's cache entry) or the evaluation's, not settings of the pipeline.
DATA_SUFFIXES = (".yml", ".yaml", ".csv", ".txt")
MANIFEST_PREFIX = "corpus"
CORPUS_FOLDERS = ("raw", "dev")

T = TypeVar("T")
Stamp = tuple[str, int, int]

#: How many values one :class:`DataFiles` keeps (least recently used dropped first).
CACHE_SIZE = 128


def stamp(path: Path) -> Stamp:
    """``(path, mtime_ns, size)`` of a file; ``(-1, -1)`` when it does not exist."""
    try:
        st = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), st.st_mtime_ns, st.st_size)


def _name(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', repr(func))}"


def _yaml_error(err: yaml.YAMLError, path: Path, what: str) -> CompareError:
    """A :class:`CompareError` for a PyYAML error: file, line and column (1-based, from the
    error's ``problem_mark``) and PyYAML's own words for the problem."""
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    words = [getattr(err, "context", None), getattr(err, "problem", None)]
    problem = ", ".join(w for w in words if w) or (str(err).strip().splitlines() or [""])[0]
    if mark is None:
        return CompareError(f"{what} is not valid YAML: {problem}", path)
    return CompareError(
        f"{what} is not valid YAML: {problem}", path, line=mark.line + 1, column=mark.column + 1
    )


def parse_yaml(
    path: Path, what: str = "data file", loader: type[yaml.SafeLoader] = yaml.SafeLoader
) -> Any:
    """The YAML content of ``path`` (read with ``loader``, PyYAML's safe loader by default);
    a missing, undecodable or malformed file raises :class:`CompareError` naming the file and,
    for a YAML error, the line and column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CompareError(f"{what} not found", path) from None
    except UnicodeDecodeError as err:
        raise CompareError(f"{what} is not UTF-8 text (byte {err.start})", path) from None
    except OSError as err:
        raise CompareError(f"cannot read {what}: {err}", path) from None
    try:
        return yaml.load(text, Loader=loader)  # a SafeLoader or a subclass
    except yaml.YAMLError as err:
        raise _yaml_error(err, path, what) from None


def parse_lines(path: Path) -> tuple[str, ...]:
    """Non-blank lines of a text file that are not ``#`` comments, stripped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CompareError("data file not found", path) from None
    return tuple(
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    )


def parse_csv(path: Path) -> pd.DataFrame:
    """A CSV of strings (UTF-8, BOM allowed; empty cells stay empty strings)."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise CompareError("file not found", path) from None


#: The file that makes a folder a data folder.
MARKER = "taxonomy.yml"


def _data_at_or_above(folder: Path) -> Path | None:
    """The first data folder found walking up from ``folder``: the folder itself when it holds
    a ``taxonomy.yml``, else its ``data/`` child when that does, else the same for its parent."""
    for here in (folder, *folder.parents):
        for candidate in (here, here / "data"):
            if (candidate / MARKER).is_file():
                return candidate
    return None


def find_data_dir(
    data_dir: str | Path | None = None,
    manifest: str | Path | None = None,
    cwd: str | Path | None = None,
) -> tuple[Path, str]:
    """The data folder and how it was found, in this order: ``data_dir`` (``--data``); at or
    above the manifest's folder; ``$COMPARE_DATA``; at or above the working folder (the project
    you are in); the checkout the package was installed from (said so in the second value)."""
    if data_dir is not None:
        folder = Path(data_dir)
        if not (folder / MARKER).is_file():
            raise CompareError(f"not a data folder (no {MARKER})", folder)
        return folder, "given"
    if manifest is not None:
        found = _data_at_or_above(Path(manifest).resolve().parent)
        if found is not None:
            return found, "found from the manifest"
    env = os.environ.get("COMPARE_DATA")
    if env:
        return Path(env), "from $COMPARE_DATA"
    found = _data_at_or_above(Path(cwd or Path.cwd()).resolve())
    if found is not None:
        return found, "found from the working folder"
    if (REPO_ROOT / "data" / MARKER).is_file():
        return REPO_ROOT / "data", "the toolkit's own (none near the manifest or here)"
    raise CompareError(
        f"no data folder (a folder with {MARKER}) at or above the manifest's folder or the "
        "working folder; pass --data DIR"
    )


def resolve_data_dir(
    data_dir: str | Path | None = None, manifest: str | Path | None = None
) -> Path:
    """The data folder chosen by :func:`find_data_dir`."""
    return find_data_dir(data_dir, manifest)[0]


@dataclass(frozen=True)
class DataFiles:
    """One data folder and the single way its files are read (see the module doc).

    The object holds its own cache (nothing is kept in the module): values parsed from a file,
    or derived from several, under the stamps of those files. Keep one ``DataFiles`` for as
    long as its values may be reused (a build's :class:`compare.build.Pipeline` holds one and
    passes it to every stage); a new one starts empty. Two objects of one folder are equal but
    never share a value; a copy or a pickle (a worker process) starts with an empty cache.
    """

    root: Path
    #: How the folder was found (:func:`find_data_dir`), for messages; not part of equality.
    origin: str = field(default="", compare=False)
    _cache: OrderedDict[tuple[Any, ...], Any] = field(
        default_factory=OrderedDict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))  # DataFiles("data") works too

    def __getstate__(self) -> dict[str, Any]:
        return {"root": self.root, "origin": self.origin}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_cache", OrderedDict())

    @classmethod
    def resolve(
        cls, data_dir: str | Path | DataFiles | None = None, manifest: str | Path | None = None
    ) -> DataFiles:
        """The data folder chosen by :func:`find_data_dir` (a ``DataFiles`` passes through,
        cache and all; anything else gives a new object with an empty cache)."""
        if isinstance(data_dir, DataFiles):
            return data_dir
        folder, origin = find_data_dir(data_dir, manifest)
        return cls(folder.resolve(), origin)

    def _memo(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """``make()``, kept under ``key`` (which holds the stamps of the files it reads)."""
        cache = self._cache
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        value = make()
        cache[key] = value
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every cached value."""
        self._cache.clear()

    def path(self, *parts: str) -> Path:
        """A file inside the folder, e.g. ``path("labels", "measures.csv")``."""
        return self.root.joinpath(*parts)

    def exists(self, *parts: str) -> bool:
        """Whether the file is there."""
        return self.path(*parts).is_file()

    def load(self, name: str | Path, parse: Callable[[Path], T]) -> T:
        """``parse(path)`` of a data file (``name`` relative to the folder, or absolute),
        cached until the file changes. Callers treat the value as read-only."""
        p = self.path(name) if isinstance(name, str) else Path(name)
        return self._memo(("file", _name(parse), stamp(p)), lambda: parse(p))

    def derive(self, names: Iterable[str | Path], make: Callable[[], T], key: Any = ()) -> T:
        """``make()``, cached until one of the files ``names`` changes (and per ``key``)."""
        paths = [self.path(n) if isinstance(n, str) else Path(n) for n in names]
        return self._memo(("derived", _name(make), key, *map(stamp, paths)), make)

    def yaml(self, name: str | Path, what: str = "data file") -> Any:
        """The parsed YAML of a data file."""
        return self.load(name, lambda p: parse_yaml(p, what))

    def lines(self, name: str | Path) -> tuple[str, ...]:
        """The non-comment lines of a text data file."""
        return self.load(name, parse_lines)

    def csv(self, name: str | Path) -> pd.DataFrame:
        """A CSV data file as strings (a copy: the cached frame is never handed out)."""
        return self.load(name, parse_csv).copy()

    def files(self, exclude: Iterable[str | Path] = ()) -> list[Path]:
        """Every data file in the folder (``raw/``, ``dev/``, manifests and ``exclude`` left
        out), sorted."""
        skip = {Path(p).resolve() for p in exclude}
        corpora = [self.root / name for name in CORPUS_FOLDERS]
        return sorted(
            p
            for p in self.root.rglob("*")
            if p.suffix in DATA_SUFFIXES
            and p.is_file()
            and not any(folder in p.parents for folder in corpora)
            and not (p.parent == self.root and p.name.startswith(MANIFEST_PREFIX))
            and p.resolve() not in skip
        )


def _hash_files(h: Any, root: Path, paths: Iterable[Path]) -> None:
    for p in paths:
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")


def code_files() -> list[Path]:
    """The package's own ``.py`` files, sorted."""
    return sorted(PACKAGE_DIR.rglob("*.py"))


def fingerprint(data: DataFiles, exclude: Iterable[str | Path] = ()) -> str:
    """Hash of every data file (:meth:`DataFiles.files`) and every ``.py`` file of the package:
    any change to either invalidates the build cache."""
    h = hashlib.sha256()
    _hash_files(h, data.root, data.files(exclude))
    h.update(b"--code--")
    _hash_files(h, PACKAGE_DIR, code_files())
    return h.hexdigest()
