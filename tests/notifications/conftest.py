"""The sandbox as Spotify and YouTube, sandbox users signed in, and a loopback webhook."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User

from sandbox import Sandbox
from tests.support.signing_in import RunRefresh, SignIn
from tests.support.webhook import Webhook, webhook


@pytest.fixture
def sb(spotify: Sandbox, media_sandbox: Sandbox) -> Sandbox:
    return spotify


@pytest.fixture
def reader(sb: Sandbox, sign_in: SignIn, run_refresh: RunRefresh) -> Callable[[str], User]:
    def make(user_key: str) -> User:
        user = sign_in(user_key)
        refresh = run_refresh(user)
        assert refresh.status == "succeeded", refresh.error
        return user

    return make


@pytest.fixture
def hook() -> Iterator[Webhook]:
    with webhook() as running:
        yield running
