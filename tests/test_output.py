"""A build is atomic as a whole: interrupted at any point, ``build/`` is the previous build,
complete; stale texts never survive; Ctrl-C prints one line and exits 130."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from compare import build as build_mod
from compare import match, output
from compare.errors import CompareError
from compare.output import Output, store_of

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
#: Two small seeds for the first build; the second build swaps one of them for a third.
FIRST = {"yixing-2012": "000_555a7841707b4dce.txt", "district-20xx": "002_031ba38f685b3de9.txt"}
SECOND = {"yixing-2012": "000_555a7841707b4dce.txt", "caoxian-2016": "001_9b9a54170b52034a.txt"}


def manifest(folder: Path, docs: dict[str, str], name: str) -> Path:
    lines = ["documents:"]
    for doc_id, file in docs.items():
        lines += [f"  - id: {doc_id}", f"    file: {RAW / file}", "    jurisdiction: 某地",
                  "    level: county", "    year: 2016"]  # fmt: skip
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (links followed) and the hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """A finished build of FIRST, its snapshot, and the manifest of SECOND."""
    work = tmp_path_factory.mktemp("atomic")
    out = work / "build"
    build_mod.build(manifest(work, FIRST, "first.yml"), out, jobs=1, data_dir=ROOT / "data")
    return out, manifest(work, SECOND, "second.yml"), snapshot(out)


@pytest.fixture(autouse=True)
def ctrl_c_interrupts() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt here as in a terminal, also when this run was started
    with SIGINT ignored (a background job of a shell without job control inherits SIG_IGN)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _ctrl_c(*_: Any, **__: Any) -> None:
    """A real SIGINT to this process, as a terminal's Ctrl-C sends it."""
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(1)  # the KeyboardInterrupt arrives here
    raise AssertionError("SIGINT did not interrupt")


def _on_call(n: int, real: Callable[..., Any], when: Callable[..., bool] = lambda *a: True):
    """``real``, except that the ``n``-th call for which ``when(*args)`` holds is a Ctrl-C."""
    seen = []

    def patched(*args: Any, **kwargs: Any) -> Any:
        if when(*args):
            seen.append(1)
            if len(seen) == n:
                _ctrl_c()
        return real(*args, **kwargs)

    return patched


POINTS = {
    "processing a document": ("Pipeline.process_document", 1),
    "finding reuse": ("match.find_reuse", 1),
    "writing the first table": ("write_table", 1),
    "writing the fifth table": ("write_table", 5),
    "writing a clean text": ("write_text", 1),
    "writing build_info.json": ("build_info", 1),
}


@pytest.mark.parametrize("point", list(POINTS))
def test_interrupt_leaves_the_previous_build_whole(
    point: str, first_build: tuple[Path, Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, second, before = first_build
    name, n = POINTS[point]
    if name == "Pipeline.process_document":
        real = build_mod.Pipeline.process_document
        monkeypatch.setattr(build_mod.Pipeline, "process_document", _on_call(n, real))
    elif name == "match.find_reuse":
        monkeypatch.setattr(match, "find_reuse", _on_call(n, match.find_reuse))
    elif name == "build_info":
        last = _on_call(n, build_mod.write_text, lambda path, *_: Path(path).name.endswith(".json"))
        monkeypatch.setattr(build_mod, "write_text", last)
    else:
        monkeypatch.setattr(build_mod, name, _on_call(n, getattr(build_mod, name)))
    with pytest.raises(KeyboardInterrupt):
        build_mod.build(second, out, jobs=1, data_dir=ROOT / "data", use_cache=True)
    assert snapshot(out) == before
    assert sorted(p.name for p in (out / "texts").iterdir()) == [f"{d}.txt" for d in sorted(FIRST)]
    generations = sorted(p.name for p in store_of(out).glob("gen-*"))
    assert generations == [out.resolve().name]  # the half-written one is gone
    assert not list(out.parent.glob(".build.link-*"))


def test_an_interrupt_after_the_swap_is_ignored_and_stale_texts_are_gone(
    first_build: tuple[Path, Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, second, before = first_build
    copy = tmp_path / "build"
    build_mod.build(manifest(tmp_path, FIRST, "first.yml"), copy, jobs=1, data_dir=ROOT / "data")
    old = copy.resolve()
    real_rmtree = output.shutil.rmtree

    def ctrl_c_then_remove(*args: Any, **kwargs: Any) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # ignored: the new build is already in place
        time.sleep(0.2)
        real_rmtree(*args, **kwargs)

    monkeypatch.setattr(output.shutil, "rmtree", ctrl_c_then_remove)
    result = build_mod.build(second, copy, jobs=1, data_dir=ROOT / "data")
    assert not old.exists()
    assert sorted(p.name for p in (copy / "texts").iterdir()) == [
        f"{d}.txt" for d in sorted(SECOND)
    ]  # district-20xx's text did not survive
    assert set(result.tables["documents"]["doc_id"]) == set(SECOND)
    assert snapshot(copy) != before


def test_a_plain_build_folder_is_adopted_with_its_cache(tmp_path: Path) -> None:
    out = tmp_path / "build"
    (out / ".cache" / "docs").mkdir(parents=True)
    (out / ".cache" / "docs" / "k.pkl").write_bytes(b"cached")
    (out / "build_info.json").write_text("{}", encoding="utf-8")
    (out / "texts").mkdir()
    (out / "texts" / "stale.txt").write_text("old", encoding="utf-8")
    with Output(out) as folder:
        (folder / "build_info.json").write_text('{"new": 1}', encoding="utf-8")
    assert out.is_symlink()
    assert (out / "build_info.json").read_text(encoding="utf-8") == '{"new": 1}'
    assert not (out / "texts").exists()
    assert (output.cache_folder(out) / "docs" / "k.pkl").read_bytes() == b"cached"
    assert [p.name for p in store_of(out).glob("gen-*")] == [out.resolve().name]


@pytest.mark.parametrize("kind", ["folder with other files", "file", "foreign link"])
def test_an_out_that_is_not_a_build_is_refused_untouched(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "build"
    if kind == "file":
        out.write_text("notes", encoding="utf-8")
    elif kind == "foreign link":
        (tmp_path / "elsewhere").mkdir()
        out.symlink_to(tmp_path / "elsewhere")
    else:
        out.mkdir()
        (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(CompareError, match="build"):
        Output(out).begin()
    assert not store_of(out).exists()


def test_a_failed_write_leaves_no_generation_behind(tmp_path: Path) -> None:
    out = tmp_path / "build"
    with Output(out) as folder:
        (folder / "a.txt").write_text("first", encoding="utf-8")
    with pytest.raises(OSError), Output(out) as folder:
        (folder / "a.txt").write_text("second", encoding="utf-8")
        raise OSError("disk full")
    assert (out / "a.txt").read_text(encoding="utf-8") == "first"
    assert len(list(store_of(out).glob("gen-*"))) == 1


def test_generations_of_dead_builds_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "build"
    with Output(out):
        pass
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    (store_of(out) / f"gen-{dead}-1").mkdir()
    alive = store_of(out) / f"gen-{os.getppid()}-1"  # a running process: maybe a parallel build
    alive.mkdir()
    Output(out).tidy()
    assert sorted(p.name for p in store_of(out).glob("gen-*")) == sorted(
        [out.resolve().name, alive.name]
    )


def _children(pid: int) -> list[str]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return path.read_text().split() if path.exists() else []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_ctrl_c_during_a_parallel_build_prints_one_line_and_exits_130(tmp_path: Path) -> None:
    out = tmp_path / "build"
    # three seed files (not the whole seed corpus: its first build alone took minutes)
    corpus = manifest(tmp_path, {**FIRST, **SECOND}, "three.yml")
    cmd = [sys.executable, "-m", "compare", "build", "--corpus", str(corpus), "--out", str(out),
           "--jobs", "2", "-q", "--data", str(ROOT / "data")]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True)
    before = snapshot(out)
    proc = subprocess.Popen(
        [*cmd, "--no-cache"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the build ended before its workers started"
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the whole group
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert stderr == f"interrupted; {out}/ unchanged\n"
    assert snapshot(out) == before
