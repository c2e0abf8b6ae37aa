"""Signed-in people without a browser: sandbox users through our sign-in service, library
refreshes run the worker's way, and session cookies for requests over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client

from library.accounts import account_sign_in
from library.admission import allowed_account_add
from library.models import LibraryRefresh
from library.oauth import SCOPES
from library.spotify import AsyncSpotify, StaticToken
from library.tokens import TokenSet
from sandbox import Sandbox
from tests.support.spotify import CLIENT_ID

SignIn = Callable[[str], User]
RunRefresh = Callable[[User], LibraryRefresh]
SignInWithClient = Callable[[Client, str], Any]


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


def invite(sandbox: Sandbox, user_key: str) -> None:
    """The admin invites this sandbox user (signing in people is what most tests are about)."""
    allowed_account_add(identifier=sandbox.user(user_key).id, added_by=None)


def _sign_in_on(sandbox: Sandbox, user_key: str) -> User:
    invite(sandbox, user_key)
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


def session_cookies(user: Any) -> dict[str, str]:
    """Cookies of a fresh session for `user`, stored in the database every process shares."""
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
