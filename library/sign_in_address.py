"""The address Spotify sends the browser back to, and the address the app is served on.

Sign-in only works when both agree: the session cookie that holds the sign-in's state is kept
per host name, so a sign-in started on `localhost` comes back to `127.0.0.1` without it. Spotify
accepts plain-http redirect URIs only on a loopback literal, so on a plain-http install the
redirect URI's host is the one to use.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
ANY_INTERFACE = frozenset({"0.0.0.0", "::"})  # noqa: S104 - compared, not bound


def redirect_uri_on_port(uri: str, port: int) -> str:
    """The same redirect URI, on the port the app actually listens on (demo mode)."""
    parts = urlsplit(uri)
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else parts.hostname
    return parts._replace(netloc=f"{host}:{port}").geturl()


def public_origin() -> str:
    """The app's address as people reach it (the redirect URI's scheme and host)."""
    parts = urlsplit(settings.SPOTIFY_REDIRECT_URI)
    return f"{parts.scheme}://{parts.netloc}"


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def address_mismatch(*, redirect_uri: str, host: str, port: int) -> str | None:
    """Why sign-in cannot come back to an app served on host:port, in plain words; None when
    it can. An https redirect URI is a proxy's public address: nothing to compare it with."""
    parts = urlsplit(redirect_uri)
    if parts.scheme != "http":
        return None
    named = parts.hostname or ""
    if named == "localhost":
        return (
            f"SPOTIFY_REDIRECT_URI is {redirect_uri}, but Spotify refuses `localhost` in redirect "
            f"URIs: use http://127.0.0.1:{port}/callback/ here and in your Spotify app's settings."
        )
    if _port(parts) != port:
        return (
            f"SPOTIFY_REDIRECT_URI is {redirect_uri}, but the app listens on port {port}: "
            "after sign-in Spotify would send the browser to a port nothing answers on. Set "
            f"PORT={_port(parts)}, or set SPOTIFY_REDIRECT_URI to "
            f"{redirect_uri_on_port(redirect_uri, port)} and add that exact address to your "
            "Spotify app's Redirect URIs."
        )
    if named not in LOOPBACK_NAMES:
        return (
            f"SPOTIFY_REDIRECT_URI is {redirect_uri}, but Spotify accepts plain-http redirect "
            f"URIs only on 127.0.0.1: use http://127.0.0.1:{port}/callback/, or an https "
            "address in front of the app (a reverse proxy)."
        )
    if host not in LOOPBACK_NAMES | ANY_INTERFACE:
        return (
            f"SPOTIFY_REDIRECT_URI is {redirect_uri}, but the app listens on {host} only, not on "
            f"{named}: set HOST=127.0.0.1 (or 0.0.0.0)."
        )
    return None


def sign_in_host_redirect(request: HttpRequest) -> HttpResponseRedirect | None:
    """Send a visit on another loopback name of this machine (http://localhost:8000 when the
    redirect URI says 127.0.0.1:8000) to the redirect URI's host before sign-in starts, so the
    session cookie is set where Spotify comes back. Other hosts and ports are left alone: a
    different port is another server, and a proxy's host names are the proxy's business."""
    target = urlsplit(settings.SPOTIFY_REDIRECT_URI)
    if target.scheme != "http" or target.hostname not in LOOPBACK_NAMES:
        return None
    visited = urlsplit(f"//{request.get_host()}")
    if visited.hostname not in LOOPBACK_NAMES or visited.hostname == target.hostname:
        return None
    if (visited.port or 80) != _port(target):
        return None
    return HttpResponseRedirect(f"http://{target.netloc}{request.get_full_path()}")
