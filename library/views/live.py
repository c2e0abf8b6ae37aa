"""Pages read live from Spotify: an artist's albums, and downloading an album seen there."""

from __future__ import annotations

import re
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from library import selectors
from library.live import album_catalog_ensure, artist_albums
from library.models import Artist
from library.spotify import SpotifyError, SpotifyRateLimited, SpotifyReauthRequired
from library.spotify.errors import SpotifyNotFound
from library.views.htmx import HtmxHttpRequest, partial
from spotifydl.auth import signed_in

MORE_ALBUMS_TARGET = "artist-albums-more"
MAX_ARTIST_OFFSET = 1000  # deep enough for any discography, small enough to bound the cache
SPOTIFY_ID = re.compile(r"[A-Za-z0-9]{1,64}")


@login_required
@require_POST
async def album_download(request: HttpRequest, spotify_id: str) -> HttpResponse:
    """Download an album that may not be in the catalog yet (from an artist's page).

    The album's tracks are read into the catalog first; then a 307 hands the very same POST
    (kind, target, format, CSRF token) on to the download form, which creates the job.
    """
    if not SPOTIFY_ID.fullmatch(spotify_id):
        raise Http404("No such album.")
    user = signed_in(await request.auser())
    try:
        await album_catalog_ensure(user=user, album_id=spotify_id)
    except SpotifyNotFound:
        return await _not_on_spotify(request, "Spotify has no album with that id.")
    except SpotifyError as exc:
        return await _spotify_problem(request, exc)
    return HttpResponseRedirect(reverse("downloads:job_new"), preserve_request=True)


def _live_read_message(exc: SpotifyError) -> str:
    # The client's own quota message speaks of a library refresh resuming by itself; a page
    # read live resumes only when the person tries again.
    if isinstance(exc, SpotifyRateLimited):
        return (
            "Spotify's request limit for this app is used up for now. Please try again after "
            f"{exc.retry_at:%H:%M} UTC."
        )
    return exc.message


async def _spotify_problem(request: HttpRequest, exc: SpotifyError) -> HttpResponse:
    """Spotify could not answer: say why, and offer the way back (or to sign in again)."""
    context = {"message": _live_read_message(exc), "reauth": isinstance(exc, SpotifyReauthRequired)}
    return await _problem_page(request, context, status=502)


async def _not_on_spotify(request: HttpRequest, message: str) -> HttpResponse:
    """An id a person typed or followed that Spotify does not know: a 404, said in words."""
    context = {"title": "Not found on Spotify", "message": message}
    return await _problem_page(request, context, status=404)


async def _problem_page(
    request: HttpRequest, context: dict[str, Any], *, status: int
) -> HttpResponse:
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
    context["back"] = referer if safe else ""
    render_async = sync_to_async(render)
    return await render_async(request, "library/spotify_problem.html", context, status=status)


@vary_on_headers("HX-Request", "HX-Target")
@login_required
@require_GET
async def artist_detail(request: HtmxHttpRequest, spotify_id: str) -> HttpResponse:
    """An artist's albums, read live from Spotify a page at a time ("More" appends the next)."""
    user = signed_in(await request.auser())
    try:
        artist = await sync_to_async(selectors.user_artist)(user=user, spotify_id=spotify_id)
    except Artist.DoesNotExist:
        raise Http404("This artist is not in your library.") from None
    offset = _offset(request.GET.get("offset"))
    context: dict[str, Any] = {"artist": artist, "offset": offset}
    try:
        context["albums"] = await artist_albums(user=user, artist_id=spotify_id, offset=offset)
    except SpotifyNotFound:
        return await _not_on_spotify(request, "Spotify has no artist with that id.")
    except SpotifyError as exc:
        context["error"] = _live_read_message(exc)
        context["reauth"] = isinstance(exc, SpotifyReauthRequired)
    more = partial(request, MORE_ALBUMS_TARGET)
    template = "library/_artist_albums.html" if more else "library/artist_detail.html"
    return await sync_to_async(render)(request, template, context)


def _offset(value: str | None) -> int:
    try:
        offset = int(value or 0)
    except ValueError:
        return 0
    return max(0, min(offset, MAX_ARTIST_OFFSET))
