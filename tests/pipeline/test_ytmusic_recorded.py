"""Real YouTube Music answers (recorded, see ../shared/recorded/README.md) read by ytmusicapi
and the ytmusic source's parsing: the sandbox's answers are built on this structure.

The recordings are German (`hl=de`). ytmusicapi finds a filtered shelf by its title, so the
songs/videos shelves ("Titel", "Videos") are handed to its shelf parser directly; unfiltered
answers go through `YTMusic.search` itself, over a transport that replays the recording.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter
from ytmusicapi import YTMusic
from ytmusicapi.parsers.search import parse_search_results

from downloads.pipeline.sources.ytmusic import parse_result
from downloads.pipeline.types import Candidate

ROOT = Path(__file__).resolve().parents[2]


def recorded_dir() -> Path:
    """../shared/recorded/ytmusic beside the checkout (or SPOTIFYDL_SHARED_DIR); never skipped."""
    override = os.environ.get("SPOTIFYDL_SHARED_DIR")
    bases = [Path(override)] if override else [p / "shared" for p in ROOT.parents]
    for base in bases:
        folder = base / "recorded" / "ytmusic"
        if folder.is_dir():
            return folder
    pytest.fail(
        "The recorded YouTube Music answers are missing: expected shared/recorded/ytmusic/ in a "
        f"folder above {ROOT} (or set SPOTIFYDL_SHARED_DIR to the shared folder)."
    )


def response(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((recorded_dir() / name).read_text())
    answer: dict[str, Any] = data["response"] if "request" in data else data
    return answer


def shelf_candidates(contents: list[dict[str, Any]], kind: str, title: str) -> list[Candidate]:
    parsed = parse_search_results(contents, kind, title)
    return [c for c in map(parse_result, parsed) if c is not None]


def first_shelf(answer: dict[str, Any]) -> dict[str, Any]:
    tabs = answer["contents"]["tabbedSearchResultsRenderer"]["tabs"]
    shelf: dict[str, Any] = tabs[0]["tabRenderer"]["content"]["sectionListRenderer"]["contents"][0][
        "musicShelfRenderer"
    ]
    return shelf


class Replay(BaseAdapter):
    """Answers ytmusicapi's two requests: the home page (visitor id), then the search."""

    def __init__(self, search: dict[str, Any]) -> None:
        super().__init__()
        self.search = search

    def send(self, request: Any, *args: Any, **kwargs: Any) -> requests.Response:
        answer = requests.Response()
        answer.status_code, answer.url, answer.request = 200, request.url, request
        if request.method == "GET":
            answer._content = (recorded_dir() / "home-page.html").read_bytes()
        else:
            answer._content = json.dumps(self.search).encode()
        return answer

    def close(self) -> None:
        pass


def replayed_search(name: str, query: str) -> list[dict[str, Any]]:
    session = requests.Session()
    session.mount("https://", Replay(response(name)))
    results: list[dict[str, Any]] = YTMusic(requests_session=session).search(query)
    return results


def test_the_recorded_songs_shelf_parses_into_topic_channel_song_candidates() -> None:
    shelf = first_shelf(response("search-songs.json"))

    found = shelf_candidates(shelf["contents"], "song", "Titel")

    assert len(found) == 20 and all(c.kind == "song" for c in found)
    assert found[0] == Candidate(
        id="C9oZEDKXoUs",
        title="Heat Up (T-Kay Remix)",
        channel="Mr Benn - Topic",
        duration=272.0,
        views=899,
        kind="song",
        artists=("Mr Benn", "Parly B"),
        album="NICE UP! The Session, Vol. 5",
        explicit=False,
        url="https://music.youtube.com/watch?v=C9oZEDKXoUs",
        source="ytmusic",
    )
    assert "nextContinuationData" in shelf["continuations"][0]


def test_the_recorded_continuation_page_parses_the_same_way() -> None:
    page = response("search-songs-continuation.json")["continuationContents"]

    found = shelf_candidates(page["musicShelfContinuation"]["contents"], "song", "Titel")

    assert len(found) == 20
    assert (found[0].id, found[0].title, found[0].artists) == (
        "gNaqur2xSRY",
        "Jam on Da Bumpa",
        ("Jeran P",),
    )
    assert (found[0].channel, found[0].duration, found[0].album) == (
        "Jeran P - Topic",
        204.0,
        "Jam on Da Bumpa",
    )


def test_the_recorded_videos_shelf_parses_into_a_video_by_its_uploader() -> None:
    shelf = first_shelf(response("search-videos.json"))

    [video] = shelf_candidates(shelf["contents"], "video", shelf["title"]["runs"][0]["text"])

    assert (video.id, video.kind, video.channel, video.duration) == (
        "Al3UIEPPSOg",
        "video",
        "Reggaeville",
        210.0,
    )
    assert video.title == "JR Kenna & Mr. Patze - Proper Sensi [Official Video 2022]"
    assert (video.album, video.explicit) == (None, None)


def test_a_recorded_unfiltered_search_goes_through_ytmusicapi_unchanged() -> None:
    results = replayed_search("search-unfiltered-2024.json", "Lost Identities Moments")

    found = {c.id: c for c in map(parse_result, results) if c is not None}

    assert (results[0]["category"], results[0]["videoId"]) == ("Top-Ergebnis", "fxhzvHrTO2k")
    song = found["0h6XAAwX8II"]
    assert (song.kind, song.title, song.artists) == (
        "song",
        "Moments",
        ("Lost Identities", "Robbie Rosen"),
    )
    assert (song.channel, song.album, song.duration) == (
        "Lost Identities - Topic",
        "Moments",
        220.0,
    )
    assert found["fxhzvHrTO2k"].kind == "video"


def test_a_recorded_isrc_search_without_results_answers_nothing() -> None:
    """YouTube Music's "no results" answer (an itemSectionRenderer with a message), which the
    sandbox sends in the same shape."""
    assert replayed_search("search-isrc.json", "NLAM42200139") == []


def test_a_recorded_isrc_search_whose_top_result_is_an_album_gives_no_candidate() -> None:
    results = replayed_search("search-isrc-unfiltered-2024.json", "GB2LD2210007")

    assert [r["resultType"] for r in results] == ["album"]
    assert [parse_result(r) for r in results] == [None]
