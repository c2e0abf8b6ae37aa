"""The sole owner of the worker's temporary folders: MUSIC_ROOT/.incoming and what lives in it.

Each item attempt downloads into its own folder, on MUSIC_ROOT's filesystem so the store's final
move is a rename. Folders of dead attempts (a worker killed mid-download) are removed when the
item starts again or when the reaper hands it on.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

INCOMING = ".incoming"


def incoming_dir(music_root: Path | None = None) -> Path:
    root = Path(music_root if music_root is not None else settings.MUSIC_ROOT)
    return root / INCOMING


def attempt_dir(item_id: int, attempt: int) -> Path:
    """Per item and attempt: two attempts of one item never share a folder."""
    return incoming_dir() / f"item-{item_id}-{attempt}"


def attempt_dir_create(item_id: int, attempt: int) -> Path:
    """A fresh, empty folder for this attempt, after removing what earlier attempts left."""
    attempt_dirs_remove([item_id])
    folder = attempt_dir(item_id, attempt)
    folder.mkdir(parents=True)
    return folder


def attempt_dir_remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def attempt_dirs_remove(item_ids: Iterable[int]) -> None:
    """Remove what earlier attempts of these items left behind."""
    incoming = incoming_dir()
    for item_id in item_ids:
        for leftover in incoming.glob(f"item-{item_id}-*"):
            shutil.rmtree(leftover, ignore_errors=True)
