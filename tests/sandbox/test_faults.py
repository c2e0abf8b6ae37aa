"""Every fault knob, and exactly what a client receives when it fires."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yt_dlp

from sandbox import BOT_CHECK, Sandbox


def ana_track(sb: Sandbox) -> str:
    liked: list[str] = sb.user_library("ana")["liked"]
    return liked[0]


def first_candidate(sb: Sandbox, media: httpx.Client) -> dict[str, Any]:
    track = sb.world.track(ana_track(sb))
    assert track is not None
    results = media.get("/search", params={"q": f"{track.artists[0].name} - {track.name}"})
    first: dict[str, Any] = results.json()["results"][0]
    return first


def download(url: str, folder: Path, **options: Any) -> Path:
    settings = {
        "outtmpl": str(folder / "%(id)s.%(ext)s"),
        "quiet": True,
        "noprogress": True,
        "no_warnings": True,
        "retries": 3,
    } | options
    with yt_dlp.YoutubeDL(settings) as ydl:
        info = ydl.extract_info(url, download=True)
    return Path(ydl.prepare_filename(info))


def signed_in(sb: Sandbox) -> httpx.Client:
    access, _ = sb.issue_token("ana")
    return httpx.Client(base_url=f"{sb.api_url}/", headers={"Authorization": f"Bearer {access}"})


# -- Spotify -------------------------------------------------------------------------------------
def test_latency_delays_every_api_answer(sandbox: Sandbox, api: httpx.Client) -> None:
    sandbox.knobs.latency = 0.3
    started = time.monotonic()
    assert api.get("me").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_the_rolling_window_answers_429_with_retry_after_until_it_rolls(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    sandbox.knobs.rate_limit, sandbox.knobs.rate_window = 3, 30
    assert [api.get("me").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("me/tracks")
    assert refused.status_code == 429
    assert refused.json() == {"error": {"status": 429, "message": "API rate limit exceeded"}}
    assert 29 <= int(refused.headers["Retry-After"]) <= 30
    sandbox.clock.advance(30)
    assert api.get("me").status_code == 200


def test_the_daily_quota_answers_429_quota_exceeded_with_a_long_retry_after(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    sandbox.knobs.daily_quota = 2
    assert [api.get("me").status_code for _ in range(2)] == [200, 200]
    refused = api.get("me")
    assert refused.status_code == 429
    assert refused.json()["error"]["reason"] == "QUOTA_EXCEEDED"
    assert refused.json()["error"]["status"] == 429
    assert int(refused.headers["Retry-After"]) > 80_000
    sandbox.clock.advance(86_400)
    with signed_in(sandbox) as fresh:  # the old token has expired by now
        assert fresh.get("me").status_code == 200


def test_an_error_rate_answers_5xx_in_the_same_seeded_order_every_time(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    def statuses() -> list[int]:
        sandbox.knobs.error_rate = 0.5
        with signed_in(sandbox) as client:  # reset() dropped the old token
            return [client.get("me").status_code for _ in range(16)]

    first = statuses()
    sandbox.reset()
    assert statuses() == first
    assert set(first) - {200} <= {500, 502, 503} and 200 in first and len(set(first)) > 1


def test_a_reset_rate_closes_the_connection_without_an_answer(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    sandbox.knobs.reset_rate = 1.0
    with pytest.raises(httpx.TransportError):
        api.get("me")


def test_fail_next_fails_exactly_the_next_requests(sandbox: Sandbox, api: httpx.Client) -> None:
    sandbox.knobs.fail_next(2, "503")
    assert [api.get("me").status_code for _ in range(3)] == [503, 503, 200]
    sandbox.knobs.fail_next(1, "500", path="/me/tracks")
    assert api.get("me").status_code == 200
    assert api.get("me/tracks").json() == {"error": {"status": 500, "message": "Server error"}}
    sandbox.knobs.fail_next(1, "quota")
    assert api.get("me").json()["error"]["reason"] == "QUOTA_EXCEEDED"
    sandbox.knobs.fail_next(1, "reset")
    with pytest.raises(httpx.TransportError):
        api.get("me")


def test_expiring_access_tokens_mid_run_gives_401s(sandbox: Sandbox, api: httpx.Client) -> None:
    assert api.get("me").status_code == 200
    assert sandbox.expire_access_tokens() >= 1
    answer = api.get("me")
    assert answer.status_code == 401
    assert answer.json() == {"error": {"status": 401, "message": "The access token expired"}}


def test_requests_are_counted_per_endpoint_until_reset(sandbox: Sandbox, api: httpx.Client) -> None:
    playlist_id = sandbox.user_library("ana")["playlists"][0]["id"]
    api.get("me/tracks")
    api.get("me/tracks?offset=20")
    api.get(f"playlists/{playlist_id}/items")
    assert sandbox.requests["GET /v1/me/tracks"] == 2
    assert sandbox.requests["GET /v1/playlists/{id}/items"] == 1
    counted = httpx.get(f"{sandbox.accounts_url}/_sandbox/requests").json()
    assert counted["GET /v1/me/tracks"] == 2 and not any("_sandbox" in k for k in counted)
    sandbox.reset_counters()
    assert sum(sandbox.requests.values()) == 0


def test_the_admin_endpoint_sets_knobs_and_refuses_unknown_ones(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    answer = httpx.post(f"{sandbox.accounts_url}/_sandbox/knobs", json={"rate_limit": 1})
    assert answer.json()["rate_limit"] == 1
    assert [api.get("me").status_code for _ in range(2)] == [200, 429]
    unknown = httpx.post(f"{sandbox.accounts_url}/_sandbox/knobs", json={"nope": 1})
    assert unknown.status_code == 400
    httpx.post(
        f"{sandbox.media_url}/_sandbox/fail-next",
        json={"target": "spotify", "count": 1, "kind": "502"},
    )
    sandbox.clock.advance(31)
    assert api.get("me").status_code == 502


def test_reset_puts_knobs_back_and_drops_planned_faults(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    knobs = sandbox.knobs
    knobs.latency, knobs.error_rate = 5.0, 1.0
    knobs.fail_next(3, "500")
    sandbox.reset()
    assert sandbox.knobs is knobs and knobs.latency == 0 and knobs.error_rate == 0
    assert knobs.planned == []


def test_faults_leave_the_accounts_service_alone(client_registered: Sandbox) -> None:
    client_registered.knobs.error_rate = 1.0
    answer = httpx.post(
        f"{client_registered.accounts_url}/api/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        auth=("spotifydl-tests", "tests-secret"),
    )
    assert answer.json()["error"] == "invalid_grant"


# -- media ---------------------------------------------------------------------------------------
def test_media_latency_delays_search(sandbox: Sandbox, media: httpx.Client) -> None:
    sandbox.media_knobs.latency = 0.3
    started = time.monotonic()
    assert media.get("/search", params={"q": "anything"}).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_the_bandwidth_cap_slows_each_connection(sandbox: Sandbox, media: httpx.Client) -> None:
    url = first_candidate(sandbox, media)["url"]
    media.get(url)  # made and cached at full speed
    sandbox.media_knobs.bandwidth = 100_000
    started = time.monotonic()
    answer = media.get(url, headers={"Range": "bytes=0-49999"})
    assert answer.status_code == 206 and len(answer.content) == 50_000
    assert time.monotonic() - started >= 0.45


def test_a_media_error_rate_answers_503(sandbox: Sandbox, media: httpx.Client) -> None:
    url = first_candidate(sandbox, media)["url"]
    sandbox.media_knobs.error_rate = 1.0
    assert media.get(url).status_code == 503
    assert media.get("/search", params={"q": "x"}).status_code == 503


def test_a_truncated_body_ends_early_after_promising_the_full_length(
    sandbox: Sandbox, media: httpx.Client
) -> None:
    url = first_candidate(sandbox, media)["url"]
    sandbox.media_knobs.fail_next(1, "truncate")
    with pytest.raises(httpx.RemoteProtocolError):
        media.get(url)
    assert media.get(url).status_code == 200


def test_yt_dlp_resumes_a_truncated_download_with_range(
    sandbox: Sandbox, media: httpx.Client, tmp_path: Path
) -> None:
    candidate = first_candidate(sandbox, media)
    full = len(media.get(candidate["url"]).content)
    sandbox.media_knobs.fail_next(2, "truncate", path="/media/")  # the probe, then the download
    path = download(candidate["url"], tmp_path)
    assert path.stat().st_size == full
    assert sandbox.media.identify(path, [candidate["id"]]) == candidate["id"]


def test_yt_dlp_reports_a_503(sandbox: Sandbox, media: httpx.Client, tmp_path: Path) -> None:
    url = first_candidate(sandbox, media)["url"]
    sandbox.media_knobs.fail_next(1, "503")
    with pytest.raises(yt_dlp.utils.DownloadError, match="HTTP Error 503"):
        download(url, tmp_path)


def test_a_media_connection_reset_is_a_transport_error(
    sandbox: Sandbox, media: httpx.Client
) -> None:
    sandbox.media_knobs.fail_next(1, "reset")
    with pytest.raises(httpx.TransportError):
        media.get("/search", params={"q": "x"})


def test_the_bot_check_reaches_yt_dlp_in_its_error_message(
    sandbox: Sandbox, media: httpx.Client, tmp_path: Path
) -> None:
    url = first_candidate(sandbox, media)["url"]
    sandbox.media_knobs.bot_check = True
    with pytest.raises(yt_dlp.utils.DownloadError) as caught:
        download(url, tmp_path)
    assert f"HTTP Error 403: {BOT_CHECK}" in str(caught.value)
    assert BOT_CHECK == "Sign in to confirm you're not a bot"


def test_the_bot_check_on_search_is_a_403_with_the_sentence(
    sandbox: Sandbox, media: httpx.Client
) -> None:
    sandbox.media_knobs.fail_next(1, "bot_check", path="/search")
    answer = media.get("/search", params={"q": "x"})
    assert answer.status_code == 403
    assert answer.reason_phrase == BOT_CHECK
    assert BOT_CHECK in answer.json()["error"]["message"]
    assert answer.json()["error"]["reason"] == "BOT_CHECK"
    assert media.get("/search", params={"q": "x"}).status_code == 200


def test_the_real_scale_serves_about_160_kbps(sandbox: Sandbox, media: httpx.Client) -> None:
    candidate = first_candidate(sandbox, media)
    tiny = len(media.get(candidate["url"]).content)
    sandbox.media_knobs.scale = "real"
    real = len(media.get(candidate["url"]).content)
    assert tiny * 8 / candidate["duration"] < 30_000
    assert 120_000 < real * 8 / candidate["duration"] < 200_000
