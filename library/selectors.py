"""Reads the views need. Every per-user query filters by the user: nothing crosses accounts.

Track tables carry a state per track that this module does not know: the browsing views pass
`states`, which reads the states of a page's tracks at once (downloads' selector: one query a
page), so the Spotify side never imports the disk side here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from library.models import (
    Album,
    AlbumArtist,
    Artist,
    FollowedArtist,
    LibraryRefresh,
    PlaylistEntry,
    RecentPlay,
    SavedAlbum,
    SavedTrack,
    SpotifyAccount,
    TopArtist,
    TopTrack,
    Track,
    TrackArtist,
    UserPlaylist,
    album_credits_prefetch,
    artist_links_prefetch,
    in_library_of,
)
from library.tracklists import album_tracks, liked_saves, playlist_entries
from spotifydl.paging import TRACKS_PER_PAGE

# Each given track's state, by track id, read for a whole page at once.
type States[S] = Callable[[Sequence[int]], Mapping[int, S]]


def account_for(*, user: User | AnonymousUser) -> SpotifyAccount | None:
    if not isinstance(user, User):
        return None
    return SpotifyAccount.objects.filter(user_id=user.pk).first()


def latest_refresh(*, user: User | AnonymousUser) -> LibraryRefresh | None:
    if not isinstance(user, User):
        return None
    return LibraryRefresh.objects.filter(user_id=user.pk).order_by("-created_at", "-pk").first()


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


def library_summary(*, user: User) -> LibrarySummary:
    """Every count in one query (the home and library pages show them on every visit)."""
    mine = {
        "playlists": UserPlaylist.objects.all(),
        "playlists_unreadable": UserPlaylist.objects.filter(readable=False),
        "liked": SavedTrack.objects.all(),
        "albums": SavedAlbum.objects.all(),
        "followed_artists": FollowedArtist.objects.all(),
        "recent_plays": RecentPlay.objects.all(),
    }
    # Prefixed: some names are also the user's relations.
    counted = User.objects.filter(pk=user.pk).annotate(
        **{f"n_{name}": _count_of(rows) for name, rows in mine.items()}
    )
    row = counted.values(*(f"n_{name}" for name in mine)).first() or {}
    return LibrarySummary(**{name: row.get(f"n_{name}", 0) for name in mine})


def _count_of(rows: QuerySet[Any]) -> Coalesce:
    """How many of `rows` belong to the outer query's user."""
    counted = rows.filter(user_id=OuterRef("pk")).order_by().values("user_id")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")[:1]), 0)


# --- track tables ---------------------------------------------------------------------------------

GRID_PAGE_SIZE = 60  # covers per page of a grid
SEARCH_LIMIT = 50  # results per kind on the search page
MAX_QUERY_WORDS = 6  # a filter is a few words; more only makes the query slower


@dataclass(frozen=True, slots=True)
class TrackRow[S]:
    """One line of a track table: the track, its number, a date (added or played), its state."""

    track: Track
    number: int
    when: datetime | None
    state: S


@dataclass(frozen=True, slots=True)
class TrackPage[S]:
    """One page of a (possibly filtered) track list, ready to render."""

    rows: list[TrackRow[S]]
    page: Page[Any]
    query: str
    total: int  # the whole list, whatever the filter

    @property
    def matches(self) -> int:
        return self.page.paginator.count


def _tracks_with_artists(tracks: QuerySet[Track]) -> QuerySet[Track]:
    return tracks.select_related("album").prefetch_related(artist_links_prefetch())


def _matching(query: str, prefix: str = "") -> Q:
    """Rows whose track title, album or one of its artists contains every word of `query`."""
    condition = Q()
    for word in query.split()[:MAX_QUERY_WORDS]:
        credited = TrackArtist.objects.filter(artist__name__icontains=word).values("track_id")
        condition &= (
            Q(**{f"{prefix}name__icontains": word})
            | Q(**{f"{prefix}album__name__icontains": word})
            | Q(**{f"{prefix}pk__in": credited})
        )
    return condition


def _rows[S](
    lines: Sequence[tuple[Track, datetime | None]], first: int, states: States[S]
) -> list[TrackRow[S]]:
    """Rows numbered from `first`, with every track's state read at once."""
    found = states([track.pk for track, _ in lines])
    return [
        TrackRow(track=track, number=first + i, when=when, state=found[track.pk])
        for i, (track, when) in enumerate(lines)
    ]


def _track_page[M: models.Model, S](
    rows: QuerySet[M],
    *,
    query: str,
    page: str | None,
    states: States[S],
    line: Callable[[M], tuple[Track, datetime | None]],
) -> TrackPage[S]:
    """A page of `rows` (saved tracks, playlist entries...) filtered by `query`."""
    matching = rows.filter(_matching(query, "track__")) if query else rows
    found = Paginator(matching, TRACKS_PER_PAGE).get_page(page)
    # Unfiltered, the paginator has counted the whole list already.
    total = rows.count() if query else found.paginator.count
    lines = [line(row) for row in found.object_list]
    return TrackPage(
        rows=_rows(lines, found.start_index(), states), page=found, query=query, total=total
    )


def liked_page[S](
    *, user: User, states: States[S], query: str = "", page: str | None = None
) -> TrackPage[S]:
    """Liked Songs, newest first: a constant number of queries whatever the library's size."""
    saved = (
        liked_saves(user_id=user.pk)
        .select_related("track__album")
        .prefetch_related(artist_links_prefetch("track__"))
    )
    return _track_page(
        saved, query=query, page=page, states=states, line=lambda s: (s.track, s.added_at)
    )


def playlist_page[S](
    *, membership: UserPlaylist, states: States[S], query: str = "", page: str | None = None
) -> TrackPage[S]:
    """A playlist's tracks in Spotify's order; none for one Spotify will not share with them."""
    entries = (
        playlist_entries(playlist_id=membership.playlist_id)
        .select_related("track__album")
        .prefetch_related(artist_links_prefetch("track__"))
    )
    if not membership.readable:
        entries = entries.none()
    return _track_page(
        entries, query=query, page=page, states=states, line=lambda e: (e.track, e.added_at)
    )


def recent_page[S](*, user: User, states: States[S], page: str | None = None) -> TrackPage[S]:
    plays = (
        RecentPlay.objects.filter(user_id=user.pk)
        .select_related("track__album")
        .prefetch_related(artist_links_prefetch("track__"))
        .order_by("-played_at")
    )
    return _track_page(
        plays, query="", page=page, states=states, line=lambda p: (p.track, p.played_at)
    )


def album_rows[S](*, album: Album, states: States[S]) -> list[TrackRow[S]]:
    tracks = _tracks_with_artists(album_tracks(album_id=album.pk))
    rows = _rows([(track, None) for track in tracks], 1, states)
    # An album's own numbering, not the row's place on the page.
    return [replace(row, number=row.track.track_number) for row in rows]


def top_track_rows[S](*, user: User, time_range: str, states: States[S]) -> list[TrackRow[S]]:
    top = (
        TopTrack.objects.filter(user_id=user.pk, time_range=time_range)
        .select_related("track__album")
        .prefetch_related(artist_links_prefetch("track__"))
        .order_by("rank")
    )
    return _rows([(entry.track, None) for entry in top], 1, states)


# --- collections ---------------------------------------------------------------------------------


def _stored_entries() -> Coalesce:
    """How many of a membership's playlist entries are stored: a count per playlist shown
    (its index), not a join of every entry of every playlist grouped by all the columns (11-25
    ms for a 31,000-entry library on each page of playlists, bench P6)."""
    entries = (
        PlaylistEntry.objects.filter(playlist_id=OuterRef("playlist_id"))
        .order_by()
        .values("playlist_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(entries[:1]), 0)


def user_playlists(*, user: User) -> QuerySet[UserPlaylist]:
    return (
        UserPlaylist.objects.filter(user_id=user.pk)
        .select_related("playlist")
        .annotate(stored_entries=_stored_entries())
        .order_by("position")
    )


def playlists_page(*, user: User, page: str | None = None) -> Page[UserPlaylist]:
    return Paginator(user_playlists(user=user), GRID_PAGE_SIZE).get_page(page)


def user_playlist(*, user: User, spotify_id: str) -> UserPlaylist:
    """The user's membership of that playlist; DoesNotExist if it is not in their library."""
    return (
        UserPlaylist.objects.select_related("playlist")
        .annotate(stored_entries=_stored_entries())
        .get(user_id=user.pk, playlist__spotify_id=spotify_id)
    )


def saved_albums(*, user: User) -> QuerySet[SavedAlbum]:
    return (
        SavedAlbum.objects.filter(user_id=user.pk)
        .select_related("album")
        .prefetch_related(album_credits_prefetch("album__"))
        .order_by("-added_at", "-pk")
    )


def albums_page(*, user: User, page: str | None = None) -> Page[SavedAlbum]:
    return Paginator(saved_albums(user=user), GRID_PAGE_SIZE).get_page(page)


def saved_album(*, user: User, spotify_id: str) -> SavedAlbum:
    """The user's saved album; DoesNotExist if they have not saved it."""
    return (
        SavedAlbum.objects.select_related("album")
        .prefetch_related(album_credits_prefetch("album__"))
        .get(user_id=user.pk, album__spotify_id=spotify_id)
    )


def followed_artists(*, user: User) -> QuerySet[FollowedArtist]:
    return (
        FollowedArtist.objects.filter(user_id=user.pk).select_related("artist").order_by("position")
    )


def artists_page(*, user: User, page: str | None = None) -> Page[FollowedArtist]:
    return Paginator(followed_artists(user=user), GRID_PAGE_SIZE).get_page(page)


def top_artists(*, user: User, time_range: str) -> QuerySet[TopArtist]:
    return (
        TopArtist.objects.filter(user_id=user.pk, time_range=time_range)
        .select_related("artist")
        .order_by("rank")
    )


def user_artist(*, user: User, spotify_id: str) -> Artist:
    """An artist the user follows, ranks, or has music by; DoesNotExist for any other."""
    return _user_artists(user).get(spotify_id=spotify_id)


def saved_album_ids(*, user: User, spotify_ids: Sequence[str]) -> set[str]:
    """Which of these albums the user has saved (their album pages exist only for those)."""
    saved = SavedAlbum.objects.filter(user_id=user.pk, album__spotify_id__in=list(spotify_ids))
    return set(saved.values_list("album__spotify_id", flat=True))


# --- search --------------------------------------------------------------------------------------


def _user_tracks(user: User) -> QuerySet[Track]:
    """Every track in the user's library, each once (EXISTS, so no join multiplies rows)."""
    return Track.objects.filter(in_library_of(user_id=user.pk))


def _user_artists(user: User) -> QuerySet[Artist]:
    """Artists the user follows or ranks, and every artist credited on their music."""
    uid = user.pk
    credited = TrackArtist.objects.filter(
        artist=OuterRef("pk"), track__in=_user_tracks(user).values("pk")
    )
    return Artist.objects.filter(
        Exists(FollowedArtist.objects.filter(artist=OuterRef("pk"), user_id=uid))
        | Exists(TopArtist.objects.filter(artist=OuterRef("pk"), user_id=uid))
        | Exists(AlbumArtist.objects.filter(artist=OuterRef("pk"), album__saves__user_id=uid))
        | Exists(credited)
    )


@dataclass(frozen=True, slots=True)
class SearchResults[S]:
    query: str
    playlists: list[UserPlaylist]
    albums: list[SavedAlbum]
    artists: list[Artist]
    rows: list[TrackRow[S]]

    @property
    def found_nothing(self) -> bool:
        return not (self.playlists or self.albums or self.artists or self.rows)

    @property
    def more_tracks(self) -> bool:
        return len(self.rows) >= SEARCH_LIMIT


def search[S](*, user: User, query: str, states: States[S]) -> SearchResults[S]:
    """The user's playlists, saved albums, artists and tracks matching every word."""
    words = query.split()[:MAX_QUERY_WORDS]
    if not words:
        return SearchResults(query="", playlists=[], albums=[], artists=[], rows=[])
    playlists, albums = user_playlists(user=user), saved_albums(user=user)
    artists = _user_artists(user)
    for word in words:
        playlists = playlists.filter(playlist__name__icontains=word)
        albums = albums.filter(album__name__icontains=word)
        artists = artists.filter(name__icontains=word)
    tracks = _tracks_with_artists(_user_tracks(user).filter(_matching(query))).order_by("name")
    return SearchResults(
        query=" ".join(words),
        playlists=list(playlists[:SEARCH_LIMIT]),
        albums=list(albums[:SEARCH_LIMIT]),
        artists=list(artists.order_by("name")[:SEARCH_LIMIT]),
        rows=_rows([(track, None) for track in tracks[:SEARCH_LIMIT]], 1, states),
    )


def album_in_library(*, album_id: str, user_id: int) -> bool:
    """A saved album of the person's, or the album of a track in their library."""
    saved = SavedAlbum.objects.filter(album__spotify_id=album_id, user_id=user_id)
    tracks = Track.objects.filter(in_library_of(user_id=user_id), album__spotify_id=album_id)
    return saved.exists() or tracks.exists()
