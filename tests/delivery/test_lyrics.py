"""Synced lyrics in the player: the .lrc beside a file is served to whoever may play the file,
and the player's lyrics follow playback in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from downloads.models import LyricsStatus, StoredFile
from tests.factories import ArtistFactory, PlaylistEntryFactory, TrackFactory, UserPlaylistFactory
from tests.support.files import PutFile, make_opus
from tests.support.servers import AsgiServer

LRC = "[00:00.40] first line\n[00:01.40] second line\n[00:02.40] third line\n"


@pytest.fixture
def sung(user: Any, put_file: PutFile, tmp_path: Path) -> StoredFile:
    """Ana's "Sing Along": one 4-second Opus song with synced lyrics beside it."""
    playlist = UserPlaylistFactory.create(user=user, playlist__name="Sing Along").playlist
    track = TrackFactory.create(
        name="Karaoke", artists=[ArtistFactory.create(name="Choir")], duration_ms=4000
    )
    PlaylistEntryFactory.create(playlist=playlist, track=track)
    stored = put_file(track, "Choir/Karaoke.opus", source=make_opus(tmp_path / "k.opus", seconds=4))
    (Path(settings.MUSIC_ROOT) / "Choir/Karaoke.lrc").write_text(LRC, encoding="utf-8")
    StoredFile.objects.filter(pk=stored.pk).update(lyrics=LyricsStatus.SYNCED)
    return stored


@pytest.mark.django_db
def test_the_lrc_is_served_to_its_owner_only(
    signed_in: Client, other: Any, sung: StoredFile
) -> None:
    answer = signed_in.get(f"/files/{sung.pk}/lyrics.lrc")
    stranger = Client()
    stranger.force_login(other)

    assert answer.status_code == 200
    assert answer.content.decode() == LRC
    assert stranger.get(f"/files/{sung.pk}/lyrics.lrc").status_code == 404


@pytest.mark.django_db
def test_a_file_without_synced_lyrics_has_no_lyrics_in_the_player(
    signed_in: Client, sung: StoredFile
) -> None:
    StoredFile.objects.filter(pk=sung.pk).update(lyrics=LyricsStatus.PLAIN)
    (Path(settings.MUSIC_ROOT) / "Choir/Karaoke.lrc").unlink()

    page = signed_in.get(
        f"/play/playlists/{sung.track.playlist_entries.get().playlist.spotify_id}/"
    )

    assert 'data-lyrics=""' in page.content.decode()
    assert signed_in.get(f"/files/{sung.pk}/lyrics.lrc").status_code == 404


@pytest.mark.browser
@pytest.mark.integration
def test_the_players_synced_lyrics_follow_playback(
    page: Page, asgi_server: AsgiServer, user: Any, sung: StoredFile
) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": asgi_server.url}]
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    playlist = sung.track.playlist_entries.get().playlist
    page.goto(f"{asgi_server.url}/play/playlists/{playlist.spotify_id}/")
    lyrics = page.get_by_role("region", name="Lyrics")
    expect(lyrics.get_by_role("listitem")).to_have_count(3)

    page.get_by_role("button", name="Play Karaoke by Choir").click()

    current = lyrics.locator("li[aria-current=true]")
    expect(current).to_have_text("first line", timeout=10_000)
    expect(current).to_have_text("second line", timeout=10_000)
    expect(current).to_have_text("third line", timeout=10_000)
    assert errors == []
