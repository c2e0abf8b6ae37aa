"""In Chromium: download a playlist's ZIP and play its tracks one after the other."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from tests.factories import (
    ArtistFactory,
    PlaylistEntryFactory,
    TrackFactory,
    UserPlaylistFactory,
)
from tests.support.files import PutFile, make_opus
from tests.support.servers import AsgiServer

pytestmark = [pytest.mark.browser, pytest.mark.integration]

# Resolves with the element's duration once its metadata is in (at once if it already is).
DURATION = """(audio) => new Promise((resolve) => {
  if (audio.readyState >= 1 && audio.src.endsWith(audio.dataset.expected)) {
    resolve(audio.duration);
  } else {
    audio.addEventListener("loadedmetadata", () => resolve(audio.duration), { once: true });
  }
})"""


def _sign_in(page: Page, server: AsgiServer, user: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server.url}]
    )


@pytest.fixture
def browser_mix(user: Any, put_file: PutFile, tmp_path: Path) -> Any:
    """Ana's "Browser Mix": a 3-second and a 2-second Opus song by Björk."""
    playlist = UserPlaylistFactory.create(user=user, playlist__name="Browser Mix").playlist
    bjork = ArtistFactory.create(name="Björk")
    for name, seconds in [("Jóga", 3), ("Hunter", 2)]:
        track = TrackFactory.create(name=name, artists=[bjork], duration_ms=seconds * 1000)
        PlaylistEntryFactory.create(playlist=playlist, track=track)
        source = make_opus(tmp_path / f"{name}.opus", seconds=seconds)
        put_file(track, f"Björk/Homogenic/{name}.opus", source=source)
    return playlist


def test_a_playlist_zip_downloads_and_its_tracks_play_in_order(
    page: Page, asgi_server: AsgiServer, user: Any, browser_mix: Any, tmp_path: Path
) -> None:
    _sign_in(page, asgi_server, user)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    streamed: list[int] = []
    page.on("response", lambda r: streamed.append(r.status) if "/stream/" in r.url else None)
    page.goto(f"{asgi_server.url}/play/playlists/{browser_mix.spotify_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser Mix")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download ZIP").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    assert download.suggested_filename == "Browser Mix.zip"
    with zipfile.ZipFile(saved) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == [
            "Björk/Homogenic/Hunter.opus",
            "Björk/Homogenic/Jóga.opus",
            "Browser Mix.m3u8",
        ]

    audio = page.locator("audio")
    page.get_by_role("button", name="Play Jóga by Björk").click()
    audio.evaluate("(a) => { a.dataset.expected = a.src.split('/files/')[1]; }")
    first = audio.evaluate(DURATION)
    expect(page.locator("[data-player-now]")).to_have_text("Jóga · Björk")

    page.get_by_role("button", name="Next track").click()
    expect(page.locator("[data-player-now]")).to_have_text("Hunter · Björk")
    audio.evaluate("(a) => { a.dataset.expected = a.src.split('/files/')[1]; }")
    second = audio.evaluate(DURATION)

    assert first == pytest.approx(3, abs=0.1)
    assert second == pytest.approx(2, abs=0.1)
    assert 206 in streamed  # the audio element reads (and seeks) with ranges
    expect(page.locator("[data-player-track][aria-current=true]")).to_contain_text("Hunter")

    page.keyboard.press("p")  # the keyboard goes back a track
    expect(page.locator("[data-player-now]")).to_have_text("Jóga · Björk")
    assert errors == []
