"""yt-dlp's real error texts (data/ytdlp_messages.json) read as kinds, reasons and actions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from yt_dlp.utils import DownloadError

from downloads.pipeline.errors import FetchAction, FetchError
from downloads.pipeline.fetch.classify import (
    AGE_SIGNED_IN_REASON,
    BOT_CHECK_REASON,
    BOT_CHECK_SIGNED_IN_REASON,
    CHALLENGE_REASON,
    RATE_LIMITED_REASON,
    classify_error,
)

DATA = json.loads((Path(__file__).parent / "data" / "ytdlp_messages.json").read_text())
MESSAGES: list[dict[str, Any]] = DATA["messages"]
ACTIONS = {
    "rate_limited": FetchAction.PAUSE_INSTALLATION,
    "captcha": FetchAction.PAUSE_INSTALLATION,
    "bot_check": FetchAction.PAUSE_INSTALLATION,
    "age_restricted": FetchAction.NEXT_CANDIDATE,
    "geo_blocked": FetchAction.NEXT_CANDIDATE,
    "private": FetchAction.NEXT_CANDIDATE,
    "removed": FetchAction.NEXT_CANDIDATE,
    "unavailable": FetchAction.NEXT_CANDIDATE,
    "members_only": FetchAction.NEXT_CANDIDATE,
    "drm": FetchAction.NEXT_CANDIDATE,
    "live_or_upcoming": FetchAction.NEXT_CANDIDATE,
    "network": FetchAction.RETRY_LATER,
    "forbidden": FetchAction.RETRY_LATER,
    "outdated": FetchAction.FAIL,
    "disk_full": FetchAction.FAIL,
    "cookies_unreadable": FetchAction.FAIL,
    "other": FetchAction.FAIL,
}


def _classify(entry: dict[str, Any], **kwargs: Any) -> FetchError:
    return classify_error(
        DownloadError(entry["message"]), warnings=entry.get("warnings", ()), **kwargs
    )


def test_the_data_covers_every_kind_the_issue_names():
    assert {entry["kind"] for entry in MESSAGES} == set(ACTIONS)
    assert DATA["yt_dlp_version"] == "2026.11.23"


@pytest.mark.parametrize("entry", MESSAGES, ids=[e["id"] for e in MESSAGES])
def test_each_real_message_gets_its_kind_and_action(entry):
    error = _classify(entry)

    assert (error.kind, error.action) == (entry["kind"], ACTIONS[entry["kind"]])


@pytest.mark.parametrize("entry", MESSAGES, ids=[e["id"] for e in MESSAGES])
def test_reasons_are_plain_words_without_yt_dlp_chatter_or_secrets(entry):
    reason = _classify(entry).reason

    assert "ERROR" not in reason and "[youtube]" not in reason
    assert "--cookies" not in reason and "github.com" not in reason
    assert "session-secret" not in reason
    assert len(reason) < 400


def test_a_rate_limit_wins_over_the_unavailable_it_starts_with():
    entry = next(e for e in MESSAGES if e["id"] == "rate_limited_signed_out")
    assert entry["message"].startswith("ERROR: [youtube] dQw4w9WgXcQ: Video unavailable.")

    error = _classify(entry)

    assert (error.kind, error.reason, error.retryable) == (
        "rate_limited",
        RATE_LIMITED_REASON,
        False,
    )


def test_only_network_errors_and_expired_urls_are_retried_at_once():
    retried = {e["kind"] for e in MESSAGES if _classify(e).retryable}

    assert retried == {"network", "forbidden"}


def test_out_of_date_reasons_say_how_to_update():
    outdated = [e for e in MESSAGES if e["kind"] == "outdated"]

    assert all("make update-ytdlp" in _classify(e).reason for e in outdated)


def test_a_failed_player_challenge_before_no_format_is_named():
    entry = next(e for e in MESSAGES if e["id"] == "outdated_n_challenge")

    assert _classify(entry).reason == CHALLENGE_REASON


def test_with_cookies_the_advice_is_to_refresh_them_not_to_add_them():
    bot = next(e for e in MESSAGES if e["id"] == "bot_check")
    age = next(e for e in MESSAGES if e["id"] == "age_restricted")

    assert _classify(bot).reason == BOT_CHECK_REASON
    assert _classify(bot, signed_in=True).reason == BOT_CHECK_SIGNED_IN_REASON
    assert _classify(age, signed_in=True).reason == AGE_SIGNED_IN_REASON


def test_errors_made_elsewhere_get_an_action_from_their_kind():
    assert FetchError("x", "other", retryable=True).action == FetchAction.RETRY_LATER
    assert FetchError("x", "other", retryable=False).action == FetchAction.FAIL
    assert FetchError("x", "disk_full", retryable=False).action == FetchAction.FAIL
