"""Real db_worker processes: a killed worker's chunk is finished by another; job controls."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from downloads import reaper, services
from downloads.models import Job, JobItem, StoredFile
from downloads.tasks import maintain
from downloads.worker.retrying import ITEM_RETRY
from sandbox import Sandbox
from tests.support.catalog import (
    editorial_tracks,
    has_upload,
    import_playlist,
    tracks_with_one_missing,
)
from tests.support.files import incoming_leftovers
from tests.support.waiting import wait_until
from tests.support.workers import start_worker, stop_worker

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers() -> Iterator[Callable[..., Any]]:
    started: list[Any] = []

    def start(*args: str) -> Any:
        started.append(start_worker(*args))
        return started[-1]

    yield start
    for process in started:
        stop_worker(process)


def _job(sandbox: Sandbox, user: Any, tracks: list[Any], name: str) -> Job:
    playlist = import_playlist(sandbox, user, tracks, name=name)
    return services.job_start(
        owner=user, kind=Job.Kind.PLAYLIST, target_id=playlist.spotify_id, audio_format="original"
    )


def _status(job: Job) -> str:
    job.refresh_from_db()
    return job.status


def _music_files() -> list[Path]:
    root = Path(settings.MUSIC_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file() and root / "Playlists" not in p.parents)


def _leftovers() -> list[Path]:
    return incoming_leftovers(Path(settings.MUSIC_ROOT))


def _uploaded(sandbox: Sandbox, count: int) -> list[Any]:
    return [t for t in editorial_tracks(sandbox) if has_upload(sandbox, t)][:count]


def test_a_killed_workers_chunk_is_finished_by_another_without_duplicates(
    media_sandbox: Sandbox, user: Any, workers: Callable[..., Any]
) -> None:
    media_sandbox.media_knobs.bandwidth = 20_000  # slow enough to be killed mid-download
    job = _job(media_sandbox, user, tracks_with_one_missing(media_sandbox, 8), "Killed Mix")
    first = workers()
    wait_until(lambda: job.items.filter(status="done").exists())
    wait_until(lambda: job.items.filter(status="running", stage="fetch", progress__gt=0).exists())
    done_before = dict(job.items.filter(status="done").values_list("pk", "stored_file_id"))

    first.send_signal(signal.SIGKILL)
    first.wait()
    assert _leftovers()  # the dead worker's half-downloaded files
    assert job.items.filter(status="running").exists()
    # A minute later, the reaper (run by every chunk and by the maintenance task) sees it.
    assert reaper.jobs_reap(now=timezone.now() + timedelta(seconds=61)) == 1
    assert _leftovers() == []
    media_sandbox.media_knobs.bandwidth = None
    workers("--batch")
    wait_until(lambda: _status(job) in Job.FINISHED)

    assert (job.status, job.done, job.no_match) == (Job.Status.PARTIAL, 7, 1)
    for pk, stored_file_id in done_before.items():
        item = JobItem.objects.get(pk=pk)
        assert (item.attempts, item.stored_file_id) == (1, stored_file_id)
    files = _music_files()
    assert len(files) == StoredFile.objects.count() == 7
    assert {f.relative_to(settings.MUSIC_ROOT).as_posix() for f in files} == set(
        StoredFile.objects.values_list("path", flat=True)
    )
    for item in job.items.filter(status="done").select_related("track", "stored_file"):
        ids = [c.id for c in media_sandbox.media.candidates(item.track.spotify_id)]
        expected = media_sandbox.expected_candidates(item.track.spotify_id)
        assert item.stored_file is not None
        found = media_sandbox.media.identify(item.stored_file.absolute_path, ids)
        assert found in expected
    assert _leftovers() == []


def test_cancel_stops_a_running_job_without_waiting_for_its_downloads(
    media_sandbox: Sandbox, user: Any, workers: Callable[..., Any]
) -> None:
    media_sandbox.media_knobs.bandwidth = 1_000  # no download can end before the cancel lands
    job = _job(media_sandbox, user, _uploaded(media_sandbox, 12), "Cancelled Mix")
    workers()
    wait_until(lambda: job.items.filter(status="running", stage="fetch", progress__gt=0).exists())

    services.job_cancel(job=job)
    wait_until(lambda: _status(job) == Job.Status.CANCELLED, timeout=60)

    # Every track, the ones mid-download included, ended cancelled: none was let finish.
    assert set(job.items.values_list("status", flat=True)) == {"cancelled"}
    assert job.cancelled == 12
    # The fetch threads were left to see the cancel on their own; each removes its folder.
    wait_until(lambda: _leftovers() == [], timeout=30)
    assert _music_files() == []


def test_retry_runs_again_only_the_tracks_that_failed(
    media_sandbox: Sandbox, user: Any, workers: Callable[..., Any]
) -> None:
    tracks = tracks_with_one_missing(media_sandbox, 4)
    blocked = next(t for t in tracks if has_upload(media_sandbox, t))
    # Its server fails every try (a bot check would pause the installation, not fail a track).
    for candidate_id in media_sandbox.expected_candidates(blocked.id):
        media_sandbox.media_knobs.fail_next(40, "503", path=f"/watch?v={candidate_id}")
    job = _job(media_sandbox, user, tracks, "Retried Mix")
    workers("--batch").wait(timeout=120)
    job.refresh_from_db()
    assert (job.status, job.done, job.failed, job.no_match) == (Job.Status.PARTIAL, 2, 1, 1)
    failed = job.items.get(status="failed")
    assert "HTTP 503" in failed.error
    done_before = {
        i.pk: (i.attempts, i.stored_file_id, i.finished_at) for i in job.items.filter(status="done")
    }
    media_sandbox.media_knobs.planned.clear()

    assert services.job_retry(job=job) == 2
    workers("--batch").wait(timeout=120)

    job.refresh_from_db()
    assert (job.status, job.done, job.failed, job.no_match) == (Job.Status.PARTIAL, 3, 0, 1)
    for pk, before in done_before.items():
        item = JobItem.objects.get(pk=pk)
        assert (item.attempts, item.stored_file_id, item.finished_at) == before
    failed.refresh_from_db()
    # The first run tried it once, then again for each unit of its transient budget and in
    # the end-of-job round; the Retry button ran it once more.
    assert (failed.status, failed.attempts, failed.error) == ("done", ITEM_RETRY.budget + 3, "")
    assert job.items.get(status="no_match").attempts == 2


def test_a_quota_paused_job_resumes_by_itself(
    media_sandbox: Sandbox, user: Any, workers: Callable[..., Any]
) -> None:
    job = _job(media_sandbox, user, _uploaded(media_sandbox, 2), "Paused Mix")
    services.job_pause(
        job=job,
        until=timezone.now() + timedelta(seconds=1),
        reason="Spotify's request limit for this app is used up for now.",
    )
    workers("--batch").wait(timeout=60)  # the enqueued chunk finds a paused job: nothing to do
    assert (_status(job), job.done) == (Job.Status.PAUSED, 0)
    time.sleep(1.2)

    maintain.enqueue()  # the maintenance round that was scheduled when the job was enqueued
    workers("--batch").wait(timeout=120)

    job.refresh_from_db()
    assert (job.status, job.done, job.resumes_at, job.error) == (Job.Status.COMPLETED, 2, None, "")
