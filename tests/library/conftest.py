"""Fixtures of the library tests: the app pointed at the sandbox, signed-in users, refreshes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client
from playwright.sync_api import ConsoleMessage, Page, Response

from library.accounts import account_sign_in
from library.models import LibraryRefresh
from library.oauth import SCOPES
from library.refresh.service import library_refresh_create
from library.spotify import AsyncSpotify, StaticToken
from library.tasks import library_refresh_task
from library.tokens import TokenSet
from sandbox import Sandbox
from tests.servers import AsgiServer

CLIENT_ID = "spotifydl-tests"


@pytest.fixture(scope="session")
def bench_sandbox_server() -> Iterator[Sandbox]:
    """The "bench" world: Hugo has 10,000 liked songs and 200 playlists."""
    server = Sandbox(seed=1, preset="bench").start()
    yield server
    server.stop()


@pytest.fixture
def bench_sandbox(bench_sandbox_server: Sandbox, settings: Any) -> Iterator[Sandbox]:
    _point_at(settings, bench_sandbox_server)
    yield bench_sandbox_server
    bench_sandbox_server.reset()


def _point_at(settings: Any, sandbox: Sandbox) -> None:
    settings.SPOTIFY_CLIENT_ID = CLIENT_ID
    settings.SPOTIFY_CLIENT_SECRET = ""
    settings.SPOTIFY_ACCOUNTS_URL = sandbox.accounts_url
    settings.SPOTIFY_API_URL = sandbox.api_url
    sandbox.register_client(
        CLIENT_ID, redirect_uris=[settings.SPOTIFY_REDIRECT_URI], name="spotifydl"
    )


@pytest.fixture
def spotify(sandbox: Sandbox, settings: Any) -> Sandbox:
    """The sandbox, with the app's settings pointing at it and the app registered."""
    _point_at(settings, sandbox)
    return sandbox


@pytest.fixture
def live_app(asgi_server: AsgiServer, spotify: Sandbox, settings: Any) -> AsgiServer:
    """The app under uvicorn, registered with the sandbox under its own callback URL."""
    settings.SPOTIFY_REDIRECT_URI = f"{asgi_server.url}/callback/"
    _point_at(settings, spotify)
    return asgi_server


SignIn = Callable[[str], User]


def outside_running_loop[R](function: Callable[[], R]) -> R:
    """Call sync code that uses async_to_sync, in a thread of its own if this one runs a loop.

    Playwright's sync API leaves its event loop running in the main thread once a browser test
    has run. Only transactional tests run after browser tests (pytest-django's order), and their
    writes are committed, so another thread sees the same data.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()

    def in_thread() -> R:
        try:
            return function()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_thread).result()


def sign_in_on(sandbox: Sandbox, user_key: str) -> User:
    """Sign a sandbox user in without a browser: tokens from the sandbox, then our service."""
    return outside_running_loop(lambda: _sign_in_on(sandbox, user_key))


def _sign_in_on(sandbox: Sandbox, user_key: str) -> User:
    access, refresh = sandbox.issue_token(user_key, list(SCOPES), client_id=CLIENT_ID)
    tokens = TokenSet.from_info(
        {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": sandbox.knobs.access_token_lifetime,
            "scope": " ".join(SCOPES),
        }
    )
    me = AsyncSpotify(tokens=StaticToken(access), account_key=f"test:{user_key}").me
    profile = async_to_sync(me)()
    return account_sign_in(profile=profile, tokens=tokens).user


@pytest.fixture
def sign_in(spotify: Sandbox, db: None) -> SignIn:
    return lambda user_key: sign_in_on(spotify, user_key)


RunRefresh = Callable[[User], LibraryRefresh]


@pytest.fixture
def run_refresh(db: None) -> RunRefresh:
    """Run a refresh of the user's library to its end, the way the worker runs it."""

    def run(user: User) -> LibraryRefresh:
        refresh, _ = library_refresh_create(user=user)
        outside_running_loop(lambda: library_refresh_task.call(refresh.pk))
        refresh.refresh_from_db()
        return refresh

    return run


SignInWithClient = Callable[[Client, str], Any]


@pytest.fixture
def sign_in_with_client(spotify: Sandbox) -> SignInWithClient:
    """The whole redirect dance with Django's test client and httpx, consent auto-approved."""

    def run(client: Client, user_key: str) -> Any:
        spotify.knobs.auto_consent = user_key
        start = client.post("/login/")
        assert start.status_code == 302, start
        answer = httpx.get(start["Location"], follow_redirects=False)
        assert answer.status_code in (302, 303), answer.text
        location = httpx.URL(answer.headers["Location"])
        return client.get("/callback/", dict(location.params))

    return run


# --- browsing in a real browser ----------------------------------------------------------------


def browser_sign_in(page: Page, server_url: str, user: User) -> None:
    """Give the browser a signed-in session for `user`, skipping the consent page."""
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": server_url}]
    )


def watch_for_problems(page: Page, origin: str) -> list[str]:
    """Console errors, uncaught exceptions and 5xx answers of our own pages, as they happen."""
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and message.location.get("url", "").startswith(origin):
            problems.append(f"console: {message.location.get('url')}: {message.text}")

    def response(answer: Response) -> None:
        if answer.status >= 500 and answer.url.startswith(origin):
            problems.append(f"server: {answer.status} {answer.url}")

    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("response", response)
    return problems


@pytest.fixture(scope="session")
def demo_sandbox_server() -> Iterator[Sandbox]:
    """The world demo mode shows (same seed and preset as `manage.py serve` without Spotify)."""
    server = Sandbox(seed=2026, preset="demo").start()
    yield server
    server.stop()


@pytest.fixture
def demo_sandbox(demo_sandbox_server: Sandbox, settings: Any) -> Iterator[Sandbox]:
    _point_at(settings, demo_sandbox_server)
    yield demo_sandbox_server
    demo_sandbox_server.reset()
