"""Helpers for the sandbox's own tests (fixtures come from sandbox.pytest_plugin)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from ytmusicapi import YTMusic

from sandbox import Sandbox
from tests.support.spotify import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI
from tests.support.ytmusic import ytmusic_client


@pytest.fixture
def client_registered(sandbox: Sandbox) -> Sandbox:
    sandbox.register_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI], name="spotifydl tests")
    return sandbox


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An httpx client signed in as Ana (every scope), pointed at the sandbox's /v1."""
    access, _ = sandbox.issue_token("ana")
    with httpx.Client(
        base_url=sandbox.api_url + "/", headers={"Authorization": f"Bearer {access}"}
    ) as client:
        yield client


@pytest.fixture
def media(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.media_url) as client:
        yield client


@pytest.fixture
def ytmusic(sandbox: Sandbox) -> YTMusic:
    return ytmusic_client(sandbox)
