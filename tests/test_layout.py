"""The layout keeps issue 10's promises, checked from the source (no import, no build):

(a) the import graph follows the pipeline: every module belongs to one stage, and a stage imports
    only stages of a lower rank (``compare.build`` the only module importing every stage);
(b) no module of ``src/compare`` is longer than :data:`MAX_MODULE_LINES`;
(c) no function is longer than :data:`MAX_FUNCTION_LINES` unless its docstring says why, in a
    paragraph starting with ``Why long:``;
and docs/design.md names every module.

The allow-lists below are work in progress by other helpers; the lead removes an entry when its
fix lands (a test fails when an entry is no longer needed, so none outlives its reason).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "compare"
DESIGN = Path(__file__).resolve().parents[1] / "docs" / "design.md"

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
REASON = "Why long:"

#: The pipeline, in order: (rank, stage, modules or packages). A module may import its own stage
#: and any stage of a lower rank; stages of one rank are siblings and never import each other.
#: Rank 0 (errors, the data loader, file writing, the package's version) is open to every stage.
STAGES: list[tuple[int, str, tuple[str, ...]]] = [
    (
        0,
        "foundation",
        (
            "compare",
            "compare.errors",
            "compare.config",
            "compare.frames",
            "compare.io",
            "compare.parallel",
        ),
    ),
    (1, "manifest", ("compare.manifest",)),
    (1, "text", ("compare.text",)),
    (2, "structure", ("compare.structure",)),
    (3, "tokenize", ("compare.tokenize",)),
    (4, "align", ("compare.align",)),
    (5, "match", ("compare.match",)),
    (5, "targets", ("compare.targets",)),
    (
        6,
        "build",
        (
            "compare.build",
            "compare.cache",
            "compare.checks",
            "compare.output",
            "compare.progress",
            "compare.workers",
        ),
    ),
    (7, "evaluate", ("compare.evaluate",)),
    (7, "analysis", ("compare.analysis",)),
    (8, "charts", ("compare.charts",)),
    (9, "explore", ("compare.explore",)),
    (9, "export", ("compare.export",)),
    (10, "notebook", ("compare.notebook",)),
    (11, "report", ("compare.report",)),
    (12, "cli", ("compare.cli", "compare.__main__")),
]
#: The stages the build runs; only ``compare.build`` imports them all.
PIPELINE = ("manifest", "text", "structure", "tokenize", "align", "match", "targets")

# --- allow-lists: each entry is being fixed elsewhere; remove it when the fix lands ----------
#: (importer, imported) edges against the pipeline order.
ALLOWED_BACKWARD: set[tuple[str, str]] = set()
#: Modules still over MAX_MODULE_LINES (path relative to src/compare).
ALLOWED_LONG_MODULES: set[str] = set()
#: Functions still over MAX_FUNCTION_LINES with no reason given ("path:qualname").
ALLOWED_LONG_FUNCTIONS: set[str] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """The ``compare`` modules ``name`` imports anywhere (top level, in functions, under
    TYPE_CHECKING), relative imports resolved, ``from pkg import mod`` counted as ``pkg.mod``."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "compare")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "compare":
                continue
            found.add(module)
            found.update(
                f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in MODULES
            )
    found.discard(name)
    return found


def stage_of(name: str) -> tuple[int, str]:
    """The (rank, stage) a module belongs to: the stage listing it or its nearest package."""
    best: tuple[int, int, str] | None = None
    for rank, stage, members in STAGES:
        for member in members:
            exact = name == member
            inside = member != "compare" and name.startswith(member + ".")
            if (exact or inside) and (best is None or len(member) > best[0]):
                best = (len(member), rank, stage)
    assert best is not None, f"{name} belongs to no stage: add it to STAGES (and docs/design.md)"
    return best[1], best[2]


def test_every_module_belongs_to_a_stage() -> None:
    for name in MODULES:
        stage_of(name)


def test_no_stage_imports_a_later_one() -> None:
    wrong, used = [], set()
    for name in MODULES:
        rank, stage = stage_of(name)
        for other in sorted(imports_of(name)):
            other_rank, other_stage = stage_of(other)
            if other_stage == stage or other_rank == 0 or other_rank < rank:
                continue
            if (name, other) in ALLOWED_BACKWARD:
                used.add((name, other))
                continue
            wrong.append(f"{name} ({stage}) imports {other} ({other_stage})")
    assert not wrong, "imports against the pipeline order:\n" + "\n".join(wrong)
    assert used == ALLOWED_BACKWARD, f"no longer needed: {ALLOWED_BACKWARD - used}"


def test_the_build_is_the_only_module_importing_every_stage() -> None:
    def stages_imported(name: str) -> set[str]:
        return {stage_of(other)[1] for other in imports_of(name)}

    everything = [n for n in MODULES if set(PIPELINE) <= stages_imported(n)]
    assert everything == ["compare.build"]


def test_no_module_is_too_long() -> None:
    lengths = {
        p.relative_to(PACKAGE).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
        for p in MODULES.values()
    }
    long = {p for p, n in lengths.items() if n > MAX_MODULE_LINES}
    assert long <= ALLOWED_LONG_MODULES, {p: lengths[p] for p in long - ALLOWED_LONG_MODULES}
    assert long >= ALLOWED_LONG_MODULES, f"no longer needed: {ALLOWED_LONG_MODULES - long}"


def long_functions() -> dict[str, tuple[int, str]]:
    """Every function over MAX_FUNCTION_LINES: ``path:qualname`` -> (lines, docstring)."""
    found: dict[str, tuple[int, str]] = {}

    def visit(node: ast.AST, prefix: str, rel: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qualname = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    n = child.end_lineno - child.lineno + 1  # type: ignore[operator]
                    if n > MAX_FUNCTION_LINES:
                        found[f"{rel}:{qualname}"] = (n, ast.get_docstring(child) or "")
                visit(child, qualname + ".", rel)

    for path in MODULES.values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        visit(tree, "", path.relative_to(PACKAGE).as_posix())
    return found


def test_no_function_is_too_long_without_a_reason() -> None:
    found = long_functions()
    unexplained = {
        k: n
        for k, (n, doc) in found.items()
        if REASON not in doc and k not in ALLOWED_LONG_FUNCTIONS
    }
    assert not unexplained, (
        f"functions over {MAX_FUNCTION_LINES} lines with no '{REASON}' in the docstring: "
        f"{unexplained}"
    )
    stale = {k for k in ALLOWED_LONG_FUNCTIONS if k not in found or REASON in found[k][1]}
    assert not stale, f"no longer needed in ALLOWED_LONG_FUNCTIONS: {stale}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_design_names_every_module(name: str) -> None:
    """docs/design.md draws the pipeline with every module: each file's name appears there
    (``text/read.py`` as ``read.py`` under ``text/``, a package by its folder, ``clean/``)."""
    design = DESIGN.read_text(encoding="utf-8")
    path = MODULES[name].relative_to(PACKAGE)
    if path.name == "__init__.py":
        assert not path.parent.parts or f"{path.parent.name}/" in design, name
    else:
        assert path.name in design, f"docs/design.md does not mention {path.as_posix()}"
