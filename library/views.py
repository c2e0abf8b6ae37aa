"""Sign-in, sign-out, refresh and browsing views. They validate, check ownership, call one
service or selector, and render."""

from __future__ import annotations

import re
import time
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import alogin, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from downloads.sync.selectors import subscription_for_source
from library import selectors
from library.models import Artist, SavedAlbum, TimeRange, UserPlaylist
from library.oauth import SignInError, authorization_start
from library.services import (
    account_sign_in_with_code,
    album_catalog_ensure,
    artist_albums,
    library_refresh_enqueue,
)
from library.spotify import SpotifyError, SpotifyRateLimited, SpotifyReauthRequired
from spotifydl.auth import request_user, signed_in

# Pending sign-ins in this browser session: state -> {"verifier", "at"}. A few at once, so
# sign-ins started in two tabs both work; each state is usable once.
PENDING_KEY = "library.oauth.pending"
MAX_PENDING = 5
PENDING_TTL_SECONDS = 15 * 60


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# --- sign-in ------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """GET: the sign-in page. POST: remember a fresh state and verifier, go to Spotify."""
    if request.method == "GET":
        if request.user.is_authenticated:
            return redirect("home")
        return render(request, "library/login.html")
    if not settings.SPOTIFY_CLIENT_ID:
        return _sign_in_problem(
            request,
            title="Spotify is not set up yet",
            message="Set SPOTIFY_CLIENT_ID (see .env.example), or leave it empty and start the "
            "app with `manage.py serve` to use the built-in demo.",
            status=503,
        )
    authorization = authorization_start()
    now = time.time()
    pending = {
        state: entry
        for state, entry in request.session.get(PENDING_KEY, {}).items()
        if now - entry.get("at", 0) < PENDING_TTL_SECONDS
    }
    pending[authorization.state] = {"verifier": authorization.verifier, "at": now}
    newest = sorted(pending.items(), key=lambda item: item[1]["at"])[-MAX_PENDING:]
    request.session[PENDING_KEY] = dict(newest)
    return HttpResponseRedirect(authorization.url)


def _sign_in_problem(
    request: HttpRequest, *, title: str, message: str, status: int
) -> TemplateResponse:
    context = {"title": title, "message": message}
    return TemplateResponse(request, "library/sign_in_problem.html", context, status=status)


@never_cache
@require_GET
@sensitive_variables("code", "entry")
async def callback(request: HttpRequest) -> HttpResponse:
    """Spotify sends the browser back here with a code (or an error) and our state."""
    state = request.GET.get("state", "")
    pending: dict[str, Any] = await request.session.aget(PENDING_KEY, {})
    entry = pending.pop(state, None) if state else None
    await request.session.aset(PENDING_KEY, pending)
    if entry is None or time.time() - entry.get("at", 0) > PENDING_TTL_SECONDS:
        return _sign_in_problem(
            request,
            title="This sign-in could not be verified",
            message="It was started in another browser, took too long, or was already used. "
            "Please sign in again.",
            status=400,
        )
    error = request.GET.get("error", "")
    if error == "access_denied":
        return _sign_in_problem(
            request,
            title="You did not connect Spotify",
            message="No problem: nothing was shared. spotifydl needs read access to your "
            "library to show it here; you can try again whenever you like.",
            status=200,
        )
    code = request.GET.get("code", "")
    if error or not code:
        return _sign_in_problem(
            request,
            title="Spotify did not complete the sign-in",
            message=f"Spotify answered “{error or 'no code'}”. Please try again.",
            status=400,
        )
    try:
        signed_in = await account_sign_in_with_code(code=code, verifier=entry.get("verifier", ""))
    except (SignInError, SpotifyError) as exc:
        return _sign_in_problem(
            request, title="Sign-in did not work", message=exc.message, status=400
        )
    await alogin(request, signed_in.user)
    welcome = f"Signed in as {signed_in.user.first_name or signed_in.user.get_username()}."
    if signed_in.refresh is not None:
        welcome += " Reading your library now; it stays usable while that happens."
    messages.success(request, welcome)
    return redirect("home")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "Signed out.")
    return redirect("home")


# --- refresh --------------------------------------------------------------------------------------


def _refresh_panel(request: HttpRequest, *, reauth: bool = False) -> HttpResponse:
    context = {
        "refresh": selectors.latest_refresh(request_user(request)),
        "account": selectors.account_for(request_user(request)),
        "reauth": reauth,
    }
    return render(request, "library/_refresh_status.html", context)


@login_required
@require_POST
def refresh_start(request: HtmxHttpRequest) -> HttpResponse:
    """The Refresh button: start (or show) the background refresh."""
    try:
        library_refresh_enqueue(user=request_user(request))
    except SpotifyReauthRequired as exc:
        if request.htmx:
            return _refresh_panel(request, reauth=True)
        messages.error(request, exc.message)
        return redirect("home")
    if request.htmx:
        return _refresh_panel(request)
    return redirect("home")


@never_cache
@login_required
@require_GET
def refresh_status(request: HtmxHttpRequest) -> HttpResponse:
    """The progress partial; it polls itself while the refresh runs."""
    response = _refresh_panel(request)
    refresh = selectors.latest_refresh(request_user(request))
    if request.htmx and (refresh is None or not refresh.is_active):
        # Only a running refresh polls: this is the poll that sees it end. Reload the page, so
        # counts and lists show what was just read.
        response["HX-Refresh"] = "true"
    return response


# --- browsing -------------------------------------------------------------------------------------
#
# Track lists answer htmx requests aimed at their results with the results alone (the filter
# box and the pager swap them in place); everything else gets the whole page, which is also
# what works without JavaScript.

RESULTS_TARGET = "track-results"
MORE_ALBUMS_TARGET = "artist-albums-more"
MAX_QUERY_LENGTH = 200
MAX_ARTIST_OFFSET = 1000  # deep enough for any discography, small enough to bound the cache
SPOTIFY_ID = re.compile(r"[A-Za-z0-9]{1,64}")


def _partial(request: HtmxHttpRequest, target: str) -> bool:
    htmx = request.htmx
    return bool(htmx) and not htmx.history_restore_request and htmx.target == target


def _query(request: HttpRequest) -> str:
    return " ".join(request.GET.get("q", "")[:MAX_QUERY_LENGTH].split())


def _time_range(request: HttpRequest) -> TimeRange:
    value = request.GET.get("range", "")
    return TimeRange(value) if value in TimeRange.values else TimeRange.SHORT


def _track_list(request: HtmxHttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    if _partial(request, RESULTS_TARGET):
        return render(request, "library/_track_results.html", context)
    return render(request, template, context)


@login_required
@require_GET
def library_index(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    context = {
        "summary": selectors.library_summary(user),
        "playlists": selectors.user_playlists(user)[:12],
        "albums": selectors.saved_albums(user)[:12],
        "artists": selectors.followed_artists(user)[:12],
        "refresh": selectors.latest_refresh(user),
        "account": selectors.account_for(user),
    }
    return render(request, "library/index.html", context)


@login_required
@require_GET
def playlist_list(request: HttpRequest) -> HttpResponse:
    page = selectors.playlists_page(request_user(request), page=request.GET.get("page"))
    return render(request, "library/playlists.html", {"page": page})


@vary_on_headers("HX-Request", "HX-Target")
@login_required
@require_GET
def playlist_detail(request: HtmxHttpRequest, spotify_id: str) -> HttpResponse:
    user = request_user(request)
    try:
        membership = selectors.user_playlist(user, spotify_id)
    except UserPlaylist.DoesNotExist:
        raise Http404("This playlist is not in your library.") from None
    tracks = selectors.playlist_page(
        user, membership, query=_query(request), page=request.GET.get("page")
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
    tracks = selectors.liked_page(user, query=_query(request), page=request.GET.get("page"))
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
    page = selectors.albums_page(user, page=request.GET.get("page"))
    context = {"page": page, "subscription": subscription_for_source(user=user, source="albums")}
    return render(request, "library/albums.html", context)


@login_required
@require_GET
def album_detail(request: HttpRequest, spotify_id: str) -> HttpResponse:
    user = request_user(request)
    try:
        saved = selectors.saved_album(user, spotify_id)
    except SavedAlbum.DoesNotExist:
        raise Http404("This album is not in your library.") from None
    context = {"album": saved.album, "rows": selectors.album_rows(user, saved.album)}
    return render(request, "library/album_detail.html", context)


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
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
    context = {
        "message": _live_read_message(exc),
        "reauth": isinstance(exc, SpotifyReauthRequired),
        "back": referer if safe else "",
    }
    render_async = sync_to_async(render)
    return await render_async(request, "library/spotify_problem.html", context, status=502)


@login_required
@require_GET
def artist_list(request: HttpRequest) -> HttpResponse:
    page = selectors.artists_page(request_user(request), page=request.GET.get("page"))
    return render(request, "library/artists.html", {"page": page})


@vary_on_headers("HX-Request", "HX-Target")
@login_required
@require_GET
async def artist_detail(request: HtmxHttpRequest, spotify_id: str) -> HttpResponse:
    """An artist's albums, read live from Spotify a page at a time ("More" appends the next)."""
    user = signed_in(await request.auser())
    try:
        artist = await sync_to_async(selectors.user_artist)(user, spotify_id)
    except Artist.DoesNotExist:
        raise Http404("This artist is not in your library.") from None
    offset = _offset(request.GET.get("offset"))
    context: dict[str, Any] = {"artist": artist, "offset": offset}
    try:
        context["albums"] = await artist_albums(user=user, artist_id=spotify_id, offset=offset)
    except SpotifyError as exc:
        context["error"] = _live_read_message(exc)
        context["reauth"] = isinstance(exc, SpotifyReauthRequired)
    more = _partial(request, MORE_ALBUMS_TARGET)
    template = "library/_artist_albums.html" if more else "library/artist_detail.html"
    return await sync_to_async(render)(request, template, context)


def _offset(value: str | None) -> int:
    try:
        offset = int(value or 0)
    except ValueError:
        return 0
    return max(0, min(offset, MAX_ARTIST_OFFSET))


@login_required
@require_GET
def top_tracks(request: HttpRequest) -> HttpResponse:
    time_range = _time_range(request)
    context = {
        "time_range": time_range,
        "ranges": TimeRange.choices,
        "rows": selectors.top_track_rows(request_user(request), time_range),
    }
    return render(request, "library/top_tracks.html", context)


@login_required
@require_GET
def top_artists(request: HttpRequest) -> HttpResponse:
    time_range = _time_range(request)
    context = {
        "time_range": time_range,
        "ranges": TimeRange.choices,
        "artists": selectors.top_artists(request_user(request), time_range),
    }
    return render(request, "library/top_artists.html", context)


@vary_on_headers("HX-Request", "HX-Target")
@login_required
@require_GET
def recent_tracks(request: HtmxHttpRequest) -> HttpResponse:
    tracks = selectors.recent_page(request_user(request), page=request.GET.get("page"))
    context = {"tracks": tracks, "date_label": "Played"}
    return _track_list(request, "library/recent.html", context)


@vary_on_headers("HX-Request", "HX-Target")
@login_required
@require_GET
def search(request: HtmxHttpRequest) -> HttpResponse:
    results = selectors.search(request_user(request), _query(request))
    if _partial(request, RESULTS_TARGET):
        return render(request, "library/_search_results.html", {"results": results})
    return render(request, "library/search.html", {"results": results})
