"""Real `manage.py db_worker` processes for the download tests, pointed at the test's sandbox."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connections
from django.tasks import Task

from tests.support.processes import child_env, manage


def run_task_in_thread[T](task: Task[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a task's function as a worker would, in a thread of its own.

    Playwright's sync API leaves an event loop running in the main thread for the rest of the
    session, and the chunk task calls asyncio.run(), which refuses to nest.
    """

    def call() -> T:
        try:
            return task.call(*args, **kwargs)
        finally:
            # The thread ends here: hand its connections back (a pool on PostgreSQL runs dry).
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def worker_env(**extra: str) -> dict[str, str]:
    """The child sees the same database, music folder and media source as the test."""
    return child_env(
        MUSIC_ROOT=str(settings.MUSIC_ROOT),
        DATA_DIR=str(settings.DATA_DIR),
        MEDIA_SOURCES=",".join(settings.MEDIA_SOURCES),
        YTMUSIC_BASE_URL=settings.YTMUSIC_BASE_URL,
        YOUTUBE_WATCH_BASE=settings.YOUTUBE_WATCH_BASE,
        LRCLIB_URL=settings.LRCLIB_URL,
        YOUTUBE_BUDGET_PER_HOUR=str(settings.YOUTUBE_BUDGET_PER_HOUR),
        YOUTUBE_BUDGET_PER_HOUR_WITH_COOKIES=str(settings.YOUTUBE_BUDGET_PER_HOUR_WITH_COOKIES),
        YOUTUBE_SEARCH_GAP=str(settings.YOUTUBE_SEARCH_GAP),
        YTDLP_SOCKET_TIMEOUT=str(settings.YTDLP_SOCKET_TIMEOUT),
        ITEM_RETRY_BACKOFF=str(settings.ITEM_RETRY_BACKOFF),
        FETCH_RETRY_BACKOFF=str(settings.FETCH_RETRY_BACKOFF),
        SEARCH_RETRY_BACKOFF=str(settings.SEARCH_RETRY_BACKOFF),
        SPOTIFY_RETRY_BACKOFF=str(settings.SPOTIFY_RETRY_BACKOFF),
        YOUTUBE_BACKOFF_STEPS=",".join(str(s) for s in settings.YOUTUBE_BACKOFF_STEPS),
        **extra,
    )


def start_worker(*extra_args: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    return manage(
        "db_worker",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0.2",
        *extra_args,
        env=worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **kwargs,
    )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
