"""factory_boy factories for the rows the delivery tests need (ids prefixed "dlv")."""

# factory_boy's declarations (Sequence, SubFactory) are unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from factory.declarations import Sequence, SubFactory
from factory.django import DjangoModelFactory
from factory.helpers import post_generation

from downloads.models import AudioFormat, Job, JobItem, StoredFile
from library.models import (
    Album,
    AlbumArtist,
    Artist,
    Playlist,
    PlaylistEntry,
    SavedAlbum,
    SavedTrack,
    Track,
    TrackArtist,
    UserPlaylist,
)


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = Sequence(lambda n: f"dlv-listener{n}")


class ArtistFactory(DjangoModelFactory[Artist]):
    class Meta:
        model = Artist

    spotify_id = Sequence(lambda n: f"dlvartist{n:013d}")
    name = Sequence(lambda n: f"Artist {n}")


class AlbumFactory(DjangoModelFactory[Album]):
    class Meta:
        model = Album
        skip_postgeneration_save = True

    spotify_id = Sequence(lambda n: f"dlvalbum{n:014d}")
    name = Sequence(lambda n: f"Album {n}")
    release_date = "2024-05-17"
    release_date_precision = "day"

    @post_generation
    def artists(album: Album, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            for position, artist in enumerate(extracted or []):
                AlbumArtist.objects.create(album=album, artist=artist, position=position)


class TrackFactory(DjangoModelFactory[Track]):
    class Meta:
        model = Track
        skip_postgeneration_save = True

    spotify_id = Sequence(lambda n: f"dlvtrack{n:014d}")
    name = Sequence(lambda n: f"Song {n}")
    album = SubFactory(AlbumFactory)
    duration_ms = 3000
    track_number = Sequence(lambda n: n % 20 + 1)

    @post_generation
    def artists(track: Track, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            for position, artist in enumerate(extracted or [ArtistFactory.create()]):
                TrackArtist.objects.create(track=track, artist=artist, position=position)


class PlaylistFactory(DjangoModelFactory[Playlist]):
    class Meta:
        model = Playlist

    spotify_id = Sequence(lambda n: f"dlvplaylist{n:011d}")
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


class SavedAlbumFactory(DjangoModelFactory[SavedAlbum]):
    class Meta:
        model = SavedAlbum

    user = SubFactory(UserFactory)
    album = SubFactory(AlbumFactory)


class JobFactory(DjangoModelFactory[Job]):
    class Meta:
        model = Job

    owner = SubFactory(UserFactory)
    kind = Job.Kind.SELECTION
    title = Sequence(lambda n: f"Job {n}")
    audio_format = AudioFormat.ORIGINAL
    status = Job.Status.COMPLETED


class JobItemFactory(DjangoModelFactory[JobItem]):
    class Meta:
        model = JobItem

    job = SubFactory(JobFactory)
    track = SubFactory(TrackFactory)
    position = Sequence(lambda n: n)
    status = JobItem.Status.DONE


class StoredFileFactory(DjangoModelFactory[StoredFile]):
    class Meta:
        model = StoredFile

    track = SubFactory(TrackFactory)
    audio_format = AudioFormat.ORIGINAL
    path = Sequence(lambda n: f"Artist/Album/{n:02d} Song.opus")
    codec = "opus"
    container = "ogg"
