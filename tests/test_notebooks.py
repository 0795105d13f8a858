"""The notebooks: paired .py/.ipynb in sync and without outputs; each runs headless on a real build.

Execution uses :func:`compare.report.run_notebook` (papermill, kernel ``python3`` resolved to this
interpreter), the same path ``make report`` takes. The build is made once per session from
``data/corpus.yml``; set ``COMPARE_TEST_BUILD`` to an existing build folder to reuse it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LANGS = ["zh", "en"]
PAIRED = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
#: Notebooks that draw no figure.
NO_FIGURES = {"05_explore", "06_alignment_quality"}
#: A second real corpus: dev-split texts (three plans of three years, one annual report).
DEV_CORPUS = ["extra_gov_2004_ssyj", "gov_2018_jiuye_yijian", "gov_2019_zhijiao_fangan",
              "extra_guangming_2021_ndbg"]  # fmt: skip
#: Notebook 06 in tests: the dev corpus above and two frozen texts, three documents held out
#: (``make report`` builds the whole development corpus and holds out every document).
QUICK_06 = ["cq_2010_zhifa_zerenzhi", "extra_longhua_2019_ndbg"]


def dev_manifest(folder: Path, ids: list[str]) -> Path:
    """A manifest of the development corpus's documents ``ids`` (files by absolute path)."""
    import yaml

    dev = ROOT / "data" / "dev"
    entries = yaml.safe_load((dev / "corpus.yml").read_text(encoding="utf-8"))["documents"]
    chosen = [{**e, "file": str(dev / e["file"])} for e in entries if e["id"] in ids]
    assert len(chosen) == len(ids)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "corpus.yml"
    path.write_text(yaml.safe_dump({"documents": chosen}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def quick_06(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Parameters that make notebook 06 quick (by notebook name, as ``run_report`` takes them)."""
    folder = tmp_path_factory.mktemp("dev06")
    corpus = dev_manifest(folder, DEV_CORPUS + QUICK_06)
    quick = {"dev_corpus": str(corpus), "lodo_documents": 3, "dev_build": str(folder / "build")}
    return {"06_alignment_quality": quick}


def _sources(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


# --------------------------------------------------------------------------- pairing
def test_every_notebook_is_paired() -> None:
    assert [p.stem for p in PAIRED] == [
        p.stem for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    ]
    required = {"01_corpus", "02_coverage", "03_change_2012_2021", "04_targets", "05_explore"}
    assert required <= {p.stem for p in PAIRED}


@pytest.mark.parametrize("py", PAIRED, ids=lambda p: p.stem)
def test_py_and_ipynb_in_sync_and_ipynb_without_outputs(py: Path) -> None:
    ipynb = py.with_suffix(".ipynb")
    from_py, from_ipynb = jupytext.read(py), nbformat.read(ipynb, as_version=4)
    assert _sources(from_py) == _sources(from_ipynb), f"run `jupytext --sync {py.name}`"
    for cell in from_ipynb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "clear the outputs"
    assert from_ipynb.metadata["kernelspec"]["name"] == "python3"
    tagged = [c for c in from_ipynb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("build_dir", "corpus", "figures_dir", "langs"):
        assert f"{name} = " in tagged[0].source


# --------------------------------------------------------------------------- execution
@pytest.fixture(scope="session")
def real_build(seed_build: tuple[object, Path]) -> Path:
    """The session's build of ``data/corpus.yml`` (or the folder named by ``COMPARE_TEST_BUILD``)."""
    given = os.environ.get("COMPARE_TEST_BUILD")
    return Path(given) if given else seed_build[1]


@pytest.fixture(scope="session")
def executed(
    real_build: Path, tmp_path_factory: pytest.TempPathFactory, quick_06: dict
) -> dict[str, object]:
    """Run every notebook once: executed copies, HTML exports and figures in temp folders."""
    from compare.errors import CompareError
    from compare.report import notebooks, run_notebook

    out = tmp_path_factory.mktemp("reports")
    figures = tmp_path_factory.mktemp("figures")
    params = {
        "build_dir": str(real_build),
        "corpus": str(ROOT / "data" / "corpus.yml"),
        "figures_dir": str(figures),
        "langs": LANGS,
    }
    failures = {}
    for nb in notebooks(NOTEBOOKS):
        try:
            run_notebook(nb, out, {**params, **quick_06.get(nb.stem, {})})
        except CompareError as exc:
            failures[nb.stem] = str(exc)
    return {"out": out, "figures": figures, "failures": failures, "build": real_build}


def _outputs_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            parts.append(o.get("text", ""))
            parts.append(json.dumps(o.get("data", {}).get("text/plain", "")))
            if o.get("output_type") == "error":
                parts.append(o.get("ename", "") + o.get("evalue", ""))
    return "\n".join(parts)


@pytest.mark.notebooks
@pytest.mark.parametrize("py", PAIRED, ids=lambda p: p.stem)
def test_notebook_runs_writes_figures_without_missing_glyphs(py: Path, executed: dict) -> None:
    assert py.stem not in executed["failures"], executed["failures"].get(py.stem)
    nb = nbformat.read(executed["out"] / f"{py.stem}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.strip():
            assert cell.execution_count is not None, "a cell did not run"
    text = _outputs_text(nb)
    assert "Glyph" not in text or "missing" not in text, "a chart lacks a glyph (CJK font)"
    assert "Traceback" not in text
    assert (executed["out"] / f"{py.stem}.html").stat().st_size > 0
    if py.stem in NO_FIGURES:
        return
    prefix = py.stem.split("_")[0]
    for lang in LANGS:
        for fmt in ("png", "svg", "pdf"):
            written = list(executed["figures"].glob(f"{prefix}_*_{lang}.{fmt}"))
            assert written, f"{py.stem} wrote no {lang} {fmt} figure"


@pytest.mark.notebooks
def test_change_notebook_falls_back_when_a_document_is_absent(executed: dict) -> None:
    """03 with ids not in the build says so and compares the earliest and latest documents."""
    from compare.report import run_notebook

    params = {
        "build_dir": str(executed["build"]),
        "corpus": str(ROOT / "data" / "corpus.yml"),
        "figures_dir": str(executed["figures"] / "fallback"),
        "langs": ["en"],
        "doc_a": "no-such-2010",
        "doc_mid": None,
        "doc_b": "no-such-2030",
    }
    out = executed["out"] / "fallback"
    run_notebook(NOTEBOOKS / "03_change_2012_2021.ipynb", out, params)
    text = json.dumps(nbformat.read(out / "03_change_2012_2021.ipynb", as_version=4).cells)
    assert "no-such-2010" in text and "using the earliest" in text
    assert "no-such-2030" in text and "using the latest" in text
    assert list((executed["figures"] / "fallback").glob("03_category_shift_en.png"))


@pytest.mark.notebooks
def test_notebooks_run_on_another_corpus(
    tmp_path: Path, capfd: pytest.CaptureFixture, quick_06: dict
) -> None:
    """Nothing is tied to the seed corpus: the notebooks run on small made-up tables too; the
    kernels they run in log no warning or error (ipykernel 7 warned of unencrypted TCP)."""
    from conftest import make_tables

    from compare.build import write_outputs
    from compare.report import notebooks, run_notebook

    tables, texts = make_tables()
    for table in tables.values():  # rename a document the notebooks default to
        for col in ("doc_id", "measure_id", "other_doc_id", "other_measure_id"):
            if col in table:
                table[col] = table[col].str.replace("yixing-2012", "early-2012", regex=False)
    texts["early-2012"] = texts.pop("yixing-2012")
    write_outputs(tables, texts, tmp_path / "build")
    params = {
        "build_dir": str(tmp_path / "build"),
        "corpus": "made-up.yml",
        "figures_dir": str(tmp_path / "figures"),
        "langs": ["en"],
    }
    for nb in notebooks(NOTEBOOKS):
        run_notebook(nb, tmp_path / "out", {**params, **quick_06.get(nb.stem, {})})
    logged = capfd.readouterr().err
    assert "WARNING |" not in logged and "ERROR |" not in logged, logged
    stems = {p.stem for p in (tmp_path / "figures").glob("*.png")}
    assert {"01_corpus_timeline_en", "02_coverage_heatmap_en", "03_category_shift_en"} <= stems
    assert "the earliest and the latest of the documents, 'early-2012' and 'nanjing-2021'" in (
        tmp_path / "out" / "03_change_2012_2021.html"
    ).read_text(encoding="utf-8")


@pytest.mark.notebooks
def test_notebooks_run_on_a_small_dev_corpus(tmp_path: Path, quick_06: dict) -> None:
    """`make report CORPUS=...` on another manifest: every notebook runs; 03 compares the
    manifest's earliest and latest plans (the manifest names no pair)."""
    from compare.build import build
    from compare.report import run_report

    manifest = dev_manifest(tmp_path, DEV_CORPUS)
    build(manifest, tmp_path / "build", jobs=1, data_dir=ROOT / "data")
    written = run_report(manifest, tmp_path / "build", tmp_path / "figures", tmp_path / "reports",
                         ["en"], extra=quick_06)  # fmt: skip
    assert {p.name for p in written} >= {f"{p.stem}.html" for p in PAIRED} | {"explorer.html"}
    change = (tmp_path / "reports" / "03_change_2012_2021.html").read_text(encoding="utf-8")
    assert "the earliest and the latest of the plans, 'extra_gov_2004_ssyj' and " in change
    assert "'gov_2019_zhijiao_fangan'" in change


def test_a_notebook_kernel_is_shut_down_without_an_interrupt() -> None:
    """jupyter_client sends SIGINT before a shutdown request; under load it reached the kernel
    between messages and the kernel logged ``ERROR | KeyboardInterrupt caught in kernel``. The
    notebooks' kernel manager shuts an idle kernel down without it, and still interrupts a
    running cell (a timeout)."""
    import asyncio
    import signal

    from compare.report import kernel_manager_class, use_this_python_for_kernels

    use_this_python_for_kernels()
    sent: list[int] = []

    async def run() -> None:
        km = kernel_manager_class()(kernel_name="python3")
        original = km._async_signal_kernel

        async def spy(signum: int) -> None:
            sent.append(signum)
            await original(signum)

        km._async_signal_kernel = spy
        await km.start_kernel()
        try:
            await km._async_interrupt_kernel()  # a running kernel is still interrupted
            assert sent == [signal.SIGINT]
        finally:
            await km.shutdown_kernel()
        assert not await km.is_alive()

    asyncio.run(run())
    assert sent == [signal.SIGINT]  # none more at shutdown
