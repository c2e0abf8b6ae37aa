"""What a process checks before it takes work: the key, the database, the music folder, the
outside services.

Fatal problems (`worker_problems`) make a worker refuse to start: a worker that cannot decrypt
the stored sign-ins, reach a migrated database or write to MUSIC_ROOT would fail every job it
took, and silently so. Unreachable Spotify or media bases are only warned about
(`network_warnings`): an outage at start is usually brief, and the pipeline already retries and
pauses those calls per job, so refusing would keep a healthy worker down after the outage ends.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from library.key_check import key_problem

NETWORK_TIMEOUT = 3.0

# Words about the key, not a key.
NO_SECRET_KEY_WORDS = (
    "SECRET_KEY is not set: {why}, every process must use the installation's key to read the "  # noqa: S105
    "stored Spotify sign-ins and cookies. Set SECRET_KEY in the environment (.env) to one "
    "long random value, the same on the web server and every worker "
    "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
)


def secret_key_problem(*, separate_workers: bool) -> str | None:
    """A key kept in one machine's DATA_DIR can't be shared: PostgreSQL or separate workers
    mean other processes (maybe other machines) read the same secrets."""
    if settings.SECRET_KEY_CONFIGURED:
        return None
    if connection.vendor == "postgresql":
        return NO_SECRET_KEY_WORDS.format(why="with PostgreSQL")
    if separate_workers:
        return NO_SECRET_KEY_WORDS.format(why="with workers apart from the web server")
    return None


def worker_problems() -> list[str]:
    """Why this worker must not take work; empty when it may."""
    # A key generated in DATA_DIR is shared with serve's workers; the sentinel catches others.
    problems = [p for p in (secret_key_problem(separate_workers=False), _music_problem()) if p]
    database = _database_problem()
    if database:
        return [*problems, database]
    key = key_problem()
    return [*problems, key] if key else problems


def network_warnings() -> list[str]:
    """Configured outside bases this process could not reach with one cheap request."""
    bases = {
        "Spotify's accounts service (SPOTIFY_ACCOUNTS_URL)": settings.SPOTIFY_ACCOUNTS_URL,
        "Spotify's Web API (SPOTIFY_API_URL)": settings.SPOTIFY_API_URL,
        "YouTube Music (YTMUSIC_BASE_URL)": settings.YTMUSIC_BASE_URL,
        "YouTube (YOUTUBE_WATCH_BASE)": _origin(settings.YOUTUBE_WATCH_BASE),
    }
    return [
        f"{name} at {url} is unreachable from this worker: {problem}"
        for name, url in bases.items()
        if (problem := _unreachable(url))
    ]


def _database_problem() -> str | None:
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"The database is unreachable ({exc}); check DATABASE_URL."
    if pending:
        return (
            f"The database is not migrated ({len(pending)} migrations pending): run "
            "`python manage.py migrate` once (the web server's `serve --migrate` does) and start "
            "the worker again."
        )
    return None


def _music_problem() -> str | None:
    root = Path(settings.MUSIC_ROOT)
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".write-check-"):
            pass
    except OSError as exc:
        return (
            f"MUSIC_ROOT ({root}) is not writable by this worker ({exc.strerror or exc}): "
            "mount the shared music folder and give this user write access."
        )
    return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _unreachable(url: str) -> str | None:
    """Any HTTP answer counts as reachable (an API answers 401 without a token)."""
    try:
        httpx.head(url, timeout=NETWORK_TIMEOUT, follow_redirects=False)
    except httpx.HTTPError as exc:
        return type(exc).__name__
    return None
