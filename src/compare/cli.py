"""Command line: ``compare build``, ``compare eval`` and ``compare targets`` (also ``python -m compare``)."""

from __future__ import annotations

import contextlib
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

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
err = Console(stderr=True)


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


@app.command()
def build(
    corpus: Annotated[
        Path | None,
        typer.Option("--corpus", "-c", help="Manifest (YAML or CSV); default data/corpus.yml."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for the tables.")] = Path(
        "build"
    ),
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Worker processes (0 = all cores).")
    ] = 0,
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
) -> None:
    """Build documents, measures, alignments, targets, matches and reuse tables."""
    from compare import build as pipeline

    corpus = corpus or DataFiles.resolve().path("corpus.yml")
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
    sizes = ", ".join(f"{name} {len(df)}" for name, df in result.tables.items())
    err.print(
        f"built {len(result.texts)} documents from {result.n_files} files "
        f"({'up to date' if result.up_to_date else f'{result.n_cached} from cache'}) in {elapsed:.1f}s -> {out}/: {sizes}",
        highlight=False,
    )


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
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Worker processes (0 = all cores).")
    ] = 0,
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
    build_dir: Annotated[
        Path, typer.Option("--build", "-b", help="Folder of built tables.")
    ] = Path("build"),
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


def main() -> None:
    """Entry point that never shows a traceback for a user error."""
    try:
        app()
    except CompareError as exc:  # pragma: no cover - commands handle their own
        err.print(f"error: {exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
