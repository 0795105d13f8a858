"""compare.config: where the data folder is, one cache that notices edits, the fingerprint."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
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


def test_a_folder_given_as_a_string_is_a_path(tmp_path: Path) -> None:
    (tmp_path / "x.yml").write_text("a: 1\n", encoding="utf-8")
    data = DataFiles(str(tmp_path))  # type: ignore[arg-type]
    assert data.root == tmp_path and data.yaml("x.yml") == {"a": 1}
    assert data == DataFiles(tmp_path)


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


def test_bad_yaml_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("a: 1\nb: [\n", encoding="utf-8")
    with pytest.raises(CompareError, match=r"bad\.yml:3:1: data file is not valid YAML") as err:
        parse_yaml(path)
    assert (err.value.path, err.value.line, err.value.column) == (str(path), 3, 1)
    path.write_text("a: 1\n  b: 2\n", encoding="utf-8")  # PyYAML points at the second colon
    with pytest.raises(CompareError, match=r"bad\.yml:2:4: .*mapping values are not allowed"):
        parse_yaml(path)
    path.write_bytes(b"a: \xff\n")
    with pytest.raises(CompareError, match=r"bad\.yml: data file is not UTF-8 text"):
        parse_yaml(path)


def _yaml_loaders() -> dict[str, list[Callable[[Path], object]]]:
    """Every YAML file of the data folder and the loaders that read it (the real ones)."""
    from compare.align.taxonomy import load_taxonomy
    from compare.analysis.comparison import target_words
    from compare.charts.colours import colours
    from compare.charts.labels import chart_text
    from compare.manifest import load_manifest
    from compare.structure.config import load_config
    from compare.targets.vocabulary import load_vocabulary
    from compare.text import clean, dating

    return {
        "corpus.yml": [lambda d: load_manifest(d / "corpus.yml")],
        "taxonomy.yml": [lambda d: load_taxonomy(data=DataFiles(d))],
        "segmentation.yml": [lambda d: load_config(data=DataFiles(d))],
        "cleaning.yml": [lambda d: clean.load_rules(DataFiles(d))],
        "dating.yml": [lambda d: dating.load_rules(data=DataFiles(d))],
        "targets.yml": [lambda d: load_vocabulary(data=DataFiles(d))],
        "i18n.yml": [lambda d: chart_text(DataFiles(d)), lambda d: target_words(DataFiles(d))],
        "figures.yml": [lambda d: colours(DataFiles(d))],
    }


def test_every_yaml_data_file_has_its_loader_checked() -> None:
    top = {p.name for p in REPO_ROOT.joinpath("data").glob("*.y*ml")}
    nested = [p for p in DataFiles(REPO_ROOT / "data").files() if p.suffix in (".yml", ".yaml")]
    assert top == set(_yaml_loaders()) and all(p.parent.name == "data" for p in nested)


@pytest.mark.parametrize("name", sorted(_yaml_loaders()))
def test_a_broken_yaml_file_is_reported_with_line_and_column(tmp_path: Path, name: str) -> None:
    """Each YAML file of data/, broken on a line after its real content, read through the
    loader the pipeline uses: a CompareError naming the file, the line and the column."""
    data_dir = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", data_dir, ignore=shutil.ignore_patterns("raw", "dev"))
    path = data_dir / name
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    path.write_text(text + "zz_broken: value: other\n", encoding="utf-8")
    line = text.count("\n") + 1
    for load in _yaml_loaders()[name]:
        with pytest.raises(CompareError, match="not valid YAML") as err:
            load(data_dir)
        assert (err.value.path, err.value.line, err.value.column) == (str(path), line, 17)
        assert str(err.value).startswith(f"{path}:{line}:17: ")


def test_the_cache_lives_on_the_object_not_in_the_module(tmp_path: Path) -> None:
    import pickle

    import compare.config as config

    (tmp_path / "x.yml").write_text("a: [1]\n", encoding="utf-8")
    one, two = DataFiles(tmp_path), DataFiles(tmp_path)
    assert one == two and one.yaml("x.yml") is one.yaml("x.yml")
    assert two.yaml("x.yml") is not one.yaml("x.yml")  # equal folders, separate caches
    assert pickle.loads(pickle.dumps(one))._cache == {}  # a worker starts empty
    mutable = (dict, list, set)
    assert not [
        n for n, v in vars(config).items() if isinstance(v, mutable) and n != "__builtins__"
    ]
