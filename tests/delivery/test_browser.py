"""In Chromium: download a playlist's ZIP and play its tracks one after the other; the player bar
stays at the bottom, shows what plays, goes on across pages and remembers where it was."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from downloads.delivery import player
from library.models import Album
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


def _open_player(page: Page, server: AsgiServer, user: Any, playlist: Any) -> list[str]:
    _sign_in(page, server, user)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/play/playlists/{playlist.spotify_id}/")
    return errors


def test_the_player_bar_stays_at_the_bottom_and_covers_no_row(
    page: Page, asgi_server: AsgiServer, user: Any, browser_mix: Any
) -> None:
    page.set_viewport_size({"width": 800, "height": 360})
    errors = _open_player(page, asgi_server, user, browser_mix)
    bar = page.get_by_role("region", name="Player")
    expect(bar.get_by_role("button", name="Play", exact=True)).to_be_visible()
    # player.js measures the bar into the room kept below the page.
    page.wait_for_function("document.documentElement.style.getPropertyValue('--player-bar-space')")

    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function("window.scrollY > 0")
    bar_box = bar.bounding_box()
    last_row = page.locator("[data-player-track]").last.bounding_box()

    assert bar_box is not None and last_row is not None
    assert bar_box["y"] + bar_box["height"] == pytest.approx(360, abs=1)
    assert last_row["y"] + last_row["height"] <= bar_box["y"]
    assert errors == []


def test_the_playing_row_shows_pause_and_next_goes_on_to_the_next_page(
    page: Page, asgi_server: AsgiServer, user: Any, browser_mix: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(player, "TRACKS_PER_PAGE", 1)  # Jóga on page 1, Hunter on page 2
    hunter = browser_mix.entries.order_by("position").last().track
    cover = f"{asgi_server.url}/static/img/logo.svg"
    Album.objects.filter(pk=hunter.album_id).update(cover_url=cover)
    errors = _open_player(page, asgi_server, user, browser_mix)
    audio = page.locator("audio")

    page.get_by_role("button", name="Play Jóga by Björk").click()
    expect(page.get_by_role("button", name="Pause Jóga by Björk")).to_have_attribute(
        "data-icon", "pause"
    )
    page.get_by_role("button", name="Pause Jóga by Björk").click()
    expect(page.get_by_role("button", name="Play Jóga by Björk")).to_have_attribute(
        "data-icon", "play"
    )
    assert audio.evaluate("(a) => a.paused")

    page.get_by_role("button", name="Next track").click()
    expect(page.locator("[data-player-now]")).to_have_text("Hunter · Björk")
    expect(page.get_by_role("button", name="Pause Hunter by Björk")).to_have_attribute(
        "data-icon", "pause"
    )
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(page.locator("[data-player-cover]")).to_have_attribute("src", cover)
    assert audio.evaluate("(a) => a.src").endswith(f"/files/{hunter.stored_files.get().pk}/stream/")
    assert errors == []


def test_the_track_and_its_position_come_back_after_a_reload(
    page: Page, asgi_server: AsgiServer, user: Any, browser_mix: Any
) -> None:
    errors = _open_player(page, asgi_server, user, browser_mix)
    page.get_by_role("button", name="Play Hunter by Björk").click()
    expect(page.locator("[data-player-now]")).to_have_text("Hunter · Björk")
    page.locator("audio").evaluate(
        "(a) => new Promise((done) => { a.addEventListener('seeked', done, { once: true });"
        " a.pause(); a.currentTime = 1.5; })"
    )
    page.wait_for_function("JSON.parse(localStorage.getItem('spotifydl.player')).time >= 1.4")

    page.reload()

    expect(page.locator("[data-player-now]")).to_have_text("Hunter · Björk")
    page.wait_for_function("document.querySelector('audio').currentTime >= 1.4")
    expect(page.locator("[data-player-track][aria-current=true]")).to_contain_text("Hunter")
    expect(page.get_by_role("region", name="Player")).to_contain_text("0:01")
    assert errors == []
