"""A small world for the authorization tests: an owner with one of everything the app shows,
every name carrying MARK (so a leak to anyone else is found by a plain substring search), and
another person with nothing."""

# factory_boy's declarations are unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from downloads.models import (
    DownloadSettings,
    Job,
    JobItem,
    StoredFile,
    Subscription,
    SyncRun,
    TrackPin,
)
from downloads.pipeline.lyrics import lrc_path
from library.models import (
    Album,
    AlbumArtist,
    Artist,
    FollowedArtist,
    LibraryRefresh,
    Playlist,
    PlaylistEntry,
    RecentPlay,
    SavedAlbum,
    SavedTrack,
    TimeRange,
    TopArtist,
    TopTrack,
    Track,
    UserPlaylist,
)
from spotifydl.api.services import token_create
from tests.factories import (
    AlbumFactory,
    ArtistFactory,
    JobFactory,
    JobItemFactory,
    PlaylistFactory,
    StoredFileFactory,
    TrackFactory,
    UserFactory,
)

MARK = "OWNERSECRET"


@dataclass
class World:
    owner: Any
    other: Any
    artist: Artist
    album: Album
    tracks: list[Track]
    playlist: Playlist
    files: list[StoredFile]
    job: Job
    items: list[JobItem]
    subscription: Subscription

    @property
    def track(self) -> Track:
        return self.tracks[0]

    @property
    def item(self) -> JobItem:
        return self.items[0]


def build_world() -> World:
    owner = UserFactory.create(username="owner-ana", first_name=f"{MARK} Person")
    other = UserFactory.create(username="other-bo", first_name="Bo")
    DownloadSettings.load()  # the installation's row exists before any request
    artist = ArtistFactory.create(name=f"{MARK} Artist")
    album = AlbumFactory.create(name=f"{MARK} Album", total_tracks=2)
    AlbumArtist.objects.create(album=album, artist=artist, position=0)
    tracks = [
        TrackFactory.create(name=f"{MARK} Song {n}", album=album, track_number=n, artists=[artist])
        for n in (1, 2)
    ]
    playlist = PlaylistFactory.create(name=f"{MARK} Playlist")
    for position, track in enumerate(tracks):
        PlaylistEntry.objects.create(playlist=playlist, position=position, track=track)
    UserPlaylist.objects.create(user=owner, playlist=playlist, is_owner=True)
    now = datetime.now(UTC)
    SavedTrack.objects.create(user=owner, track=tracks[0], added_at=now)
    SavedAlbum.objects.create(user=owner, album=album, added_at=now)
    FollowedArtist.objects.create(user=owner, artist=artist)
    TopTrack.objects.create(user=owner, track=tracks[0], time_range=TimeRange.SHORT, rank=1)
    TopArtist.objects.create(user=owner, artist=artist, time_range=TimeRange.SHORT, rank=1)
    RecentPlay.objects.create(user=owner, track=tracks[1], played_at=now)
    files = [_file_on_disk(track) for track in tracks]
    job = JobFactory.create(
        owner=owner,
        kind=Job.Kind.PLAYLIST,
        target_id=playlist.spotify_id,
        title=f"{MARK} Job",
        status=Job.Status.PARTIAL,
        total=2,
        done=1,
        failed=1,
        finished_at=timezone.now(),
    )
    items = [
        JobItemFactory.create(
            job=job, track=tracks[0], position=0, status="done", stored_file=files[0]
        ),
        JobItemFactory.create(
            job=job, track=tracks[1], position=1, status="failed", error=f"{MARK} reason"
        ),
    ]
    token_create(owner=owner, name=f"{MARK} token")
    subscription = Subscription.objects.create(
        owner=owner,
        source=Subscription.Source.PLAYLIST,
        target_id=playlist.spotify_id,
        title=playlist.name,
    )
    return World(owner, other, artist, album, tracks, playlist, files, job, items, subscription)


def _file_on_disk(track: Track) -> StoredFile:
    relative = f"{MARK} Artist/{MARK} Album/{track.track_number:02d} {track.name}.opus"
    path = Path(settings.MUSIC_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"OggS not really audio")
    # Synced lyrics beside it, as the lyrics step writes them ({MARK} names the owner's data).
    lrc_path(path).write_text(f"[00:01.00] {MARK} la la la\n", encoding="utf-8")
    return StoredFileFactory.create(track=track, path=relative, size=path.stat().st_size)


def owner_state(world: World) -> list[Any]:
    """Everything a request by someone else must never change (the installation's shared
    settings aside)."""
    owner = world.owner
    return [
        list(
            Job.objects.order_by("pk").values_list("pk", "owner_id", "status", "cancel_requested")
        ),
        list(JobItem.objects.order_by("pk").values_list("pk", "status", "stored_file_id", "error")),
        list(StoredFile.objects.order_by("pk").values_list("pk", "path", "source_id")),
        list(Subscription.objects.order_by("pk").values()),
        list(UserPlaylist.objects.filter(user=owner).values_list("playlist_id", "readable")),
        list(SavedTrack.objects.filter(user=owner).values_list("track_id", flat=True)),
        list(SavedAlbum.objects.filter(user=owner).values_list("album_id", flat=True)),
        _rows(TrackPin),
        _rows(SyncRun),
        _rows(LibraryRefresh),
        _rows(DBTaskResult),
        sorted(p.name for p in Path(settings.MUSIC_ROOT).rglob("*")),
    ]


def _rows(model: type[models.Model]) -> list[Any]:
    return list(model._default_manager.order_by("pk").values())
