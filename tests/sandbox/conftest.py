"""Helpers for the sandbox's own tests (fixtures come from sandbox.pytest_plugin)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import httpx
import pytest
import requests
from requests.adapters import HTTPAdapter
from ytmusicapi import YTMusic

from sandbox import Sandbox

CLIENT_ID = "spotifydl-tests"
CLIENT_SECRET = "tests-secret"
REDIRECT_URI = "http://127.0.0.1:8765/callback/"


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


class ToSandbox(HTTPAdapter):
    """Sends ytmusicapi's requests for https://music.youtube.com to the sandbox instead."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        request.url = request.url.replace("https://music.youtube.com", self.base_url, 1)
        return super().send(request, *args, **kwargs)


def ytmusic_client(sb: Sandbox) -> YTMusic:
    """ytmusicapi, unmodified, whose HTTP goes to the sandbox."""
    session = requests.Session()
    session.mount("https://music.youtube.com/", ToSandbox(sb.media_url))
    return YTMusic(requests_session=session)


@pytest.fixture
def ytmusic(sandbox: Sandbox) -> YTMusic:
    return ytmusic_client(sandbox)


Filter = Literal["songs", "videos"]
FILTERS: dict[str, tuple[Filter, ...]] = {
    "song": ("songs",),
    "video": ("videos",),
    "any": ("songs", "videos"),
}


def as_result(sb: Sandbox, item: dict[str, Any]) -> dict[str, Any]:
    """One ytmusicapi search result in the candidate terms of the sandbox."""
    album = item.get("album") or {}
    return {
        "id": item["videoId"],
        "title": item["title"],
        "duration": item["duration_seconds"],
        "views": int(str(item["views"]).replace(",", "")),
        "kind": item["resultType"],
        "artists": [a["name"] for a in item.get("artists") or []],
        "album": album.get("name"),
        "explicit": item.get("isExplicit"),
        "url": sb.watch_url(item["videoId"]),
    }


def search(
    sb: Sandbox, client: YTMusic, q: str, kind: str = "any", limit: int = 20
) -> list[dict[str, Any]]:
    """Songs then videos (as the product asks), read by ytmusicapi from the sandbox."""
    found = [r for f in FILTERS[kind] for r in client.search(q, filter=f, limit=limit)]
    return [as_result(sb, r) for r in found]
