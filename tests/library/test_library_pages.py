from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from library.models import LibraryRefresh
from spotifydl.paging import TRACKS_PER_PAGE
from tests.factories import (
    AlbumFactory,
    LibraryRefreshFactory,
    PlaylistEntryFactory,
    PlaylistFactory,
    SavedAlbumFactory,
    SavedTrackFactory,
    TrackFactory,
    UserFactory,
    UserPlaylistFactory,
)

pytestmark = [pytest.mark.django_db]


def test_library_pages_need_a_signed_in_user(client: Client) -> None:
    for url in ("/library/", "/library/liked/", "/library/refresh/status/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/?next=")


def test_the_library_page_lists_the_users_playlists_and_albums(
    client: Client, listener: User
) -> None:
    mine = UserPlaylistFactory.create(user=listener, playlist__name="Morning Run")
    SavedAlbumFactory.create(user=listener, album__name="Blue Lines")

    page = client.get("/library/").content.decode()

    assert "Morning Run" in page
    assert "Blue Lines" in page
    assert f"/library/playlists/{mine.playlist.spotify_id}/" in page


def test_a_playlist_page_shows_its_tracks_in_order(client: Client, listener: User) -> None:
    membership = UserPlaylistFactory.create(user=listener)
    PlaylistEntryFactory.create(playlist=membership.playlist, position=1, track__name="Second")
    PlaylistEntryFactory.create(playlist=membership.playlist, position=0, track__name="First")

    page = client.get(f"/library/playlists/{membership.playlist.spotify_id}/").content.decode()

    assert page.index("First") < page.index("Second")


def test_an_unreadable_playlist_shows_the_reason_and_no_tracks(
    client: Client, listener: User
) -> None:
    membership = UserPlaylistFactory.create(
        user=listener, readable=False, unreadable_reason="You follow this playlist."
    )
    PlaylistEntryFactory.create(playlist=membership.playlist, track__name="Someone else's song")

    page = client.get(f"/library/playlists/{membership.playlist.spotify_id}/").content.decode()

    assert "You follow this playlist." in page
    assert "Someone else&#x27;s song" not in page


def test_a_playlist_outside_the_users_library_is_not_found(client: Client, listener: User) -> None:
    someone_elses = UserPlaylistFactory.create(user=UserFactory.create())

    response = client.get(f"/library/playlists/{someone_elses.playlist.spotify_id}/")

    assert response.status_code == 404


def test_an_album_page_lists_its_tracks_and_unsaved_albums_are_not_found(
    client: Client, listener: User
) -> None:
    saved = SavedAlbumFactory.create(user=listener)
    TrackFactory.create(album=saved.album, name="Opening Song", track_number=1)
    other = AlbumFactory.create()

    page = client.get(f"/library/albums/{saved.album.spotify_id}/").content.decode()

    assert "Opening Song" in page
    assert client.get(f"/library/albums/{other.spotify_id}/").status_code == 404


def test_liked_songs_are_paged_newest_first(client: Client, listener: User) -> None:
    now = datetime.now(UTC)
    for n in range(TRACKS_PER_PAGE + 5):
        SavedTrackFactory.create(
            user=listener, track__name=f"Song {n:03d}", added_at=now - timedelta(n)
        )

    first = client.get("/library/liked/").content.decode()
    second = client.get("/library/liked/?page=2").content.decode()

    last = TRACKS_PER_PAGE - 1
    assert "Song 000" in first and f"Song {last:03d}" in first
    assert f"Song {last + 1:03d}" not in first
    assert f"Song {last + 5:03d}" in second


def test_the_refresh_button_starts_a_background_refresh_and_shows_its_progress(
    client: Client, listener: User
) -> None:
    response = client.post("/library/refresh/", headers={"HX-Request": "true"})

    content = response.content.decode()
    assert response.status_code == 200
    assert LibraryRefresh.objects.filter(user=listener, status="queued").count() == 1
    assert "Reading your library" in content
    assert 'hx-trigger="every 1s"' in content


def test_pressing_refresh_twice_starts_only_one_refresh(client: Client, listener: User) -> None:
    client.post("/library/refresh/")
    client.post("/library/refresh/")

    assert LibraryRefresh.objects.filter(user=listener).count() == 1


def test_the_progress_stops_polling_once_the_refresh_is_done(
    client: Client, listener: User
) -> None:
    refresh = LibraryRefreshFactory.create(user=listener)
    refresh.start()
    refresh.finish(status=LibraryRefresh.Status.SUCCEEDED)
    refresh.requests_made = 12
    refresh.save()

    content = client.get("/library/refresh/status/").content.decode()

    assert "up to date" in content
    assert "12 requests" in content
    assert "hx-trigger" not in content


def test_the_poll_that_sees_the_refresh_end_reloads_the_page_to_show_what_was_read(
    client: Client, listener: User
) -> None:
    refresh = LibraryRefreshFactory.create(user=listener)
    running = client.get("/library/refresh/status/", headers={"HX-Request": "true"})
    refresh.finish(status=LibraryRefresh.Status.SUCCEEDED)
    refresh.save()

    finished = client.get("/library/refresh/status/", headers={"HX-Request": "true"})

    assert "HX-Refresh" not in running
    assert finished["HX-Refresh"] == "true"


def test_playlist_descriptions_are_shown_as_plain_words(client: Client, listener: User) -> None:
    membership = UserPlaylistFactory.create(
        user=listener, playlist__description="Late nights &amp; <a href=x>early</a> mornings"
    )

    page = client.get(f"/library/playlists/{membership.playlist.spotify_id}/").content.decode()

    assert "Late nights &amp; early mornings" in page


def test_a_failed_refresh_shows_the_error_in_plain_words_and_a_try_again_button(
    client: Client, listener: User
) -> None:
    refresh = LibraryRefreshFactory.create(user=listener)
    refresh.finish(status=LibraryRefresh.Status.FAILED, error="Spotify kept failing.")
    refresh.save()

    content = client.get("/library/refresh/status/").content.decode()

    assert "Spotify kept failing." in content
    assert "Try again" in content


def test_a_stale_running_refresh_does_not_block_a_new_one(client: Client, listener: User) -> None:
    stale = LibraryRefreshFactory.create(user=listener)
    stale.start()
    stale.save()
    LibraryRefresh.objects.filter(pk=stale.pk).update(
        updated_at=datetime.now(UTC) - LibraryRefresh.STALE_AFTER - timedelta(minutes=1)
    )

    client.post("/library/refresh/")

    stale.refresh_from_db()
    assert stale.status == LibraryRefresh.Status.FAILED
    assert LibraryRefresh.objects.filter(user=listener, status="queued").count() == 1


def test_a_refresh_cannot_end_paused_without_a_resume_time() -> None:
    refresh = LibraryRefresh()

    with pytest.raises(ValueError, match="resume time"):
        refresh.finish(status=LibraryRefresh.Status.PAUSED)
    with pytest.raises(ValueError, match="does not end"):
        refresh.finish(status=LibraryRefresh.Status.RUNNING)


def test_the_home_page_summarises_the_signed_in_library(client: Client, listener: User) -> None:
    SavedTrackFactory.create_batch(3, user=listener)
    UserPlaylistFactory.create(user=listener, playlist=PlaylistFactory.create())

    page = client.get("/").content.decode()

    assert "<strong>3</strong> liked songs" in page
    assert "<strong>1</strong> playlist" in page
