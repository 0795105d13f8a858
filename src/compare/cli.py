"""compare: build the tables of a corpus of policy texts, score them, report on them, explore them.

Commands: build, eval, report, targets, explore (also run as python -m compare).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from compare.config import DataFiles
from compare.errors import CompareError
from compare.io import write_text

#: Plain help text (no boxes, no markup, no <type> after flags): it reads the same in any terminal.
app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__, rich_markup_mode=None)
err = Console(stderr=True)


#: Options more than one command takes (each command gives its own default).
_BuildDir = Annotated[Path, typer.Option("--build", "-b", help="Folder of built tables.")]
_Jobs = Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (0 = all cores).")]


def _fail(exc: CompareError) -> None:
    err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


#: Exit status after Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


@contextlib.contextmanager
def _interruptible(out: Path) -> Iterator[None]:
    """Turn Ctrl-C into one line and exit status 130: a build swaps its folder in only at its
    very end (:mod:`compare.output`), so an interrupted one has left ``out`` as it was."""
    try:
        yield
    except KeyboardInterrupt:
        err.print(f"interrupted; {out}/ unchanged", highlight=False, soft_wrap=True)
        raise typer.Exit(code=INTERRUPTED) from None


def _version(value: bool) -> None:
    if value:
        from compare import __version__

        print(f"compare {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """compare: build the tables of a corpus of policy texts, score them, report on them,
    explore them. Run a command with --help for its options."""


def _say(text: str) -> None:
    err.print(text, highlight=False, soft_wrap=True, markup=False)


def _log_stages() -> None:
    """Show the stage lines of a big document (:mod:`compare.progress`) above the progress bar."""
    import logging

    from rich.logging import RichHandler

    logger = logging.getLogger("compare.build")
    if not logger.handlers:
        handler = RichHandler(console=err, show_time=False, show_path=False, show_level=False)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


@app.command()
def build(
    corpus: Annotated[
        Path | None,
        typer.Option("--corpus", "-c", help="Manifest (YAML or CSV); default data/corpus.yml."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for the tables.")] = Path(
        "build"
    ),
    jobs: _Jobs = 0,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Reprocess every document (the cache is refreshed).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", "-d", help="Data folder (taxonomy, rules); default: found from the manifest."
        ),
    ] = None,
    aligner: Annotated[
        str | None,
        typer.Option(help="Aligner: lexicon, learned, semantic or ensemble (default learned)."),
    ] = None,
    timings: Annotated[
        Path | None,
        typer.Option(help="Write the wall seconds of each build phase to this JSON file."),
    ] = None,
) -> None:
    """Build documents, measures, alignments, targets, matches and reuse tables."""
    from compare import build as pipeline

    corpus = corpus or DataFiles.resolve().path("corpus.yml")
    if not quiet:
        _log_stages()
    started = time.perf_counter()
    progress = Progress(
        TextColumn("[bold]building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=quiet or (not err.is_terminal and "CI" in __import__("os").environ),
    )  # fmt: skip
    try:
        with _interruptible(out), progress:
            task = progress.add_task("build", total=None)
            result = pipeline.build(
                corpus, out, jobs=jobs or None, use_cache=not no_cache, data_dir=data, aligner=aligner,
                on_start=lambda n: progress.update(task, total=n),
                progress=lambda n: progress.advance(task, n),
            )  # fmt: skip
    except CompareError as exc:
        _fail(exc)
    elapsed = time.perf_counter() - started
    if result.data is not None:
        used = result.data
        err.print(f"data: {used.root} ({used.origin}); taxonomy {used.path('taxonomy.yml')}",
                  highlight=False, soft_wrap=True)  # fmt: skip
    for line in result.warnings:
        _say(f"warning: {line}")
    if timings is not None:
        write_text(timings, json.dumps({k: round(v, 3) for k, v in result.timings.items()}))
    sizes = ", ".join(f"{name} {len(df)}" for name, df in result.tables.items())
    err.print(
        f"built {len(result.texts)} documents from {result.n_files} files "
        f"({'up to date' if result.up_to_date else f'{result.n_cached} from cache'}) in {elapsed:.1f}s -> {out}/: {sizes}",
        highlight=False,
    )
    if not quiet and result.timings:
        parts = ", ".join(f"{name} {secs:.1f}s" for name, secs in result.timings.items())
        err.print(f"phases: {parts}", highlight=False, soft_wrap=True)


@app.command("eval")
def eval_cmd(
    corpus: Annotated[
        Path, typer.Option("--corpus", "-c", help="Manifest of the corpus the gold describes.")
    ] = Path("data/dev/corpus.yml"),
    gold: Annotated[
        Path, typer.Option("--gold", "-g", help="Gold folder (documents, measures, targets).")
    ] = Path("data/dev/gold"),
    split: Annotated[str, typer.Option("--split", "-s", help="dev, frozen or all.")] = "all",
    out: Annotated[Path, typer.Option("--out", "-o", help="Build folder.")] = Path("build/dev"),
    jobs: _Jobs = 0,
) -> None:
    """Build a corpus and score it against a gold folder; misses go to OUT/eval/."""
    from compare import build as pipeline
    from compare import evaluate

    wide = Console(stderr=True, width=max(err.width, 130))
    if split not in ("dev", "frozen", "all"):
        _fail(CompareError(f"--split must be dev, frozen or all, not {split!r}"))
    try:
        gold_tables = evaluate.read_gold(gold)
        with _interruptible(out):
            result = pipeline.build(corpus, out, jobs=jobs or None)
        splits = ["dev", "frozen"] if split == "all" else [split]
        for name in splits:
            scored = evaluate.evaluate_build(result.tables, gold_tables, name)
            evaluate.write_evaluation(scored, out / "eval" / name)
            wide.print(evaluate.summary_table(scored, title=f"{name} split ({gold})"))
    except CompareError as exc:
        _fail(exc)
    err.print(f"misses and per-document scores -> {out / 'eval'}/", highlight=False)


@app.command("targets")
def targets_cmd(
    build_dir: _BuildDir = Path("build"),
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output stem (default <build>/targets_side_by_side)."),
    ] = None,
) -> None:
    """Numeric targets side by side: indicator x jurisdiction, to CSV and Excel."""
    from compare.analysis import targets
    from compare.build import load_tables

    try:
        built = load_tables(build_dir)
    except CompareError as exc:
        _fail(exc)
    view = targets.side_by_side(built["targets"], built["documents"])
    stem = out or build_dir / "targets_side_by_side"
    targets.export_side_by_side(view, stem)
    err.print(f"{len(view)} rows -> {stem}.csv, {stem}.xlsx", highlight=False)


def _langs(value: str) -> list[str]:
    return [x for x in value.replace(",", " ").split() if x]


@app.command("report")
def report_cmd(
    corpus: Annotated[
        Path | None,
        typer.Option(
            "--corpus", "-c", help="Manifest the build was made from; default data/corpus.yml."
        ),
    ] = None,
    build_dir: _BuildDir = Path("build"),
    figures: Annotated[Path, typer.Option("--figures", help="Folder for the figures.")] = Path(
        "figures"
    ),
    reports: Annotated[
        Path, typer.Option("--reports", help="Folder for the HTML reports and Excel files.")
    ] = Path("reports"),
    langs: Annotated[
        str, typer.Option("--langs", help="Figure languages, e.g. 'zh en'.")
    ] = "zh en",
) -> None:
    """Run every notebook on a build (HTML in REPORTS/, figures in FIGURES/), then write the
    Excel exports and the offline explorer page. Run compare build first."""
    from compare import report

    corpus = corpus or DataFiles.resolve().path("corpus.yml")
    try:
        with _interruptible(reports):
            written = report.run_report(corpus, build_dir, figures, reports, _langs(langs))
    except CompareError as exc:
        _fail(exc)
    _say(f"wrote {len(written)} reports and files to {reports}/ and figures to {figures}/")


@app.command("explore")
def explore_cmd(
    build_dir: _BuildDir = Path("build"),
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Where to write the explorer page.")
    ] = Path("reports/explorer.html"),
    lab: Annotated[
        bool, typer.Option("--lab", help="Open notebook 05 in JupyterLab instead of the page.")
    ] = False,
    no_open: Annotated[
        bool, typer.Option("--no-open", help="Write the page, open nothing.")
    ] = False,
) -> None:
    """Open the explorer: filter the measures by topic, document and words; see each one's
    counterparts and shared passages. Writes one self-contained HTML page that works offline
    and opens it in the browser (--lab: the widget explorer in JupyterLab)."""
    from compare.build import load_tables, load_texts
    from compare.explore import write_explorer
    from compare.notebook import build_taxonomy

    if lab:
        _open_lab(build_dir, no_open)
        return
    try:
        tables = load_tables(build_dir)
        page = write_explorer(tables, load_texts(build_dir), out, build_taxonomy(build_dir))
    except CompareError as exc:
        _fail(exc)
    _say(f"explorer -> {page}")
    if not no_open:
        import webbrowser

        if not webbrowser.open(page.resolve().as_uri()):
            _say(f"no browser found: open {page} in one")


def _open_lab(build_dir: Path, no_open: bool) -> None:
    """``jupyter lab notebooks/05_explore.ipynb`` (the notebook reads ``build_dir``)."""
    import importlib.util
    import subprocess

    from compare.config import REPO_ROOT

    if importlib.util.find_spec("jupyterlab") is None:
        _fail(CompareError("JupyterLab is not installed; run compare explore without --lab"))
    notebook = REPO_ROOT / "notebooks" / "05_explore.ipynb"
    cmd = [sys.executable, "-m", "jupyter", "lab", str(notebook)]
    if no_open:
        _say(" ".join(cmd))
        return
    _say(f"JupyterLab: {notebook} (set build_dir in its parameters cell to {build_dir.resolve()})")
    with contextlib.suppress(KeyboardInterrupt):
        subprocess.run(cmd, check=False)


def main() -> None:
    """Entry point that never shows a traceback for a user error. After Ctrl-C (the one line is
    printed, the output folder left as it was) the process ends at once: the interpreter's exit
    handlers join the threads of the worker pools, and a pool whose workers were stopped
    mid-task can leave one that never ends (CPython's pool internals): an interrupted 2-process
    build once printed its line and then hung in the suite. ``app()`` itself, called in-process,
    still raises ``SystemExit``."""
    try:
        app()
    except CompareError as exc:  # pragma: no cover - commands handle their own
        err.print(f"error: {exc}")
        sys.exit(2)
    except SystemExit as exc:
        if exc.code != INTERRUPTED:
            raise
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(INTERRUPTED)


if __name__ == "__main__":
    main()
