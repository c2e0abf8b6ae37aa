"""Helpers of the sync tests: sandbox playlists and tracks, subscribing, syncing, the disk."""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from downloads.models import AudioFormat, Job, StoredFile, Subscription, SyncRun
from downloads.sync import services
from downloads.tasks import run_chunk
from sandbox import Sandbox
from tests.support.catalog import editorial_tracks, has_upload
from tests.support.workers import run_task_in_thread


def _playlist(sb: Sandbox, user_key: str, name: str) -> dict[str, Any]:
    playlists: list[dict[str, Any]] = sb.user_library(user_key)["playlists"]
    return next(p for p in playlists if p["name"] == name)


def playlist_id(sb: Sandbox, user_key: str, name: str) -> str:
    return str(_playlist(sb, user_key, name)["id"])


def playlist_track_ids(sb: Sandbox, user_key: str, name: str) -> list[str]:
    return list(_playlist(sb, user_key, name)["track_ids"])


def album_track_ids(sb: Sandbox, album_id: str) -> list[str]:
    album = sb.world.album(album_id)
    assert album is not None
    return [track.id for track in album.tracks]


def fresh_tracks(sb: Sandbox, count: int) -> list[str]:
    """Ids of tracks with an upload that nobody's library holds yet (Ana's, Ben's)."""
    taken: set[str] = set()
    for user_key in ("ana", "ben"):
        library = sb.user_library(user_key)
        taken.update(library["liked"])
        for playlist in library["playlists"]:
            taken.update(playlist["track_ids"])
        for album_id in library["albums"]:
            taken.update(album_track_ids(sb, album_id))
    free = [t.id for t in editorial_tracks(sb) if t.id not in taken and has_upload(sb, t)]
    assert len(free) >= count, "the tiny world has too few free tracks"
    return free[:count]


def subscribe(
    user: Any,
    source: str,
    target_id: str = "",
    *,
    schedule: str = Subscription.Schedule.MANUAL,
    audio_format: str = AudioFormat.ORIGINAL,
) -> Subscription:
    subscription, _ = services.subscription_create(
        owner=user,
        source=source,
        target_id=target_id,
        audio_format=audio_format,
        schedule=schedule,
        start=False,
    )
    return subscription


@dataclass
class Synced:
    run: SyncRun
    job: Job | None


def sync_and_download(subscription: Subscription, **kwargs: Any) -> Synced:
    """Sync now, then run the job's chunks as a worker would (its .m3u8 is written at the end)."""
    run = services.subscription_sync(subscription=subscription, enqueue_downloads=False, **kwargs)
    run.refresh_from_db()
    job = run.job
    if job is not None:
        for chunk in sorted(set(job.items.values_list("chunk", flat=True))):
            run_task_in_thread(run_chunk, job_id=job.pk, chunk=chunk)
        job.refresh_from_db()
    subscription.refresh_from_db()
    return Synced(run=run, job=job)


def music_root() -> Path:
    return Path(settings.MUSIC_ROOT).resolve()


def m3u8_lines(title: str) -> list[Path]:
    """The files a playlist file lists, in its order, as absolute paths (one person's file)."""
    (playlist,) = (music_root() / "Playlists").glob(f"*/{glob.escape(title)}.m3u8")
    lines = playlist.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    return [(playlist.parent / line).resolve() for line in lines if not line.startswith("#")]


def file_of(spotify_id: str, audio_format: str = AudioFormat.ORIGINAL) -> Path | None:
    """The track's stored file in the format, when the row exists and the file is on disk."""
    stored = StoredFile.objects.filter(
        track__spotify_id=spotify_id, audio_format=audio_format
    ).first()
    if stored is None:
        return None
    path = stored.absolute_path.resolve()
    return path if path.is_file() else None


def files(spotify_ids: list[str]) -> list[Path]:
    found = [file_of(i) for i in spotify_ids]
    assert all(found), "a track has no file on disk"
    return [f for f in found if f is not None]


def audio_on_disk() -> set[Path]:
    root = music_root()
    return {
        p.resolve()
        for p in root.rglob("*")
        if p.is_file() and p.suffix != ".m3u8" and ".incoming" not in p.parts
    }
