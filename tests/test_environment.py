"""environment.yml (for conda users) and pyproject.toml (for pip) list the same dependencies."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs.extend(extra)
    return {_name(r): r.replace(" ", "") for r in reqs}


def _environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    reqs: list[str] = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            reqs.extend(r for r in dep.get("pip", []) if not r.startswith("-e"))
        elif _name(dep) not in {"python", "pip"}:
            reqs.append(dep)
    return {_name(r): r.replace(" ", "") for r in reqs}


def test_same_packages_in_both() -> None:
    pip, conda = _pyproject_requirements(), _environment_requirements()
    assert sorted(set(pip) - set(conda)) == [], "in pyproject.toml but not environment.yml"
    assert sorted(set(conda) - set(pip)) == [], "in environment.yml but not pyproject.toml"


def test_same_version_bounds_in_both() -> None:
    pip, conda = _pyproject_requirements(), _environment_requirements()
    differing = {n: (pip[n], conda[n]) for n in pip if n in conda and pip[n] != conda[n]}
    assert differing == {}
