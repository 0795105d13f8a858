"""Build every table of a corpus: read -> clean -> segment -> targets per file (parallel, cached),
then align, match and reuse across the corpus, then write ``build/`` atomically.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import multiprocessing as mp
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import compare
from compare import clean, dating, read, segment, targets, taxonomy, tokenize
from compare.errors import CompareError
from compare.io import atomic_path, write_table, write_text
from compare.manifest import load_manifest, manifest_data_date
from compare.paths import data_dir

TABLES = ("documents", "cleaning_log", "segments", "measures", "alignments", "matches", "reuse",
          "targets")  # fmt: skip

#: Matches kept per measure: the best ``MATCH_PER_DOC`` in each other document, ``MATCH_K`` in all.
MATCH_K, MATCH_PER_DOC = 10, 2
#: Reuse: passages of at least this many content characters, shared by at most this many
#: documents (a phrase in more is boilerplate; reporting every pair would grow with N²).
REUSE_MIN_LENGTH, REUSE_MAX_DOCS = 10, 20

#: Modules and data files whose content decides the results (the cache key). ``compare.align``
#: is imported only when a document must be processed: it pulls in scikit-learn (~0.6 s).
_PIPELINE_MODULES = (
    "read", "clean", "dating", "segment", "tokenize", "taxonomy", "align", "targets", "match",
    "manifest", "tables",
)  # fmt: skip
_PIPELINE_DATA = (
    "cleaning.yml", "dating.yml", "segmentation.yml", "targets.yml", "taxonomy.yml",
    "lexicon/userdict.txt", "lexicon/stopwords.txt", "labels/measures.csv", "labels/overrides.csv",
)  # fmt: skip


@dataclass
class DocResult:
    """Everything computed from one document alone."""

    meta: dict[str, Any]
    text: str
    cleaning_log: pd.DataFrame
    segments: pd.DataFrame
    measures: pd.DataFrame
    alignments: pd.DataFrame
    targets: pd.DataFrame


@dataclass
class BuildResult:
    """The tables of one build, plus what the build reused from its cache."""

    tables: dict[str, pd.DataFrame]
    texts: dict[str, str]
    n_files: int = 0
    n_cached: int = 0
    up_to_date: bool = False  # nothing changed: the tables were read back, not rebuilt


def _hash_files(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes() if p.exists() else b"<missing>")
    return h.hexdigest()


def code_fingerprint() -> str:
    """Hash of the pipeline's code and data files: any change there invalidates the cache."""
    modules = [Path(importlib.util.find_spec(f"compare.{m}").origin) for m in _PIPELINE_MODULES]
    data = [data_dir() / name for name in _PIPELINE_DATA]
    return _hash_files([*modules, *data]) + compare.__version__


def _doc_meta(
    row: dict[str, Any], source: read.SourceText, part: read.Part | None
) -> dict[str, Any]:
    meta = {k: (None if pd.isna(v) else v) for k, v in row.items()}
    meta["encoding"], meta["format"] = source.encoding, source.format
    if part is not None and (not meta.get("title") or meta["title"] == meta["doc_id"]):
        meta["title"] = part.title
    return meta


def _outside_log(doc_id: str, span: tuple[int, int], text: str) -> pd.DataFrame:
    start, end = span
    return pd.DataFrame([{
        "doc_id": doc_id, "char_start": 0, "char_end": 0, "source_start": start,
        "source_end": end, "original": text[start:end], "replacement": "", "action": "remove",
        "reason": "outside every part of a multi-document file (table of contents, intro)",
    }])  # fmt: skip


def process_source(rows: list[dict[str, Any]]) -> list[DocResult]:
    """Read one source file and turn each document it holds into its per-document tables."""
    path = rows[0]["source_path"]
    source = read.read_source(path)
    pattern = rows[0].get("split") or ""
    if pattern:
        parts, outside = read.split_parts(source.text, pattern, path)
        by_number = {int(r["part"]): r for r in rows if r.get("part")}
        if by_number and len(parts) != len(by_number):
            raise CompareError(
                f"the split pattern finds {len(parts)} parts but the manifest lists {len(by_number)}",
                path,
            )
        spans = []
        for p in parts:
            row = by_number.get(p.part) or {**rows[0], "doc_id": f"{rows[0]['entry_id']}-{p.part:02d}",
                                             "part": p.part}  # fmt: skip
            spans.append((row, p))
    else:
        spans, outside = [(rows[0], None)], None
    results = []
    for row, part in spans:
        raw = source.text if part is None else source.text[part.start : part.end]
        result = process_document(_doc_meta(row, source, part), raw)
        if part is not None:  # source offsets count from the start of the whole file
            result.cleaning_log["source_start"] += part.start
            result.cleaning_log["source_end"] += part.start
        results.append(result)
    if outside and results:
        first = results[0]
        first.cleaning_log = pd.concat(
            [_outside_log(first.meta["doc_id"], outside, source.text), first.cleaning_log],
            ignore_index=True,
        )
    return results


def process_document(meta: dict[str, Any], source_text: str) -> DocResult:
    """Clean, date, segment and extract targets from one document's decoded text."""
    doc_id = meta["doc_id"]
    cleaned = clean.clean_text(source_text)
    text = cleaned.text
    log = cleaned.log.copy()
    log.insert(0, "doc_id", doc_id)
    meta.update(dating.resolve_dates(meta, dating.date_evidence(source_text, text)))
    segs = segment.segment_text(text, doc_id=doc_id)
    measures = segment.extract_measures(segs, text)
    from compare import align

    aligned = align.align_measures(measures, aligners=fitted_aligners())
    found = targets.extract_targets(text, doc_id=doc_id)
    found = targets.assign_measures(found, measures)
    meta["n_chars"] = len(text)
    meta["n_measures"] = len(measures)
    return DocResult(meta, text, log, segs, measures, aligned, found)


@functools.cache
def fitted_aligners() -> Any:
    """The aligners (:class:`compare.align.FittedAligners`), fitted once per process; fitted
    before forking, the workers inherit them."""
    from compare import align

    return align.fit_aligners()


def _cache_key(rows: list[dict[str, Any]], fingerprint: str) -> str:
    h = hashlib.sha256(fingerprint.encode())
    h.update(Path(rows[0]["source_path"]).read_bytes())
    where = {"source_path", "source_file"}  # the content counts, not where the file lies
    meta = [{k: v for k, v in row.items() if k not in where} for row in rows]
    h.update(json.dumps(meta, sort_keys=True, default=str, ensure_ascii=False).encode())
    return h.hexdigest()[:32]


def _group_by_source(manifest: pd.DataFrame) -> list[list[dict[str, Any]]]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in manifest.to_dict("records"):
        row = {
            k: (None if v is pd.NA or (isinstance(v, float) and pd.isna(v)) else v)
            for k, v in row.items()
        }
        groups.setdefault((row["source_path"], row["entry_id"]), []).append(row)
    return list(groups.values())


def _check_sources(groups: list[list[dict[str, Any]]], manifest_path: Path) -> None:
    for rows in groups:
        path = Path(rows[0]["source_path"])
        if not path.is_file():
            raise CompareError(
                f"document '{rows[0]['entry_id']}': file not found: {path}", manifest_path
            )


def _warm_up() -> None:
    """Load jieba and fit the aligners in this process, so forked workers inherit them."""
    tokenize.get_tokenizer()
    fitted_aligners()


#: The tables computed document by document (the corpus-level ones come after).
PER_DOCUMENT_TABLES = ("cleaning_log", "segments", "measures", "alignments", "targets")


class Collected:
    """Per-document results gathered compactly, in order: the many small frames are concatenated
    in batches as they arrive, so memory holds a few large frames, not thousands of small ones."""

    def __init__(self, batch: int = 256) -> None:
        self.meta: list[dict[str, Any]] = []
        self.texts: dict[str, str] = {}
        self._batch = batch
        self._pending: dict[str, list[pd.DataFrame]] = {n: [] for n in PER_DOCUMENT_TABLES}
        self._merged: dict[str, list[pd.DataFrame]] = {n: [] for n in PER_DOCUMENT_TABLES}
        self._empty: dict[str, pd.DataFrame] = {}

    def add(self, doc: DocResult) -> None:
        """Take in one document's results."""
        self.meta.append(doc.meta)
        self.texts[doc.meta["doc_id"]] = doc.text
        for name in PER_DOCUMENT_TABLES:
            frame = getattr(doc, name)
            self._empty.setdefault(name, frame.iloc[0:0])
            if len(frame):
                self._pending[name].append(frame)
        if len(self.meta) % self._batch == 0:
            self._merge()

    def _merge(self) -> None:
        for name, frames in self._pending.items():
            if frames:
                self._merged[name].append(pd.concat(frames, ignore_index=True))
                frames.clear()

    def table(self, name: str) -> pd.DataFrame:
        """One per-document table for the whole corpus."""
        self._merge()
        frames = self._merged[name]
        if not frames:
            return self._empty.get(name, pd.DataFrame())
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def process_all(
    groups: list[list[dict[str, Any]]],
    keys: list[str],
    cache_dir: Path | None,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    reuse: bool = True,
) -> tuple[Collected, int]:
    """Run :func:`process_source` on every file, in order: cached results are read back (unless
    ``reuse`` is False), the rest computed in ``jobs`` processes and written to ``cache_dir``."""
    hits = [
        cache_dir / f"{key}.pkl"
        if reuse and cache_dir and (cache_dir / f"{key}.pkl").exists()
        else None
        for key in keys
    ]
    todo = [i for i, hit in enumerate(hits) if hit is None]

    def computed() -> Iterator[list[DocResult]]:
        if jobs > 1 and len(todo) > 1:
            _warm_up()
            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
                chunks = max(1, min(32, len(todo) // (jobs * 4)))
                yield from pool.map(process_source, [groups[i] for i in todo], chunksize=chunks)
        else:
            for i in todo:
                yield process_source(groups[i])

    fresh = computed()
    collected = Collected()
    for rows, key, hit in zip(groups, keys, hits, strict=True):
        if hit is not None:
            docs = pickle.loads(hit.read_bytes())
            for doc in docs:  # the same content may have moved: report where it is now
                doc.meta["source_path"] = rows[0]["source_path"]
                doc.meta["source_file"] = rows[0]["source_file"]
        else:
            docs = next(fresh)
            if cache_dir:
                with atomic_path(cache_dir / f"{key}.pkl") as tmp:
                    tmp.write_bytes(pickle.dumps(docs, protocol=pickle.HIGHEST_PROTOCOL))
        for doc in docs:
            collected.add(doc)
        if progress:
            progress(len(docs))
    return collected, len(groups) - len(todo)


DOCUMENT_COLUMNS = [
    "doc_id", "source_file", "part", "title", "label", "label_en", "jurisdiction",
    "jurisdiction_en", "level", "province", "adcode", "issuer", "doc_type", "doc_number", "year",
    "date", "period", "year_basis", "year_min", "year_max", "date_flags", "encoding", "format",
    "n_chars", "n_measures",
]  # fmt: skip


def documents_table(meta: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per document (metadata, resolved dates, sizes)."""
    df = pd.DataFrame(meta)
    for col in DOCUMENT_COLUMNS:
        if col not in df.columns:
            df[col] = None
    df = df[DOCUMENT_COLUMNS].copy()
    for col in ("part", "year", "year_min", "year_max", "n_chars", "n_measures"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    return df


def corpus_tables(collected: Collected) -> dict[str, pd.DataFrame]:
    """The per-document tables for the whole corpus, plus the corpus-level ones (match, reuse,
    indicators of the targets)."""
    from compare import match

    tables = {"documents": documents_table(collected.meta)}
    for name in PER_DOCUMENT_TABLES:
        tables[name] = collected.table(name)
    tables["matches"] = match.match_measures(
        tables["measures"], k=MATCH_K, per_document=MATCH_PER_DOC
    )
    tables["reuse"] = match.find_reuse(
        collected.texts, min_length=REUSE_MIN_LENGTH, max_docs=REUSE_MAX_DOCS
    )
    tables["targets"] = targets.map_indicators(
        tables["targets"], taxonomy.load_taxonomy().indicators
    )
    return {name: tables[name] for name in TABLES}


def build(
    corpus: str | Path,
    out_dir: str | Path = "build",
    jobs: int | None = None,
    use_cache: bool = True,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> BuildResult:
    """Build every table for the manifest ``corpus`` and write them to ``out_dir``.

    Nothing is written unless every document was processed without error.
    """
    corpus, out_dir = Path(corpus), Path(out_dir)
    manifest = load_manifest(corpus)
    groups = _group_by_source(manifest)
    _check_sources(groups, corpus)
    if on_start:
        on_start(len(manifest))
    jobs = jobs or os.cpu_count() or 1
    fingerprint = code_fingerprint()
    keys = [_cache_key(rows, fingerprint) for rows in groups]
    given_date = manifest_data_date(corpus)
    build_key = hashlib.sha256(json.dumps([keys, given_date]).encode()).hexdigest()[:32]
    if use_cache and _up_to_date(out_dir, build_key):
        if progress:
            progress(len(manifest))
        return BuildResult(
            load_tables(out_dir), load_texts(out_dir), len(groups), len(groups), True
        )
    cache_dir = out_dir / ".cache" / "docs"
    collected, n_cached = process_all(
        groups, keys, cache_dir, jobs=jobs, progress=progress, reuse=use_cache
    )
    tables = corpus_tables(collected)
    texts = collected.texts
    data_date = given_date or newest_date(tables["documents"])
    write_outputs(tables, texts, out_dir, data_date=data_date, build_key=build_key)
    return BuildResult(tables, texts, n_files=len(groups), n_cached=n_cached)


def _up_to_date(out_dir: Path, build_key: str) -> bool:
    """Whether ``out_dir`` already holds every table of a build with this key."""
    info = out_dir / "build_info.json"
    if not info.exists() or any(not (out_dir / f"{n}.parquet").exists() for n in TABLES):
        return False
    try:
        return json.loads(info.read_text(encoding="utf-8")).get("build_key") == build_key
    except json.JSONDecodeError:
        return False


def newest_date(documents: pd.DataFrame) -> str:
    """The newest document date (or year) in the corpus: the data date when none is given."""
    dates = documents["date"].dropna().astype(str)
    dates = dates[dates != ""]
    years = documents["year"].dropna()
    if len(dates):
        return max(dates)
    return str(int(years.max())) if len(years) else ""


def write_outputs(
    tables: dict[str, pd.DataFrame],
    texts: dict[str, str],
    out_dir: Path,
    data_date: str | None = None,
    build_key: str = "",
) -> None:
    """Write every table (Parquet + CSV) and every clean text, each file atomically.

    ``data_date`` (default: the newest document date) goes into ``build_info.json``.
    """
    if data_date is None:
        data_date = newest_date(tables["documents"])
    for name in TABLES:
        write_table(tables[name], out_dir, name)
    for doc_id, text in texts.items():
        write_text(out_dir / "texts" / f"{doc_id}.txt", text)
    info = {
        "compare_version": compare.__version__,
        "data_date": data_date,
        "build_key": build_key,
        "tables": {n: len(t) for n, t in tables.items()},
    }
    write_text(out_dir / "build_info.json", json.dumps(info, ensure_ascii=False, indent=2))


def load_tables(build_dir: str | Path = "build") -> dict[str, pd.DataFrame]:
    """Read the tables a build wrote (Parquet), keyed by name."""
    build_dir = Path(build_dir)
    missing = [n for n in TABLES if not (build_dir / f"{n}.parquet").exists()]
    if missing:
        raise CompareError(
            f"no built tables ({', '.join(missing)}); run `compare build` first", build_dir
        )
    return {n: pd.read_parquet(build_dir / f"{n}.parquet") for n in TABLES}


def load_texts(build_dir: str | Path = "build") -> dict[str, str]:
    """Read the clean texts a build wrote, keyed by doc_id."""
    folder = Path(build_dir) / "texts"
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}
