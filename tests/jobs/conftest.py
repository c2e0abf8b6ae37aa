"""Fixtures of the job pages' browser tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Sandbox
from tests.support.servers import AsgiServer
from tests.support.workers import start_worker, stop_worker


@pytest.fixture
def worker(asgi_server: AsgiServer, media_sandbox: Sandbox) -> Iterator[None]:
    """A real worker process beside the page's server, downloading from the media sandbox."""
    process = start_worker()
    yield
    stop_worker(process)
