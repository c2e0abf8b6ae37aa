"""The sole owner of temporary files: one temp root per process run, and the sweep of dead runs.

Each run (a worker or web process, per MUSIC_ROOT) gets MUSIC_ROOT/.incoming/<run-id>/, on
MUSIC_ROOT's filesystem so the store's final move is a rename, and holds an exclusive flock on
that folder for as long as it lives. The kernel drops the lock when the process dies, however it
dies, so "is this run dead?" is answered by trying the lock: no clock, no guess. Every item
attempt downloads and converts in its own folder inside the run root.

Temporary files that must sit beside their target for an atomic rename (a cover in the cache
under DATA_DIR, maybe on another filesystem; a playlist file, lyrics or a file copied in from
another filesystem in the music folder) carry the run id in their name instead, and the same
sweep removes those of dead runs. Startup (serve, worker) and the reaper sweep; a clean exit
removes its own root.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

INCOMING = ".incoming"

_runs: dict[Path, tuple[Path, int]] = {}  # incoming folder -> (run root, fd holding its lock)
_runs_lock = threading.Lock()
_run_ids: dict[int, str] = {}  # pid -> run id, so a forked child never shares its parent's
RUN_PREFIX = "run-"
STAGING_PREFIX = ".new-"


def incoming_dir(music_root: Path | None = None) -> Path:
    root = Path(music_root if music_root is not None else settings.MUSIC_ROOT)
    return root / INCOMING


def run_id() -> str:
    pid = os.getpid()
    return _run_ids.setdefault(pid, f"{RUN_PREFIX}{pid}-{uuid.uuid4().hex[:10]}")


def run_root() -> Path:
    """This process's temp root under MUSIC_ROOT, created and locked on first use."""
    incoming = incoming_dir()
    with _runs_lock:
        known = _runs.get(incoming)
        if known is not None and known[0].is_dir():
            return known[0]
        # Locked under a name the sweep ignores, then renamed (the lock follows the folder):
        # a sweep never sees a live run's root unlocked.
        staging = incoming / f"{STAGING_PREFIX}{run_id()}"
        staging.mkdir(parents=True, exist_ok=True)
        fd = os.open(staging, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        root = incoming / run_id()
        staging.rename(root)
        if known is not None:
            os.close(known[1])
        if not _runs:
            atexit.register(_own_runs_remove, os.getpid())
        _runs[incoming] = (root, fd)
        return root


def _own_runs_remove(pid: int) -> None:
    """A clean exit takes its temp roots along; only a killed run waits for a sweep."""
    if os.getpid() != pid:
        return  # a forked child exiting: the roots are its parent's
    for root, fd in list(_runs.values()):
        shutil.rmtree(root, ignore_errors=True)
        os.close(fd)
    _runs.clear()


def attempt_dir(item_id: int, attempt: int) -> Path:
    """Per item and attempt: two attempts of one item never share a folder."""
    return run_root() / f"item-{item_id}-{attempt}"


def attempt_dir_create(item_id: int, attempt: int) -> Path:
    """A fresh, empty folder for this attempt, after removing what earlier attempts left."""
    attempt_dirs_remove([item_id])
    folder = attempt_dir(item_id, attempt)
    folder.mkdir(parents=True)
    return folder


def attempt_dir_remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def attempt_dirs_remove(item_ids: Iterable[int]) -> None:
    """Remove what earlier attempts of these items left behind, in any run's root."""
    incoming = incoming_dir()
    for item_id in item_ids:
        for leftover in incoming.glob(f"*/item-{item_id}-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def beside_prefix(kind: str) -> str:
    """The name prefix for a temporary file written beside its target, tagged with this run."""
    run_root()  # the run must hold its lock before any of its files can exist
    return f".{kind}-{run_id()}-"


def beside_dirs() -> list[Path]:
    """Trees where temporary files sit beside their targets: the cover cache, and the music
    folder (playlist files, lyrics, a file copied in from another filesystem)."""
    return [Path(settings.DATA_DIR) / "covers", Path(settings.MUSIC_ROOT)]


def dead_runs_remove() -> int:
    """Remove the temp roots, and the files beside targets, of every run whose process is gone."""
    incoming = incoming_dir()
    roots = incoming.glob(f"{RUN_PREFIX}*") if incoming.is_dir() else iter(())
    dead = [root.name for root in roots if root.name != run_id() and _remove_if_dead(root)]
    if dead:  # the music folder is walked only after a run died, not at every sweep
        _beside_files_remove(tuple(f"-{name}-" for name in dead))
    return len(dead)


def _beside_files_remove(tags: tuple[str, ...]) -> None:
    for tree in beside_dirs():
        for folder, subfolders, files in os.walk(tree):
            subfolders[:] = [name for name in subfolders if name != INCOMING]
            for name in files:
                if name.startswith(".") and any(tag in name for tag in tags):
                    (Path(folder) / name).unlink(missing_ok=True)


def _remove_if_dead(root: Path) -> bool:
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except (FileNotFoundError, NotADirectoryError):
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # its process is alive
        shutil.rmtree(root, ignore_errors=True)
        return True
    finally:
        os.close(fd)
