"""Build every table of a corpus: the one module that runs every stage.

Per source file (in parallel, cached by :mod:`compare.cache`): read -> clean -> date ->
segment -> measures -> align -> targets (:meth:`Pipeline.process_source`). Then across the
corpus: matches, reuse, target indicators. Then every table, every clean text and
``build_info.json`` are written into a fresh folder that replaces ``build/`` by one rename
(:mod:`compare.output`): an error or an interrupt at any point leaves the previous build whole.

A :class:`Pipeline` holds what every document is processed with — the data folder's cleaning
rules, segmentation vocabulary, targets vocabulary and the fitted aligners — loaded once per
build and passed along (to worker processes through the pool's initializer). Nothing here is
kept between builds except through :mod:`compare.config`'s cache, which notices edited files.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import compare
from compare import checks, targets, tokenize
from compare.cache import (
    CorpusStore,
    DocCache,
    build_fingerprint,
    build_key,
    source_key,
    up_to_date,
)
from compare.config import DataFiles
from compare.errors import CompareError
from compare.frames import is_missing
from compare.io import write_table, write_text
from compare.manifest import enrich_adcodes, load_manifest, manifest_data_date
from compare.output import Output, cache_folder, models_folder, read_build_info
from compare.parallel import one_thread, release_free_memory, run_tasks
from compare.progress import Phases, StageLog
from compare.structure import kinds, measures, segment
from compare.text import clean, dating, read
from compare.workers import PER_DOCUMENT_TABLES, Collected, DocResult, Kept, process_all

TABLES = ("documents", "cleaning_log", "segments", "measures", "alignments", "matches",
          "counterparts", "reuse", "targets")  # fmt: skip

#: Matches kept per measure: the best ``MATCH_PER_DOC`` in each other document, ``MATCH_K`` in all.
MATCH_K, MATCH_PER_DOC = 10, 2
#: Reuse: passages of at least this many content characters, shared by at most this many
#: documents (a phrase in more is boilerplate; reporting every pair would grow with N²).
REUSE_MIN_LENGTH, REUSE_MAX_DOCS = 10, 20


@dataclass
class BuildResult:
    """The tables of one build, plus what the build reused from its cache."""

    tables: dict[str, pd.DataFrame]
    texts: dict[str, str]
    n_files: int = 0
    n_cached: int = 0
    up_to_date: bool = False  # nothing changed: the tables were read back, not rebuilt
    data: DataFiles | None = None  # the data folder the build used
    warnings: list[str] = field(default_factory=list)  # documents a reader should look at
    #: wall seconds of each phase (load, documents, match, counterparts, reuse, ..., write)
    timings: dict[str, float] = field(default_factory=dict)


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


@dataclass(frozen=True)
class Pipeline:
    """What every document is processed with, loaded from one data folder once per build."""

    data: DataFiles
    cleaning: clean.Rules
    segmentation: segment.Config
    vocabulary: targets.Vocabulary
    aligners: Any  # compare.align.FittedAligners (align imports scikit-learn: loaded lazily)

    @classmethod
    def load(
        cls,
        data: DataFiles,
        aligner: str | None = None,
        cache_dir: Path | None = None,
        models: DocCache | None = None,
        key: str = "",
        reuse: bool = True,
        jobs: int = 1,
    ) -> Pipeline:
        """Read the data folder's rules and fit the aligners (refitted only when one of the
        files they are fitted from changed: :meth:`compare.config.DataFiles.derive`).

        ``aligner``: a key of :data:`compare.align.ALIGNERS` (default: ``DEFAULT_ALIGNER``);
        ``cache_dir``: where an embedding aligner keeps its vectors. ``models``/``key``: where
        fitted aligners are kept between build processes, under the build fingerprint ``key``
        (every data file and the package's code), so a rebuild reads them back instead of
        refitting (the fit is the largest fixed cost of a build); ``reuse=False`` refits and
        refreshes them. ``jobs``: processes the aligner's independent fits are shared among
        (the same fitted aligners).
        """
        from compare import align

        method = aligner or align.DEFAULT_ALIGNER
        fitted_from = ["taxonomy.yml", "labels/measures.csv", "labels/dev.csv",
                       "labels/overrides.csv", tokenize.USERDICT, tokenize.STOPWORDS]  # fmt: skip

        def fit() -> Any:
            where = str(cache_dir) if method in align.KEEPS_CACHE_DIR else ""
            name = f"aligners-{hashlib.sha256(f'{key}|{method}|{where}'.encode()).hexdigest()[:32]}"
            if reuse and models is not None and key and models.has(name):
                return models.read(name)
            fitted = align.fit_aligners(method=method, data=data, cache_dir=cache_dir, jobs=jobs)
            if models is not None and key:
                models.write(name, fitted)
            return fitted

        aligners = data.derive(fitted_from, fit, key=(method, str(cache_dir), key))
        return cls(
            data=data,
            cleaning=clean.load_rules(data),
            segmentation=segment.load_config(data=data),
            vocabulary=targets.load_vocabulary(data=data),
            aligners=aligners,
        )

    def process_sources(self, groups: list[list[dict[str, Any]]]) -> list[list[DocResult]]:
        """:meth:`process_source` for several files, with the measures of all their documents
        aligned in one batch (the aligners' per-call work is paid once, not per document; the
        alignments are the same row for row)."""
        results = [self._read_source(rows, align_measures=False) for rows in groups]
        docs = [doc for group in results for doc in group]
        found = [doc.measures for doc in docs if len(doc.measures)]
        from compare import align

        if not found:
            for doc in docs:
                doc.alignments = pd.DataFrame(columns=align.ALIGNMENT_COLUMNS)
        else:
            batch = pd.concat(found, ignore_index=True) if len(found) > 1 else found[0]
            names = docs[0].meta["doc_id"] if len(docs) == 1 else f"{len(docs)} documents"
            stages = StageLog(names, sum(len(doc.text) for doc in docs))
            aligned = align.align_measures(batch, aligners=self.aligners)
            stages("align")
            start = 0
            for doc in docs:
                n = len(doc.measures)
                doc.alignments = aligned.iloc[start : start + n].reset_index(drop=True)
                start += n
        return results

    def process_source(self, rows: list[dict[str, Any]]) -> list[DocResult]:
        """Read one source file and turn each document it holds into its per-document tables."""
        return self.process_sources([rows])[0]

    def _read_source(self, rows: list[dict[str, Any]], align_measures: bool) -> list[DocResult]:
        path = rows[0]["source_path"]
        source = read.read_source(path)
        spans, outside = _documents_in(source, rows, path)
        results = []
        for row, part in spans:
            raw = source.text if part is None else source.text[part.start : part.end]
            meta = _doc_meta(row, source, part)
            result = self.process_document(meta, raw, align_measures=align_measures)
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

    def process_document(
        self, meta: dict[str, Any], source_text: str, align_measures: bool = True
    ) -> DocResult:
        """Clean, date, segment, align and extract targets from one document's decoded text
        (``align_measures=False``: leave ``alignments`` empty, for :meth:`process_sources`)."""
        from compare import align

        doc_id = meta["doc_id"]
        stages = StageLog(doc_id, len(source_text))
        cleaned = clean.clean_text(source_text, clean.default_steps(self.cleaning))
        stages("clean")
        text = cleaned.text
        log = cleaned.log.copy()
        log.insert(0, "doc_id", doc_id)
        evidence = dating.date_evidence(source_text, text, data=self.data)
        meta.update(dating.resolve_dates(meta, evidence))
        doc_kind = kinds.recognise(text, meta.get("doc_type"), self.segmentation)
        meta["structure"], meta["wrapper"] = doc_kind.kind, doc_kind.wrapper
        meta["kind_basis"] = doc_kind.basis
        segs = segment.segment_text(text, doc_id, self.segmentation, kind=doc_kind.kind)
        found_measures = measures.extract_measures(
            segs, text, config=self.segmentation, kind=doc_kind.kind, year=_year(meta)
        )
        stages("segment and measures")
        aligned = pd.DataFrame()  # filled by process_sources, which aligns a batch at once
        if align_measures:
            aligned = align.align_measures(found_measures, aligners=self.aligners)
            stages("align")
        found = targets.extract_targets(
            text,
            doc_id=doc_id,
            vocab=self.vocabulary,
            year=_year(meta),
            measures=found_measures,
            kind=doc_kind.kind,
        )
        found = targets.assign_measures(found, found_measures)
        stages("targets")
        meta["n_chars"] = len(text)
        meta["n_measures"] = len(found_measures)
        return DocResult(meta, text, log, segs, found_measures, aligned, found)

    def warm_up(self) -> None:
        """Build the tokenizer engine of the aligners now, so forked workers inherit it."""
        tokenizer = getattr(self.aligners.category, "tokenizer_", None)
        if tokenizer is not None:
            tokenizer.engine  # noqa: B018 (built on first use)


def _year(meta: dict[str, Any]) -> int | None:
    """The document's year as an int (None when unknown)."""
    try:
        return int(float(meta.get("year")))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _documents_in(
    source: read.SourceText, rows: list[dict[str, Any]], path: Any
) -> tuple[list[tuple[dict[str, Any], read.Part | None]], tuple[int, int] | None]:
    """The documents a source file holds: (manifest row, part) pairs, and the span outside
    every part (table of contents, intro) of a split file."""
    pattern = rows[0].get("split") or ""
    if not pattern:
        return [(rows[0], None)], None
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
    return spans, outside


def _group_by_source(manifest: pd.DataFrame) -> list[list[dict[str, Any]]]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in manifest.to_dict("records"):
        row = {k: (None if is_missing(v) else v) for k, v in row.items()}
        groups.setdefault((row["source_path"], row["entry_id"]), []).append(row)
    return list(groups.values())


def _check_sources(groups: list[list[dict[str, Any]]], manifest_path: Path) -> None:
    for rows in groups:
        path = Path(rows[0]["source_path"])
        if not path.is_file():
            problem = "is a folder, not a text file" if path.is_dir() else "file not found"
            raise CompareError(
                f"document '{rows[0]['entry_id']}': {problem}: {path}", manifest_path
            )


DOCUMENT_COLUMNS = [
    "doc_id", "source_file", "part", "title", "label", "label_en", "jurisdiction",
    "jurisdiction_en", "level", "province", "adcode", "issuer", "doc_type", "doc_number", "year",
    "date", "period", "year_basis", "year_min", "year_max", "date_flags", "encoding", "format",
    "structure", "wrapper", "n_chars", "n_measures",
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
    df["wrapper"] = df["wrapper"].fillna(False).astype(bool)
    return df


def corpus_tables(
    collected: Collected, pipeline: Pipeline, phases: Phases | None = None, jobs: int = 1
) -> dict[str, pd.DataFrame]:
    """The per-document tables for the whole corpus, plus the corpus-level ones (match, reuse,
    indicators of the targets); ``phases`` records the seconds of each; the matrix products of
    match and counterparts are shared among ``jobs`` processes."""
    from compare import match  # scipy: not loaded by a build that is up to date

    phases = phases or Phases()
    tables = {"documents": documents_table(collected.meta)}
    for name in PER_DOCUMENT_TABLES:
        tables[name] = collected.table(name)
    words = pipeline.segmentation  # markers and unit notes left out of the matched words
    tables["matches"] = match.match_measures(
        tables["measures"], k=MATCH_K, per_document=MATCH_PER_DOC, config=words, jobs=jobs
    )
    phases("match")
    release_free_memory()
    tables["counterparts"] = match.counterparts(
        tables["measures"], tables["documents"], tables["alignments"], config=words, jobs=jobs
    )
    phases("counterparts")
    tables["reuse"] = match.find_reuse(
        collected.texts, min_length=REUSE_MIN_LENGTH, max_docs=REUSE_MAX_DOCS, jobs=jobs
    )
    phases("reuse")
    release_free_memory()
    tables["targets"] = targets.map_indicators(
        tables["targets"], pipeline.aligners.taxonomy.indicators, pipeline.vocabulary
    )
    phases("indicators")
    return {name: tables[name] for name in TABLES}


def build(
    corpus: str | Path,
    out_dir: str | Path = "build",
    jobs: int | None = None,
    use_cache: bool = True,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    data_dir: str | Path | DataFiles | None = None,
    aligner: str | None = None,
) -> BuildResult:
    """Build every table for the manifest ``corpus`` and write them to ``out_dir``.

    ``aligner``: how measures are aligned, a key of :data:`compare.align.ALIGNERS` (default
    ``DEFAULT_ALIGNER``); it is part of every cache key.

    ``data_dir``: the data folder (default: :meth:`compare.config.DataFiles.resolve` — the
    manifest's folder when it holds a taxonomy, else ``$COMPARE_DATA``, else ``data/``).
    Nothing in ``out_dir`` changes unless every document was processed without error: the
    new build is written beside it and swapped in at the end (:class:`compare.output.Output`).
    """
    phases = Phases()
    corpus, out_dir = Path(corpus), Path(out_dir)
    output = Output(out_dir)
    output.check()
    data = DataFiles.resolve(data_dir, manifest=corpus)
    # cache keys come from the manifest as written (the place codes cpca fills in follow from
    # it): an up-to-date build is known without cpca's slow start
    manifest = load_manifest(corpus, adcodes=False)
    groups = _group_by_source(manifest)
    _check_sources(groups, corpus)
    if on_start:
        on_start(len(manifest))
    jobs = jobs or os.cpu_count() or 1
    if aligner is not None:
        from compare.align import ALIGNERS  # scikit-learn: loaded only when asked

        if aligner not in ALIGNERS:
            raise CompareError(f"unknown aligner {aligner!r} (use one of {', '.join(ALIGNERS)})")
    build_print = build_fingerprint(data, corpus) + (f"|aligner={aligner}" if aligner else "")
    keys = [source_key(rows, build_print) for rows in groups]
    given_date = manifest_data_date(corpus)
    key = build_key(keys, given_date)
    phases("manifest and cache keys")
    if use_cache and up_to_date(out_dir, key, TABLES):
        if progress:
            progress(len(manifest))
        return BuildResult(
            load_tables(out_dir), load_texts(out_dir), len(groups), len(groups), True, data,
            warnings=read_build_info(out_dir).get("warnings", []), timings=phases.seconds,
        )  # fmt: skip
    groups = _group_by_source(enrich_adcodes(manifest))  # the rows built from carry place codes
    models = DocCache(models_folder(out_dir))  # refreshed by a build that does not read it
    with one_thread():  # the same numbers whatever ``jobs`` is (see compare.parallel)
        pipeline = Pipeline.load(data, aligner, cache_folder(out_dir), models=models,
                                 key=build_print, reuse=use_cache, jobs=jobs)  # fmt: skip
        phases("rules and aligners")
        output.tidy()
        cache = DocCache(cache_folder(out_dir) / "docs")
        store = CorpusStore(cache_folder(out_dir) / "corpus.pkl")  # the last build's, whole
        kept = store.read() if use_cache else None
        collected, n_cached = process_all(
            pipeline, groups, keys, cache, jobs=jobs, progress=progress, reuse=use_cache,
            kept=kept if isinstance(kept, Kept) else None,
        )  # fmt: skip
        kept = Kept.of(keys, collected)  # what the next build takes unchanged files from
        phases("documents")
        release_free_memory()
        tables = corpus_tables(collected, pipeline, phases, jobs=jobs)
    texts = collected.texts
    data_date = given_date or newest_date(tables["documents"])
    notes = checks.document_warnings(collected.meta)
    with output as folder:
        keep = [functools.partial(store.write, kept)] if kept is not None else []
        write_outputs(tables, texts, folder, data_date=data_date, build_key=key, data=data,
                      warnings=notes, jobs=jobs, more=keep)  # fmt: skip
    phases("write")
    return BuildResult(tables, texts, n_files=len(groups), n_cached=n_cached, data=data,
                       warnings=notes, timings=phases.seconds)  # fmt: skip


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
    data: DataFiles | None = None,
    warnings: list[str] | None = None,
    jobs: int = 1,
    more: list[Callable[[], object]] | None = None,
) -> None:
    """Write every table (Parquet + CSV), every clean text and ``build_info.json`` into
    ``out_dir`` (:func:`build` gives a fresh folder, swapped in afterwards); the files and the
    ``more`` writes (first) are shared among ``jobs`` processes, the largest tables first.

    ``data_date`` (default: the newest document date) goes into ``build_info.json``.
    """
    if data_date is None:
        data_date = newest_date(tables["documents"])
    largest_first = sorted(TABLES, key=lambda name: -tables[name].size)
    writes = list(more or [])
    writes += [
        functools.partial(write_table, tables[name], out_dir, name) for name in largest_first
    ]
    writes.append(functools.partial(_write_texts, texts, out_dir))
    run_tasks(writes, jobs)
    info = {
        "compare_version": compare.__version__,
        "data_date": data_date,
        "build_key": build_key,
        "data_dir": str(data.root) if data else "",
        "tables": {n: len(t) for n, t in tables.items()},
        "warnings": list(warnings or []),
    }
    write_text(out_dir / "build_info.json", json.dumps(info, ensure_ascii=False, indent=2))


def _write_texts(texts: dict[str, str], out_dir: Path) -> None:
    for doc_id, text in texts.items():
        write_text(out_dir / "texts" / f"{doc_id}.txt", text)


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
