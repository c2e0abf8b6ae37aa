from __future__ import annotations

from typing import Any

from library.spotify import types as t


def track_json(track_id: str = "t1", **extra: Any) -> dict[str, Any]:
    return {
        "id": track_id,
        "type": "track",
        "name": "Song",
        "artists": [{"id": "a1", "name": "Artist"}],
        "album": {
            "id": "al1",
            "name": "Album",
            "images": [{"url": "big"}, {"url": "small"}],
            "artists": [{"id": "a1", "name": "Artist"}],
        },
        "duration_ms": 1000,
        "explicit": True,
        "disc_number": 2,
        "track_number": 7,
        "external_ids": {"isrc": "usabc1234567"},
        **extra,
    }


def entry(at: int, **data: Any) -> t.PlaylistEntry | None:
    return t.parse_playlist_entry(data, at, SKIPPED)


SKIPPED = t.Skipped()


def test_a_track_keeps_isrc_numbers_explicit_and_both_cover_sizes() -> None:
    track = t.parse_track(track_json())

    assert track is not None
    assert track.isrc == "USABC1234567"
    assert (track.disc_number, track.track_number, track.explicit) == (2, 7, True)
    assert track.album is not None
    assert (track.album.cover_url, track.album.cover_url_small) == ("big", "small")


def test_a_playlist_entry_reads_item_first_and_falls_back_to_track() -> None:
    newer = entry(0, item=track_json("new"), track=track_json("old"))
    older = entry(1, track=track_json("old"))
    both_null_item = entry(2, item=None, track=track_json("legacy"))

    assert newer is not None and newer.track.id == "new"
    assert older is not None and older.track.id == "old"
    assert both_null_item is not None and both_null_item.track.id == "legacy"


def test_null_entries_local_files_and_episodes_are_skipped_and_counted() -> None:
    skipped = t.Skipped()
    items = [
        None,
        {"item": None, "track": None},
        {"is_local": True, "item": {"id": None, "type": "track", "is_local": True}},
        {"item": {"id": "ep", "type": "episode", "name": "Podcast"}},
        {"item": track_json()},
    ]

    kept = [t.parse_playlist_entry(item, i, skipped) for i, item in enumerate(items)]

    assert [e.position for e in kept if e is not None] == [4]
    assert (skipped.null, skipped.local, skipped.episode) == (2, 1, 1)


def test_a_playlist_reads_its_size_from_items_or_the_older_tracks_key() -> None:
    newer = t.parse_playlist({"id": "p", "items": {"total": 7}, "owner": {"id": "o"}})
    older = t.parse_playlist({"id": "p", "tracks": {"total": 3}, "owner": {"id": "o"}})

    assert newer is not None and newer.items_total == 7
    assert older is not None and older.items_total == 3


def test_a_user_is_keyed_by_account_id_falling_back_to_id() -> None:
    assert t.parse_user({"id": "u", "account_id": "acc"}).account_key == "acc"
    assert t.parse_user({"id": "u"}).account_key == "u"
    assert t.parse_user({"id": "u", "display_name": None}).display_name == "u"


def test_album_tracks_take_the_album_they_are_listed_in() -> None:
    album = t.parse_album(
        {
            "id": "al",
            "name": "Album",
            "tracks": {"items": [{"id": "t", "name": "Song", "artists": []}], "total": 60},
        }
    )

    assert album is not None
    assert album.tracks[0].album == album.album
    assert album.tracks[0].isrc == ""
    assert album.tracks_total == 60


def test_names_lose_nul_characters_which_no_database_can_store_and_keep_the_rest() -> None:
    track = t.parse_track(track_json(name="Null\x00Byte \u202eRTL\x07"))

    assert track is not None
    assert track.name == "NullByte \u202eRTL\x07"


def test_a_read_parses_a_track_met_again_once_unless_its_isrc_turns_up_later() -> None:
    memo = t.Memo()
    from_album_page = t.parse_track(track_json("t", external_ids={}), memo=memo)
    with_isrc = t.parse_track(track_json("t"), memo=memo)
    again = t.parse_track(track_json("t", name="Renamed elsewhere"), memo=memo)

    assert from_album_page is not None and from_album_page.isrc == ""
    assert with_isrc is not None and with_isrc.isrc == "USABC1234567"
    assert again is with_isrc
    assert with_isrc.album is t.parse_album_ref({"id": "al1"}, memo)
