"""One colour per document, administrative level, document type and category, the same in
every chart: read from ``data/figures.yml`` (``colours``), never from the order in which a
chart happens to meet them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from compare.config import DataFiles, parse_yaml
from compare.errors import CompareError


@dataclass(frozen=True)
class Colours:
    """The ``colours`` of ``data/figures.yml``: ``documents`` (a palette taken in manifest
    order), ``levels``, ``doc_types`` and ``categories`` (name -> colour, ``other`` for the
    rest)."""

    documents: tuple[str, ...]
    levels: dict[str, str]
    doc_types: dict[str, str]
    categories: dict[str, str]

    @classmethod
    def parse(cls, path: Path) -> Colours:
        """Read the ``colours`` section of one figures file."""
        raw = (parse_yaml(path, "figure settings") or {}).get("colours")
        if not isinstance(raw, dict) or not raw.get("documents"):
            raise CompareError("expected `colours:` with a `documents` palette", path)
        return cls(
            tuple(str(c) for c in raw["documents"]),
            {str(k): str(v) for k, v in (raw.get("levels") or {}).items()},
            {str(k): str(v) for k, v in (raw.get("doc_types") or {}).items()},
            {str(k): str(v) for k, v in (raw.get("categories") or {}).items()},
        )

    def document(self, documents: pd.DataFrame) -> dict[str, str]:
        """``doc_id -> colour``: the palette colour of the document's place in the manifest
        (the ``documents`` table's order), cycling when there are more documents."""
        ids = [str(d) for d in documents["doc_id"]]
        return {d: self.documents[i % len(self.documents)] for i, d in enumerate(ids)}

    def jurisdiction(self, documents: pd.DataFrame) -> dict[str, str]:
        """``jurisdiction -> colour``: the colour of its first document in the manifest (both
        the zh and the en name map to it)."""
        by_doc = self.document(documents)
        out: dict[str, str] = {}
        for col in ("jurisdiction", "jurisdiction_en"):
            if col in documents:
                for d, j in zip(documents["doc_id"].astype(str), documents[col], strict=True):
                    if isinstance(j, str) and j.strip():
                        out.setdefault(j, by_doc[d])
        return out

    def level(self, level: str) -> str:
        return self.levels.get(str(level), self.levels.get("unknown", "#999999"))

    def doc_type(self, doc_type: str) -> str:
        return self.doc_types.get(str(doc_type), self.doc_types.get("other", "#777777"))

    def category(self, category_id: str) -> str:
        return self.categories.get(str(category_id), self.categories.get("other", "#777777"))


def colours(data: DataFiles | None = None) -> Colours:
    """The data folder's figure colours (read again when ``figures.yml`` changes)."""
    return DataFiles.resolve(data).load("figures.yml", Colours.parse)


def figure_settings(data: DataFiles | None = None) -> dict:
    """The whole ``figures.yml`` (thresholds such as ``coverage.min_measures``)."""
    return DataFiles.resolve(data).yaml("figures.yml", "figure settings") or {}


def cleaning_groups(data: DataFiles | None = None) -> list[dict[str, str]]:
    """The ``cleaning_groups`` of ``figures.yml``: ``id``, ``match`` (a regular expression) and
    ``colour`` of each group of cleaning reasons, in order."""
    raw = figure_settings(data).get("cleaning_groups") or []
    return [{k: str(g.get(k) or "") for k in ("id", "match", "colour")} for g in raw]
