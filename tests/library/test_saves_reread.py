"""Liked Songs and saved albums have no snapshot id: a re-read asks only what the first page
cannot vouch for, and writes nothing that has not changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.db import connection

from library.catalog.collections import saved_albums_store, saved_tracks_store
from library.catalog.writer import CatalogWriter
from library.models import SavedAlbum, SavedTrack, SpotifyAccount
from library.oauth import AccountTokens
from library.refresh.sources import liked_refresh, saved_albums_refresh
from library.spotify import AsyncSpotify
from library.spotify import types as t
from sandbox import Sandbox
from sandbox.models import Library
from tests.library.expectations import api_requests, pages
from tests.support.signing_in import RunRefresh, SignIn, outside_running_loop

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

LIKED = "GET /v1/me/tracks"
ALBUMS = "GET /v1/me/albums"


@pytest.fixture
def ana_library(spotify: Sandbox) -> Iterator[Library]:
    """Ana's library in the sandbox (two pages of liked songs), to change; rebuilt as generated
    afterwards."""
    yield spotify.world.library(spotify.user("ana"))
    spotify.world._libraries.pop("ana", None)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def spotify_for(user: User) -> AsyncSpotify:
    account = SpotifyAccount.objects.get(user=user)
    return AsyncSpotify(tokens=AccountTokens(account.pk), account_key=account.account_key)


def rows_written() -> int:
    """Rows inserted, updated or deleted so far by this connection (this transaction on
    PostgreSQL: the tests run inside one)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT total_changes()")
        else:
            cursor.execute(
                "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0)"
                " FROM pg_stat_xact_user_tables"
            )
        return int(cursor.fetchone()[0])


def test_an_unchanged_reread_asks_for_one_page_of_liked_songs_and_one_of_albums(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")
    run_refresh(ana)
    spotify.reset_counters()

    refresh = run_refresh(ana)

    expected = spotify.user_library("ana")
    assert pages(len(expected["liked"])) > 1
    assert api_requests(spotify)[LIKED] == 1
    assert api_requests(spotify)[ALBUMS] == 1
    assert refresh.counts["liked"] == len(expected["liked"])
    assert refresh.counts["albums"] == len(expected["albums"])
    assert SavedTrack.objects.filter(user=ana).count() == len(expected["liked"])


def test_a_new_save_on_top_is_read_with_one_page(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh, ana_library: Library
) -> None:
    ana = sign_in("ana")
    run_refresh(ana)
    liked_ids = {track.id for track, _ in ana_library.liked}
    new = next(
        track
        for track, _ in spotify.world.library(spotify.user("ben")).liked
        if track.id not in liked_ids
    )
    ana_library.liked.insert(0, (new, now_iso()))
    spotify.reset_counters()

    refresh = run_refresh(ana)

    newest = SavedTrack.objects.filter(user=ana).order_by("-added_at").first()
    assert api_requests(spotify)[LIKED] == 1
    assert newest is not None and newest.track.spotify_id == new.id
    assert SavedTrack.objects.filter(user=ana).count() == len(ana_library.liked)
    assert refresh.counts["liked"] == len(ana_library.liked)


def test_an_unsave_makes_the_next_read_read_everything_and_the_song_leaves(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh, ana_library: Library
) -> None:
    ana = sign_in("ana")
    run_refresh(ana)
    gone = ana_library.liked.pop(len(ana_library.liked) // 2)[0]
    spotify.reset_counters()

    run_refresh(ana)

    assert api_requests(spotify)[LIKED] == pages(len(ana_library.liked))
    assert not SavedTrack.objects.filter(user=ana, track__spotify_id=gone.id).exists()
    assert SavedTrack.objects.filter(user=ana).count() == len(ana_library.liked)


def test_a_save_and_an_unsave_together_are_read_in_full(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh, ana_library: Library
) -> None:
    ana = sign_in("ana")
    run_refresh(ana)
    gone = ana_library.liked.pop()[0]
    ana_library.liked.insert(0, (gone, now_iso()))  # unsaved, then saved again: now on top
    removed = ana_library.liked.pop(5)[0]
    added = next(
        track
        for track, _ in spotify.world.library(spotify.user("ben")).liked
        if track.id not in {s.id for s, _ in ana_library.liked} and track.id != removed.id
    )
    ana_library.liked.insert(0, (added, now_iso()))
    spotify.reset_counters()

    run_refresh(ana)

    stored = SavedTrack.objects.filter(user=ana).order_by("-added_at")
    assert api_requests(spotify)[LIKED] == pages(len(ana_library.liked))
    assert {s.track.spotify_id for s in stored} == {track.id for track, _ in ana_library.liked}


def test_a_newly_saved_album_is_read_with_one_page_and_a_removed_one_leaves(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh, ana_library: Library
) -> None:
    ana = sign_in("ana")
    run_refresh(ana)
    removed = ana_library.albums.pop()[0]
    spotify.reset_counters()
    run_refresh(ana)
    assert not SavedAlbum.objects.filter(user=ana, album__spotify_id=removed.id).exists()
    ana_library.albums.insert(0, (removed, now_iso()))
    spotify.reset_counters()

    run_refresh(ana)

    assert api_requests(spotify)[ALBUMS] == 1
    assert SavedAlbum.objects.filter(user=ana, album__spotify_id=removed.id).exists()
    assert SavedAlbum.objects.filter(user=ana).count() == len(ana_library.albums)


def test_a_sync_of_unchanged_liked_songs_and_albums_reads_one_page_each(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")
    run_refresh(ana)
    spotify.reset_counters()

    def sync_reads() -> None:
        client = spotify_for(ana)
        async_to_sync(liked_refresh)(spotify=client, user_id=ana.pk)
        async_to_sync(saved_albums_refresh)(spotify=client, user_id=ana.pk)

    outside_running_loop(sync_reads)

    assert api_requests(spotify)[LIKED] == 1
    assert api_requests(spotify)[ALBUMS] == 1
    assert SavedTrack.objects.filter(user=ana).count() == len(spotify.user_library("ana")["liked"])


def test_writing_the_same_saves_again_writes_no_row(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")
    run_refresh(ana)

    client = spotify_for(ana)

    async def read_all() -> tuple[list[t.SavedTrack], list[t.SavedAlbum]]:
        return (await client.saved_tracks()).saved, (await client.saved_albums()).saved

    liked, albums = outside_running_loop(lambda: async_to_sync(read_all)())
    before = rows_written()

    saved_tracks_store(user_id=ana.pk, saved=liked, catalog=CatalogWriter())
    saved_albums_store(user_id=ana.pk, saved=albums, catalog=CatalogWriter())

    assert liked and albums
    assert rows_written() == before
