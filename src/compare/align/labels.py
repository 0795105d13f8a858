"""Hand labels (``data/labels/measures.csv``, ``heldout.csv``) and researcher overrides
(``overrides.csv``), read through :class:`compare.config.DataFiles` and checked against the
taxonomy."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from compare.align.taxonomy import Taxonomy, load_taxonomy
from compare.config import DataFiles
from compare.errors import CompareError

#: A label file's columns; ``text`` and ``parent_headings`` (what the aligner reads, see
#: :func:`compare.align.base._as_texts`) are kept when present.
LABEL_COLUMNS = ["doc_id", "measure_id", "heading", "category_id", "topic_id", "note"]


OVERRIDE_COLUMNS = ["measure_id", "category_id", "topic_id", "note"]


def _read_csv(
    data: DataFiles, path: Path, columns: list[str], required: Iterable[str]
) -> pd.DataFrame:
    df = data.csv(path)
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise CompareError(f"missing columns {missing}", path)
    for c in columns:
        if c not in df.columns:
            df[c] = ""
    return df


def _check_ids(df: pd.DataFrame, tax: Taxonomy, path: Path | str, topic_required: bool) -> None:
    cats = set(tax.category_ids)
    for row in df.itertuples(index=False):
        mid = row.measure_id
        if not mid:
            raise CompareError("a row has no measure_id", path)
        if row.category_id not in cats:
            raise CompareError(f"{mid}: unknown category_id {row.category_id!r}", path)
        if not row.topic_id:
            if topic_required:
                raise CompareError(f"{mid}: missing topic_id", path)
            continue
        if row.topic_id not in tax.topic_ids:
            raise CompareError(f"{mid}: unknown topic_id {row.topic_id!r}", path)
        if tax.parent(row.topic_id) != row.category_id:
            raise CompareError(
                f"{mid}: topic {row.topic_id} belongs to {tax.parent(row.topic_id)}, "
                f"not {row.category_id}",
                path,
            )
    dup = df["measure_id"][df["measure_id"].duplicated()]
    if len(dup):
        raise CompareError(f"duplicate measure_id {dup.iloc[0]!r}", path)


def load_labels(
    path: str | Path | None = None,
    taxonomy: Taxonomy | None = None,
    data: DataFiles | None = None,
) -> pd.DataFrame:
    """Hand labels (``data/labels/measures.csv``), checked against the taxonomy."""
    files = DataFiles.resolve(data)
    p = Path(path) if path else files.path("labels", "measures.csv")
    df = _read_csv(files, p, LABEL_COLUMNS, ["measure_id", "category_id", "topic_id"])
    _check_ids(df, taxonomy or load_taxonomy(data=files), p, topic_required=True)
    return df


#: Label files the aligners are trained on, in ``data/labels/``: the seed labels and the
#: dev-split gold of the development corpus (never a frozen text), both with their texts.
TRAINING_FILES = ("measures.csv", "dev.csv")


def load_training(
    path: str | Path | None = None,
    taxonomy: Taxonomy | None = None,
    data: DataFiles | None = None,
) -> pd.DataFrame:
    """The training labels: ``path`` alone, or every file of :data:`TRAINING_FILES` that
    exists (the first measure_id wins when two files label the same measure)."""
    if path:
        return load_labels(path, taxonomy, data)
    files = DataFiles.resolve(data)
    tax = taxonomy or load_taxonomy(data=files)
    parts = [
        load_labels(files.path("labels", name), tax, files)
        for name in TRAINING_FILES
        if files.exists("labels", name)
    ]
    if not parts:
        return pd.DataFrame(columns=[*LABEL_COLUMNS, "text"])
    return pd.concat(parts, ignore_index=True).drop_duplicates("measure_id", keep="first")


def load_overrides(
    path: str | Path | None = None,
    taxonomy: Taxonomy | None = None,
    data: DataFiles | None = None,
) -> pd.DataFrame:
    """Researcher overrides (``data/labels/overrides.csv``); ``topic_id`` may be empty."""
    files = DataFiles.resolve(data)
    p = Path(path) if path else files.path("labels", "overrides.csv")
    if path is None and not p.exists():
        return pd.DataFrame(columns=OVERRIDE_COLUMNS)
    df = _read_csv(files, p, OVERRIDE_COLUMNS, ["measure_id", "category_id"])
    _check_ids(df, taxonomy or load_taxonomy(data=files), p, topic_required=False)
    return df[OVERRIDE_COLUMNS]


def _as_frame(
    value: pd.DataFrame | str | Path | None,
    loader: Any,
    tax: Taxonomy,
    data: DataFiles | None = None,
) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        return value.fillna("").astype({c: str for c in ("category_id", "topic_id") if c in value})
    return loader(value, tax, data)


def training_set(measures: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Labelled measures with their text: labels' own ``text`` column, else joined on measure_id."""
    if "text" in labels.columns and (labels["text"].astype(str).str.len() > 0).all():
        return labels.reset_index(drop=True)
    if "text" not in measures.columns:
        raise CompareError("measures need a 'text' column")
    cols = ["measure_id", "text"]
    return labels.drop(columns=["text"], errors="ignore").merge(
        measures[cols], on="measure_id", how="inner"
    )


def load_heldout(
    path: str | Path | None = None,
    taxonomy: Taxonomy | None = None,
    data: DataFiles | None = None,
) -> pd.DataFrame:
    """Labels of the held-out texts (``data/labels/heldout.csv``): never used for fitting or
    tuning."""
    files = DataFiles.resolve(data)
    return load_labels(path or files.path("labels", "heldout.csv"), taxonomy, files)
