"""The liked songs table over Django's test client: each track's state, paging, the filter with
and without htmx, its query cost at any library size, selecting rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from downloads.models import Job, JobItem, StoredFile
from library.models import Album, Artist, SavedTrack, Track, TrackArtist
from spotifydl.paging import TRACKS_PER_PAGE
from tests.factories import ArtistFactory, SavedTrackFactory

pytestmark = [pytest.mark.django_db]


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


def test_liked_songs_are_paged_newest_first(client: Client, listener: User) -> None:
    liked_library(listener, TRACKS_PER_PAGE + 50)

    first = client.get("/library/liked/").content.decode()
    second = client.get("/library/liked/?page=2").content.decode()

    last = TRACKS_PER_PAGE - 1
    assert "Bench Song 00000" in first and f"Bench Song {last:05d}" in first
    assert f"Bench Song {last + 1:05d}" not in first
    assert f"Bench Song {last + 50:05d}" in second and "Page 2 of 2" in second


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
    assert first.content.decode().count('name="track"') == TRACKS_PER_PAGE
    assert f"{size:,} songs" in first.content.decode()


def test_rows_can_be_selected_for_a_download_or_a_zip(client: Client, listener: User) -> None:
    saved = SavedTrackFactory.create(user=listener)

    page = client.get("/library/liked/").content.decode()

    assert f'name="track" value="{saved.track.spotify_id}" form="selection-form"' in page
    assert 'id="selection-form"' in page and 'name="kind" value="selection"' in page
    assert 'formaction="/zip/selection/"' in page
    assert "js/selection" in page
