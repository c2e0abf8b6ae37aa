"""The same answers through uvicorn, as a browser or download manager sees them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PlaylistEntryFactory, UserPlaylistFactory
from tests.support.files import PutFile
from tests.support.servers import AsgiServer

pytestmark = pytest.mark.integration

CONTENT = bytes(range(256)) * 40


@pytest.fixture
def http(asgi_server: AsgiServer, user: Any) -> Iterator[httpx.Client]:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    with httpx.Client(
        base_url=asgi_server.url, cookies={settings.SESSION_COOKIE_NAME: cookie}, timeout=10
    ) as http:
        yield http


@pytest.fixture
def playlist(user: Any, put_file: PutFile) -> Any:
    playlist = UserPlaylistFactory.create(user=user, playlist__name="Wire").playlist
    entry = PlaylistEntryFactory.create(playlist=playlist)
    put_file(entry.track, "A/B/song.opus", CONTENT)
    return playlist


def test_ranges_and_head_work_through_uvicorn(http: httpx.Client, playlist: Any) -> None:
    pk = playlist.entries.get().track.stored_files.get().pk

    ranged = http.get(f"/files/{pk}/stream/", headers={"Range": "bytes=-100"})
    unsatisfiable = http.get(f"/files/{pk}/stream/", headers={"Range": "bytes=99999-"})
    head = http.head(f"/files/{pk}/")

    assert (ranged.status_code, ranged.content) == (206, CONTENT[-100:])
    assert (
        ranged.headers["Content-Range"]
        == f"bytes {len(CONTENT) - 100}-{len(CONTENT) - 1}/{len(CONTENT)}"
    )
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["Content-Range"] == f"bytes */{len(CONTENT)}"
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["Content-Length"] == str(len(CONTENT))


def test_a_zip_has_its_length_before_the_first_byte_and_head_agrees(
    http: httpx.Client, playlist: Any
) -> None:
    url = f"/zip/playlists/{playlist.spotify_id}/"

    with http.stream("GET", url) as response:
        announced = int(response.headers["Content-Length"])
        received = sum(len(chunk) for chunk in response.iter_raw())
    head = http.head(url)

    assert "chunked" not in response.headers.get("Transfer-Encoding", "")
    assert received == announced
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["Content-Length"] == str(announced)
