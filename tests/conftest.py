"""Fixtures shared by every test: Chromium for Playwright, the sandbox, an ASGI server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import AsgiServer

pytest_plugins = ["sandbox.pytest_plugin"]

# Playwright's sync API keeps an event loop running in the main thread; Django would otherwise
# refuse ORM calls made by the test body itself while a browser is open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[AsgiServer]:
    """The app under uvicorn on a free loopback port, sharing the test database."""
    server = AsgiServer.start()
    yield server
    server.stop()
