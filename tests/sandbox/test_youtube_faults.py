"""YouTube's failure behaviour in the sandbox, and exactly what ytmusicapi, httpx and yt-dlp see."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yt_dlp
from ytmusicapi import YTMusic
from ytmusicapi.exceptions import YTMusicServerError

from sandbox import BOT_CHECK, Sandbox
from sandbox.candidates import Candidate
from sandbox.youtube_faults import CAPTCHA, RATE_LIMITED

SEARCH = "/youtubei/v1/search"


def candidates(sb: Sandbox, index: int = 0) -> list[Candidate]:
    liked: list[str] = sb.user_library("ana")["liked"]
    track = sb.world.track(liked[index])
    assert track is not None
    return sb.media.index.search(f"{track.artists[0].name} - {track.name}")


def first_url(sb: Sandbox) -> str:
    return sb.watch_url(candidates(sb)[0].id)


def search(media: httpx.Client, query: str = "anything") -> httpx.Response:
    return media.post(SEARCH, params={"alt": "json"}, json={"query": query, "context": {}})


def download(url: str, folder: Path, **options: Any) -> Path:
    settings = {
        "outtmpl": str(folder / "%(id)s.%(ext)s"),
        "quiet": True,
        "noprogress": True,
        "no_warnings": True,
        "retries": 3,
        "socket_timeout": 1,
        "allowed_extractors": ["generic"],
    } | options
    with yt_dlp.YoutubeDL(settings) as ydl:
        info = ydl.extract_info(url, download=True)
    return Path(ydl.prepare_filename(info))


# -- the knobs we had -------------------------------------------------------------------------
def test_latency_delays_search(sandbox: Sandbox, media: httpx.Client) -> None:
    sandbox.media_knobs.latency = 0.3
    started = time.monotonic()
    assert search(media).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_the_bandwidth_cap_slows_each_connection(sandbox: Sandbox, media: httpx.Client) -> None:
    url = first_url(sandbox)
    media.get(url)  # made and cached at full speed
    sandbox.media_knobs.bandwidth = 100_000
    started = time.monotonic()
    answer = media.get(url, headers={"Range": "bytes=0-49999"})
    assert answer.status_code == 206 and len(answer.content) == 50_000
    assert time.monotonic() - started >= 0.45


def test_an_error_rate_answers_503_to_media_and_search(
    sandbox: Sandbox, media: httpx.Client
) -> None:
    url = first_url(sandbox)
    sandbox.media_knobs.error_rate = 1.0
    assert media.get(url).status_code == 503
    assert search(media).status_code == 503


def test_a_truncated_body_ends_early_after_promising_the_full_length(
    sandbox: Sandbox, media: httpx.Client
) -> None:
    url = first_url(sandbox)
    sandbox.media_knobs.fail_next(1, "truncate")
    with pytest.raises(httpx.RemoteProtocolError):
        media.get(url)
    assert media.get(url).status_code == 200


def test_yt_dlp_resumes_a_truncated_download_with_range(
    sandbox: Sandbox, media: httpx.Client, tmp_path: Path
) -> None:
    candidate = candidates(sandbox)[0]
    full = len(media.get(sandbox.watch_url(candidate.id)).content)
    sandbox.media_knobs.fail_next(2, "truncate", path="/watch")  # the probe, then the download
    path = download(sandbox.watch_url(candidate.id), tmp_path)
    assert path.stat().st_size == full
    assert sandbox.media.identify(path, [candidate.id]) == candidate.id


def test_yt_dlp_reports_a_503(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.media_knobs.fail_next(1, "503")
    with pytest.raises(yt_dlp.utils.DownloadError, match="HTTP Error 503"):
        download(first_url(sandbox), tmp_path)


def test_a_connection_reset_is_a_transport_error(sandbox: Sandbox, media: httpx.Client) -> None:
    sandbox.media_knobs.fail_next(1, "reset")
    with pytest.raises(httpx.TransportError):
        search(media)


def test_a_reset_rate_drops_search_and_media_connections_and_is_counted(
    sandbox: Sandbox, media: httpx.Client
) -> None:
    url = first_url(sandbox)
    sandbox.media_knobs.reset_rate = 1.0
    with pytest.raises(httpx.TransportError):
        search(media)
    with pytest.raises(httpx.TransportError):
        media.get(url)
    sandbox.media_knobs.reset_rate, sandbox.media_knobs.error_rate = 0.0, 1.0
    assert search(media).status_code == 503
    assert sandbox.faults_injected()["youtube"] == {"reset": 2, "503": 1}
    sandbox.reset_counters()
    assert sandbox.faults_injected() == {"spotify": {}, "youtube": {}}


def test_the_real_scale_serves_about_160_kbps(sandbox: Sandbox, media: httpx.Client) -> None:
    candidate = candidates(sandbox)[0]
    tiny = len(media.get(sandbox.watch_url(candidate.id)).content)
    sandbox.media_knobs.scale = "real"
    real = len(media.get(sandbox.watch_url(candidate.id)).content)
    assert tiny * 8 / candidate.duration < 30_000
    assert 120_000 < real * 8 / candidate.duration < 200_000


# -- YouTube's walls ----------------------------------------------------------------------------
def test_the_bot_check_reaches_yt_dlp_in_its_error_message(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.media_knobs.bot_check = True
    with pytest.raises(yt_dlp.utils.DownloadError) as caught:
        download(first_url(sandbox), tmp_path)
    assert f"HTTP Error 403: {BOT_CHECK}" in str(caught.value)
    assert BOT_CHECK == "Sign in to confirm you're not a bot"


def test_the_bot_check_on_search_reaches_ytmusicapi(sandbox: Sandbox, ytmusic: YTMusic) -> None:
    ytmusic.search("warm up", filter="songs")  # the visitor id is read once, before
    sandbox.media_knobs.fail_next(1, "bot_check", path=SEARCH)
    with pytest.raises(YTMusicServerError, match="HTTP 403") as caught:
        ytmusic.search("anything", filter="songs")
    assert BOT_CHECK in str(caught.value)
    assert ytmusic.search("anything", filter="songs") == []


def test_the_captcha_mode_answers_429_with_youtubes_sentence(
    sandbox: Sandbox, media: httpx.Client, tmp_path: Path
) -> None:
    sandbox.media_knobs.captcha = True
    with pytest.raises(yt_dlp.utils.DownloadError) as caught:
        download(first_url(sandbox), tmp_path)
    assert f"HTTP Error 429: {CAPTCHA}" in str(caught.value)
    answer = search(media)
    assert (answer.status_code, answer.reason_phrase) == (429, "Too Many Requests")
    assert answer.json()["error"] == {
        "code": 429,
        "message": CAPTCHA,
        "status": "RESOURCE_EXHAUSTED",
    }


def test_past_the_video_budget_the_session_is_rate_limited_until_the_window_rolls(
    sandbox: Sandbox, media: httpx.Client, ytmusic: YTMusic, tmp_path: Path
) -> None:
    sandbox.media_knobs.update({"video_budget": 2, "budget_window": 600})
    first, second, third = (sandbox.watch_url(c.id) for c in candidates(sandbox)[:3])
    download(first, tmp_path)
    download(second, tmp_path)
    download(first, tmp_path)  # the same video again costs nothing

    with pytest.raises(yt_dlp.utils.DownloadError) as caught:
        download(third, tmp_path)
    assert f"HTTP Error 429: {RATE_LIMITED}" in str(caught.value)
    with pytest.raises(YTMusicServerError, match="HTTP 429") as refused:
        ytmusic.search("anything", filter="songs")
    assert "rate-limited by YouTube" in str(refused.value)

    sandbox.clock.advance(601)
    assert search(media).status_code == 200
    assert download(third, tmp_path).exists()


def test_the_budget_window_can_be_seconds_long(sandbox: Sandbox, media: httpx.Client) -> None:
    sandbox.media_knobs.update({"video_budget": 1, "budget_window": 0.5})
    first, second = (sandbox.watch_url(c.id) for c in candidates(sandbox)[:2])
    assert media.get(first).status_code == 200
    assert media.get(second).status_code == 429
    time.sleep(0.6)
    assert media.get(second).status_code == 200


def test_a_stalled_link_stops_sending_and_yt_dlp_resumes_after_its_timeout(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    candidate = candidates(sandbox)[0]
    sandbox.media_knobs.update({"stall_seconds": 3.0})
    sandbox.media_knobs.fail_next(1, "stall")  # waits for the download: the probe is spared
    started = time.monotonic()
    path = download(sandbox.watch_url(candidate.id), tmp_path)
    assert time.monotonic() - started >= 1.0  # yt-dlp's socket timeout fired
    assert sandbox.media.identify(path, [candidate.id]) == candidate.id


def test_a_media_url_answers_403_when_a_download_resumes_midway(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    url = first_url(sandbox)
    sandbox.media_knobs.fail_next(1, "forbidden_midway")
    with pytest.raises(yt_dlp.utils.DownloadError, match="HTTP Error 403: Forbidden"):
        download(url, tmp_path / "first")
    assert download(url, tmp_path / "again").exists()  # a fresh download goes through


# -- counters and the admin endpoint --------------------------------------------------------
def test_youtube_requests_are_counted_by_kind(
    sandbox: Sandbox, ytmusic: YTMusic, tmp_path: Path
) -> None:
    ytmusic.search("anything", filter="songs")
    ytmusic.search("anything", filter="videos")
    download(first_url(sandbox), tmp_path)
    assert sandbox.youtube_request_counts() == {"search": 2, "page": 2, "media": 1}
    sandbox.reset_counters()
    assert sandbox.youtube_request_counts() == {"search": 0, "page": 0, "media": 0}


def test_the_admin_endpoint_switches_youtube_modes_and_reads_the_counters(
    sandbox: Sandbox, media: httpx.Client
) -> None:
    answer = media.post(
        "/_sandbox/media/knobs", json={"video_budget": 0, "budget_window": 5, "captcha": False}
    )
    assert answer.status_code == 200 and answer.json()["video_budget"] == 0
    assert media.get(first_url(sandbox)).status_code == 429
    plan = {"target": "media", "count": 1, "kind": "captcha", "path": SEARCH}
    assert media.post("/_sandbox/fail-next", json=plan).status_code == 200
    assert search(media).json()["error"]["message"] == CAPTCHA
    counts = media.get("/_sandbox/youtube/requests").json()
    assert counts == {"search": 1, "page": 1, "media": 0}
    bad = media.post("/_sandbox/fail-next", json={"target": "media", "kind": "nonsense"})
    assert bad.status_code == 400


def test_a_stalled_search_answers_late(sandbox: Sandbox, media: httpx.Client) -> None:
    sandbox.media_knobs.update({"stall_seconds": 0.4})
    sandbox.media_knobs.fail_next(1, "stall", path=SEARCH)
    started = time.monotonic()
    assert search(media).status_code == 200
    assert time.monotonic() - started >= 0.4
