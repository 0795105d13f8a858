"""compare.config: where the data folder is, one cache that notices edits, the fingerprint."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from compare.config import REPO_ROOT, DataFiles, fingerprint, parse_yaml, resolve_data_dir
from compare.errors import CompareError


def test_data_folder_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMPARE_DATA", raising=False)
    assert resolve_data_dir() == REPO_ROOT / "data"
    monkeypatch.setenv("COMPARE_DATA", str(tmp_path / "env"))
    assert resolve_data_dir() == tmp_path / "env"
    manifest = tmp_path / "mine" / "corpus.yml"
    manifest.parent.mkdir()
    assert resolve_data_dir(manifest=manifest) == tmp_path / "env"  # no taxonomy there
    (manifest.parent / "taxonomy.yml").write_text("{}", encoding="utf-8")
    assert resolve_data_dir(manifest=manifest) == manifest.parent.resolve()
    with pytest.raises(CompareError, match="not a data folder"):
        resolve_data_dir(tmp_path / "given", manifest=manifest)  # --data must hold a taxonomy
    (tmp_path / "given").mkdir()
    (tmp_path / "given" / "taxonomy.yml").write_text("{}", encoding="utf-8")
    assert resolve_data_dir(tmp_path / "given", manifest=manifest) == tmp_path / "given"


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    data = DataFiles(tmp_path)
    path = tmp_path / "x.yml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert data.yaml("x.yml") == {"a": 1}
    path.write_text("a: 2\n", encoding="utf-8")  # same size: only the time tells
    os.utime(path, ns=(10**18, 10**18))
    assert data.yaml("x.yml") == {"a": 2}


def test_derived_values_follow_their_files(tmp_path: Path) -> None:
    data = DataFiles(tmp_path)
    path = tmp_path / "words.txt"
    path.write_text("甲\n", encoding="utf-8")
    made = []

    def make() -> tuple[str, ...]:
        made.append(1)
        return data.lines("words.txt")

    assert data.derive(["words.txt"], make) == ("甲",)
    assert data.derive(["words.txt"], make) == ("甲",) and len(made) == 1
    path.write_text("甲\n乙\n", encoding="utf-8")
    assert data.derive(["words.txt"], make) == ("甲", "乙") and len(made) == 2


def test_two_data_folders_never_share_a_value(tmp_path: Path) -> None:
    for name, value in (("one", 1), ("two", 2)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.yml").write_text(f"a: {value}\n", encoding="utf-8")
    assert DataFiles(tmp_path / "one").yaml("x.yml") != DataFiles(tmp_path / "two").yaml("x.yml")


def test_fingerprint_covers_data_files_not_sources_or_manifests(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", data_dir, ignore=shutil.ignore_patterns("raw"))
    (data_dir / "raw").mkdir()
    data = DataFiles(data_dir)
    before = fingerprint(data)
    (data_dir / "raw" / "new.txt").write_text("一份新文件", encoding="utf-8")
    (data_dir / "corpus.yml").write_text("documents: []\n", encoding="utf-8")
    assert fingerprint(data) == before
    with (data_dir / "lexicon" / "stopwords.txt").open("a", encoding="utf-8") as f:
        f.write("新停用词\n")
    assert fingerprint(data) != before


def test_bad_yaml_names_the_file(tmp_path: Path) -> None:
    from compare.errors import CompareError

    path = tmp_path / "bad.yml"
    path.write_text("a: [\n", encoding="utf-8")
    with pytest.raises(CompareError, match=r"bad\.yml: invalid YAML"):
        parse_yaml(path)
