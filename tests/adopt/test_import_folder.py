"""Adopting a folder someone already has: recognised by ISRC or by tags and length, placed and
tagged like a download, reported, safe to re-run; a later download fetches only what is missing."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from mutagen.oggopus import OggOpus

from downloads import selectors, services
from downloads.adopt.services import IMPORT_SOURCE, Mode, folder_import
from downloads.models import AudioFormat, Job, JobItem, StoredFile
from downloads.pipeline.tag import read_tags
from downloads.tasks import run_chunk
from sandbox import Sandbox
from tests.support.catalog import editorial_tracks, has_upload, import_playlist
from tests.support.files import make_opus
from tests.support.processes import manage
from tests.support.workers import run_task_in_thread, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _tagged(path: Path, seconds: int, **tags: str) -> Path:
    make_opus(path, seconds=seconds)
    audio = OggOpus(path)  # type: ignore[no-untyped-call]
    for key, value in tags.items():
        audio[key] = [value]
    audio.save()
    return path


def _folder(tmp_path: Path, tracks: list[Any]) -> Path:
    """The first track tagged with its ISRC only, the second untagged but named
    "Artist - Title", and a song nobody's library has."""
    folder = tmp_path / "old music"
    (folder / "sub").mkdir(parents=True)
    first, second = tracks[0], tracks[1]
    _tagged(folder / "a.opus", first.duration_ms // 1000, isrc=first.isrc, title="whatever")
    make_opus(
        folder / "sub" / f"{second.artists[0].name} - {second.name}.opus",
        seconds=round(second.duration_ms / 1000),
    )
    _tagged(folder / "stranger.opus", 5, title="Nobody Knows This", artist="No One")
    (folder / "notes.txt").write_text("not music")
    return folder


def _download(user: Any, playlist_id: str) -> Job:
    job = services.job_start(
        owner=user,
        kind=Job.Kind.PLAYLIST,
        target_id=playlist_id,
        audio_format=AudioFormat.ORIGINAL,
        enqueue=False,
    )
    for chunk in sorted(set(job.items.values_list("chunk", flat=True))):
        run_task_in_thread(run_chunk, job_id=job.pk, chunk=chunk)
    job.refresh_from_db()
    return job


def test_an_imported_folder_makes_a_later_download_fetch_only_what_was_missing(
    media_sandbox: Sandbox, user: Any, tmp_path: Path
) -> None:
    tracks = [t for t in editorial_tracks(media_sandbox) if has_upload(media_sandbox, t)][:3]
    playlist = import_playlist(media_sandbox, user, tracks)
    folder = _folder(tmp_path, tracks)

    dry = folder_import(owner=user, folder=folder)
    assert (len(dry.recognised), len(dry.unrecognised)) == (2, 1)
    assert not StoredFile.objects.exists()

    report = folder_import(owner=user, folder=folder, mode=Mode.COPY, apply=True)
    assert sorted(t.spotify_id for _, t, _ in report.recognised) == sorted(t.id for t in tracks[:2])
    assert [p.name for p in report.unrecognised] == ["stranger.opus"]
    assert (folder / "a.opus").exists()  # copied, nothing deleted
    adopted = StoredFile.objects.get(track__spotify_id=tracks[0].id)
    assert adopted.source_id == IMPORT_SOURCE
    tags = read_tags(Path(settings.MUSIC_ROOT) / adopted.path)
    assert tags["title"] == tracks[0].name
    assert tags["spotify_url"] and tags["spotify_url"].endswith(tracks[0].id)

    again = folder_import(owner=user, folder=folder, mode=Mode.COPY, apply=True)
    assert (len(again.recognised), len(again.already)) == (0, 2)
    assert StoredFile.objects.count() == 2

    media_sandbox.reset_counters()
    job = _download(user, playlist.spotify_id)

    assert job.status == Job.Status.COMPLETED
    assert media_sandbox.youtube_request_counts()["media"] == 1  # the one missing track
    reused = job.items.filter(stored_file__source_id=IMPORT_SOURCE)
    assert reused.count() == 2
    assert job.items.filter(status=JobItem.Status.DONE).count() == 3
    assert selectors.job_for(user=user, job_id=job.pk).pk == job.pk


def test_the_command_is_a_dry_run_by_default_and_reports_every_file(
    media_sandbox: Sandbox, user: Any, tmp_path: Path
) -> None:
    tracks = [t for t in editorial_tracks(media_sandbox) if has_upload(media_sandbox, t)][:2]
    import_playlist(media_sandbox, user, tracks)
    folder = _folder(tmp_path, tracks)

    process = manage(
        "import_folder",
        str(folder),
        "--user",
        "ana",
        env=worker_env(COLUMNS="200"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output, _ = process.communicate(timeout=120)
    assert isinstance(output, str)

    assert process.returncode == 0, output
    assert "2 recognised, 0 already on disk, 0 ambiguous, 1 unrecognised" in output
    assert "add --apply" in output
    assert "Unrecognised: stranger.opus" in output
    assert not StoredFile.objects.exists()


def test_the_import_page_is_the_admins_and_reports_a_dry_run(
    client: Any, user: Any, other_user: Any, tmp_path: Path
) -> None:
    from django.urls import reverse

    folder = tmp_path / "old"
    folder.mkdir()
    _tagged(folder / "x.opus", 2, title="Nothing Here", artist="Nobody")
    url = reverse("household:import")
    client.force_login(other_user)
    assert client.get(url).status_code == 403

    user.is_staff = True
    user.save()
    client.force_login(user)
    page = client.post(url, {"path": str(folder), "person": "ana", "mode": "copy"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "0 recognised, 0 already on disk, 0 ambiguous, 1 unrecognised" in text
    assert "Unrecognised: x.opus" in text
