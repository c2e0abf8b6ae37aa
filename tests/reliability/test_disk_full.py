"""The disk holding the music folder fills up in the middle of a job (a real size-limited
tmpfs): the rest of the job fails with a plain "disk full" reason, finished files stay intact."""

from __future__ import annotations

import errno
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from downloads.models import DownloadSettings, JobItem
from downloads.pipeline.fetch.classify import disk_full_error
from sandbox import Sandbox
from tests.reliability.helpers import (
    identify_problems,
    playlist_job,
    run_job_here,
    uploaded_tracks,
)
from tests.reliability.invariants import assert_job_consistent, describe
from tests.support.catalog import editorial_tracks
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DISK_FULL = disk_full_error().reason
SIZE = 8 * 1024 * 1024


@pytest.fixture
def small_disk(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """MUSIC_ROOT on its own 8 MB tmpfs; returns the mount point (the music folder is inside)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        # No other way to get a real full disk: a private mount in a user namespace of our own is
        # reachable only through /proc/PID/root, which the app resolves away (it writes under the
        # real path of MUSIC_ROOT), and ulimit -f gives EFBIG, not a full disk. Needs root.
        pytest.skip(f"cannot mount a size-limited tmpfs here: {mounted.stderr.strip()}")
    try:
        (mount_point / "music").mkdir()
        settings.MUSIC_ROOT = mount_point / "music"
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path, *, leave: int = 0) -> None:
    """Write a ballast file until only `leave` bytes (rounded to pages) are free."""
    free = _free(disk) - leave
    with open(disk / f"ballast-{free}", "wb") as ballast:
        try:
            while free > 0:
                free -= ballast.write(b"\0" * min(free, 1 << 20))
            ballast.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc


def _free(disk: Path) -> int:
    import shutil

    return shutil.disk_usage(disk).free


def test_a_full_disk_fails_the_rest_of_the_job_plainly_and_keeps_finished_files(
    media_sandbox: Sandbox, user: Any, small_disk: Path, temp_dir: Path
) -> None:
    config = DownloadSettings.load()
    config.concurrency = 1
    config.save()
    # Each track waits a moment for its search: the disk fills while the 4th one searches.
    media_sandbox.media_knobs.latency = 0.3
    job = playlist_job(
        media_sandbox, user, uploaded_tracks(media_sandbox, 8), name="Too Much", enqueue=False
    )

    def fill_after_three() -> None:
        wait_until(lambda: job.items.filter(status="done").count() >= 3, step=0.02)
        fill(small_disk)

    filler = threading.Thread(target=fill_after_three)
    filler.start()
    run_job_here(job)
    filler.join()

    print("\ndisk full:", describe(job))
    counts = assert_job_consistent(job, temp_dirs=[temp_dir])
    assert (counts[JobItem.Status.DONE], counts[JobItem.Status.FAILED]) == (3, 5), describe(job)
    failed = job.items.filter(status=JobItem.Status.FAILED)
    assert set(failed.values_list("error", flat=True)) == {DISK_FULL}
    assert (job.status, job.error) == ("failed", DISK_FULL)
    assert identify_problems(media_sandbox, job) == []  # the finished files are whole and right


def _single_upload_track(sandbox: Sandbox) -> tuple[Any, int]:
    """A track with exactly one acceptable upload, and that upload's size in bytes."""
    for track in editorial_tracks(sandbox):
        expected = sandbox.expected_candidates(track.id)
        if len(expected) == 1:
            (candidate,) = expected
            head = httpx.head(sandbox.watch_url(candidate), timeout=30)
            return track, int(head.headers["Content-Length"])
    raise LookupError("no editorial track with a single acceptable upload")


def test_a_disk_that_fills_while_ffmpeg_converts_is_reported_as_full(
    media_sandbox: Sandbox, user: Any, small_disk: Path
) -> None:
    track, size = _single_upload_track(media_sandbox)
    fill(small_disk, leave=size + 16 * 1024)  # the download fits, its remuxed copy does not
    job = playlist_job(media_sandbox, user, [track], name="Tight", enqueue=False)

    run_job_here(job)

    item = job.items.get()
    assert (item.status, item.error) == (JobItem.Status.FAILED, DISK_FULL)
