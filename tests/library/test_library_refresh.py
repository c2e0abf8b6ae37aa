from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command

from library.models import (
    FollowedArtist,
    LibraryRefresh,
    Playlist,
    PlaylistEntry,
    RecentPlay,
    SavedAlbum,
    SavedTrack,
    TimeRange,
    TopArtist,
    TopTrack,
    Track,
    UserPlaylist,
)
from library.refresh.access import FOLLOWED_REASON, FORBIDDEN_REASON
from sandbox import Sandbox
from tests.library.expectations import ITEMS, api_requests, minimum_requests, playlist
from tests.support.signing_in import RunRefresh, SignIn

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_a_refresh_reads_every_liked_song_newest_first(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")

    run_refresh(ana)

    saved = SavedTrack.objects.filter(user=ana).order_by("-added_at")
    assert [s.track.spotify_id for s in saved] == spotify.user_library("ana")["liked"]


def test_a_refresh_reads_albums_followed_artists_top_lists_and_recent_plays(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")
    expected = spotify.user_library("ana")

    run_refresh(ana)

    albums = SavedAlbum.objects.filter(user=ana).order_by("-added_at")
    followed = FollowedArtist.objects.filter(user=ana).order_by("position")
    recent = RecentPlay.objects.filter(user=ana).order_by("-played_at")
    assert [a.album.spotify_id for a in albums] == expected["albums"]
    assert [f.artist.spotify_id for f in followed] == expected["followed_artists"]
    assert [p.track.spotify_id for p in recent] == expected["recently_played"]
    for time_range in TimeRange.values:
        tracks = TopTrack.objects.filter(user=ana, time_range=time_range).order_by("rank")
        artists = TopArtist.objects.filter(user=ana, time_range=time_range).order_by("rank")
        assert [t.track.spotify_id for t in tracks] == expected["top_tracks"][time_range]
        assert [a.artist.spotify_id for a in artists] == expected["top_artists"][time_range]


def test_a_refresh_stores_every_readable_playlist_in_order_and_skips_what_is_not_a_track(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")
    expected = spotify.user_library("ana")

    refresh = run_refresh(ana)

    memberships = UserPlaylist.objects.filter(user=ana).select_related("playlist")
    assert [m.playlist.spotify_id for m in memberships] == [p["id"] for p in expected["playlists"]]
    for want in (p for p in expected["playlists"] if p["readable"]):
        entries = PlaylistEntry.objects.filter(playlist__spotify_id=want["id"]).order_by("position")
        assert [e.track.spotify_id for e in entries] == want["track_ids"], want["name"]
    kinds = Counter(
        item["type"] for p in expected["playlists"] if p["readable"] for item in p["items"]
    )
    assert refresh.counts["skipped_local"] == kinds["local"]
    assert refresh.counts["skipped_episodes"] == kinds["episode"]
    assert refresh.counts["skipped_null"] == kinds[None]


def test_tracks_keep_isrc_duration_explicit_numbers_and_cover(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")

    run_refresh(ana)

    liked_id = spotify.user_library("ana")["liked"][0]
    source = spotify.world.track(liked_id)
    assert source is not None
    track = Track.objects.select_related("album").get(spotify_id=liked_id)
    assert track.isrc == source.isrc
    assert track.duration_ms == source.duration_ms
    assert track.explicit == source.explicit
    assert (track.disc_number, track.track_number) == (source.disc_number, source.track_number)
    assert track.album is not None and track.album.spotify_id == source.album.id
    assert track.cover_url.startswith(spotify.accounts_url)
    assert list(track.artists.values_list("spotify_id", flat=True)) == [
        a.id for a in source.artists
    ]


def test_followed_playlists_are_marked_unreadable_with_the_reason_instead_of_failing(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")
    followed = playlist(spotify, "ana", readable=False, owned=False)

    refresh = run_refresh(ana)

    membership = UserPlaylist.objects.get(user=ana, playlist__spotify_id=followed["id"])
    assert refresh.status == LibraryRefresh.Status.SUCCEEDED
    assert not membership.readable
    assert membership.unreadable_reason == FOLLOWED_REASON
    assert refresh.counts["playlists_unreadable"] >= 1


def test_a_403_on_a_playlists_items_marks_it_unreadable_and_the_refresh_goes_on(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")
    shared = playlist(spotify, "ana", readable=True, owned=False)  # Ben's, Ana collaborates
    source = spotify.world.playlist(shared["id"])
    assert source is not None
    collaborators, public = set(source.collaborators), source.public
    # Ben took Ana off the collaborators and made it public: Ana may see it, not its items.
    source.collaborators.discard(spotify.user("ana").id)
    source.public = True
    try:
        refresh = run_refresh(ana)
    finally:
        source.collaborators, source.public = collaborators, public

    membership = UserPlaylist.objects.get(user=ana, playlist__spotify_id=shared["id"])
    assert refresh.status == LibraryRefresh.Status.SUCCEEDED
    assert not membership.readable
    assert membership.unreadable_reason == FORBIDDEN_REASON


def test_a_refresh_makes_one_request_per_page_at_the_largest_page_size(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")
    spotify.reset_counters()

    refresh = run_refresh(ana)

    assert api_requests(spotify) == minimum_requests(spotify, "ana")
    assert refresh.requests_made == sum(minimum_requests(spotify, "ana").values())


def test_reading_an_unchanged_library_again_makes_no_playlist_item_requests(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")
    run_refresh(ana)
    spotify.reset_counters()

    refresh = run_refresh(ana)

    assert api_requests(spotify)[ITEMS] == 0
    assert (
        refresh.counts["playlists_unchanged"]
        == refresh.counts["playlists"] - (refresh.counts["playlists_unreadable"])
    )


def test_a_changed_playlist_is_read_again_and_only_that_one(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ben = sign_in("ben")
    run_refresh(ben)
    mine = playlist(spotify, "ben", readable=True, owned=True)
    new_track = spotify.user_library("ana")["liked"][-1]
    spotify.playlist_add(mine["id"], [new_track], position=0)
    spotify.reset_counters()

    run_refresh(ben)

    entries = PlaylistEntry.objects.filter(playlist__spotify_id=mine["id"]).order_by("position")
    assert api_requests(spotify)[ITEMS] == 1
    assert entries[0].track.spotify_id == new_track
    assert entries.count() == len(mine["track_ids"]) + 1
    stored = Playlist.objects.get(spotify_id=mine["id"])
    assert stored.items_snapshot_id == stored.snapshot_id != mine["snapshot_id"]


def test_a_finished_refresh_records_counts_requests_and_duration(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ben = sign_in("ben")

    refresh = run_refresh(ben)

    expected = spotify.user_library("ben")
    assert refresh.status == LibraryRefresh.Status.SUCCEEDED
    assert refresh.counts["liked"] == len(expected["liked"])
    assert refresh.counts["playlists"] == len(expected["playlists"])
    assert refresh.requests_made > 0
    assert refresh.duration is not None and refresh.finished_at is not None
    assert refresh.percent == 100
    assert refresh.steps_done == refresh.steps_total


def test_an_empty_library_refreshes_cleanly(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    cleo = sign_in("cleo")

    refresh = run_refresh(cleo)

    assert refresh.status == LibraryRefresh.Status.SUCCEEDED
    assert not SavedTrack.objects.filter(user=cleo).exists()
    assert refresh.counts["liked"] == 0


def test_songs_unliked_on_spotify_leave_the_library_on_the_next_refresh(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ben = sign_in("ben")
    run_refresh(ben)
    gone = spotify.user_library("ben")["liked"][0]
    library = spotify.world.library(spotify.user("ben"))
    library.liked = [pair for pair in library.liked if pair[0].id != gone]
    try:
        run_refresh(ben)
    finally:
        spotify.world._libraries.pop("ben", None)

    assert not SavedTrack.objects.filter(user=ben, track__spotify_id=gone).exists()
    assert Track.objects.filter(spotify_id=gone).exists()  # the catalog keeps it


def test_the_management_command_refreshes_a_user_from_the_shell(
    spotify: Sandbox, sign_in: SignIn, capsys: pytest.CaptureFixture[str]
) -> None:
    ben = sign_in("ben")

    call_command("library_refresh", user=ben.username)

    refresh = LibraryRefresh.objects.filter(user=ben).latest()
    assert refresh.status == LibraryRefresh.Status.SUCCEEDED
    assert "Up to date" in capsys.readouterr().out
