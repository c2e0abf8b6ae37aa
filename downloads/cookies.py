"""YouTube cookies files on the server: the one writer and remover of them.

They live under DATA_DIR/private (never served), mode 0600 from the first byte. The
installation's file is shared by everyone's jobs; a person's own file lives in a folder of its
own and is used for that person's jobs only. Their contents are never shown or logged.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

PRIVATE_DIR = "private"
COOKIES_NAME = "youtube-cookies.txt"
PEOPLE_DIR = "people"


def private_dir(*parts: str) -> Path:
    """DATA_DIR/private (or a folder inside it), readable by this user only."""
    base = Path(settings.DATA_DIR) / PRIVATE_DIR
    folders = [base, *(base.joinpath(*parts[:depth]) for depth in range(1, len(parts) + 1))]
    for folder in folders:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
    return folders[-1]


def installation_cookies_write(data: bytes) -> Path:
    return _write(private_dir() / COOKIES_NAME, data)


def person_cookies_write(*, user_id: int, data: bytes) -> Path:
    return _write(private_dir(PEOPLE_DIR, str(user_id)) / COOKIES_NAME, data)


def cookies_remove(path: str) -> None:
    if path:
        Path(path).unlink(missing_ok=True)


def _write(target: Path, data: bytes) -> Path:
    """Write with mode 0600 from the first byte (no window where others could read it)."""
    temp = target.with_name(f".{COOKIES_NAME}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temp.chmod(0o600)
    temp.replace(target)
    return target
