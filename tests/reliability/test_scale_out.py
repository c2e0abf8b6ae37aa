"""Scaled out as the README's "Scaling out" says: PostgreSQL, a web server without workers
(`serve --workers 0`), two workers with data folders of their own and one shared music folder.
A playlist downloads with 0 failures though one worker is killed mid-job; a worker without the
installation's key is refused with the reason. PostgreSQL only: `make test`'s PostgreSQL pass
runs it (not marked slow)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from downloads import reaper
from downloads.models import HEARTBEAT_STALE_AFTER, JobItem
from sandbox import Sandbox
from tests.reliability.helpers import Processes, playlist_job, wait_job_ended
from tests.reliability.invariants import assert_job_consistent, describe, music_files
from tests.support.catalog import editorial_tracks, has_upload
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TRACKS = 24


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("scaling out needs PostgreSQL (make test's PostgreSQL pass runs this)")


def _machine(media_sandbox: Sandbox, data_dir: Path) -> dict[str, str]:
    """One machine's environment: its own DATA_DIR, the installation's key and services."""
    data_dir.mkdir()
    return {
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": settings.SECRET_KEY,
        "EMBEDDED_WORKERS": "0",
        "SPOTIFY_CLIENT_ID": "scale-test-client",
        "SPOTIFY_ACCOUNTS_URL": media_sandbox.accounts_url,
        "SPOTIFY_API_URL": media_sandbox.api_url,
    }


def test_two_workers_on_their_own_data_folders_finish_a_playlist_though_one_is_killed(
    media_sandbox: Sandbox, user: Any, processes: Processes, tmp_path: Path
) -> None:
    web = processes.serve("--workers", "0", **_machine(media_sandbox, tmp_path / "web"))
    assert httpx.get(f"{web}/healthz", timeout=5).status_code == 200
    tracks = editorial_tracks(media_sandbox)[:TRACKS]
    missing = sum(not has_upload(media_sandbox, t) for t in tracks)
    job = playlist_job(media_sandbox, user, tracks, name="Two Machines", enqueue=True)
    doomed = processes.checked_worker(**_machine(media_sandbox, tmp_path / "worker-1"))
    processes.checked_worker(**_machine(media_sandbox, tmp_path / "worker-2"))

    def someone_is_downloading() -> bool:
        return bool(job.items.filter(status=JobItem.Status.RUNNING).exists())

    wait_until(someone_is_downloading, timeout=120, step=0.05)
    assert doomed.poll() is None, (
        "the first worker refused to start: " + processes.logs[1].read_text()
    )
    processes.kill(doomed)
    # The reaper, seeing the dead worker's heartbeats as stale as they become a minute later.
    reaper.jobs_reap(now=timezone.now() + HEARTBEAT_STALE_AFTER + timedelta(seconds=1))
    wait_job_ended(job, timeout=240)

    print("\nscaled out:", describe(job))
    counts = assert_job_consistent(job, temp_dirs=[])
    assert counts["failed"] == 0
    assert counts["done"] + counts["no_match"] == TRACKS
    assert counts["done"] >= TRACKS - missing
    assert len(music_files(Path(settings.MUSIC_ROOT))) >= counts["done"]  # one shared folder


def test_a_worker_without_the_installations_key_is_refused_and_says_what_to_set(
    media_sandbox: Sandbox, processes: Processes, tmp_path: Path
) -> None:
    processes.serve("--workers", "0", **_machine(media_sandbox, tmp_path / "web"))
    stray = _machine(media_sandbox, tmp_path / "stray")
    stray["SECRET_KEY"] = ""  # it would generate a key of its own in its DATA_DIR

    worker = processes.checked_worker(**stray)
    worker.wait(timeout=60)

    log = processes.logs[-1].read_text()
    assert worker.returncode == 3
    assert "Worker refuses to take work: SECRET_KEY is not set" in log
    assert "the same on the web server and every worker" in log
