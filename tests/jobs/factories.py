"""factory_boy factories for the catalog rows and the download side's rows."""

# factory_boy's declarations (Sequence, SubFactory) are unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from factory.declarations import Sequence, SubFactory
from factory.django import DjangoModelFactory
from factory.helpers import post_generation

from downloads.models import AudioFormat, Job, JobItem, StoredFile, TrackPin
from library.models import (
    Album,
    Artist,
    Playlist,
    PlaylistEntry,
    SavedTrack,
    Track,
    TrackArtist,
    UserPlaylist,
)


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = Sequence(lambda n: f"listener{n}")


class ArtistFactory(DjangoModelFactory[Artist]):
    class Meta:
        model = Artist

    spotify_id = Sequence(lambda n: f"artist{n:018d}")
    name = Sequence(lambda n: f"Artist {n}")


class AlbumFactory(DjangoModelFactory[Album]):
    class Meta:
        model = Album

    spotify_id = Sequence(lambda n: f"album{n:019d}")
    name = Sequence(lambda n: f"Album {n}")
    release_date = "2024-05-17"
    release_date_precision = "day"
    total_tracks = 10


class TrackFactory(DjangoModelFactory[Track]):
    class Meta:
        model = Track
        skip_postgeneration_save = True

    spotify_id = Sequence(lambda n: f"track{n:019d}")
    name = Sequence(lambda n: f"Song {n}")
    album = SubFactory(AlbumFactory)
    duration_ms = 200_000
    track_number = Sequence(lambda n: n % 20 + 1)

    @post_generation
    def artists(track: Track, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        for position, artist in enumerate(extracted or [ArtistFactory.create()]):
            TrackArtist.objects.create(track=track, artist=artist, position=position)


class PlaylistFactory(DjangoModelFactory[Playlist]):
    class Meta:
        model = Playlist

    spotify_id = Sequence(lambda n: f"playlist{n:016d}")
    name = Sequence(lambda n: f"Playlist {n}")
    owner_spotify_id = "owner"


class PlaylistEntryFactory(DjangoModelFactory[PlaylistEntry]):
    class Meta:
        model = PlaylistEntry

    playlist = SubFactory(PlaylistFactory)
    position = Sequence(lambda n: n)
    track = SubFactory(TrackFactory)


class UserPlaylistFactory(DjangoModelFactory[UserPlaylist]):
    class Meta:
        model = UserPlaylist

    user = SubFactory(UserFactory)
    playlist = SubFactory(PlaylistFactory)
    is_owner = True


class SavedTrackFactory(DjangoModelFactory[SavedTrack]):
    class Meta:
        model = SavedTrack

    user = SubFactory(UserFactory)
    track = SubFactory(TrackFactory)


class JobFactory(DjangoModelFactory[Job]):
    class Meta:
        model = Job

    owner = SubFactory(UserFactory)
    kind = Job.Kind.SELECTION
    title = Sequence(lambda n: f"Job {n}")
    audio_format = AudioFormat.ORIGINAL


class JobItemFactory(DjangoModelFactory[JobItem]):
    class Meta:
        model = JobItem

    job = SubFactory(JobFactory)
    track = SubFactory(TrackFactory)
    position = Sequence(lambda n: n)


class StoredFileFactory(DjangoModelFactory[StoredFile]):
    class Meta:
        model = StoredFile

    track = SubFactory(TrackFactory)
    audio_format = AudioFormat.ORIGINAL
    path = Sequence(lambda n: f"Artist/Album/{n:02d} Song.opus")
    size = 1000
    codec = "opus"
    container = "ogg"


class TrackPinFactory(DjangoModelFactory[TrackPin]):
    class Meta:
        model = TrackPin

    track = SubFactory(TrackFactory)
    video_id = Sequence(lambda n: f"video{n:06d}")
