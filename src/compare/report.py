"""The report: execute every notebook headless (papermill), export each to HTML in ``reports/``.

Run by ``make report`` after ``compare build``. Notebooks are parameterised (papermill cell tagged
``parameters``): ``build_dir``, ``corpus``, ``figures_dir``, ``langs``.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from pathlib import Path

from compare.config import REPO_ROOT
from compare.errors import CompareError
from compare.io import write_text


def use_this_python_for_kernels() -> None:
    """Make the ``python3`` kernel resolve to this interpreter (the project's .venv)."""
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


@functools.cache
def kernel_manager_class() -> type:
    """The kernel manager the notebooks run under: jupyter_client's, with the kernel's sockets
    encrypted (CurveZMQ keys provisioned by the manager when the kernelspec supports it, as
    ipykernel's does; without keys an ipykernel 7 kernel warns, once per notebook, that it runs
    over TCP without encryption), and no interrupt at shutdown: jupyter_client interrupts a
    kernel before asking it to shut down, and papermill shuts a kernel down only once its cells
    are done, so on a loaded machine that SIGINT could land between messages and the kernel
    logged ``ERROR | KeyboardInterrupt caught in kernel`` (a cell timeout still interrupts)."""
    import zmq
    from jupyter_client import AsyncKernelManager

    encrypted = zmq.has("curve")

    class NotebookKernelManager(AsyncKernelManager):
        def __init__(self, *args: object, **kwargs: object) -> None:
            if encrypted:
                kwargs.setdefault("transport_encryption", "auto")
            super().__init__(*args, **kwargs)

        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

    return NotebookKernelManager


def notebooks(folder: Path) -> list[Path]:
    """The numbered notebooks (``NN_name.ipynb``) in order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def run_notebook(
    notebook: Path, out_dir: Path, parameters: dict[str, object], timeout: int = 600
) -> Path:
    """Execute one notebook with ``parameters``; write the executed copy and its HTML export."""
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter

    use_this_python_for_kernels()
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / notebook.name
    try:
        pm.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(notebook.parent),
            progress_bar=False,
            execution_timeout=timeout,
            kernel_manager_class=kernel_manager_class(),
        )
    except pm.PapermillExecutionError as exc:
        raise CompareError(
            f"notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}", notebook
        ) from None
    exporter = HTMLExporter()
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    return write_text(out_dir / f"{notebook.stem}.html", body)


def run_report(
    corpus: Path,
    build_dir: Path,
    figures_dir: Path,
    reports_dir: Path,
    langs: list[str],
    notebooks_dir: Path = REPO_ROOT / "notebooks",
    extra: dict[str, dict[str, object]] | None = None,
) -> list[Path]:
    """Execute every notebook against the built tables, then write the Excel exports
    (:func:`compare.export.write_exports`); return the files written. ``extra``: more
    parameters for single notebooks, by name (``{"06_alignment_quality": {...}}``)."""
    from compare.build import load_tables, load_texts
    from compare.explore import write_explorer
    from compare.export import write_exports
    from compare.notebook import build_data, build_taxonomy

    params = {
        "build_dir": str(build_dir.resolve()),
        "corpus": str(corpus.resolve()),
        "figures_dir": str(figures_dir.resolve()),
        "langs": list(langs),
    }
    written = []
    for nb in notebooks(notebooks_dir):
        started = time.perf_counter()
        given = {**params, **(extra or {}).get(nb.stem, {})}
        written.append(run_notebook(nb, reports_dir, given))
        print(f"executed {nb.name} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    written += write_exports(build_dir, reports_dir, build_data(build_dir))
    page = reports_dir / "explorer.html"
    written.append(
        write_explorer(
            load_tables(build_dir), load_texts(build_dir), page, build_taxonomy(build_dir)
        )
    )
    return written


def main(argv: list[str] | None = None) -> None:
    """``python -m compare.report``: the notebook half of ``make report``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT / "data" / "corpus.yml")
    parser.add_argument("--build", type=Path, default=Path("build"))
    parser.add_argument("--figures", type=Path, default=Path("figures"))
    parser.add_argument("--reports", type=Path, default=Path("reports"))
    parser.add_argument("--langs", default="zh en", help="Figure languages, space-separated.")
    args = parser.parse_args(argv)
    try:
        html = run_report(args.corpus, args.build, args.figures, args.reports, args.langs.split())
    except CompareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(
        f"wrote {len(html)} reports and Excel files to {args.reports}/ and figures to "
        f"{args.figures}/",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
