"""Every Spotify fault knob, and exactly what a client receives when it fires (YouTube's:
test_youtube_faults.py)."""

from __future__ import annotations

import time

import httpx
import pytest

from sandbox import Sandbox


def ana_track(sb: Sandbox) -> str:
    liked: list[str] = sb.user_library("ana")["liked"]
    return liked[0]


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


def test_injected_spotify_faults_are_counted_by_kind(sandbox: Sandbox, api: httpx.Client) -> None:
    sandbox.knobs.fail_next(2, "503")
    sandbox.knobs.fail_next(1, "reset")
    assert [api.get("me").status_code for _ in range(2)] == [503, 503]
    with pytest.raises(httpx.TransportError):
        api.get("me")
    assert api.get("me").status_code == 200
    assert sandbox.faults_injected()["spotify"] == {"503": 2, "reset": 1}


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
