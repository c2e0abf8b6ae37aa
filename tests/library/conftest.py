"""Fixtures of the library tests: a signed-in listener, the app pointed at the bench and demo
worlds, a live app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from sandbox import Sandbox
from tests.factories import SpotifyAccountFactory
from tests.support.servers import AsgiServer
from tests.support.spotify import point_at


@pytest.fixture
def listener(client: Client) -> User:
    account = SpotifyAccountFactory.create()
    client.force_login(account.user)
    return account.user


@pytest.fixture(scope="session")
def bench_sandbox_server() -> Iterator[Sandbox]:
    """The "bench" world: Hugo has 10,000 liked songs and 200 playlists."""
    server = Sandbox(seed=1, preset="bench").start()
    yield server
    server.stop()


@pytest.fixture
def bench_sandbox(bench_sandbox_server: Sandbox, settings: Any) -> Iterator[Sandbox]:
    point_at(settings, bench_sandbox_server)
    yield bench_sandbox_server
    bench_sandbox_server.reset()


@pytest.fixture
def live_app(asgi_server: AsgiServer, spotify: Sandbox, settings: Any) -> AsgiServer:
    """The app under uvicorn, registered with the sandbox under its own callback URL."""
    settings.SPOTIFY_REDIRECT_URI = f"{asgi_server.url}/callback/"
    point_at(settings, spotify)
    return asgi_server


@pytest.fixture(scope="session")
def demo_sandbox_server() -> Iterator[Sandbox]:
    """The world demo mode shows (same seed and preset as `manage.py serve` without Spotify)."""
    server = Sandbox(seed=2026, preset="demo").start()
    yield server
    server.stop()


@pytest.fixture
def demo_sandbox(demo_sandbox_server: Sandbox, settings: Any) -> Iterator[Sandbox]:
    point_at(settings, demo_sandbox_server)
    yield demo_sandbox_server
    demo_sandbox_server.reset()
