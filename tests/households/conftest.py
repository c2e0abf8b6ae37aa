"""Two people on one installation: A (Ana, the admin: she signed in first) and B (Ben, invited,
not an admin); and a sign-in through the whole redirect dance that nobody invited."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client

from sandbox import Sandbox
from tests.support.servers import AsgiServer
from tests.support.signing_in import SignIn
from tests.support.spotify import point_at


@pytest.fixture
def ana(sign_in: SignIn) -> User:
    return sign_in("ana")


@pytest.fixture
def ben(sign_in: SignIn, ana: User) -> User:
    return sign_in("ben")


@pytest.fixture
def as_ana(ana: User) -> Client:
    client = Client()
    client.force_login(ana)
    return client


@pytest.fixture
def as_ben(ben: User) -> Client:
    client = Client()
    client.force_login(ben)
    return client


@pytest.fixture
def knock(spotify: Sandbox) -> Any:
    """Sign in through /login/, Spotify's consent (auto-approved) and /callback/, uninvited."""

    def run(client: Client, user_key: str) -> Any:
        spotify.knobs.auto_consent = user_key
        start = client.post("/login/")
        assert start.status_code == 302, start
        answer = httpx.get(start["Location"], follow_redirects=False)
        location = httpx.URL(answer.headers["Location"])
        return client.get("/callback/", dict(location.params))

    return run


@pytest.fixture
def live_app(asgi_server: AsgiServer, spotify: Sandbox, settings: Any) -> AsgiServer:
    """The app under uvicorn, registered with the sandbox under its own callback URL."""
    settings.SPOTIFY_REDIRECT_URI = f"{asgi_server.url}/callback/"
    point_at(settings, spotify)
    return asgi_server
