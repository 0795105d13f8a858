"""Load and validate ``data/taxonomy.yml``: categories, topics and indicators as DataFrames.

The taxonomy is plain data: the ten chapters of the 2021-2025 national 纲要 (plus C11
地方特色/其他) as ``categories``; second-level ``topics`` with seed ``terms`` and weights; and
``indicators`` (harmonised keys for numeric targets, matched by their ``terms``).
Every mistake in the file raises :class:`~compare.errors.CompareError` naming the entry.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from compare.config import DataFiles, parse_yaml
from compare.errors import CompareError

CATEGORY_COLUMNS = ["category_id", "national2021", "label_zh", "label_en", "national2015"]
TOPIC_COLUMNS = [
    "topic_id",
    "category_id",
    "label_zh",
    "label_en",
    "definition",
    "terms",
    "weights",
]
INDICATOR_COLUMNS = ["indicator_id", "label_zh", "label_en", "unit", "topic_id", "terms"]


@dataclass(frozen=True)
class Taxonomy:
    """The validated taxonomy.

    ``categories``: category_id, national2021 (Int64), label_zh, label_en, national2015.
    ``topics``: topic_id, category_id, label_zh, label_en, definition, terms (tuple of str),
    weights (tuple of float). ``indicators``: indicator_id, label_zh, label_en, unit, topic_id,
    terms (tuple of str). ``path`` is the file it came from.
    """

    categories: pd.DataFrame
    topics: pd.DataFrame
    indicators: pd.DataFrame
    path: str = ""

    @property
    def category_ids(self) -> list[str]:
        """Category ids in file order."""
        return self.categories["category_id"].tolist()

    @property
    def topic_ids(self) -> list[str]:
        """Topic ids in file order."""
        return self.topics["topic_id"].tolist()

    def parent(self, topic_id: str) -> str:
        """The category id of a topic."""
        return str(self._topic_parent[topic_id])

    def national2021(self, category_id: str) -> int | None:
        """The 2021 纲要 chapter number of a category (None for C11)."""
        value = self.categories.set_index("category_id").loc[category_id, "national2021"]
        return None if pd.isna(value) else int(value)

    def seed_terms(self) -> dict[str, float]:
        """Every topic seed term with its largest weight (for the tokenizer's dictionary)."""
        out: dict[str, float] = {}
        for terms, weights in zip(self.topics["terms"], self.topics["weights"], strict=True):
            for term, weight in zip(terms, weights, strict=True):
                out[term] = max(out.get(term, 0.0), float(weight))
        return out

    @functools.cached_property
    def _topic_parent(self) -> dict[str, str]:
        return dict(zip(self.topics["topic_id"], self.topics["category_id"], strict=True))


def _entries(doc: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    value = doc.get(key)
    if not isinstance(value, list) or not value:
        raise CompareError(f"'{key}' must be a non-empty list", path)
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise CompareError(f"{key}[{i}] is not a mapping", path)
    return value


def _require(item: dict[str, Any], fields: tuple[str, ...], what: str, path: Path) -> None:
    for field in fields:
        value = item.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise CompareError(f"{what}: missing {field}", path)


def _parse_terms(raw: Any, what: str, path: Path) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Accept ``[a, b: 2]`` or ``{a: 1, b: 2}``; return terms and weights."""
    if raw is None:
        return (), ()
    pairs: list[tuple[Any, Any]] = []
    if isinstance(raw, dict):
        pairs = list(raw.items())
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict) and len(item) == 1:
                pairs.append(next(iter(item.items())))
            elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
                pairs.append((item, 1.0))
            else:
                raise CompareError(f"{what}: bad term entry {item!r}", path)
    else:
        raise CompareError(f"{what}: terms must be a list or mapping", path)
    terms: list[str] = []
    weights: list[float] = []
    for term, weight in pairs:
        term = str(term).strip()
        if not term:
            raise CompareError(f"{what}: empty term", path)
        try:
            w = float(1.0 if weight is None else weight)
        except (TypeError, ValueError):
            raise CompareError(f"{what}: term {term!r} has a non-numeric weight", path) from None
        if term in terms:
            raise CompareError(f"{what}: duplicate term {term!r}", path)
        terms.append(term)
        weights.append(w)
    return tuple(terms), tuple(weights)


def _check_unique(ids: list[str], kind: str, path: Path) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise CompareError(f"duplicate {kind} id {i!r}", path)
        seen.add(i)


def _parse_categories(doc: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    """The ``categories`` entries as rows of :data:`CATEGORY_COLUMNS` (ids unique)."""
    cats = []
    for i, item in enumerate(_entries(doc, "categories", path)):
        what = f"category {item.get('id', f'#{i + 1}')!r}"
        _require(item, ("id", "label_zh", "label_en"), what, path)
        n = item.get("national2021")
        if n is not None and not isinstance(n, int):
            raise CompareError(f"{what}: national2021 must be an integer or null", path)
        cats.append(
            {
                "category_id": str(item["id"]),
                "national2021": n,
                "label_zh": str(item["label_zh"]),
                "label_en": str(item["label_en"]),
                "national2015": item.get("national2015"),
            }
        )
    _check_unique([c["category_id"] for c in cats], "category", path)
    return cats


def _parse_topics(doc: dict[str, Any], cat_ids: list[str], path: Path) -> list[dict[str, Any]]:
    """The ``topics`` entries as rows of :data:`TOPIC_COLUMNS`: each under a known category,
    ids unique (also against category ids), every category with at least one topic."""
    topics = []
    for i, item in enumerate(_entries(doc, "topics", path)):
        what = f"topic {item.get('id', f'#{i + 1}')!r}"
        _require(item, ("id", "category", "label_zh", "label_en"), what, path)
        if item["category"] not in cat_ids:
            raise CompareError(f"{what}: unknown parent category {item['category']!r}", path)
        terms, weights = _parse_terms(item.get("terms"), what, path)
        topics.append(
            {
                "topic_id": str(item["id"]),
                "category_id": str(item["category"]),
                "label_zh": str(item["label_zh"]),
                "label_en": str(item["label_en"]),
                "definition": str(item.get("definition") or ""),
                "terms": terms,
                "weights": weights,
            }
        )
    topic_ids = [t["topic_id"] for t in topics]
    _check_unique(topic_ids, "topic", path)
    _check_unique(topic_ids + cat_ids, "category/topic", path)
    empty = sorted(set(cat_ids) - {t["category_id"] for t in topics})
    if empty:
        raise CompareError(f"category {empty[0]!r} has no topic", path)
    return topics


def _parse_indicators(doc: dict[str, Any], topic_ids: set[str], path: Path) -> list[dict[str, Any]]:
    """The optional ``indicators`` entries as rows of :data:`INDICATOR_COLUMNS`: each under a
    known topic, with at least one term, ids unique."""
    indicators = []
    for i, item in enumerate(doc.get("indicators") or []):
        if not isinstance(item, dict):
            raise CompareError(f"indicators[{i}] is not a mapping", path)
        what = f"indicator {item.get('id', f'#{i + 1}')!r}"
        _require(item, ("id", "label_zh", "label_en", "unit", "topic"), what, path)
        if item["topic"] not in topic_ids:
            raise CompareError(f"{what}: unknown topic {item['topic']!r}", path)
        terms, _ = _parse_terms(item.get("terms"), what, path)
        if not terms:
            raise CompareError(f"{what}: missing terms", path)
        indicators.append(
            {
                "indicator_id": str(item["id"]),
                "label_zh": str(item["label_zh"]),
                "label_en": str(item["label_en"]),
                "unit": str(item["unit"]),
                "topic_id": str(item["topic"]),
                "terms": terms,
            }
        )
    _check_unique([x["indicator_id"] for x in indicators], "indicator", path)
    return indicators


def parse_taxonomy(doc: Any, path: str | Path = "<taxonomy>") -> Taxonomy:
    """Validate a loaded YAML document and build the :class:`Taxonomy`: categories, then the
    topics under them, then the indicators under the topics."""
    path = Path(path)
    if not isinstance(doc, dict):
        raise CompareError("taxonomy must be a mapping with categories, topics, indicators", path)
    cats = _parse_categories(doc, path)
    topics = _parse_topics(doc, [c["category_id"] for c in cats], path)
    indicators = _parse_indicators(doc, {t["topic_id"] for t in topics}, path)
    categories = pd.DataFrame(cats, columns=CATEGORY_COLUMNS)
    categories["national2021"] = categories["national2021"].astype("Int64")
    return Taxonomy(
        categories=categories,
        topics=pd.DataFrame(topics, columns=TOPIC_COLUMNS),
        indicators=pd.DataFrame(indicators, columns=INDICATOR_COLUMNS),
        path=str(path),
    )


def _load(path: Path) -> Taxonomy:
    return parse_taxonomy(parse_yaml(path, "taxonomy file"), path)


def default_taxonomy_path(data: DataFiles | None = None) -> Path:
    """``taxonomy.yml`` of the data folder (:class:`compare.config.DataFiles`)."""
    return DataFiles.resolve(data).path("taxonomy.yml")


def load_taxonomy(path: str | Path | None = None, data: DataFiles | None = None) -> Taxonomy:
    """Load and validate a taxonomy (default: the data folder's ``taxonomy.yml``); read again
    when the file changes. Treat the result as read-only: it is shared."""
    return DataFiles.resolve(data).load(Path(path) if path else "taxonomy.yml", _load)
