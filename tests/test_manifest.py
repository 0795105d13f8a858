"""Manifests: the seed corpus.yml, CSV manifests, and clear errors for malformed ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from compare.errors import CompareError
from compare.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[1]


def test_seed_manifest_expands_the_speeches_into_twelve_documents() -> None:
    m = load_manifest(ROOT / "data" / "corpus.yml")
    assert len(m) == 16
    speeches = m[m["entry_id"] == "speeches"]
    assert list(speeches["doc_id"]) == [f"speeches-{i:02d}" for i in range(1, 13)]
    assert list(speeches["part"]) == list(range(1, 13))
    assert set(speeches["level"]) == {"city", "county", "district"}
    assert all(Path(p).is_file() for p in m["source_path"])


def test_adcodes_derived_with_cpca_for_real_places_only() -> None:
    m = load_manifest(ROOT / "data" / "corpus.yml").set_index("doc_id")
    assert m.loc["yixing-2012", "adcode"] == "320282"  # 江苏省无锡市宜兴市
    assert m.loc["caoxian-2016", "adcode"] == "371721"  # 山东省菏泽市曹县
    assert m.loc["district-20xx", "adcode"] == ""  # anonymised: no code invented


def test_csv_manifest_with_relative_and_absolute_paths(tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "a.txt"
    doc.parent.mkdir()
    doc.write_text("一、总体要求\n加强领导。", encoding="utf-8")
    other = ROOT / "data" / "raw" / "002_031ba38f685b3de9.txt"
    (tmp_path / "m.csv").write_text(
        "id,file,title,jurisdiction,level,province,year,doc_type,extra\n"
        "a,docs/a.txt,测试方案,苍溪县,county,,2020,实施方案,x\n"
        f"b,{other},某区方案,某区,district,,,实施方案,\n",
        encoding="utf-8",
    )
    m = load_manifest(tmp_path / "m.csv").set_index("doc_id")
    assert m.loc["a", "source_path"] == str(doc.resolve())
    assert m.loc["a", "year"] == "2020"
    assert m.loc["a", "province"] == "四川省"  # filled in by cpca from 苍溪县
    assert m.loc["b", "source_path"] == str(other)
    assert m.loc["b", "year"] == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("documents: [\n  - id: a\n", "not valid YAML"),
        ("documents: []\n", "non-empty list"),
        ("documents:\n  - file: a.txt\n", "has no 'id'"),
        ("documents:\n  - id: a\n", "has no 'file'"),
        (
            "documents:\n  - {id: a, file: x.txt}\n  - {id: a, file: y.txt}\n",
            "duplicate document id(s): a",
        ),
        ("documents:\n  - {id: a, file: x.txt, level: town}\n", "level 'town'"),
        ("documents:\n  - {id: a, file: x.txt, date: 2012-13-45}\n", "not YYYY-MM-DD"),
        ("documents:\n  - {id: 'a b', file: x.txt}\n", "id may hold only"),
    ],
)
def test_malformed_yaml_manifests_name_the_problem(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "corpus.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CompareError) as info:
        load_manifest(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_csv_manifest_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("id,file\na,a.txt\n", encoding="utf-8")
    with pytest.raises(CompareError, match="lacks column"):
        load_manifest(path)


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(CompareError, match="manifest not found"):
        load_manifest(tmp_path / "nope.yml")
