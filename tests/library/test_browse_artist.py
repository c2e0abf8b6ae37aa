"""An artist's page reads their albums live from Spotify (the sandbox); any of them downloads."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from downloads.models import Job
from library import live
from library.live import ARTIST_ALBUMS_PAGE
from library.models import Album, Artist, FollowedArtist, SpotifyAccount
from sandbox import Sandbox
from tests.factories import ArtistFactory
from tests.support.signing_in import RunRefresh, SignIn

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

ALBUMS_ENDPOINT = "GET /v1/artists/{id}/albums"
DOWNLOAD_FIELDS = {"kind": "album", "audio_format": "original"}


@pytest.fixture(autouse=True)
def _no_cached_discographies() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ana(client: Client, sign_in: SignIn, run_refresh: RunRefresh) -> User:
    user = sign_in("ana")
    run_refresh(user)
    client.force_login(user)
    return user


def followed_artist_id(user: User) -> str:
    return FollowedArtist.objects.filter(user=user).order_by("position")[0].artist.spotify_id


def album_ids(page: str) -> list[str]:
    return re.findall(r'action="/library/albums/([A-Za-z0-9]+)/download/"', page)


def discography_ids(client: Client, user: User) -> Iterator[str]:
    """Album ids from the artist pages of the artists on the user's liked songs."""
    for artist in Artist.objects.filter(tracks__saves__user=user).distinct().order_by("pk"):
        yield from album_ids(client.get(f"/library/artists/{artist.spotify_id}/").content.decode())


def test_an_artist_page_lists_their_albums_read_live_and_cached_briefly(
    client: Client, ana: User, spotify: Sandbox
) -> None:
    artist_id = followed_artist_id(ana)
    spotify.reset_counters()

    first = client.get(f"/library/artists/{artist_id}/")
    again = client.get(f"/library/artists/{artist_id}/")

    assert first.status_code == again.status_code == 200
    albums = album_ids(first.content.decode())
    assert 0 < len(albums) <= ARTIST_ALBUMS_PAGE
    assert spotify.requests[ALBUMS_ENDPOINT] == 1
    assert 'loading="lazy"' in first.content.decode()


def test_more_albums_arrive_a_page_at_a_time(
    client: Client, ana: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sandbox's discographies fit in one page of 10; smaller pages show the paging.
    monkeypatch.setattr(live, "ARTIST_ALBUMS_PAGE", 2)
    liked_artists = Artist.objects.filter(tracks__saves__user=ana).distinct().order_by("pk")
    artist_id = next(
        artist.spotify_id
        for artist in liked_artists
        if "More albums" in client.get(f"/library/artists/{artist.spotify_id}/").content.decode()
    )

    more = client.get(
        f"/library/artists/{artist_id}/",
        {"offset": 2},
        headers={"HX-Request": "true", "HX-Target": "artist-albums-more"},
    ).content.decode()
    first = client.get(f"/library/artists/{artist_id}/").content.decode()

    assert more.lstrip().startswith("<li")
    assert "<html" not in more
    assert set(album_ids(more)).isdisjoint(album_ids(first))


def test_an_album_not_in_the_catalog_is_read_then_downloaded(
    client: Client, ana: User, spotify: Sandbox
) -> None:
    album_id = next(
        a for a in discography_ids(client, ana) if not Album.objects.filter(spotify_id=a).exists()
    )
    url = f"/library/albums/{album_id}/download/"

    handed_on = client.post(url, {**DOWNLOAD_FIELDS, "target": album_id})
    created = client.post(url, {**DOWNLOAD_FIELDS, "target": album_id}, follow=True)

    assert handed_on.status_code == 307 and handed_on["Location"] == "/downloads/new/"
    album = Album.objects.get(spotify_id=album_id)
    assert album.tracks.count() == album.total_tracks > 0
    job = Job.objects.get(owner=ana)
    assert (job.kind, job.target_id, job.total) == ("album", album_id, album.total_tracks)
    assert created.redirect_chain[-1][0] == f"/downloads/{job.pk}/"


def test_an_album_already_in_the_catalog_costs_no_spotify_request(
    client: Client, ana: User, spotify: Sandbox
) -> None:
    album = Album.objects.filter(saves__user=ana).first()
    assert album is not None
    spotify.reset_counters()

    response = client.post(
        f"/library/albums/{album.spotify_id}/download/",
        {**DOWNLOAD_FIELDS, "target": album.spotify_id},
    )

    assert response.status_code == 307
    assert sum(spotify.requests.values()) == 0


def test_when_spotify_fails_the_artist_page_says_so_and_offers_to_try_again(
    client: Client, ana: User, spotify: Sandbox
) -> None:
    spotify.knobs.fail_next(1, "quota", path="/albums")

    page = client.get(f"/library/artists/{followed_artist_id(ana)}/").content.decode()

    assert "request limit" in page and "Try again" in page


def test_a_revoked_sign_in_asks_to_sign_in_again(client: Client, ana: User) -> None:
    account = SpotifyAccount.objects.get(user=ana)
    account.require_reauth("Spotify said the sign-in was revoked.")
    account.save()

    page = client.get(f"/library/artists/{followed_artist_id(ana)}/").content.decode()
    download = client.post("/library/albums/abc123/download/", {**DOWNLOAD_FIELDS})

    assert "Spotify said the sign-in was revoked." in page and "Sign in again" in page
    assert download.status_code == 502 and b"Sign in again" in download.content


def test_an_album_id_that_is_not_one_is_not_found(client: Client, ana: User) -> None:
    assert client.post("/library/albums/not-an-id!/download/").status_code == 404


def test_an_album_spotify_does_not_know_is_a_404_page_in_words(client: Client, ana: User) -> None:
    response = client.post(
        "/library/albums/0NoSuchAlbum0000000000/download/",
        {**DOWNLOAD_FIELDS, "target": "0NoSuchAlbum0000000000"},
    )

    assert response.status_code == 404
    assert b"Spotify has no album with that id" in response.content


def test_an_artist_spotify_no_longer_knows_is_a_404_page_in_words(
    client: Client, ana: User
) -> None:
    gone = ArtistFactory.create(spotify_id="0NoSuchArtist000000000")
    FollowedArtist.objects.create(user=ana, artist=gone, position=99)

    response = client.get(f"/library/artists/{gone.spotify_id}/")

    assert response.status_code == 404
    assert b"Spotify has no artist with that id" in response.content
