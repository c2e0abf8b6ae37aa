"""Reads the views need. Every per-user query filters by the user: nothing crosses accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Prefetch, QuerySet

from library.models import (
    Album,
    FollowedArtist,
    LibraryRefresh,
    PlaylistEntry,
    RecentPlay,
    SavedAlbum,
    SavedTrack,
    SpotifyAccount,
    TopTrack,
    Track,
    TrackArtist,
    UserPlaylist,
)


def account_for(user: User | AnonymousUser) -> SpotifyAccount | None:
    if not isinstance(user, User):
        return None
    return SpotifyAccount.objects.filter(user_id=user.pk).first()


def latest_refresh(user: User | AnonymousUser) -> LibraryRefresh | None:
    if not isinstance(user, User):
        return None
    return LibraryRefresh.objects.filter(user_id=user.pk).order_by("-created_at", "-pk").first()


def refresh_of(user: User, refresh_id: int) -> LibraryRefresh:
    """One of the user's refreshes; DoesNotExist for anyone else's."""
    return LibraryRefresh.objects.get(user_id=user.pk, pk=refresh_id)


@dataclass(frozen=True, slots=True)
class LibrarySummary:
    playlists: int
    playlists_unreadable: int
    liked: int
    albums: int
    followed_artists: int
    recent_plays: int

    @property
    def is_empty(self) -> bool:
        return not (self.playlists or self.liked or self.albums or self.followed_artists)


def library_summary(user: User) -> LibrarySummary:
    playlists = UserPlaylist.objects.filter(user_id=user.pk)
    return LibrarySummary(
        playlists=playlists.count(),
        playlists_unreadable=playlists.filter(readable=False).count(),
        liked=SavedTrack.objects.filter(user_id=user.pk).count(),
        albums=SavedAlbum.objects.filter(user_id=user.pk).count(),
        followed_artists=FollowedArtist.objects.filter(user_id=user.pk).count(),
        recent_plays=RecentPlay.objects.filter(user_id=user.pk).count(),
    )


def _tracks_with_artists(tracks: QuerySet[Track]) -> QuerySet[Track]:
    links = TrackArtist.objects.select_related("artist").order_by("position")
    return tracks.select_related("album").prefetch_related(
        Prefetch("trackartist_set", queryset=links, to_attr="artist_links")
    )


def user_playlists(user: User) -> QuerySet[UserPlaylist]:
    return (
        UserPlaylist.objects.filter(user_id=user.pk)
        .select_related("playlist")
        .annotate(stored_entries=Count("playlist__entries"))
        .order_by("position")
    )


def user_playlist(user: User, spotify_id: str) -> UserPlaylist:
    """The user's membership of that playlist; DoesNotExist if it is not in their library."""
    return UserPlaylist.objects.select_related("playlist").get(
        user_id=user.pk, playlist__spotify_id=spotify_id
    )


def playlist_entries(membership: UserPlaylist) -> QuerySet[PlaylistEntry]:
    """Entries of a playlist the user may read; none for one Spotify will not share with them."""
    if not membership.readable:
        return PlaylistEntry.objects.none()
    tracks = _tracks_with_artists(Track.objects.all())
    return (
        PlaylistEntry.objects.filter(playlist_id=membership.playlist_id)
        .prefetch_related(Prefetch("track", queryset=tracks))
        .order_by("position")
    )


def saved_tracks(user: User) -> QuerySet[SavedTrack]:
    tracks = _tracks_with_artists(Track.objects.all())
    return (
        SavedTrack.objects.filter(user_id=user.pk)
        .prefetch_related(Prefetch("track", queryset=tracks))
        .order_by("-added_at", "-pk")
    )


def saved_albums(user: User) -> QuerySet[SavedAlbum]:
    return (
        SavedAlbum.objects.filter(user_id=user.pk)
        .select_related("album")
        .prefetch_related("album__artists")
        .order_by("-added_at", "-pk")
    )


def saved_album(user: User, spotify_id: str) -> SavedAlbum:
    """The user's saved album; DoesNotExist if they have not saved it."""
    return SavedAlbum.objects.select_related("album").get(
        user_id=user.pk, album__spotify_id=spotify_id
    )


def album_tracks(album: Album) -> QuerySet[Track]:
    return _tracks_with_artists(album.tracks.all()).order_by("disc_number", "track_number")


def followed_artists(user: User) -> QuerySet[FollowedArtist]:
    return (
        FollowedArtist.objects.filter(user_id=user.pk).select_related("artist").order_by("position")
    )


def top_tracks(user: User, time_range: str) -> QuerySet[TopTrack]:
    tracks = _tracks_with_artists(Track.objects.all())
    return (
        TopTrack.objects.filter(user_id=user.pk, time_range=time_range)
        .prefetch_related(Prefetch("track", queryset=tracks))
        .order_by("rank")
    )


def recent_plays(user: User, limit: int = 50) -> QuerySet[RecentPlay]:
    tracks = _tracks_with_artists(Track.objects.all())
    return (
        RecentPlay.objects.filter(user_id=user.pk)
        .prefetch_related(Prefetch("track", queryset=tracks))
        .order_by("-played_at")[:limit]
    )
