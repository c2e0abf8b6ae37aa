"""The sandbox's /v1 behaves like Spotify's Web API for a Development Mode app in 2026."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox import Sandbox

GONE_FIELDS = {"popularity", "label", "available_markets", "followers"}


def keys_anywhere(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from keys_anywhere(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from keys_anywhere(inner)


def playlist(sb: Sandbox, name_start: str, user: str = "ana") -> dict[str, Any]:
    every: list[dict[str, Any]] = sb.user_library(user)["playlists"]
    found = [p for p in every if p["name"].startswith(name_start)]
    assert found, name_start
    return found[0]


def test_paging_defaults_to_20_with_absolute_next_and_previous_urls(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    first = api.get("me/tracks").json()
    assert first["limit"] == 20 and first["offset"] == 0 and len(first["items"]) == 20
    assert first["previous"] is None
    assert first["next"] == f"{sandbox.api_url}/me/tracks?offset=20&limit=20"
    second = api.get(first["next"]).json()
    assert second["previous"] == f"{sandbox.api_url}/me/tracks?offset=0&limit=20"
    last = api.get("me/tracks?offset=60&limit=20").json()
    assert last["next"] is None and len(last["items"]) == last["total"] - 60


@pytest.mark.parametrize("query", ["limit=51", "limit=0", "limit=ten", "offset=-1"])
def test_bad_paging_is_a_400_in_spotifys_error_shape(api: httpx.Client, query: str) -> None:
    answer = api.get(f"me/tracks?{query}")
    assert answer.status_code == 400
    assert answer.json()["error"]["status"] == 400
    assert answer.json()["error"]["message"].startswith("Invalid")


def test_a_missing_or_unknown_token_is_a_401(sandbox: Sandbox) -> None:
    missing = httpx.get(f"{sandbox.api_url}/me")
    assert missing.status_code == 401
    assert missing.json() == {"error": {"status": 401, "message": "No token provided"}}
    wrong = httpx.get(f"{sandbox.api_url}/me", headers={"Authorization": "Bearer nope"})
    assert wrong.json() == {"error": {"status": 401, "message": "Invalid access token"}}


def test_removed_endpoints_answer_403(sandbox: Sandbox, api: httpx.Client) -> None:
    lib = sandbox.user_library("ana")
    track = api.get(f"tracks/{lib['liked'][0]}").json()
    album, artist = track["album"]["id"], track["artists"][0]["id"]
    for path in (
        f"tracks/?ids={track['id']}",  # spotipy's spelling
        f"tracks?ids={track['id']}",
        f"albums/?ids={album}",
        f"artists/?ids={artist}",
        f"artists/{artist}/top-tracks?country=US",
        f"playlists/{lib['playlists'][0]['id']}/tracks",
    ):
        answer = api.get(path)
        assert answer.status_code == 403, path
        assert answer.json()["error"]["status"] == 403


def test_followed_playlists_of_others_answer_403_on_items(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    followed = next(p for p in sandbox.user_library("ana")["playlists"] if not p["readable"])
    assert api.get(f"playlists/{followed['id']}/items").status_code == 403
    whole = api.get(f"playlists/{followed['id']}").json()
    assert whole["snapshot_id"] and "items" not in whole


def test_collaborators_can_read_a_collaborative_playlist(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    shared = playlist(sandbox, "Road Trip")
    assert shared["collaborative"] and shared["owner_id"] == sandbox.user("ben").id
    items = api.get(f"playlists/{shared['id']}/items").json()["items"]
    assert [e["item"]["id"] for e in items] == shared["track_ids"]
    assert {e["added_by"]["id"] for e in items} == {sandbox.user("ana").id, shared["owner_id"]}


def test_fields_spotify_no_longer_returns_are_absent(sandbox: Sandbox, api: httpx.Client) -> None:
    lib = sandbox.user_library("ana")
    track = api.get(f"tracks/{lib['liked'][0]}").json()
    answers = [
        api.get("me").json(),
        track,
        api.get(f"albums/{track['album']['id']}").json(),
        api.get(f"artists/{track['artists'][0]['id']}").json(),
        api.get("me/albums").json(),
        api.get("me/top/artists").json(),
        api.get("me/following?type=artist").json(),
        api.get(f"playlists/{lib['playlists'][0]['id']}").json(),
    ]
    for answer in answers:
        assert not GONE_FIELDS & set(keys_anywhere(answer))


def test_full_tracks_carry_an_isrc_and_album_track_pages_do_not(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    track = api.get(f"tracks/{sandbox.user_library('ana')['liked'][0]}").json()
    assert len(track["external_ids"]["isrc"]) == 12
    album_page = api.get(f"albums/{track['album']['id']}/tracks").json()
    assert album_page["items"] and all("external_ids" not in t for t in album_page["items"])


def test_playlist_entries_carry_the_track_under_item(sandbox: Sandbox, api: httpx.Client) -> None:
    weird = playlist(sandbox, "Everything Weird")
    entry = api.get(f"playlists/{weird['id']}/items?limit=1").json()["items"][0]
    assert entry["item"]["type"] == "track" and "track" not in entry
    sandbox.knobs.legacy_track_key = True
    entry = api.get(f"playlists/{weird['id']}/items?limit=1").json()["items"][0]
    assert entry["track"] == entry["item"]


def test_the_weird_playlist_has_local_files_episodes_nulls_and_a_duplicate(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    weird = playlist(sandbox, "Everything Weird")
    entries = api.get(f"playlists/{weird['id']}/items?limit=10").json()["items"]
    local = next(e for e in entries if e["is_local"])
    assert local["item"]["id"] is None and local["item"]["uri"].startswith("spotify:local:")
    assert any(e["item"] and e["item"]["type"] == "episode" for e in entries)
    assert any(e["item"] is None for e in entries)
    ids = [e["item"]["id"] for e in entries if e["item"] and e["item"]["id"]]
    assert len(ids) > len(set(ids))


def test_recently_played_pages_back_with_before_cursors_and_keeps_50(api: httpx.Client) -> None:
    page, plays = api.get("me/player/recently-played?limit=20").json(), []
    while page:
        plays += page["items"]
        assert page["cursors"]["before"] == str(_ms(page["items"][-1]["played_at"]))
        page = api.get(page["next"]).json() if page["next"] else None
    assert len(plays) == 50
    stamps = [p["played_at"] for p in plays]
    assert stamps == sorted(stamps, reverse=True)


def _ms(stamp: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)


def test_top_items_depend_on_the_time_range(sandbox: Sandbox, api: httpx.Client) -> None:
    expected = sandbox.user_library("ana")["top_tracks"]
    for time_range, ids in expected.items():
        page = api.get(f"me/top/tracks?time_range={time_range}&limit=50").json()
        assert [t["id"] for t in page["items"]] == ids
    assert api.get("me/top/artists?time_range=forever").status_code == 400


def test_followed_artists_use_cursor_paging_wrapped_in_artists(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    first = api.get("me/following?type=artist&limit=5").json()["artists"]
    assert first["cursors"]["after"] == first["items"][-1]["id"]
    assert first["next"].endswith(f"after={first['items'][-1]['id']}&limit=5")
    second = api.get(first["next"]).json()["artists"]
    everything = [a["id"] for a in first["items"] + second["items"]]
    assert everything == sandbox.user_library("ana")["followed_artists"]
    assert api.get("me/following?type=user").status_code == 400


def test_artist_albums_filter_by_group_with_this_endpoints_own_limits(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    artist = api.get(f"tracks/{sandbox.user_library('ana')['liked'][-1]}").json()["artists"][0]
    page = api.get(f"artists/{artist['id']}/albums").json()
    assert page["limit"] == 5
    assert all(a["album_group"] in ("album", "single", "compilation") for a in page["items"])
    singles = api.get(f"artists/{artist['id']}/albums?include_groups=single&limit=10").json()
    assert all(a["album_type"] == "single" for a in singles["items"])
    assert api.get(f"artists/{artist['id']}/albums?limit=11").status_code == 400


def test_albums_have_track_and_disc_numbers_and_a_release_date(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    albums = api.get("me/albums?limit=50").json()["items"]
    for saved in albums:
        album = saved["album"]
        assert album["release_date"][:4].isdigit()
        numbers = [(t["disc_number"], t["track_number"]) for t in album["tracks"]["items"]]
        assert numbers == sorted(numbers) and numbers[0] == (1, 1)


def test_every_playlist_edit_changes_the_snapshot_id(sandbox: Sandbox, api: httpx.Client) -> None:
    target = playlist(sandbox, "Chill")
    before = api.get(f"playlists/{target['id']}").json()["snapshot_id"]
    extra = sandbox.user_library("ana")["liked"][-1]
    added = sandbox.playlist_add(target["id"], [extra], position=0)
    after = api.get(f"playlists/{target['id']}?fields=snapshot_id").json()["snapshot_id"]
    assert after == added != before
    items = api.get(f"playlists/{target['id']}/items").json()["items"]
    assert items[0]["item"]["id"] == extra
    moved = sandbox.playlist_move(target["id"], 0, 3)
    assert sandbox.user_library("ana")["playlists"][1]["track_ids"][2] == extra
    removed = sandbox.playlist_remove(target["id"], [f"spotify:track:{extra}"])
    assert len({before, added, moved, removed}) == 4
    assert sandbox.user_library("ana")["playlists"][1]["track_ids"] == target["track_ids"]


def test_the_admin_endpoint_edits_playlists(sandbox: Sandbox) -> None:
    target = playlist(sandbox, "Chill")
    answer = httpx.post(
        f"{sandbox.accounts_url}/_sandbox/playlists/{target['id']}/remove",
        json={"ids": target["track_ids"][:2]},
    )
    assert answer.status_code == 200
    assert answer.json()["snapshot_id"] == playlist(sandbox, "Chill")["snapshot_id"]
    assert playlist(sandbox, "Chill")["track_ids"] == target["track_ids"][2:]


def test_reset_brings_playlists_back_to_the_seed_state(sandbox: Sandbox) -> None:
    target = playlist(sandbox, "Chill")
    sandbox.playlist_remove(target["id"], target["track_ids"])
    sandbox.reset()
    assert playlist(sandbox, "Chill") == target


def test_cover_images_are_real_jpegs_served_by_the_sandbox(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    album = api.get("me/albums?limit=1").json()["items"][0]["album"]
    playlists = api.get("me/playlists").json()["items"]
    urls = [album["images"][0]["url"], album["images"][2]["url"], playlists[0]["images"][0]["url"]]
    for url in urls:
        assert url.startswith(sandbox.accounts_url)
        image = httpx.get(url)
        assert image.headers["Content-Type"] == "image/jpeg"
        assert image.content[:3] == b"\xff\xd8\xff"


def test_a_missing_scope_is_a_403(sandbox: Sandbox) -> None:
    access, _ = sandbox.issue_token("ana", ["playlist-read-private"])
    answer = httpx.get(
        f"{sandbox.api_url}/me/tracks", headers={"Authorization": f"Bearer {access}"}
    )
    assert answer.status_code == 403
    assert answer.json() == {"error": {"status": 403, "message": "Insufficient client scope"}}


def test_unknown_ids_are_404_and_malformed_ids_are_400(api: httpx.Client) -> None:
    assert api.get("tracks/0000000000000000000000").status_code == 404
    assert api.get("tracks/not-an-id").json() == {
        "error": {"status": 400, "message": "Invalid base62 id"}
    }
    assert api.get("no/such/endpoint").status_code == 404


def test_a_playlist_answer_holds_only_the_fields_asked_for(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    pid = playlist(sandbox, "Everything Weird")["id"]

    meta = api.get(f"playlists/{pid}", params={"fields": "id,name,owner(id),items.total"}).json()
    paging = api.get(f"playlists/{pid}", params={"fields": "items(total,next)"}).json()
    without = api.get(f"playlists/{pid}", params={"fields": "owner(!display_name)"}).json()

    assert set(meta) == {"id", "name", "owner", "items"}
    assert set(meta["owner"]) == {"id"} and set(meta["items"]) == {"total"}
    assert set(paging) == {"items"} and set(paging["items"]) == {"total", "next"}
    assert set(without) == {"owner"} and "display_name" not in without["owner"]


def test_a_playlist_items_page_holds_only_the_fields_asked_for(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    pid = playlist(sandbox, "Everything Weird")["id"]

    page = api.get(
        f"playlists/{pid}/items", params={"fields": "total,items(added_at,item(id,artists(id)))"}
    ).json()

    assert set(page) == {"total", "items"}
    tracks = [e["item"] for e in page["items"] if e["item"] is not None]
    assert {frozenset(e) for e in page["items"]} == {frozenset({"added_at", "item"})}
    assert {frozenset(tr) for tr in tracks} <= {frozenset({"id", "artists"}), frozenset({"id"})}
    assert all(set(a) == {"id"} for tr in tracks for a in tr.get("artists", []))


def test_a_field_the_answer_lacks_is_left_out_not_made_up(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    sandbox.knobs.playlist_omits_items = True
    pid = playlist(sandbox, "Everything Weird")["id"]

    answer = api.get(f"playlists/{pid}", params={"fields": "id,items.total"}).json()

    assert answer == {"id": pid}


@pytest.mark.parametrize("fields", ["items(total", "id,,name", "!", "items..total"])
def test_a_fields_filter_that_does_not_parse_is_a_400(
    sandbox: Sandbox, api: httpx.Client, fields: str
) -> None:
    pid = playlist(sandbox, "Everything Weird")["id"]

    assert api.get(f"playlists/{pid}", params={"fields": fields}).status_code == 400
