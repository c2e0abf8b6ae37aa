"""Browsing pages over Django's test client: content, ownership, states, paging, filter, search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from downloads.models import Job, JobItem, StoredFile
from library.models import (
    Album,
    Artist,
    FollowedArtist,
    SavedTrack,
    TimeRange,
    TopArtist,
    TopTrack,
    Track,
    TrackArtist,
)
from tests.factories import (
    ArtistFactory,
    PlaylistEntryFactory,
    SavedAlbumFactory,
    SavedTrackFactory,
    SpotifyAccountFactory,
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


@pytest.fixture
def listener(client: Client) -> User:
    account = SpotifyAccountFactory.create()
    client.force_login(account.user)
    return account.user


def liked_library(user: User, size: int) -> list[Track]:
    """`size` liked songs, built in a few bulk inserts (10,000 take about a second)."""
    album = Album.objects.create(spotify_id=f"benchalbum{user.pk}", name="Bench Album")
    artist = Artist.objects.create(spotify_id=f"benchartist{user.pk}", name="Bench Artist")
    tracks = Track.objects.bulk_create(
        Track(spotify_id=f"b{user.pk}t{i:012d}", name=f"Bench Song {i:05d}", album=album)
        for i in range(size)
    )
    TrackArtist.objects.bulk_create(TrackArtist(track=t, artist=artist) for t in tracks)
    now = datetime.now(UTC)
    SavedTrack.objects.bulk_create(
        SavedTrack(user=user, track=t, added_at=now - timedelta(minutes=i))
        for i, t in enumerate(tracks)
    )
    return tracks


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


# --- track tables --------------------------------------------------------------------------------


def test_liked_songs_show_title_artists_album_added_date_and_each_tracks_state(
    client: Client, listener: User
) -> None:
    artist = ArtistFactory.create(name="Ébène Quartet")
    queued, running, done, failed, no_match, _fresh = (
        SavedTrackFactory.create(
            user=listener,
            track__name=name,
            track__artists=[artist],
            track__album__name="Späti Sessions",
            added_at=datetime(2026, 3, 1, tzinfo=UTC) - timedelta(days=i),
        ).track
        for i, name in enumerate(["Queued", "Running", "Done", "Failed", "Nomatch", "Fresh"])
    )
    job = Job.objects.create(owner=listener, kind=Job.Kind.LIKED, title="Liked", total=5)
    items: list[tuple[Track, str, dict[str, Any]]] = [
        (queued, "queued", {}),
        (running, "running", {"progress": 42}),
        (failed, "failed", {"error": "ERROR: Sign in to confirm", "error_kind": "bot_check"}),
        (no_match, "no_match", {}),
    ]
    for position, (track, status, extra) in enumerate(items):
        JobItem.objects.create(job=job, track=track, position=position, status=status, **extra)
    StoredFile.objects.create(track=done, audio_format="mp3", path="a/b.mp3")

    page = client.get("/library/liked/").content.decode()

    for expected in (
        f'<a href="/library/artists/{artist.spotify_id}/">Ébène Quartet</a>',
        "Späti Sessions",
        "1 Mar 2026",
        "Queued",
        "Downloading 42%",
        "Downloaded · MP3",
        "Failed",
        "YouTube asked to confirm you&#x27;re not a bot.",  # the job page's words, not yt-dlp's
        'href="/settings/#id_cookies_file">Add a cookies file of your own in Settings</a>',
        "No match",
        f'href="/downloads/items/{job.items.get(track=no_match).pk}/match/">Pick an upload</a>',
        "Not downloaded",
    ):
        assert expected in page, expected
    assert page.index("Queued") < page.index("Fresh")
    assert "ERROR: Sign in to confirm" not in page


def test_liked_songs_are_paged_by_100_newest_first(client: Client, listener: User) -> None:
    liked_library(listener, 150)

    first = client.get("/library/liked/").content.decode()
    second = client.get("/library/liked/?page=2").content.decode()

    assert "Bench Song 00000" in first and "Bench Song 00099" in first
    assert "Bench Song 00100" not in first
    assert "Bench Song 00149" in second and "Page 2 of 2" in second


def test_the_liked_filter_matches_title_artist_or_album_and_works_without_javascript(
    client: Client, listener: User
) -> None:
    SavedTrackFactory.create(user=listener, track__name="Blue Monday")
    SavedTrackFactory.create(
        user=listener, track__name="Other", track__artists=[ArtistFactory.create(name="Bluey")]
    )
    SavedTrackFactory.create(user=listener, track__name="Third", track__album__name="Blueprint")
    SavedTrackFactory.create(user=listener, track__name="Nothing Alike")

    page = client.get("/library/liked/", {"q": "blue"}).content.decode()

    assert "3 tracks match" in page
    assert "Blue Monday" in page and "Bluey" in page and "Blueprint" in page
    assert "Nothing Alike" not in page
    assert 'value="blue"' in page


def test_htmx_filtering_answers_with_the_results_alone(client: Client, listener: User) -> None:
    SavedTrackFactory.create(user=listener, track__name="Blue Monday")
    SavedTrackFactory.create(user=listener, track__name="Nothing Alike")

    response = client.get(
        "/library/liked/",
        {"q": "monday"},
        headers={"HX-Request": "true", "HX-Target": "track-results"},
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<div id="track-results"')
    assert "Blue Monday" in content and "Nothing Alike" not in content
    assert "HX-Request" in response["Vary"]


def test_a_filter_that_matches_nothing_offers_to_show_everything(
    client: Client, listener: User
) -> None:
    SavedTrackFactory.create(user=listener, track__name="Blue Monday")

    page = client.get("/library/liked/", {"q": "zzz"}).content.decode()

    assert "No tracks match “zzz”" in page
    assert "Show all tracks" in page


@pytest.mark.parametrize("size", [100, 10_000])
def test_the_liked_songs_page_costs_the_same_queries_at_any_library_size(
    client: Client,
    listener: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    size: int,
) -> None:
    liked_library(listener, size)

    # Session, user, the count, one page of rows, their artists, their download states, the
    # sync subscription.
    with django_assert_max_num_queries(7):
        first = client.get("/library/liked/")
    # Filtered: one more count, of the whole list for the header.
    with django_assert_max_num_queries(8):
        filtered = client.get("/library/liked/", {"q": "song 0009", "page": "1"})
    with django_assert_max_num_queries(7):
        last = client.get("/library/liked/", {"page": "last"})

    assert first.status_code == filtered.status_code == last.status_code == 200
    assert first.content.decode().count('name="track"') == 100
    assert f"{size:,} songs" in first.content.decode()


def test_rows_can_be_selected_for_a_download_or_a_zip(client: Client, listener: User) -> None:
    saved = SavedTrackFactory.create(user=listener)

    page = client.get("/library/liked/").content.decode()

    assert f'name="track" value="{saved.track.spotify_id}" form="selection-form"' in page
    assert 'id="selection-form"' in page and 'name="kind" value="selection"' in page
    assert 'formaction="/zip/selection/"' in page
    assert "js/selection" in page


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
