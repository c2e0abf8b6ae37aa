"""Fixtures of the sync tests: the sandbox as Spotify and as the media source at once, and
sandbox users signed in with their library read once (as after their first sign-in)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from sandbox import Sandbox

# The library's and the jobs' fixtures, reused as they are.
from tests.jobs.conftest import file_on_disk, media_sandbox  # noqa: F401
from tests.library.conftest import RunRefresh, SignIn, run_refresh, sign_in, spotify  # noqa: F401


@pytest.fixture
def sb(spotify: Sandbox, media_sandbox: Sandbox) -> Sandbox:  # noqa: F811
    """The sandbox standing in for Spotify and for YouTube."""
    return spotify


@pytest.fixture
def reader(
    sb: Sandbox,
    sign_in: SignIn,  # noqa: F811
    run_refresh: RunRefresh,  # noqa: F811
) -> Callable[[str], User]:
    """Sign a sandbox user in and read their library once."""

    def make(user_key: str) -> User:
        user = sign_in(user_key)
        refresh = run_refresh(user)
        assert refresh.status == "succeeded", refresh.error
        return user

    return make
