"""YouTube cookies: stored encrypted in the database, materialised privately by each worker.

The content lives in the database (encrypted with the installation's key, like Spotify tokens),
so every worker on every machine reads the same file; a worker writes its own copy under its
DATA_DIR/private (never served, mode 0600 from the first byte) when a job needs it, and rewrites
it only when the content changed. The installation's file is shared by everyone's jobs; a
person's own file is used for that person's jobs only. Contents are never shown or logged.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from library.crypto import decrypt_text, encrypt_text

PRIVATE_DIR = "private"
COOKIES_NAME = "youtube-cookies.txt"
PEOPLE_DIR = "people"
INSTALLATION = "installation"


def private_dir(*parts: str) -> Path:
    """DATA_DIR/private (or a folder inside it), readable by this user only."""
    base = Path(settings.DATA_DIR) / PRIVATE_DIR
    folders = [base, *(base.joinpath(*parts[:depth]) for depth in range(1, len(parts) + 1))]
    for folder in folders:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
    return folders[-1]


def cookies_seal(data: bytes) -> str:
    """What the database stores for an uploaded file (already checked to be UTF-8 text)."""
    return encrypt_text(data.decode("utf-8"))


def installation_cookies_file(*, blob: str) -> Path:
    return _materialise(private_dir(INSTALLATION) / COOKIES_NAME, blob)


def person_cookies_file(*, user_id: int, blob: str) -> Path:
    return _materialise(private_dir(PEOPLE_DIR, str(user_id)) / COOKIES_NAME, blob)


def person_cookies_remove(*, user_id: int) -> None:
    """This machine's copy of a person's cleared file (other machines' copies go unused)."""
    (Path(settings.DATA_DIR) / PRIVATE_DIR / PEOPLE_DIR / str(user_id) / COOKIES_NAME).unlink(
        missing_ok=True
    )


def installation_cookies_remove() -> None:
    (Path(settings.DATA_DIR) / PRIVATE_DIR / INSTALLATION / COOKIES_NAME).unlink(missing_ok=True)


def _materialise(target: Path, blob: str) -> Path:
    data = decrypt_text(blob).encode("utf-8")
    try:
        if target.read_bytes() == data:
            return target  # unchanged: keep the file, and yt-dlp's per-version jar cache
    except FileNotFoundError:
        pass
    return _write(target, data)


def _write(target: Path, data: bytes) -> Path:
    """Write with mode 0600 from the first byte (no window where others could read it)."""
    temp = target.with_name(f".{COOKIES_NAME}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temp.chmod(0o600)
    temp.replace(target)
    return target
