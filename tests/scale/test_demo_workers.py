"""Demo mode with workers on other machines: they use the web machine's sandbox for everything."""

from __future__ import annotations

from typing import Any

import pytest

from spotifydl.demo import demo_worker_configure


def test_a_demo_worker_on_another_machine_uses_every_service_of_the_web_machines_sandbox(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.SPOTIFY_CLIENT_ID = ""
    monkeypatch.setenv("SANDBOX_HOST", "10.0.0.5")

    assert demo_worker_configure()

    addresses = [
        settings.SPOTIFY_ACCOUNTS_URL,
        settings.SPOTIFY_API_URL,
        settings.YTMUSIC_BASE_URL,
        settings.YOUTUBE_WATCH_BASE,
        settings.LRCLIB_URL,
    ]
    assert all(address.startswith("http://10.0.0.5:") for address in addresses)
    assert settings.LRCLIB_URL == "http://10.0.0.5:8003"


def test_a_worker_with_its_own_spotify_app_is_not_pointed_at_any_sandbox(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.SPOTIFY_CLIENT_ID = "real-app"
    monkeypatch.setenv("SANDBOX_HOST", "10.0.0.5")

    assert not demo_worker_configure()
