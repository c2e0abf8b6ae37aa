"""Fixtures of the sync tests: the sandbox as Spotify and as the media source at once, and
sandbox users signed in with their library read once (as after their first sign-in)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from sandbox import Sandbox
from tests.support.signing_in import RunRefresh, SignIn


@pytest.fixture
def sb(spotify: Sandbox, media_sandbox: Sandbox) -> Sandbox:
    """The sandbox standing in for Spotify and for YouTube."""
    return spotify


@pytest.fixture
def reader(
    sb: Sandbox,
    sign_in: SignIn,
    run_refresh: RunRefresh,
) -> Callable[[str], User]:
    """Sign a sandbox user in and read their library once."""

    def make(user_key: str) -> User:
        user = sign_in(user_key)
        refresh = run_refresh(user)
        assert refresh.status == "succeeded", refresh.error
        return user

    return make
