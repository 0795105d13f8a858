"""`compare build` end to end: bad input gives one clear error line and writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
PLAN = "某县法治政府建设工作方案\n一、主要任务\n（一）加强行政复议工作。每年至少开展2次培训。\n（二）推进政务公开。\n"


def run_build(manifest: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "compare",
            "build",
            "--corpus",
            str(manifest),
            "--out",
            str(out),
            "-q",
            "-j",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def manifest_for(tmp_path: Path, files: dict[str, bytes], ids: list[str] | None = None) -> Path:
    lines = ["documents:"]
    for i, (name, content) in enumerate(files.items()):
        (tmp_path / name).write_bytes(content)
        doc_id = ids[i] if ids else f"doc{i}"
        lines += [
            f"  - id: {doc_id}",
            f"    file: {name}",
            "    jurisdiction: 某县",
            "    level: county",
        ]
    path = tmp_path / "corpus.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("files", "ids", "expected"),
    [
        ({"empty.txt": b""}, None, "empty.txt"),
        ({"blob.txt": bytes(range(256)) * 40}, None, "blob.txt"),
        (
            {"ok.txt": PLAN.encode(), "ok2.txt": PLAN.encode()},
            ["same", "same"],
            "duplicate document id",
        ),
    ],
    ids=["empty-file", "binary-file", "duplicate-ids"],
)
def test_bad_input_one_error_line_nonzero_exit_no_outputs(
    tmp_path: Path, files: dict[str, bytes], ids: list[str] | None, expected: str
) -> None:
    out = tmp_path / "build"
    result = run_build(manifest_for(tmp_path, files, ids), out)
    assert result.returncode != 0
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:") and expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists() or not any(out.glob("*.csv"))


def test_missing_file_named(tmp_path: Path) -> None:
    manifest = tmp_path / "corpus.yml"
    manifest.write_text("documents:\n  - {id: a, file: nowhere.txt}\n", encoding="utf-8")
    result = run_build(manifest, tmp_path / "build")
    assert result.returncode != 0
    assert "nowhere.txt" in result.stderr and "not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_named_as_a_file_is_named_a_folder(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    manifest = tmp_path / "corpus.yml"
    manifest.write_text("documents:\n  - {id: a, file: plans}\n", encoding="utf-8")
    result = run_build(manifest, tmp_path / "build")
    assert result.returncode != 0
    assert "document 'a': is a folder, not a text file" in result.stderr
    assert "plans" in result.stderr and "Traceback" not in result.stderr


def test_malformed_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "corpus.yml"
    manifest.write_text("documents: [\n  - id: a\n", encoding="utf-8")
    result = run_build(manifest, tmp_path / "build")
    assert result.returncode != 0
    assert "not valid YAML" in result.stderr and str(manifest) in result.stderr


def test_failure_keeps_previous_outputs_intact(tmp_path: Path) -> None:
    good = manifest_for(tmp_path, {"plan.txt": PLAN.encode("gbk")})
    out = tmp_path / "build"
    assert run_build(good, out).returncode == 0
    before = (out / "measures.csv").read_bytes()
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    bad = manifest_for(bad_dir, {"plan.txt": PLAN.encode(), "empty.txt": b""})
    assert run_build(bad, out).returncode != 0
    assert (out / "measures.csv").read_bytes() == before
    assert not list(out.glob(".*.tmp"))


def test_gbk_plan_builds_every_table(tmp_path: Path) -> None:
    out = tmp_path / "build"
    result = run_build(manifest_for(tmp_path, {"plan.txt": PLAN.encode("gbk")}), out)
    assert result.returncode == 0, result.stderr
    for name in (
        "documents",
        "cleaning_log",
        "segments",
        "measures",
        "alignments",
        "matches",
        "reuse",
        "targets",
    ):
        assert (out / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
        assert (out / f"{name}.parquet").exists()
    measures = (out / "measures.csv").read_text(encoding="utf-8-sig")
    assert "加强行政复议工作" in measures and "推进政务公开" in measures


def test_build_timings_name_every_phase_and_add_up_to_the_build(tmp_path: Path) -> None:
    manifest = manifest_for(tmp_path, {"plan.txt": PLAN.encode("utf-8")})
    timings = tmp_path / "timings.json"
    cmd = [sys.executable, "-m", "compare", "build", "--corpus", str(manifest), "--out",
           str(tmp_path / "build"), "-j", "1", "--timings", str(timings)]  # fmt: skip
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    wall = time.perf_counter() - start
    assert result.returncode == 0, result.stderr
    phases = json.loads(timings.read_text(encoding="utf-8"))
    assert list(phases) == ["manifest and cache keys", "rules and aligners", "documents", "match",
                            "counterparts", "reuse", "indicators", "write"]  # fmt: skip
    assert all(v >= 0 for v in phases.values())
    assert sum(phases.values()) <= wall  # the process also starts up and imports
    assert "phases: manifest and cache keys" in result.stderr  # said without -q


def test_targets_command_exports_csv_and_excel(tmp_path: Path) -> None:
    out = tmp_path / "build"
    plan = "某县法治政府建设实施方案\n一、主要任务\n（一）加强执法培训。行政执法人员每人每年参加法律知识培训不少于40学时。\n"
    assert run_build(manifest_for(tmp_path, {"plan.txt": plan.encode()}), out).returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "compare", "targets", "--build", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    csv = (out / "targets_side_by_side.csv").read_text(encoding="utf-8-sig")
    assert "enforcement_training_hours" in csv and "培训不少于40学时" in csv
    assert (out / "targets_side_by_side.xlsx").read_bytes()[:2] == b"PK"


def test_targets_command_without_a_build(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "compare", "targets", "--build", str(tmp_path / "none")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0 and "run `compare build` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_two_builds_in_different_processes_give_identical_tables(tmp_path: Path) -> None:
    """Reproducible: another hash seed (and two worker processes) changes no byte of any table."""
    import os

    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"build{seed}"
        cmd = [
            sys.executable,
            "-m",
            "compare",
            "build",
            "-q",
            "--no-cache",
            "-j",
            "2",
            "--out",
            str(out),
        ]
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        outs.append(out)
    for name in (
        "documents",
        "cleaning_log",
        "segments",
        "measures",
        "alignments",
        "matches",
        "reuse",
        "targets",
    ):
        assert (outs[0] / f"{name}.csv").read_bytes() == (outs[1] / f"{name}.csv").read_bytes(), (
            name
        )


def test_eval_command_scores_a_build_and_lists_misses(tmp_path: Path) -> None:
    """A real dev regulation; its gold is two real articles and one that is not in the text."""
    text = ROOT / "data" / "dev" / "raw" / "gd_2022_yingshang.md"
    manifest = manifest_for(tmp_path, {"gd.md": text.read_bytes()}, ["zaixian"])
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "documents.csv").write_text(
        "doc_id,kind,split\nzaixian,regulation,dev\n", encoding="utf-8"
    )
    (gold / "measures.csv").write_text(
        "doc_id,seq,path,heading,start,category_id\n"
        "zaixian,1,第一章/第五条,,各级人民政府应当加强对优,C02_functions\n"
        "zaixian,2,第一章/第六条,,各级人民政府及其有关部门,C02_functions\n"
        "zaixian,3,第九十九条,,这一条并不在文中出现,C09_digital\n",
        encoding="utf-8",
    )
    (gold / "targets.csv").write_text("doc_id,quote,value,unit,deadline,status\n", encoding="utf-8")
    out = tmp_path / "build"
    cmd = [sys.executable, "-m", "compare", "eval", "--corpus", str(manifest)]
    cmd += ["--gold", str(gold), "--split", "dev", "--out", str(out), "-j", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = pd.read_csv(out / "eval" / "dev" / "summary.csv", encoding="utf-8-sig")
    overall = summary.set_index("scope").loc["all"]
    assert overall["measures_gold"] == 3
    assert overall["measures_recall"] == pytest.approx(2 / 3)
    misses = pd.read_csv(out / "eval" / "dev" / "measure_misses.csv", encoding="utf-8-sig")
    assert "第九十九条" in set(misses["gold_path"])


def test_eval_command_rejects_an_unknown_split(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "compare", "eval", "--split", "test", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "--split must be dev, frozen or all" in proc.stderr


def _cli(*args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compare", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=timeout, env={**_env(), "COLUMNS": "100"})  # fmt: skip


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_version_and_every_command_listed() -> None:
    import compare

    assert _cli("--version").stdout.strip() == f"compare {compare.__version__}"
    listed = _cli("--help").stdout
    for name in ("build", "eval", "report", "targets", "explore"):
        assert f"  {name} " in listed, listed


@pytest.mark.parametrize("command", ["build", "eval", "report", "targets", "explore"])
def test_help_is_plain_text(command: str) -> None:
    """No RST backticks, no <bool> after a flag, no box drawing."""
    shown = _cli(command, "--help")
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert "``" not in text and "<bool>" not in text and "│" not in text and "╭" not in text
    assert "--help" in text


def test_build_warns_of_a_document_with_no_measures(tmp_path: Path) -> None:
    """A prose text (a real dev text's prose, no numbered items, no title word) is named."""
    prose = (
        "我们这座城市的春天来得很早。河边的柳树发了芽，孩子们在草地上放风筝，老人们坐在长椅上晒太阳。"
        "傍晚的时候，街上的店铺亮起了灯，人们三三两两地散步回家。\n"
    )
    files = {"plan.txt": PLAN.encode(), "prose.txt": prose.encode()}
    out = tmp_path / "build"
    result = run_build(manifest_for(tmp_path, files, ["plan", "essay"]), out)
    assert result.returncode == 0, result.stderr
    warnings = [ln for ln in result.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1, result.stderr
    assert "essay (prose.txt)" in warnings[0] and "no measures found" in warnings[0]
    assert "kind not recognised" in warnings[0]
    again = run_build(manifest_for(tmp_path, files, ["plan", "essay"]), out)  # up to date
    assert "up to date" in again.stderr and "warning: essay" in again.stderr


def test_explore_writes_an_offline_page(tmp_path: Path) -> None:
    out = tmp_path / "build"
    assert run_build(manifest_for(tmp_path, {"plan.txt": PLAN.encode()}), out).returncode == 0
    page = tmp_path / "explorer.html"
    shown = _cli("explore", "--build", str(out), "--out", str(page), "--no-open")
    assert shown.returncode == 0, shown.stderr
    html = page.read_text(encoding="utf-8")
    assert "加强行政复议工作" in html and "https://" not in html
