"""Resolve: the URL allow-list, parsing of each source's answers, fallback between sources
(which queries and sources are asked, and when: test_resolve_order.py)."""

from __future__ import annotations

from typing import Any

import pytest

from downloads.pipeline.resolve import Resolver
from downloads.pipeline.sources import youtube, ytmusic
from downloads.pipeline.sources.common import Query, canonical_watch_url, is_allowed_media_url
from downloads.pipeline.types import Candidate
from tests.pipeline.resolving import TRACK, all_answers, failures_of

SANDBOX = "http://127.0.0.1:8123"
WATCH_BASE = f"{SANDBOX}/watch?v="


# ---- the allow-list ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://music.youtube.com/watch?v=ZrOKjDZOtkA",
        "https://www.youtube.com/watch?v=a-b_c-d_e-f",
        f"{WATCH_BASE}2alBM-x4aoA",
    ],
)
def test_canonical_youtube_urls_and_the_configured_watch_base_are_allowed(url, settings):
    settings.YOUTUBE_WATCH_BASE = WATCH_BASE
    assert is_allowed_media_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com.evil.com/watch?v=dQw4w9WgXcQ",
        "https://evil.com/www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com@evil.com/watch?v=dQw4w9WgXcQ",
        "https://user:pass@www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://evil.com\\@www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
        "https://WWW.YOUTUBE.COM/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com./watch?v=dQw4w9WgXcQ",
        "https://youtube.com/watch?v=dQw4w9WgXcQ",
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtu.be/dQw4w9WgXcQ",
        "http://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=dQw4w9WgXc",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQQ",
        "https://www.youtube.com/watch?v=dQw4w9WgXc!",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PL1234567890",
        "https://www.youtube.com/watch?list=PL1&v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ#t=1",
        "https://www.youtube.com/playlist?list=PLdQw4w9WgXcQ",
        "https://www.youtube.com/shorts/dQw4w9WgXcQ",
        "https://www.you\ttube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ\n",
        " https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)//https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "file:///etc/passwd",
        "file://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "ytsearch5:rick astley",
        "",
        f"{SANDBOX}/media/2alBM-x4aoA.webm",
        f"{WATCH_BASE}../../etc/pa",
        f"{WATCH_BASE}2alBM-x4aoA&redirect=https://evil.com",
        f"{WATCH_BASE}2alBM-x4aoA#x",
        f"{WATCH_BASE}2alBM-x4ao",
        "http://127.0.0.1:8124/watch?v=2alBM-x4aoA",
        "http://localhost:8123/watch?v=2alBM-x4aoA",
        "https://127.0.0.1:8123/watch?v=2alBM-x4aoA",
        "http://evil@127.0.0.1:8123/watch?v=2alBM-x4aoA",
        "http://127.0.0.1:8123@evil.com/watch?v=2alBM-x4aoA",
    ],
)
def test_anything_else_is_refused(url, settings):
    settings.YOUTUBE_WATCH_BASE = WATCH_BASE
    assert not is_allowed_media_url(url)


def test_with_youtubes_own_watch_base_no_other_host_is_allowed(settings):
    settings.YOUTUBE_WATCH_BASE = "https://www.youtube.com/watch?v="

    assert not is_allowed_media_url(f"{WATCH_BASE}2alBM-x4aoA")
    assert is_allowed_media_url("https://www.youtube.com/watch?v=dQw4w9WgXcQ")


def test_a_configured_watch_base_builds_every_watch_url(settings):
    settings.YOUTUBE_WATCH_BASE = WATCH_BASE

    assert canonical_watch_url("dQw4w9WgXcQ") == f"{WATCH_BASE}dQw4w9WgXcQ"
    assert canonical_watch_url("dQw4w9WgXcQ", music=True) == f"{WATCH_BASE}dQw4w9WgXcQ"


def test_watch_urls_are_only_built_from_real_video_ids():
    assert canonical_watch_url("dQw4w9WgXcQ") == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert canonical_watch_url("dQw4w9WgXcQ", music=True).startswith("https://music.youtube.com/")
    with pytest.raises(ValueError):
        canonical_watch_url("dQw4w9WgXcQ&list=x")


# ---- parsing YouTube Music (ytmusicapi's search result shape) -------------------------------

YTM_SONG: dict[str, Any] = {
    "category": "Songs",
    "resultType": "song",
    "videoId": "ZrOKjDZOtkA",
    "videoType": "MUSIC_VIDEO_TYPE_ATV",
    "title": "Wonderwall",
    "artists": [{"name": "Oasis", "id": "UCmMUZbaYdNH0bEd1PAlAqsA"}],
    "album": {"name": "(What's The Story) Morning Glory? (Remastered)", "id": "MPREb_9nqEki4ZDpp"},
    "duration": "4:19",
    "duration_seconds": 259,
    "views": "1.4B",
    "year": None,
    "isAvailable": True,
    "isExplicit": False,
    "inLibrary": False,
    "feedbackTokens": {"add": None, "remove": None},
    "thumbnails": [{"url": "https://lh3.googleusercontent.com/x", "width": 60, "height": 60}],
}
YTM_VIDEO: dict[str, Any] = {
    "category": "Videos",
    "resultType": "video",
    "videoId": "bx1Bh8ZvH84",
    "videoType": "MUSIC_VIDEO_TYPE_OMV",
    "title": "Oasis - Wonderwall (Official Video)",
    "artists": [{"name": "Oasis", "id": "UCmMUZbaYdNH0bEd1PAlAqsA"}],
    "views": "386M",
    "duration": "4:38",
    "duration_seconds": 278,
    "year": None,
    "isAvailable": True,
    "thumbnails": [],
}


def test_a_youtube_music_song_becomes_a_topic_channel_candidate():
    candidate = ytmusic.parse_result(YTM_SONG)

    assert candidate == Candidate(
        id="ZrOKjDZOtkA",
        title="Wonderwall",
        channel="Oasis - Topic",
        duration=259.0,
        views=1_400_000_000,
        kind="song",
        artists=("Oasis",),
        album="(What's The Story) Morning Glory? (Remastered)",
        explicit=False,
        url="https://music.youtube.com/watch?v=ZrOKjDZOtkA",
        source="ytmusic",
    )


def test_a_youtube_music_video_keeps_its_uploader_and_views():
    candidate = ytmusic.parse_result(YTM_VIDEO)

    assert candidate is not None
    assert (candidate.kind, candidate.channel, candidate.views) == ("video", "Oasis", 386_000_000)
    assert (candidate.album, candidate.explicit) == (None, None)


@pytest.mark.parametrize(
    "item",
    [
        {**YTM_SONG, "isAvailable": False},
        {**YTM_SONG, "videoId": None},
        {**YTM_SONG, "videoId": "ZrOKjDZOtkA&list=RD"},
        {"category": "Albums", "resultType": "album", "browseId": "MPREb_IInSY5QXXrW"},
        {"category": "Artists", "resultType": "artist", "browseId": "UCmMUZbaYdNH0bEd1PAlAqsA"},
    ],
)
def test_unplayable_or_non_track_results_are_skipped(item):
    assert ytmusic.parse_result(item) is None


@pytest.mark.parametrize(
    ("text", "count"),
    [("1.4M", 1_400_000), ("386M", 386_000_000), ("12K", 12_000), ("1,234 views", 1234),
     ("2.1B plays", 2_100_000_000), ("", None), (None, None), ("many", None)],
)  # fmt: skip
def test_youtube_music_counts_are_read(text, count):
    assert ytmusic.parse_count(text) == count


def test_the_youtube_music_source_asks_songs_then_videos_and_dedupes():
    asked: list[tuple[str, str]] = []

    class RecordedYTMusic:
        """Stands in for ytmusicapi.YTMusic (no network here), answering recorded shapes."""

        def search(self, query: str, filter: str, limit: int) -> list[dict[str, Any]]:
            asked.append((query, filter))
            return [YTM_SONG] if filter == "songs" else [YTM_VIDEO, YTM_SONG]

    source = ytmusic.YouTubeMusicSource(client_factory=RecordedYTMusic)

    found = all_answers(Resolver([source], limit=5), TRACK)[-1].candidates

    assert asked == [
        ("GBAJE9500107", "songs"),
        ("Oasis - Wonderwall", "songs"),
        ("Oasis - Wonderwall", "videos"),
    ]
    assert [c.id for c in found] == ["ZrOKjDZOtkA", "bx1Bh8ZvH84"]


# ---- parsing YouTube (yt-dlp's flat ytsearch entry shape) ------------------------------------

FLAT_ENTRY: dict[str, Any] = {
    "_type": "url",
    "ie_key": "Youtube",
    "id": "6hzrDeceEKc",
    "url": "https://www.youtube.com/watch?v=6hzrDeceEKc",
    "title": "Oasis - Wonderwall (Official Video)",
    "description": None,
    "duration": 278.0,
    "channel_id": "UCmMUZbaYdNH0bEd1PAlAqsA",
    "channel": "Oasis",
    "channel_url": "https://www.youtube.com/channel/UCmMUZbaYdNH0bEd1PAlAqsA",
    "uploader": "Oasis",
    "uploader_id": "@oasis",
    "uploader_url": "https://www.youtube.com/@oasis",
    "thumbnails": [],
    "timestamp": None,
    "release_timestamp": None,
    "availability": None,
    "view_count": 1_234_567_890,
    "live_status": None,
    "channel_is_verified": True,
}


def test_a_flat_search_entry_becomes_a_video_candidate_with_a_canonical_url():
    candidate = youtube.parse_entry(FLAT_ENTRY)

    assert candidate == Candidate(
        id="6hzrDeceEKc",
        title="Oasis - Wonderwall (Official Video)",
        channel="Oasis",
        duration=278.0,
        views=1_234_567_890,
        kind="video",
        url="https://www.youtube.com/watch?v=6hzrDeceEKc",
        source="youtube",
    )


@pytest.mark.parametrize(
    "entry",
    [
        {**FLAT_ENTRY, "url": "https://www.youtube.com/shorts/6hzrDeceEKc"},
        {**FLAT_ENTRY, "live_status": "is_live"},
        {**FLAT_ENTRY, "live_status": "is_upcoming"},
        {**FLAT_ENTRY, "ie_key": "YoutubeTab", "id": "UCmMUZbaYdNH0bEd1PAlAqsA"},
        {**FLAT_ENTRY, "id": "../../etc/pa"},
        {**FLAT_ENTRY, "id": None},
    ],
)
def test_shorts_live_streams_and_channels_are_skipped(entry):
    assert youtube.parse_entry(entry) is None


def test_an_entry_without_channel_falls_back_to_the_uploader_and_unknown_counts_stay_none():
    entry = {**FLAT_ENTRY, "channel": None, "uploader": "Oasis", "duration": None}
    candidate = youtube.parse_entry({k: v for k, v in entry.items() if k != "view_count"})

    assert candidate is not None
    assert (candidate.channel, candidate.duration, candidate.views) == ("Oasis", None, None)


# ---- the ytmusic source, over HTTP to the sandbox's YouTube Music ----------------------------


def unreachable_ytmusic() -> ytmusic.YouTubeMusicSource:
    from ytmusicapi import YTMusic

    def client() -> YTMusic:  # the discard port: connection refused
        return YTMusic(requests_session=ytmusic.new_session("http://127.0.0.1:9"))

    return ytmusic.YouTubeMusicSource(client_factory=client)


@pytest.mark.integration
def test_the_ytmusic_source_finds_the_right_upload_with_allowed_urls(media_sandbox, short_track):
    source = ytmusic.YouTubeMusicSource()

    found = all_answers(Resolver([source], limit=10), short_track.query)[-1].candidates

    assert short_track.right in {c.id for c in found}
    assert all(c.source == "ytmusic" and is_allowed_media_url(c.url or "") for c in found)
    assert all(c.url == media_sandbox.watch_url(c.id) for c in found)
    assert len({c.id for c in found}) == len(found)


@pytest.mark.integration
def test_the_ytmusic_source_reads_what_the_sandbox_knows(media_sandbox, short_track):
    resolver = Resolver([ytmusic.YouTubeMusicSource()], limit=50)
    found = all_answers(resolver, short_track.query)[-1].candidates

    known = {c.id: c for c in media_sandbox.media.candidates(short_track.track.id)}
    for candidate in found:
        truth = known[candidate.id]
        assert (candidate.title, candidate.kind) == (truth.title, truth.kind)
        assert (candidate.duration, candidate.views) == (truth.duration, truth.views)
        if truth.kind == "song":
            assert candidate.artists == truth.artists and candidate.album == truth.album
            assert candidate.explicit == truth.explicit
        else:
            assert candidate.channel == truth.channel


@pytest.mark.integration
def test_the_ytmusic_sources_threads_share_one_visitor_id(media_sandbox, short_track):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    together = threading.Barrier(4)  # each of the pool's four threads makes its client

    def client(_: int) -> Any:
        together.wait(timeout=30)
        return source._client()

    with ThreadPoolExecutor(4) as pool:
        source = ytmusic.YouTubeMusicSource(executor=pool)
        clients = list(pool.map(client, range(4)))
        resolver = Resolver([source], limit=10)
        found = all_answers(resolver, short_track.query)[-1].candidates

    assert len({id(client) for client in clients}) == 4  # one client per thread
    assert short_track.right in {c.id for c in found}
    assert media_sandbox.requests["GET /"] == 1  # the home page, read for a visitor id once
    assert len({c.base_headers["X-Goog-Visitor-Id"] for c in clients}) == 1


@pytest.mark.integration
def test_a_failing_source_hands_over_to_the_next_and_is_reported(media_sandbox, short_track):
    resolver = Resolver([unreachable_ytmusic(), ytmusic.YouTubeMusicSource()])

    answers = all_answers(resolver, short_track.query)

    assert answers[-1].source == "ytmusic"
    assert short_track.right in {c.id for c in answers[-1].candidates}
    assert len(failures_of(answers)) == 1


@pytest.mark.integration
@pytest.mark.parametrize(
    "fault", ["503", "truncate", "bot_check", "captcha", "rate_limit", "reset"]
)
def test_server_faults_are_reported_as_failures_not_raised(media_sandbox, short_track, fault):
    # More faults in a row than the resolver retries transient ones.
    media_sandbox.media_knobs.fail_next(10, fault, path="/youtubei/v1/search")
    resolver = Resolver([ytmusic.YouTubeMusicSource()])

    answers = all_answers(resolver, short_track.query)

    assert [answer.candidates for answer in answers] == [()]
    assert [f.source for f in failures_of(answers)] == ["ytmusic"]


def test_candidates_with_urls_outside_the_allow_list_never_leave_the_resolver(settings):
    settings.YOUTUBE_WATCH_BASE = WATCH_BASE

    class Sneaky:
        name = "sneaky"

        async def search(self, query: Query, *, limit: int) -> list[Candidate]:
            good = Candidate("dQw4w9WgXcQ", "t", "c", 1.0, 1, "video",
                             url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")  # fmt: skip
            bad = Candidate("aaaaaaaaaaa", "t", "c", 1.0, 1, "video", url="https://evil.com/a")
            missing = Candidate("bbbbbbbbbbb", "t", "c", 1.0, 1, "video")
            return [good, bad, missing, good]

    answers = all_answers(Resolver([Sneaky()]), TRACK)

    assert [c.id for c in answers[0].candidates] == ["dQw4w9WgXcQ"]
