"""YouTube Music's search in the sandbox, read by ytmusicapi itself (unmodified) over HTTP."""

from __future__ import annotations

import re

import httpx
from ytmusicapi import YTMusic

from sandbox import Sandbox
from sandbox.candidates import Candidate
from sandbox.models import Track


def a_track(sb: Sandbox, index: int = -1) -> Track:
    liked: list[str] = sb.user_library("ana")["liked"]
    track = sb.world.track(liked[index])
    assert track is not None
    return track


def query(track: Track) -> str:
    return f"{track.artists[0].name} - {track.name}"


def expected(sb: Sandbox, text: str, kind: str) -> list[Candidate]:
    return [c for c in sb.media.index.search(text) if c.kind == kind]


def test_the_home_page_gives_ytmusicapi_a_visitor_id(sandbox: Sandbox, media: httpx.Client) -> None:
    page = media.get("/")
    found = re.search(r"ytcfg\.set\s*\(\s*({.+?})\s*\)\s*;", page.text)
    assert found and '"VISITOR_DATA"' in found[1]
    assert "VISITOR_INFO1_LIVE" in page.headers["set-cookie"]


def test_the_songs_filter_answers_the_songs_in_order_with_every_field(
    sandbox: Sandbox, ytmusic: YTMusic
) -> None:
    text = query(a_track(sandbox))
    songs = expected(sandbox, text, "song")

    results = ytmusic.search(text, filter="songs")

    assert [r["videoId"] for r in results] == [c.id for c in songs]
    for result, song in zip(results, songs, strict=True):
        assert (result["resultType"], result["category"]) == ("song", "Songs")
        assert result["title"] == song.title
        assert [a["name"] for a in result["artists"]] == list(song.artists or ())
        assert result["album"]["name"] == song.album
        assert result["duration_seconds"] == song.duration
        assert int(result["views"].replace(",", "")) == song.views
        assert result["isExplicit"] is bool(song.explicit)
        assert result["videoType"] == "MUSIC_VIDEO_TYPE_ATV"


def test_the_videos_filter_names_the_uploader_as_youtube_music_does(
    sandbox: Sandbox, ytmusic: YTMusic
) -> None:
    text = query(a_track(sandbox))
    videos = expected(sandbox, text, "video")

    results = ytmusic.search(text, filter="videos")

    assert [r["videoId"] for r in results] == [c.id for c in videos]
    for result, video in zip(results, videos, strict=True):
        assert (result["resultType"], result["category"]) == ("video", "Videos")
        assert [a["name"] for a in result["artists"]] == [video.channel]
        assert (result["title"], result["duration_seconds"]) == (video.title, video.duration)
        assert int(result["views"].replace(",", "")) == video.views


def test_an_unfiltered_search_has_a_top_result_then_songs_and_videos(
    sandbox: Sandbox, ytmusic: YTMusic
) -> None:
    text = query(a_track(sandbox))
    found = sandbox.media.index.search(text)

    results = ytmusic.search(text)

    assert results[0]["category"] == "Top result"
    assert results[0]["videoId"] == found[0].id
    assert results[0]["resultType"] == found[0].kind
    categories = [r["category"] for r in results[1:]]
    assert categories == sorted(categories, key=["Songs", "Videos"].index)
    by_id = {c.id: c for c in found}
    assert all(r["resultType"] == by_id[r["videoId"]].kind for r in results)


def test_long_answers_come_in_pages_that_ytmusicapi_follows_with_ctoken(
    sandbox: Sandbox, ytmusic: YTMusic
) -> None:
    text = query(a_track(sandbox))
    videos = expected(sandbox, text, "video")
    sandbox.ytmusic.page_size = 2
    sandbox.reset_counters()

    results = ytmusic.search(text, filter="videos", limit=len(videos))

    assert [r["videoId"] for r in results] == [c.id for c in videos]
    pages = -(-len(videos) // 2)
    assert sandbox.youtube_request_counts()["search"] == pages


def test_an_isrc_search_puts_the_official_song_first(sandbox: Sandbox, ytmusic: YTMusic) -> None:
    track = a_track(sandbox, 0)
    official = [c for c in sandbox.media.candidates(track.id) if c.label == "official"]

    results = ytmusic.search(track.isrc, filter="songs")

    assert official and results[0]["videoId"] == official[0].id


def test_other_filters_and_unknown_queries_find_nothing(sandbox: Sandbox, ytmusic: YTMusic) -> None:
    assert ytmusic.search(query(a_track(sandbox)), filter="albums") == []
    assert ytmusic.search("zzzz qqqq xxxx", filter="songs") == []
    assert ytmusic.search("zzzz qqqq xxxx") == []
