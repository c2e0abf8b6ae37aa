"""`manage.py download` as a real process: progress on the terminal, exit codes, Ctrl+C."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from downloads.models import Job, JobItem
from sandbox import Sandbox
from tests.support.catalog import editorial_tracks, has_upload, import_playlist
from tests.support.files import incoming_leftovers
from tests.support.processes import manage
from tests.support.waiting import wait_until
from tests.support.workers import worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _cli(*args: str) -> subprocess.Popen[str]:
    return manage(  # type: ignore[return-value]  # text=True: str pipes
        "download",
        *args,
        env=worker_env(COLUMNS="120"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _leftovers() -> list[Path]:
    return incoming_leftovers(Path(settings.MUSIC_ROOT))


def test_a_playlist_link_is_downloaded_with_a_summary_and_exit_code_0(
    media_sandbox: Sandbox, user: Any
) -> None:
    tracks = [t for t in editorial_tracks(media_sandbox) if has_upload(media_sandbox, t)][:3]
    playlist = import_playlist(media_sandbox, user, tracks, name="CLI Mix")

    process = _cli(f"https://open.spotify.com/playlist/{playlist.spotify_id}", "--user", "ana")
    output, _ = process.communicate(timeout=120)

    assert process.returncode == 0, output
    assert "CLI Mix: Completed · 3 downloaded, 0 failed" in output
    job = Job.objects.get()
    assert job.status == Job.Status.COMPLETED
    assert (Path(settings.MUSIC_ROOT) / "Playlists" / "ana" / "CLI Mix.m3u8").is_file()


def test_liked_songs_with_a_missing_upload_exit_with_1_and_name_the_problem(
    media_sandbox: Sandbox, user: Any
) -> None:
    from tests.factories import SavedTrackFactory
    from tests.support.catalog import import_track, tracks_with_one_missing

    for track in tracks_with_one_missing(media_sandbox, 2):
        SavedTrackFactory.create(user=user, track=import_track(media_sandbox, track))

    process = _cli("liked", "--user", "ana", "--format", "mp3")
    output, _ = process.communicate(timeout=120)

    assert process.returncode == 1, output
    job = Job.objects.get()
    assert (job.kind, job.audio_format, job.done, job.no_match) == ("liked", "mp3", 1, 1)
    assert "No candidate matched" in output or "No candidates" in output
    assert "Pick an upload" in output  # the job page's next step, as the terminal can show it
    stored = job.items.get(status="done").stored_file
    assert stored is not None and stored.path.endswith(".mp3")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["liked", "--user", "nobody"], "No user called 'nobody'"),
        (["https://example.com/x", "--user", "ana"], "Paste a Spotify link"),
        # Not in Ana's library, and she has no Spotify sign-in to look it up with.
        (["spotify:album:0000000000000000000000", "--user", "ana"], "Please sign in again"),
    ],
)
def test_errors_exit_with_2_and_say_what_is_wrong(user: Any, args: list[str], message: str) -> None:
    process = _cli(*args)
    output, _ = process.communicate(timeout=60)

    assert process.returncode == 2
    assert message in output


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_cancels_cleanly_and_exits_130(
    media_sandbox: Sandbox, user: Any, stop: signal.Signals
) -> None:
    tracks = [t for t in editorial_tracks(media_sandbox) if has_upload(media_sandbox, t)][:4]
    playlist = import_playlist(media_sandbox, user, tracks, name="Slow Mix")
    media_sandbox.media_knobs.bandwidth = 3_000  # bytes/s: each download takes a minute or more

    process = _cli(f"spotify:playlist:{playlist.spotify_id}", "--user", "ana")
    wait_until(
        lambda: JobItem.objects.filter(status="running", stage="fetch", progress__gt=0).exists()
    )
    assert _leftovers()  # the downloads are under way in their work folders
    process.send_signal(stop)
    interrupted = time.monotonic()
    output, _ = process.communicate(timeout=30)

    # Well under the minute each throttled download takes, with room for a loaded 2-core machine
    # (5 s failed there at random): the downloads were stopped, not waited for.
    assert time.monotonic() - interrupted < 20
    assert process.returncode == 130, output
    assert "Cancelled" in output and "4 cancelled" in output  # the summary
    job = Job.objects.get()
    assert (job.status, job.cancelled, job.done) == (Job.Status.CANCELLED, 4, 0)
    assert _leftovers() == []
    assert [p for p in Path(settings.MUSIC_ROOT).rglob("*") if p.is_file()] == [
        Path(settings.MUSIC_ROOT) / "Playlists" / "ana" / "Slow Mix.m3u8"
    ]


def test_playlists_downloads_each_readable_playlist_as_its_own_job(
    media_sandbox: Sandbox, user: Any
) -> None:
    first, second = _uploaded_tracks(media_sandbox, 2)
    import_playlist(media_sandbox, user, [first], name="One")
    import_playlist(media_sandbox, user, [second], name="Two")

    process = _cli("playlists", "--user", "ana")
    output, _ = process.communicate(timeout=120)

    assert process.returncode == 0, output
    assert sorted(Job.objects.values_list("title", "status")) == [
        ("One", "completed"),
        ("Two", "completed"),
    ]
    playlists = Path(settings.MUSIC_ROOT) / "Playlists" / "ana"
    assert sorted(p.name for p in playlists.iterdir()) == ["One.m3u8", "Two.m3u8"]


def _uploaded_tracks(sandbox: Sandbox, count: int) -> list[Any]:
    return [t for t in editorial_tracks(sandbox) if has_upload(sandbox, t)][:count]
