"""Corpus manifests: ``corpus.yml`` (or a plain CSV) -> one validated row per document."""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from compare.config import parse_yaml
from compare.errors import CompareError

LEVELS = ("national", "province", "city", "county", "district")

#: Columns of the manifest table, in order. ``split`` is the part-title regex of a multi-document file.
MANIFEST_COLUMNS = [
    "doc_id", "entry_id", "source_path", "source_file", "part", "split", "title", "label",
    "label_en", "jurisdiction", "jurisdiction_en", "level", "province", "adcode", "issuer",
    "doc_type", "doc_number", "date", "year", "period", "year_basis",
]  # fmt: skip

#: Columns a CSV manifest must have (others optional, empty cells allowed).
CSV_REQUIRED = ["id", "file", "title", "jurisdiction", "level", "province", "year", "doc_type"]


class _Loader(yaml.SafeLoader):
    """YAML loader that keeps dates as text, so they are validated here with a clear message."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def load_manifest(path: str | Path, adcodes: bool = True) -> pd.DataFrame:
    """Read a YAML or CSV manifest and return one validated row per document (parts expanded);
    ``adcodes``: fill empty ``adcode``/``province`` cells (:func:`enrich_adcodes`)."""
    path = Path(path)
    if not path.is_file():
        raise CompareError("manifest not found", path)
    entries = _read_csv(path) if path.suffix.lower() in {".csv", ".tsv"} else _read_yaml(path)
    rows: list[dict[str, Any]] = []
    for i, entry in enumerate(entries, start=1):
        rows.extend(_expand_entry(entry, i, path))
    manifest = pd.DataFrame(rows, columns=MANIFEST_COLUMNS)
    manifest["part"] = manifest["part"].astype("Int64")
    dupes = manifest.loc[manifest["doc_id"].duplicated(), "doc_id"].tolist()
    if dupes:
        raise CompareError(f"duplicate document id(s): {', '.join(sorted(set(dupes)))}", path)
    return enrich_adcodes(manifest) if adcodes else manifest


def manifest_data_date(path: str | Path) -> str | None:
    """The manifest's top-level ``data_date`` (when the texts were collected), if it gives one."""
    path = Path(path)
    if path.suffix.lower() in {".csv", ".tsv"}:
        return None
    data = _yaml(path)
    value = _text(data.get("data_date")) if isinstance(data, dict) else ""
    if value:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise CompareError(
                f"malformed manifest: data_date '{value}' is not YYYY-MM-DD", path
            ) from None
    return value or None


#: Keys of the manifest's ``compare:`` entry (the pair notebook 03 compares, and a midpoint).
COMPARE_KEYS = ("earlier", "later", "midpoint")


def manifest_comparison(path: str | Path) -> dict[str, str]:
    """The manifest's top-level ``compare:`` entry (``earlier``, ``later``, optional
    ``midpoint``: document ids), ``{}`` when it has none (or is a CSV)."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() in {".csv", ".tsv"}:
        return {}
    data = _yaml(path)
    entry = data.get("compare") if isinstance(data, dict) else None
    if entry is None:
        return {}
    unknown = sorted(set(entry) - set(COMPARE_KEYS)) if isinstance(entry, dict) else ["?"]
    if unknown:
        raise CompareError(
            f"malformed manifest: compare: takes {', '.join(COMPARE_KEYS)} (document ids), "
            f"not {', '.join(map(str, unknown))}", path,
        )  # fmt: skip
    return {k: _text(v) for k, v in entry.items() if _text(v)}


def _yaml(path: Path) -> Any:
    """The parsed manifest, read anew on every call (through :func:`compare.config.parse_yaml`:
    a YAML error names the line and column)."""
    try:
        return parse_yaml(path, "manifest", loader=_Loader)
    except ValueError as exc:  # a value PyYAML cannot construct (e.g. an out-of-range number)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CompareError(f"malformed manifest (not valid YAML): {first}", path) from None


def _read_yaml(path: Path) -> list[dict[str, Any]]:
    data = _yaml(path)
    docs = data.get("documents") if isinstance(data, dict) else data
    if not isinstance(docs, list) or not docs:
        raise CompareError("malformed manifest: expected a non-empty list under 'documents:'", path)
    for i, entry in enumerate(docs, start=1):
        if not isinstance(entry, dict):
            raise CompareError(f"malformed manifest: entry {i} is not a mapping", path)
    return docs


def _read_csv(path: Path) -> list[dict[str, Any]]:
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise CompareError(f"malformed CSV manifest: {str(exc).splitlines()[0]}", path) from None
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in CSV_REQUIRED if c not in df.columns]
    if missing:
        raise CompareError(f"CSV manifest lacks column(s): {', '.join(missing)}", path)
    if df.empty:
        raise CompareError("CSV manifest has no rows", path)
    return [{k: v for k, v in row.items() if v != ""} for row in df.to_dict("records")]


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _expand_entry(entry: dict[str, Any], index: int, manifest: Path) -> list[dict[str, Any]]:
    where = f"entry {index}"
    entry_id = _text(entry.get("id"))
    if not entry_id:
        raise CompareError(f"malformed manifest: {where} has no 'id'", manifest)
    where = f"entry '{entry_id}'"
    if not _ID_RE.match(entry_id):
        raise CompareError(
            f"malformed manifest: {where}: id may hold only letters, digits, '-', '_', '.'",
            manifest,
        )
    file = _text(entry.get("file"))
    if not file:
        raise CompareError(f"malformed manifest: {where} has no 'file'", manifest)
    source = Path(file).expanduser()
    if not source.is_absolute():
        source = (manifest.parent / source).resolve()
    base = {k: _text(entry.get(k)) for k in MANIFEST_COLUMNS if k in entry}
    base.update(entry_id=entry_id, source_path=str(source), source_file=source.name)
    split = _text(entry.get("split"))
    parts = entry.get("parts") or []
    if parts and not split:
        raise CompareError(
            f"malformed manifest: {where} lists parts but no 'split' pattern", manifest
        )
    if not isinstance(parts, list) or any(not isinstance(p, dict) for p in parts):
        raise CompareError(
            f"malformed manifest: {where}: 'parts' must be a list of mappings", manifest
        )
    if not split:
        return [_finish({**base, "doc_id": entry_id, "part": None}, where, manifest)]
    rows = []
    for n, part in enumerate(parts, start=1):
        number = int(part.get("part", n))
        fields = {k: _text(v) for k, v in part.items() if k != "part"}
        row = {
            **base,
            **fields,
            "doc_id": f"{entry_id}-{number:02d}",
            "part": number,
            "split": split,
        }
        rows.append(_finish(row, f"{where} part {number}", manifest))
    if not rows:  # a split without listed parts: parts are discovered when the file is read
        rows.append(
            _finish({**base, "doc_id": entry_id, "part": 0, "split": split}, where, manifest)
        )
    return rows


def _finish(row: dict[str, Any], where: str, manifest: Path) -> dict[str, Any]:
    level = row.get("level", "")
    if level and level not in LEVELS:
        raise CompareError(
            f"malformed manifest: {where}: level '{level}' is not one of {', '.join(LEVELS)}",
            manifest,
        )
    date = row.get("date", "")
    if date:
        try:
            parsed = dt.date.fromisoformat(date)
        except ValueError:
            raise CompareError(
                f"malformed manifest: {where}: date '{date}' is not YYYY-MM-DD", manifest
            ) from None
        row.setdefault("year", str(parsed.year))
    year = row.get("year", "")
    if year and not re.fullmatch(r"\d{4}", year):
        raise CompareError(
            f"malformed manifest: {where}: year '{year}' is not a 4-digit year", manifest
        )
    row.setdefault(
        "label", " ".join(x for x in (row.get("jurisdiction", ""), year) if x) or row["doc_id"]
    )
    row.setdefault(
        "label_en", " ".join(x for x in (row.get("jurisdiction_en", ""), year) if x) or row["label"]
    )
    row.setdefault("title", row["doc_id"])
    return {c: row.get(c, "") for c in MANIFEST_COLUMNS}


@functools.lru_cache(maxsize=1024)
def _adcode_for(province: str, jurisdiction: str) -> str:
    """Administrative code of a named place via cpca, or '' when it is not a real place name."""
    if not jurisdiction or jurisdiction.startswith("某"):
        return ""
    import cpca  # slow import: only when needed

    found = cpca.transform([f"{province}{jurisdiction}"])
    code = found.iloc[0].get("adcode")
    return "" if code is None or pd.isna(code) else str(code)


def enrich_adcodes(manifest: pd.DataFrame) -> pd.DataFrame:
    """Fill empty ``adcode`` (and ``province``) cells from the jurisdiction name with cpca."""
    out = manifest.copy()
    for i, row in out.iterrows():
        if row["adcode"] or not row["jurisdiction"]:
            continue
        code = _adcode_for(row["province"], row["jurisdiction"])
        if code:
            out.at[i, "adcode"] = code
            if not row["province"]:
                import cpca

                out.at[i, "province"] = cpca.transform([row["jurisdiction"]]).iloc[0]["省"] or ""
    return out
