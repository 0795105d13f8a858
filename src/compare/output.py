"""Where a build goes: every build is written into a fresh folder, then swapped in by one rename.

``build/`` (any ``--out``) is a symbolic link to one *generation* folder inside the store beside
it, ``.build-store/`` (``.<name>-store``)::

    build -> .build-store/gen-<pid>-<ns>/      tables, texts/, build_info.json of one build
    .build-store/cache/                        per-file results (kept across builds)
    .build-store/cache/corpus.pkl              the last build's per-document results, whole
    .build-store/cache/models/                 fitted aligners (or ``$COMPARE_MODEL_CACHE``)

:class:`Output` writes a new generation, then points the link at it with one ``os.replace``
(atomic: a reader sees the old build or the new one, never a mix). An interrupt or an error
before that leaves ``build/`` exactly as it was, and the half-written generation is removed; the
old generation is removed after the swap. Texts of documents no longer in the corpus cannot
survive: each generation starts empty.

A ``build/`` that is a plain folder written by an older version (it holds ``build_info.json``)
is moved into the store once; a plain folder that is not a build is never touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from compare.errors import CompareError

GEN_PREFIX = "gen-"
#: Environment variable naming a folder of fitted aligners shared by every build on the machine.
MODEL_CACHE_ENV = "COMPARE_MODEL_CACHE"


def store_of(out_dir: str | Path) -> Path:
    """The store beside ``out_dir``: its generations and its cache."""
    out_dir = Path(out_dir)
    return out_dir.parent / f".{out_dir.name}-store"


def cache_folder(out_dir: str | Path) -> Path:
    """Where the per-file cache of builds into ``out_dir`` lives (outside every generation)."""
    return store_of(out_dir) / "cache"


def models_folder(out_dir: str | Path) -> Path:
    """Where builds into ``out_dir`` keep their fitted aligners: ``$COMPARE_MODEL_CACHE`` when
    set (one folder for builds of any corpus: each file is keyed by every data file and the
    package's code), else the build's own cache."""
    shared = os.environ.get(MODEL_CACHE_ENV)
    return Path(shared) if shared else cache_folder(out_dir) / "models"


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Ignore Ctrl-C (SIGINT) inside the block: used for the swap and what must follow it, so
    that a build is either not swapped in or swapped in and tidied. A no-op off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


class Output:
    """One build's way into ``out_dir``: :meth:`begin` makes the new generation folder (write
    there), :meth:`commit` swaps it in, :meth:`abandon` removes it (``with Output(...) as
    folder:`` does all three: commit on success, abandon on any exception or interrupt)."""

    def __init__(self, out_dir: str | Path) -> None:
        self.out_dir = Path(out_dir)
        self.store = store_of(self.out_dir)
        self.folder: Path | None = None

    def check(self) -> None:
        """Raise :class:`CompareError` when ``out_dir`` exists and is not something a build may
        replace (a file, a folder that is not a build, a link compare did not make)."""
        out = self.out_dir
        if out.is_symlink():
            target = out.resolve()
            if target.parent != self.store.resolve():
                raise CompareError(f"is a link to {target}, which compare did not make", out)
        elif out.is_dir():
            if not (out / "build_info.json").exists() and any(out.iterdir()):
                raise CompareError(
                    "exists and is not a build (no build_info.json); choose another --out", out
                )
        elif out.exists():
            raise CompareError("exists and is not a folder; choose another --out", out)

    def begin(self) -> Path:
        """Make and return the empty folder the new build is written into."""
        self.check()
        self.store.mkdir(parents=True, exist_ok=True)
        self.folder = self.store / f"{GEN_PREFIX}{os.getpid()}-{time.time_ns()}"
        self.folder.mkdir()
        return self.folder

    def current(self) -> Path | None:
        """The generation ``out_dir`` points to now (None: no build, or a plain folder)."""
        if not self.out_dir.is_symlink():
            return None
        return self.store / Path(os.readlink(self.out_dir)).name

    def commit(self) -> None:
        """Point ``out_dir`` at the new generation (one rename), then remove the old one."""
        assert self.folder is not None, "commit() before begin()"
        link = self.out_dir.parent / f".{self.out_dir.name}.link-{os.getpid()}"
        with uninterrupted():
            if self.out_dir.is_dir() and not self.out_dir.is_symlink():
                self._adopt_plain_folder()
            old = self.current()
            link.unlink(missing_ok=True)
            link.symlink_to(Path(self.store.name) / self.folder.name, target_is_directory=True)
            os.replace(link, self.out_dir)
            self.folder, done = None, self.folder
            if old is not None and old != done:
                shutil.rmtree(old, ignore_errors=True)
            self.tidy(keep=done)

    def _adopt_plain_folder(self) -> None:
        """Move a build written as a plain folder (older versions) into the store, keeping its
        cache; ``out_dir`` is missing only between this rename and the swap that follows."""
        legacy = self.out_dir / ".cache"
        if legacy.is_dir() and not cache_folder(self.out_dir).exists():
            os.replace(legacy, cache_folder(self.out_dir))
        os.replace(self.out_dir, self.store / f"{GEN_PREFIX}0-legacy-{time.time_ns()}")

    def abandon(self) -> None:
        """Remove the new generation (``out_dir`` is left as it was)."""
        if self.folder is not None:
            with uninterrupted():
                shutil.rmtree(self.folder, ignore_errors=True)
                self.folder = None

    def tidy(self, keep: Path | None = None) -> None:
        """Remove generations left by builds that died (killed, power loss): every generation
        but the current one, ``keep``, and those of processes still running."""
        if not self.store.is_dir():
            return
        current = self.current()
        for gen in self.store.glob(f"{GEN_PREFIX}*"):
            if gen in (current, keep, self.folder):
                continue
            pid = gen.name[len(GEN_PREFIX) :].split("-")[0]
            if pid.isdigit() and int(pid) not in (0, os.getpid()) and _pid_alive(int(pid)):
                continue
            shutil.rmtree(gen, ignore_errors=True)

    def __enter__(self) -> Path:
        return self.begin()

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.abandon()


def read_build_info(build_dir: str | Path) -> dict[str, Any]:
    """``build_info.json`` of a build ({} when there is none)."""
    path = Path(build_dir) / "build_info.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))
