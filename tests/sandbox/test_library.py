"""The seeded library generator: deterministic, realistic, strange on purpose, and fast."""

from __future__ import annotations

import re
import unicodedata

from sandbox import Sandbox
from sandbox.models import Track


def tracks_of(sb: Sandbox, user: str) -> list[Track]:
    found = [sb.world.track(i) for i in sb.user_library(user)["liked"]]
    return [t for t in found if t is not None]


def test_the_same_seed_gives_the_same_library_and_another_seed_another() -> None:
    first, again, other = Sandbox(seed=7), Sandbox(seed=7), Sandbox(seed=8)
    assert first.user_library("ben") == again.user_library("ben")
    assert first.user_library("ben")["liked"] != other.user_library("ben")["liked"]


def test_the_order_users_are_built_in_does_not_change_ids() -> None:
    ana_first, ben_first = Sandbox(seed=5), Sandbox(seed=5)
    ana_first.user_library("ana")
    ben_first.user_library("ben")
    assert ana_first.user_library("ben") == ben_first.user_library("ben")
    assert ana_first.user_library("ana") == ben_first.user_library("ana")


def test_users_have_distinct_ids_account_ids_and_sizes() -> None:
    sb = Sandbox()
    assert [u.key for u in sb.users] == ["ana", "ben", "cleo"]
    assert len({u.id for u in sb.users}) == len({u.account_id for u in sb.users}) == 3
    assert sb.user_library("cleo")["liked"] == [] and sb.user_library("cleo")["playlists"] == []


def test_track_names_look_like_music_with_isrcs_and_numbers() -> None:
    sb = Sandbox()
    for track in tracks_of(sb, "ben"):
        assert re.fullmatch(r"[A-Z]{2}[A-Z0-9]{3}\d{7}", track.isrc)
        assert track.track_number >= 1 and track.disc_number >= 1
        assert re.fullmatch(r"\d{4}(-\d\d){0,2}", track.album.release_date)
        assert track.name.strip() and track.artists[0].name.strip()


def test_artists_usually_have_several_releases() -> None:
    catalog = Sandbox().world.catalog
    counts = [len(catalog.discography(catalog.artist(i))) for i in range(10, 60)]
    assert sum(c >= 2 for c in counts) > len(counts) / 2 and max(counts) >= 4


def test_the_edge_case_user_has_every_kind_of_strange_name() -> None:
    sb = Sandbox()
    names = [t.name for t in tracks_of(sb, "ana")]
    names += [a.name for t in tracks_of(sb, "ana") for a in t.artists]
    names += [p["name"] for p in sb.user_library("ana")["playlists"]]
    text = "\n".join(names)
    assert any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)  # right-to-left
    assert "🔥" in text and "/" in text and "\\" in text and ".." in names
    assert any(any(unicodedata.category(c) == "Cc" for c in n) for n in names)
    assert any(len(n) > 300 for n in names)
    assert unicodedata.normalize("NFC", "Cafe\u0301 del Mar") in names
    assert "Cafe\u0301 del Mar" in names  # the decomposed spelling too


def test_the_edge_case_user_has_short_long_twin_and_multi_artist_tracks() -> None:
    tracks = tracks_of(Sandbox(), "ana")
    assert any(t.duration_ms < 30_000 for t in tracks)
    assert any(t.duration_ms > 20 * 60_000 for t in tracks)
    assert any(len(t.artists) > 1 for t in tracks)
    twins = [t for t in tracks if t.twin is not None]
    assert any(t.explicit for t in twins) and any(not t.explicit for t in twins)


def test_the_edge_case_user_has_strange_playlists() -> None:
    sb = Sandbox()
    playlists = sb.user_library("ana")["playlists"]
    kinds = {item["type"] for p in playlists for item in p["items"]}
    assert kinds == {"track", "episode", "local", None}
    assert any(not p["items"] for p in playlists)  # an empty one
    assert any(p["collaborative"] and p["readable"] for p in playlists)
    followed = [p for p in playlists if not p["readable"]]
    assert {p["owner_id"] for p in followed} >= {sb.user("ben").id, "spotify"}


def test_ten_thousand_liked_songs_are_generated_on_first_use() -> None:
    # How long it takes is printed by the benchmarks, never asserted in a test.
    sb = Sandbox(preset="bench")
    library = sb.user_library("hugo")
    assert len(library["liked"]) == 10_000 and len(set(library["liked"])) == 10_000
    assert len(library["playlists"]) >= 200


def test_libraries_are_built_only_when_first_needed() -> None:
    sb = Sandbox(preset="bench")
    sb.user_library("ben")
    assert len(sb.world.catalog.tracks_by_id) < 5_000  # hugo's 10,000 songs are not there yet
