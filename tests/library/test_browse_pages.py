"""Browsing pages over Django's test client: sign-in and empty states of every page, playlists,
albums, artists, top lists, search and home."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from downloads.models import Job
from library.models import FollowedArtist, TimeRange, TopArtist, TopTrack
from tests.factories import (
    ArtistFactory,
    PlaylistEntryFactory,
    SavedAlbumFactory,
    SavedTrackFactory,
    TrackFactory,
    UserFactory,
    UserPlaylistFactory,
)

pytestmark = [pytest.mark.django_db]

PAGES = [
    "/library/",
    "/library/liked/",
    "/library/playlists/",
    "/library/albums/",
    "/library/artists/",
    "/library/top/tracks/",
    "/library/top/artists/",
    "/library/recent/",
    "/library/search/",
]


# --- every page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_every_browse_page_needs_a_signed_in_user(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302 and response["Location"].startswith("/?next=")


@pytest.mark.parametrize("url", PAGES)
def test_every_browse_page_has_an_empty_state_with_a_way_forward(
    client: Client, listener: User, url: str
) -> None:
    response = client.get(url)

    assert response.status_code == 200
    assert 'aria-label="Library"' in response.content.decode()


# --- playlists -----------------------------------------------------------------------------------


def test_the_playlist_grid_marks_owned_collaborative_followed_and_unreadable_playlists(
    client: Client, listener: User
) -> None:
    UserPlaylistFactory.create(user=listener, playlist__name="Mine", is_owner=True)
    UserPlaylistFactory.create(
        user=listener, playlist__name="Shared", is_owner=False, playlist__collaborative=True
    )
    UserPlaylistFactory.create(
        user=listener, playlist__name="Theirs", is_owner=False, readable=False
    )

    page = client.get("/library/playlists/").content.decode()

    assert "badge-owned" in page and "badge-collab" in page and "badge-followed" in page
    assert "Can't be read" in page
    assert "what you can do" in page
    assert 'loading="lazy"' in page or "tile-blank" in page


def test_an_unreadable_playlist_explains_what_to_do(client: Client, listener: User) -> None:
    membership = UserPlaylistFactory.create(
        user=listener, is_owner=False, readable=False, unreadable_reason="You follow it."
    )

    page = client.get(f"/library/playlists/{membership.playlist.spotify_id}/").content.decode()

    assert "You follow it." in page
    assert "own or collaborate on" in page
    assert "add them to a new playlist of your own" in page
    assert "Refresh library" in page
    assert "Download playlist" not in page


def test_a_playlist_page_has_download_zip_and_player_and_notes_skipped_items(
    client: Client, listener: User
) -> None:
    membership = UserPlaylistFactory.create(user=listener, playlist__items_total=4)
    for position in (0, 2, 3):
        PlaylistEntryFactory.create(playlist=membership.playlist, position=position)
    spotify_id = membership.playlist.spotify_id

    page = client.get(f"/library/playlists/{spotify_id}/").content.decode()

    assert "Download playlist" in page
    assert f"/zip/playlists/{spotify_id}/" in page
    assert f"/play/playlists/{spotify_id}/" in page
    assert "1 of them is a local file or an episode" in page


def test_another_users_playlist_is_not_found_even_by_htmx(client: Client, listener: User) -> None:
    theirs = UserPlaylistFactory.create(user=UserFactory.create())

    url = f"/library/playlists/{theirs.playlist.spotify_id}/"
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404


# --- albums, artists, top, recent ----------------------------------------------------------------


def test_the_album_grid_and_page_show_the_saved_albums_with_their_tracks(
    client: Client, listener: User
) -> None:
    saved = SavedAlbumFactory.create(user=listener, album__name="Blue Lines")
    TrackFactory.create(album=saved.album, name="Safe From Harm", track_number=1)

    grid = client.get("/library/albums/").content.decode()
    detail = client.get(f"/library/albums/{saved.album.spotify_id}/").content.decode()

    assert "Blue Lines" in grid and 'aria-label="Download Blue Lines"' in grid
    assert "Safe From Harm" in detail and "Download album" in detail
    assert f"/zip/albums/{saved.album.spotify_id}/" in detail


def test_top_lists_have_a_tab_per_time_range(client: Client, listener: User) -> None:
    short, long = TrackFactory.create(name="Short Hit"), TrackFactory.create(name="Old Love")
    TopTrack.objects.create(user=listener, track=short, time_range=TimeRange.SHORT, rank=1)
    TopTrack.objects.create(user=listener, track=long, time_range=TimeRange.LONG, rank=1)
    artist = ArtistFactory.create(name="Forever Band")
    TopArtist.objects.create(user=listener, artist=artist, time_range=TimeRange.LONG, rank=1)

    default = client.get("/library/top/tracks/").content.decode()
    all_time = client.get("/library/top/tracks/", {"range": "long_term"}).content.decode()
    artists = client.get("/library/top/artists/", {"range": "long_term"}).content.decode()
    bogus = client.get("/library/top/tracks/", {"range": "forever"})

    assert "Short Hit" in default and "Old Love" not in default
    assert "Old Love" in all_time and "Short Hit" not in all_time
    assert 'href="?range=long_term" aria-current="page"' in all_time
    assert "Forever Band" in artists
    assert bogus.status_code == 200


def test_followed_artists_link_to_their_pages(client: Client, listener: User) -> None:
    artist = ArtistFactory.create(name="Followed One")
    FollowedArtist.objects.create(user=listener, artist=artist, position=0)

    page = client.get("/library/artists/").content.decode()

    assert "Followed One" in page
    assert f"/library/artists/{artist.spotify_id}/" in page


def test_an_artist_outside_the_users_library_is_not_found(client: Client, listener: User) -> None:
    stranger = ArtistFactory.create()

    assert client.get(f"/library/artists/{stranger.spotify_id}/").status_code == 404


# --- search --------------------------------------------------------------------------------------


def test_search_finds_the_users_tracks_albums_artists_and_playlists_only(
    client: Client, listener: User
) -> None:
    artist = ArtistFactory.create(name="Moonlight Trio")
    SavedTrackFactory.create(user=listener, track__name="Moonlight Drive", track__artists=[artist])
    SavedAlbumFactory.create(user=listener, album__name="Moonlight Album")
    UserPlaylistFactory.create(user=listener, playlist__name="Moonlight Mix")
    stranger = UserFactory.create()
    SavedTrackFactory.create(user=stranger, track__name="Moonlight Secret")
    UserPlaylistFactory.create(user=stranger, playlist__name="Moonlight Private")

    page = client.get("/library/search/", {"q": "moonlight"}).content.decode()

    for found in ("Moonlight Drive", "Moonlight Trio", "Moonlight Album", "Moonlight Mix"):
        assert found in page, found
    assert "Moonlight Secret" not in page and "Moonlight Private" not in page


def test_a_search_that_finds_nothing_says_so(client: Client, listener: User) -> None:
    page = client.get("/library/search/", {"q": "nothing here"}).content.decode()

    assert "Nothing in your library matches “nothing here”" in page


# --- home ----------------------------------------------------------------------------------------


def test_the_home_page_has_quick_actions_and_the_active_downloads(
    client: Client, listener: User
) -> None:
    SavedTrackFactory.create(user=listener)
    Job.objects.create(owner=listener, kind=Job.Kind.LIKED, title="My running job", total=4)
    Job.objects.create(owner=UserFactory.create(), kind=Job.Kind.LIKED, title="Not mine")

    page = client.get("/").content.decode()

    assert "Download Liked Songs" in page and "Download everything" in page
    assert "Refresh library" in page
    assert "My running job" in page and "Not mine" not in page


def test_the_library_page_counts_everything_in_a_fixed_number_of_queries(
    client: Client, listener: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for playlist in UserPlaylistFactory.create_batch(3, user=listener):
        PlaylistEntryFactory.create_batch(2, playlist=playlist.playlist)
    SavedTrackFactory.create(user=listener)

    # Session, user, the summary's counts (one query), refresh, account, playlists with their
    # stored entries, albums and their artists, followed artists.
    with django_assert_max_num_queries(9):
        page = client.get("/library/")

    assert page.status_code == 200
    assert "<strong>3</strong> playlists" in page.content.decode()
