"""Signing in with Spotify and out again."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import alogin, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from library.accounts import account_sign_in_with_code
from library.admission import SignInRefused
from library.oauth import (
    SignInError,
    authorization_start,
    pending_sign_in_remember,
    pending_sign_in_take,
)
from library.sign_in_address import sign_in_host_redirect
from library.spotify import SpotifyError


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """GET: the sign-in page. POST: remember a fresh state and verifier, go to Spotify."""
    elsewhere = sign_in_host_redirect(request)
    if elsewhere is not None:
        return elsewhere
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
    pending_sign_in_remember(session=request.session, authorization=authorization)
    return HttpResponseRedirect(authorization.url)


def _sign_in_problem(
    request: HttpRequest, *, title: str, message: str, status: int
) -> TemplateResponse:
    context = {"title": title, "message": message}
    return TemplateResponse(request, "library/sign_in_problem.html", context, status=status)


@never_cache
@require_GET
@sensitive_variables("code", "verifier")
async def callback(request: HttpRequest) -> HttpResponse:
    """Spotify sends the browser back here with a code (or an error) and our state."""
    state = request.GET.get("state", "")
    verifier = await pending_sign_in_take(session=request.session, state=state)
    if verifier is None:
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
        signed_in = await account_sign_in_with_code(code=code, verifier=verifier)
    except SignInRefused as refused:
        return TemplateResponse(
            request, "library/sign_in_refused.html", {"ask": refused.ask}, status=403
        )
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
