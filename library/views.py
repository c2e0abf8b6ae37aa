"""Sign-in, sign-out, refresh and browsing views. They validate, check ownership, call one
service or selector, and render."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import alogin, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from library import selectors
from library.models import SavedAlbum, TimeRange, UserPlaylist
from library.oauth import SignInError, authorization_start
from library.services import account_sign_in_with_code, library_refresh_enqueue
from library.spotify import SpotifyError, SpotifyReauthRequired

# Pending sign-ins in this browser session: state -> {"verifier", "at"}. A few at once, so
# sign-ins started in two tabs both work; each state is usable once.
PENDING_KEY = "library.oauth.pending"
MAX_PENDING = 5
PENDING_TTL_SECONDS = 15 * 60
LIKED_PAGE_SIZE = 100


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _user(request: HttpRequest) -> User:
    """The signed-in user (views behind login_required only)."""
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


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
        "refresh": selectors.latest_refresh(_user(request)),
        "account": selectors.account_for(_user(request)),
        "reauth": reauth,
    }
    return render(request, "library/_refresh_status.html", context)


@login_required
@require_POST
def refresh_start(request: HtmxHttpRequest) -> HttpResponse:
    """The Refresh button: start (or show) the background refresh."""
    try:
        library_refresh_enqueue(user=_user(request))
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
    refresh = selectors.latest_refresh(_user(request))
    if request.htmx and (refresh is None or not refresh.is_active):
        # Only a running refresh polls: this is the poll that sees it end. Reload the page, so
        # counts and lists show what was just read.
        response["HX-Refresh"] = "true"
    return response


# --- browsing -------------------------------------------------------------------------------------


@login_required
@require_GET
def library_index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "summary": selectors.library_summary(user),
        "playlists": selectors.user_playlists(user),
        "albums": selectors.saved_albums(user)[:60],
        "artists": selectors.followed_artists(user)[:60],
        "recent": selectors.recent_plays(user, limit=10),
        "top": selectors.top_tracks(user, TimeRange.SHORT)[:10],
        "refresh": selectors.latest_refresh(user),
        "account": selectors.account_for(user),
    }
    return render(request, "library/index.html", context)


@login_required
@require_GET
def playlist_detail(request: HttpRequest, spotify_id: str) -> HttpResponse:
    try:
        membership = selectors.user_playlist(_user(request), spotify_id)
    except UserPlaylist.DoesNotExist:
        raise Http404("This playlist is not in your library.") from None
    context = {
        "membership": membership,
        "playlist": membership.playlist,
        "entries": selectors.playlist_entries(membership),
    }
    return render(request, "library/playlist_detail.html", context)


@login_required
@require_GET
def liked_tracks(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.saved_tracks(_user(request)), LIKED_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "library/liked.html", {"page": page})


@login_required
@require_GET
def album_detail(request: HttpRequest, spotify_id: str) -> HttpResponse:
    try:
        saved = selectors.saved_album(_user(request), spotify_id)
    except SavedAlbum.DoesNotExist:
        raise Http404("This album is not in your library.") from None
    context = {"album": saved.album, "tracks": selectors.album_tracks(saved.album)}
    return render(request, "library/album_detail.html", context)
