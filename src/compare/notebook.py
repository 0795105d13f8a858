"""What a notebook needs to start: :func:`open_build` reads a build once and hands back its
tables, clean texts, taxonomy and data date, and a figure saver for the notebook's languages.

It replaces the set-up cell every notebook repeated; notebooks keep narrative, calls into
:mod:`compare.analysis` and :mod:`compare.charts`, and display.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from compare.errors import CompareError


@dataclass
class Build:
    """An opened build: ``tables`` (by name), ``texts`` (clean texts by doc_id), ``taxonomy``
    (:class:`compare.align.taxonomy.Taxonomy`, or None when the data folder has none),
    ``data_date`` (build_info.json), ``sources`` (extra entries of every chart's source line,
    after the documents), ``source_docs`` (the documents the source line names: their issuers,
    types and years, :func:`compare.charts.labels.document_sources`; None: every document),
    ``figures_dir`` and ``langs`` (where and in which languages :meth:`save` draws)."""

    build_dir: Path
    tables: dict[str, pd.DataFrame]
    texts: dict[str, str]
    taxonomy: Any
    data_date: str
    sources: list[str]
    figures_dir: Path
    langs: list[str] = field(default_factory=lambda: ["zh", "en"])
    source_docs: list[str] | None = None

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def chart_args(self) -> dict[str, Any]:
        """The arguments every chart takes: ``sources`` (the extra entries) and ``data_date``."""
        return {"sources": self.sources, "data_date": self.data_date}

    def source_line(self, lang: str, doc_ids: Iterable[object] | None = None) -> list[str]:
        """The source line of a chart in ``lang``: the issuers, types and years of the documents
        ``doc_ids`` (those a chart draws; default :attr:`source_docs`, else every document), in
        the manifest's order, then :attr:`sources`."""
        from compare.charts.labels import document_sources

        docs = self.tables["documents"]
        ids = doc_ids if doc_ids is not None else self.source_docs
        if ids is not None:
            docs = docs[docs["doc_id"].astype(str).isin({str(d) for d in ids})]
        return [*document_sources(docs, lang), *self.sources]

    def save(
        self,
        plot: Callable[..., Any],
        stem: str,
        per_lang: Mapping[str, Mapping[str, Any]] | None = None,
        source_docs: Iterable[object] | None = None,
        **kwargs: Any,
    ) -> Any:
        """:func:`save_charts` in this build's languages and figures folder, with
        :attr:`chart_args` added and the source line of :meth:`source_line` in each language
        (naming only ``source_docs`` when the chart draws only those documents); returns the
        first figure (for display)."""
        langs = {lang: {"sources": self.source_line(lang, source_docs)} for lang in self.langs}
        for lang, extra in (per_lang or {}).items():
            langs[lang] = {**langs.get(lang, {}), **extra}
        return save_charts(
            plot, self.figures_dir, stem, self.langs, langs, **{**self.chart_args, **kwargs}
        )


def open_build(
    build_dir: str | Path,
    corpus: str | Path = "corpus.yml",
    figures_dir: str | Path = "figures",
    langs: Sequence[str] = ("zh", "en"),
    sources: Sequence[str] = (),
    texts: bool = True,
) -> Build:
    """Open the build in ``build_dir`` for a notebook (see :class:`Build`); makes
    ``figures_dir``. The charts' source line names the documents (their issuers and years),
    then ``sources``; ``texts=False`` skips reading the clean texts."""
    from compare.build import load_tables, load_texts

    build_dir = Path(build_dir)
    taxonomy = build_taxonomy(build_dir)
    figures = Path(figures_dir)
    figures.mkdir(parents=True, exist_ok=True)
    return Build(
        build_dir=build_dir,
        tables=load_tables(build_dir),
        texts=load_texts(build_dir) if texts else {},
        taxonomy=taxonomy,
        data_date=build_date(build_dir),
        sources=list(sources),
        figures_dir=figures,
        langs=list(langs),
    )


def build_data(build_dir: str | Path) -> Any:
    """The data folder a build was made with (``data_dir`` in ``build_info.json``), as a
    :class:`compare.config.DataFiles`; when the build does not name one or it is gone, the
    folder :meth:`~compare.config.DataFiles.resolve` finds."""
    from compare.config import MARKER, DataFiles
    from compare.output import read_build_info

    named = read_build_info(build_dir).get("data_dir") or ""
    if named and (Path(named) / MARKER).is_file():
        return DataFiles(Path(named).resolve(), "the build's (build_info.json)")
    return DataFiles.resolve()


def build_taxonomy(build_dir: str | Path) -> Any:
    """The taxonomy of the build's data folder (:func:`build_data`); None when it has none."""
    from compare.align.taxonomy import load_taxonomy

    try:
        return load_taxonomy(data=build_data(build_dir))
    except CompareError:
        return None


def build_date(build_dir: str | Path) -> str:
    """The data date of a build (``build_info.json``): charts print it as "data as of".

    It comes from the manifest's ``data_date`` (or the newest document date), never from the
    clock, so figures are the same on every run.
    """
    info = Path(build_dir) / "build_info.json"
    if not info.exists():
        raise CompareError("no build found (build_info.json); run `compare build` first", build_dir)
    data_date = json.loads(info.read_text(encoding="utf-8")).get("data_date") or ""
    if not data_date:
        raise CompareError("build_info.json gives no data_date; rebuild with `compare build`", info)
    return data_date


def save_charts(
    plot: Callable[..., Any],
    figures_dir: str | Path,
    stem: str,
    langs: list[str],
    per_lang: Mapping[str, Mapping[str, Any]] | None = None,
    **kwargs: Any,
) -> Any:
    """Draw ``plot(**kwargs, lang=lang)`` for each language and save it as ``<stem>_<lang>``.

    ``per_lang`` (``{lang: {argument: value}}``) adds arguments that differ by language (a
    title, labels). Returns the figure of the first language (for the notebook to display);
    ``None`` when ``langs`` is empty.
    """
    from compare.charts import save_figure

    first = None
    for lang in langs:
        extra = dict(per_lang.get(lang, {})) if per_lang else {}
        fig = plot(**{**kwargs, **extra}, lang=lang)
        save_figure(fig, figures_dir, f"{stem}_{lang}")
        first = fig if first is None else first
    return first
