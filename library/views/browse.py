"""Browsing the library: its overview, playlists, liked songs, albums, artists, top lists,
recent plays and search.

Track lists answer htmx requests aimed at their results with the results alone (the filter box
and the pager swap them in place); everything else gets the whole page, which is also what works
without JavaScript. Each track line shows its download state, read from downloads' selector.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from downloads.selectors import TrackState, track_states
from downloads.sync.selectors import subscription_for_source
from library import selectors
from library.models import SavedAlbum, TimeRange, UserPlaylist
from library.selectors import States
from library.views.htmx import HtmxHttpRequest, partial
from spotifydl.auth import request_user

RESULTS_TARGET = "track-results"
MAX_QUERY_LENGTH = 200


def _states(user: User) -> States[TrackState]:
    """The download state of each of a page's tracks, for this person (one query a page)."""

    def read(track_ids: Sequence[int]) -> dict[int, TrackState]:
        return track_states(user=user, track_ids=track_ids)

    return read


def _query(request: HttpRequest) -> str:
    return " ".join(request.GET.get("q", "")[:MAX_QUERY_LENGTH].split())


def _time_range(request: HttpRequest) -> TimeRange:
    value = request.GET.get("range", "")
    return TimeRange(value) if value in TimeRange.values else TimeRange.SHORT


def _track_list(request: HtmxHttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    if partial(request, RESULTS_TARGET):
        return render(request, "library/_track_results.html", context)
    return render(request, template, context)


@login_required
@require_GET
def library_index(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    context = {
        "summary": selectors.library_summary(user=user),
        "playlists": selectors.user_playlists(user=user)[:12],
        "albums": selectors.saved_albums(user=user)[:12],
        "artists": selectors.followed_artists(user=user)[:12],
        "refresh": selectors.latest_refresh(user=user),
        "account": selectors.account_for(user=user),
    }
    return render(request, "library/index.html", context)


@login_required
@require_GET
def playlist_list(request: HttpRequest) -> HttpResponse:
    page = selectors.playlists_page(user=request_user(request), page=request.GET.get("page"))
    return render(request, "library/playlists.html", {"page": page})


@vary_on_headers("HX-Request", "HX-Target")
@login_required
@require_GET
def playlist_detail(request: HtmxHttpRequest, spotify_id: str) -> HttpResponse:
    user = request_user(request)
    try:
        membership = selectors.user_playlist(user=user, spotify_id=spotify_id)
    except UserPlaylist.DoesNotExist:
        raise Http404("This playlist is not in your library.") from None
    tracks = selectors.playlist_page(
        membership=membership,
        states=_states(user),
        query=_query(request),
        page=request.GET.get("page"),
    )
    context = {
        "membership": membership,
        "playlist": membership.playlist,
        "tracks": tracks,
        "date_label": "Added",
        "subscription": subscription_for_source(user=user, source="playlist", target_id=spotify_id),
    }
    return _track_list(request, "library/playlist_detail.html", context)


@vary_on_headers("HX-Request", "HX-Target")
@login_required
@require_GET
def liked_tracks(request: HtmxHttpRequest) -> HttpResponse:
    user = request_user(request)
    tracks = selectors.liked_page(
        user=user, states=_states(user), query=_query(request), page=request.GET.get("page")
    )
    context = {
        "tracks": tracks,
        "date_label": "Added",
        "subscription": subscription_for_source(user=user, source="liked"),
    }
    return _track_list(request, "library/liked.html", context)


@login_required
@require_GET
def album_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = selectors.albums_page(user=user, page=request.GET.get("page"))
    context = {"page": page, "subscription": subscription_for_source(user=user, source="albums")}
    return render(request, "library/albums.html", context)


@login_required
@require_GET
def album_detail(request: HttpRequest, spotify_id: str) -> HttpResponse:
    user = request_user(request)
    try:
        saved = selectors.saved_album(user=user, spotify_id=spotify_id)
    except SavedAlbum.DoesNotExist:
        raise Http404("This album is not in your library.") from None
    rows = selectors.album_rows(album=saved.album, states=_states(user))
    return render(request, "library/album_detail.html", {"album": saved.album, "rows": rows})


@login_required
@require_GET
def artist_list(request: HttpRequest) -> HttpResponse:
    page = selectors.artists_page(user=request_user(request), page=request.GET.get("page"))
    return render(request, "library/artists.html", {"page": page})


@login_required
@require_GET
def top_tracks(request: HttpRequest) -> HttpResponse:
    user, time_range = request_user(request), _time_range(request)
    context = {
        "time_range": time_range,
        "ranges": TimeRange.choices,
        "rows": selectors.top_track_rows(user=user, time_range=time_range, states=_states(user)),
    }
    return render(request, "library/top_tracks.html", context)


@login_required
@require_GET
def top_artists(request: HttpRequest) -> HttpResponse:
    time_range = _time_range(request)
    context = {
        "time_range": time_range,
        "ranges": TimeRange.choices,
        "artists": selectors.top_artists(user=request_user(request), time_range=time_range),
    }
    return render(request, "library/top_artists.html", context)


@vary_on_headers("HX-Request", "HX-Target")
@login_required
@require_GET
def recent_tracks(request: HtmxHttpRequest) -> HttpResponse:
    user = request_user(request)
    tracks = selectors.recent_page(user=user, states=_states(user), page=request.GET.get("page"))
    context = {"tracks": tracks, "date_label": "Played"}
    return _track_list(request, "library/recent.html", context)


@vary_on_headers("HX-Request", "HX-Target")
@login_required
@require_GET
def search(request: HtmxHttpRequest) -> HttpResponse:
    user = request_user(request)
    results = selectors.search(user=user, query=_query(request), states=_states(user))
    if partial(request, RESULTS_TARGET):
        return render(request, "library/_search_results.html", {"results": results})
    return render(request, "library/search.html", {"results": results})
