"""Where the project's editable data lives (taxonomy, dictionaries, labels, manifests)."""

from __future__ import annotations

import os
from pathlib import Path

#: Repository root when the package is installed from a checkout (``pip install -e .``).
REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The ``data/`` folder: ``$COMPARE_DATA`` if set, else the checkout's ``data/``."""
    return Path(os.environ.get("COMPARE_DATA", REPO_ROOT / "data"))


def data_file(*parts: str) -> Path:
    """A file inside :func:`data_dir`, e.g. ``data_file("taxonomy.yml")``."""
    return data_dir().joinpath(*parts)
