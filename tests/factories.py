"""factory_boy factories for every row the tests build: catalog, accounts, jobs, files, sync."""

# factory_boy's declarations (Sequence, SubFactory, Trait) are unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import User
from factory.declarations import LazyAttribute, LazyFunction, Sequence, SubFactory, Trait
from factory.django import DjangoModelFactory
from factory.helpers import post_generation

from downloads.models import (
    AudioFormat,
    Job,
    JobItem,
    StoredFile,
    Subscription,
    SyncRun,
    TrackPin,
)
from library.models import (
    Album,
    AlbumArtist,
    Artist,
    LibraryRefresh,
    Playlist,
    PlaylistEntry,
    SavedAlbum,
    SavedTrack,
    SpotifyAccount,
    Track,
    TrackArtist,
    UserPlaylist,
)
from library.tokens import TokenSet


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = Sequence(lambda n: f"listener{n}")
    first_name = Sequence(lambda n: f"Listener {n}")


class SpotifyAccountFactory(DjangoModelFactory[SpotifyAccount]):
    class Meta:
        model = SpotifyAccount
        skip_postgeneration_save = True

    user = SubFactory(UserFactory)
    spotify_id = Sequence(lambda n: f"31user{n:020d}")
    account_id = Sequence(lambda n: f"acct{n:06d}")
    account_key = LazyAttribute(lambda o: o.account_id)
    display_name = LazyAttribute(lambda o: o.user.first_name)

    @post_generation
    def tokens(
        obj: SpotifyAccount, create: bool, extracted: TokenSet | None, **kwargs: Any
    ) -> None:
        tokens = extracted or TokenSet(
            access_token="access-token-value",
            refresh_token="refresh-token-value",
            expires_at=int(datetime.now(UTC).timestamp()) + 3600,
            scope="user-library-read",
        )
        obj.set_tokens(tokens)
        if create:
            obj.save()


class ArtistFactory(DjangoModelFactory[Artist]):
    class Meta:
        model = Artist

    spotify_id = Sequence(lambda n: f"artist{n:016d}")
    name = Sequence(lambda n: f"Artist {n}")


class AlbumFactory(DjangoModelFactory[Album]):
    class Meta:
        model = Album
        skip_postgeneration_save = True

    spotify_id = Sequence(lambda n: f"album{n:017d}")
    name = Sequence(lambda n: f"Album {n}")
    album_type = "album"
    release_date = "2024-05-17"
    release_date_precision = "day"
    total_tracks = 10

    @post_generation
    def artists(album: Album, create: bool, extracted: list[Artist] | None, **kwargs: Any) -> None:
        if create:
            for position, artist in enumerate(extracted or []):
                AlbumArtist.objects.create(album=album, artist=artist, position=position)


class TrackFactory(DjangoModelFactory[Track]):
    class Meta:
        model = Track
        skip_postgeneration_save = True

    spotify_id = Sequence(lambda n: f"track{n:017d}")
    name = Sequence(lambda n: f"Song {n}")
    album = SubFactory(AlbumFactory)
    isrc = Sequence(lambda n: f"QZ{n:010d}")
    duration_ms = 200_000
    track_number = Sequence(lambda n: n % 20 + 1)

    @post_generation
    def artists(track: Track, create: bool, extracted: list[Artist] | None, **kwargs: Any) -> None:
        if create:
            for position, artist in enumerate(extracted or [ArtistFactory.create()]):
                TrackArtist.objects.create(track=track, artist=artist, position=position)


class PlaylistFactory(DjangoModelFactory[Playlist]):
    class Meta:
        model = Playlist

    spotify_id = Sequence(lambda n: f"playlist{n:014d}")
    name = Sequence(lambda n: f"Playlist {n}")
    owner_spotify_id = "owner"
    snapshot_id = "snapshot-1"
    items_snapshot_id = "snapshot-1"


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
    position = Sequence(lambda n: n)
    is_owner = True
    readable = True


class SavedTrackFactory(DjangoModelFactory[SavedTrack]):
    class Meta:
        model = SavedTrack

    user = SubFactory(UserFactory)
    track = SubFactory(TrackFactory)
    added_at = LazyFunction(lambda: datetime.now(UTC))


class SavedAlbumFactory(DjangoModelFactory[SavedAlbum]):
    class Meta:
        model = SavedAlbum

    user = SubFactory(UserFactory)
    album = SubFactory(AlbumFactory)
    added_at = LazyFunction(lambda: datetime.now(UTC))


class LibraryRefreshFactory(DjangoModelFactory[LibraryRefresh]):
    class Meta:
        model = LibraryRefresh

    user = SubFactory(UserFactory)


class JobFactory(DjangoModelFactory[Job]):
    """A queued job; `finished=True` for one that has completed."""

    class Meta:
        model = Job

    class Params:
        finished = Trait(status=Job.Status.COMPLETED)

    owner = SubFactory(UserFactory)
    kind = Job.Kind.SELECTION
    title = Sequence(lambda n: f"Job {n}")
    audio_format = AudioFormat.ORIGINAL


class JobItemFactory(DjangoModelFactory[JobItem]):
    """A queued item; `done=True` for one whose file is stored."""

    class Meta:
        model = JobItem

    class Params:
        done = Trait(status=JobItem.Status.DONE)

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


class SubscriptionFactory(DjangoModelFactory[Subscription]):
    class Meta:
        model = Subscription

    owner = SubFactory(UserFactory)
    source = Subscription.Source.PLAYLIST
    target_id = Sequence(lambda n: f"syncplaylist{n:010d}")
    title = Sequence(lambda n: f"Synced {n}")
    audio_format = AudioFormat.ORIGINAL
    schedule = Subscription.Schedule.HOURLY


class SyncRunFactory(DjangoModelFactory[SyncRun]):
    class Meta:
        model = SyncRun

    subscription = SubFactory(SubscriptionFactory)
    trigger = SyncRun.Trigger.SCHEDULE
    status = SyncRun.Status.SUCCEEDED
