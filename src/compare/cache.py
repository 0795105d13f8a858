"""The build's cache: per-source-file results under ``.build-store/cache/docs/<key>.pkl`` (beside
``build/``, outside every build: :mod:`compare.output`), the last build's per-document results
kept whole (``.build-store/cache/corpus.pkl``, :class:`CorpusStore`), and the whole-build key
that says whether ``build/`` is already up to date.

A file's key hashes the build fingerprint (:func:`compare.config.fingerprint`: every data file
and every ``.py`` file of the package), the file's bytes and its manifest rows (where the file
lies does not count), so editing code, data or the document reprocesses exactly what it must.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path
from typing import Any

import compare
from compare.config import DataFiles, fingerprint
from compare.io import atomic_path


def build_fingerprint(data: DataFiles, manifest: str | Path | None = None) -> str:
    """What decides every result besides the documents: data files (the manifest left out),
    the package's code and its version."""
    exclude = [manifest] if manifest is not None else []
    return fingerprint(data, exclude=exclude) + compare.__version__


#: The manifest fields that say where a file lies: left out of its key (the content counts),
#: set anew on results read back from a cache (:func:`where_now`).
WHERE_FIELDS = ("source_path", "source_file")


def where_now(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Where the file of the manifest rows ``rows`` lies now (:data:`WHERE_FIELDS`)."""
    return {k: rows[0][k] for k in WHERE_FIELDS}


def source_key(rows: list[dict[str, Any]], build_print: str) -> str:
    """Cache key of one source file and its manifest rows."""
    h = hashlib.sha256(build_print.encode())
    h.update(Path(rows[0]["source_path"]).read_bytes())
    meta = [{k: v for k, v in row.items() if k not in WHERE_FIELDS} for row in rows]
    h.update(json.dumps(meta, sort_keys=True, default=str, ensure_ascii=False).encode())
    return h.hexdigest()[:32]


def build_key(keys: list[str], data_date: str | None) -> str:
    """Key of a whole build: its files' keys and the manifest's data date."""
    return hashlib.sha256(json.dumps([keys, data_date]).encode()).hexdigest()[:32]


class DocCache:
    """Pickled per-file results in one folder (``None``: no caching)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def path(self, key: str) -> Path | None:
        """Where the results of ``key`` are (or would be) kept."""
        return self.folder / f"{key}.pkl" if self.folder else None

    def has(self, key: str) -> bool:
        """Whether results of ``key`` are kept."""
        path = self.path(key)
        return path is not None and path.exists()

    def read(self, key: str) -> Any:
        """The results kept under ``key``."""
        path = self.path(key)
        assert path is not None
        return pickle.loads(path.read_bytes())

    def write(self, key: str, value: Any) -> None:
        """Keep ``value`` under ``key`` (atomically; nothing when caching is off)."""
        self.write_pickled(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def write_pickled(self, key: str, blob: bytes) -> None:
        """Keep an already pickled value under ``key`` (atomically; nothing when caching is off)."""
        path = self.path(key)
        if path is not None:
            with atomic_path(path) as tmp:
                tmp.write_bytes(blob)


class CorpusStore:
    """One pickled value in one file, read back whole: the last build's per-document results
    (:class:`compare.workers.Kept`). Reading thousands of small per-file results costs more than
    the rest of a rebuild that adds one document (1,000 files: 3.7 s to read and concatenate
    them, 0.05 s to read them as one file), so a rebuild takes unchanged files from here."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def read(self) -> Any | None:
        """The kept value, or ``None`` when there is none or it cannot be read (then the
        per-file cache is the fallback: nothing is lost)."""
        if self.path is None or not self.path.exists():
            return None
        try:
            with self.path.open("rb") as f:
                return pickle.load(f)
        except Exception:  # a store that cannot be read (truncated, old classes) is no store
            return None

    def write(self, value: Any) -> None:
        """Keep ``value`` (streamed to a temp file, then renamed; nothing when caching is off)."""
        if self.path is not None:
            with atomic_path(self.path) as tmp, tmp.open("wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)


def up_to_date(out_dir: Path, key: str, tables: tuple[str, ...]) -> bool:
    """Whether ``out_dir`` already holds every table of a build with this key."""
    info = out_dir / "build_info.json"
    if not info.exists() or any(not (out_dir / f"{n}.parquet").exists() for n in tables):
        return False
    try:
        return json.loads(info.read_text(encoding="utf-8")).get("build_key") == key
    except json.JSONDecodeError:
        return False
