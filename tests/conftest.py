"""Fixtures shared by every test: Chromium for Playwright, the sandbox, an ASGI server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Playwright, sync_playwright

from tests.servers import AsgiServer

pytest_plugins = ["sandbox.pytest_plugin"]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # This machine's network is closed: background fetches would only produce refused connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last, after everything else.

    Playwright's sync API starts an event loop in the main thread and keeps it for the session;
    once it runs, `asyncio.run()` (used by the pipeline and the Spotify client) cannot be called
    from that thread any more.
    """
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def playwright(django_db_setup: None) -> Iterator[Playwright]:
    """Playwright's sync API, started only once the test database exists.

    Its event loop then runs in the main thread for the rest of the session (browser tests run
    last), so the ORM calls a browser test's own body makes must be allowed beside it.
    """
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium is not installed: run `make test`, or `apt-get install chromium`.")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _music_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Every test writes music into its own empty folder."""
    root = tmp_path / "music"
    root.mkdir()
    settings.MUSIC_ROOT = root
    yield root


# The YouTube governor paces nothing in tests unless a test asks: the sandbox has no limits on
# by default, and a limit a test switches on pauses for about a second, not a quarter hour.
YOUTUBE_TEST_SETTINGS = {
    "YOUTUBE_BUDGET_PER_HOUR": 3_600_000,
    "YOUTUBE_BUDGET_PER_HOUR_WITH_COOKIES": 3_600_000,
    "YOUTUBE_SEARCH_GAP": 0.0,
    "YOUTUBE_BACKOFF_STEPS": [1.0, 2.0, 4.0],
}


@pytest.fixture(autouse=True)
def _youtube_governor(settings: Any) -> None:
    for name, value in YOUTUBE_TEST_SETTINGS.items():
        setattr(settings, name, value)


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[AsgiServer]:
    """The app under uvicorn on a free loopback port, sharing the test database."""
    server = AsgiServer.start()
    yield server
    server.stop()
