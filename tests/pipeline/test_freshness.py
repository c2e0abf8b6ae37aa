"""The installed yt-dlp's age, read from its version (a release date)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from yt_dlp import version as ytdlp_version

from downloads.pipeline.fetch import freshness
from downloads.pipeline.fetch.freshness import ytdlp_age

RELEASED = dt.date(2026, 11, 23)


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ytdlp_version, "__version__", "2026.11.23")


def test_a_release_of_sixty_days_is_still_fresh(installed):
    age = ytdlp_age(today=RELEASED + dt.timedelta(days=60))

    assert (age.released, age.days, age.stale, age.notice) == (RELEASED, 60, False, None)


def test_past_sixty_days_the_notice_says_how_old_and_how_to_update(installed):
    age = ytdlp_age(today=RELEASED + dt.timedelta(days=61))

    assert age.stale
    assert age.notice is not None
    assert "yt-dlp 2026.11.23 is 61 days old" in age.notice
    assert "make update-ytdlp" in age.notice and "rebuild the image" in age.notice


def test_a_version_that_is_no_date_is_never_called_stale(monkeypatch):
    monkeypatch.setattr(ytdlp_version, "__version__", "nightly")

    assert ytdlp_age(today=RELEASED).notice is None


def test_a_stale_yt_dlp_is_logged_once_per_process(monkeypatch, caplog):
    monkeypatch.setattr(ytdlp_version, "__version__", "2020.01.01")
    freshness.log_if_stale.cache_clear()
    caplog.set_level(logging.WARNING, logger="downloads.pipeline.fetch.freshness")

    freshness.log_if_stale()
    freshness.log_if_stale()

    freshness.log_if_stale.cache_clear()
    assert len(caplog.records) == 1
    assert caplog.records[0].getMessage().startswith("yt-dlp 2020.01.01 is ")
