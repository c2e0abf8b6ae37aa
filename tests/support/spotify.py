"""The app as the tests register it with the sandbox standing in for Spotify."""

from __future__ import annotations

from typing import Any

from sandbox import Sandbox

CLIENT_ID = "spotifydl-tests"
CLIENT_SECRET = "tests-secret"
REDIRECT_URI = "http://127.0.0.1:8765/callback/"


def point_at(settings: Any, sandbox: Sandbox) -> None:
    """Point the app's Spotify settings at `sandbox` and register the app there."""
    settings.SPOTIFY_CLIENT_ID = CLIENT_ID
    settings.SPOTIFY_CLIENT_SECRET = ""
    settings.SPOTIFY_ACCOUNTS_URL = sandbox.accounts_url
    settings.SPOTIFY_API_URL = sandbox.api_url
    sandbox.register_client(
        CLIENT_ID, redirect_uris=[settings.SPOTIFY_REDIRECT_URI], name="spotifydl"
    )
