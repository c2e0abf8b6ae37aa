"""The Refresh button and the progress panel it shows."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from library import selectors
from library.spotify import SpotifyReauthRequired
from library.tasks import library_refresh_enqueue
from library.views.htmx import HtmxHttpRequest
from spotifydl.auth import request_user


def _refresh_panel(request: HttpRequest, *, reauth: bool = False) -> HttpResponse:
    context = {
        "refresh": selectors.latest_refresh(user=request_user(request)),
        "account": selectors.account_for(user=request_user(request)),
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
    refresh = selectors.latest_refresh(user=request_user(request))
    if request.htmx and (refresh is None or not refresh.is_active):
        # Only a running refresh polls: this is the poll that sees it end. Reload the page, so
        # counts and lists show what was just read.
        response["HX-Refresh"] = "true"
    return response
