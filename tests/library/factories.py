"""factory_boy factories for the library's rows."""

# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import User
from factory.declarations import LazyAttribute, LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory
from factory.helpers import post_generation

from library.models import (
    Album,
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

    spotify_id = Sequence(lambda n: f"album{n:017d}")
    name = Sequence(lambda n: f"Album {n}")
    album_type = "album"
    release_date = "2024-05-17"
    release_date_precision = "day"
    total_tracks = 10


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
    def artists(obj: Track, create: bool, extracted: list[Artist] | None, **kwargs: Any) -> None:
        if create:
            for position, artist in enumerate(extracted or [ArtistFactory.create()]):
                TrackArtist.objects.create(track=obj, artist=artist, position=position)


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
