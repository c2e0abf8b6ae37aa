"""pytest fixtures: one tiny sandbox per session, reset after every test that uses it.

Load it with ``pytest_plugins = ["sandbox.pytest_plugin"]`` in the top-level conftest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The sandbox, started once (preset "tiny", seed 1). Prefer `sandbox` in tests."""
    server = Sandbox(seed=1, preset="tiny", cache_dir=tmp_path_factory.mktemp("sandbox-cache"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Iterator[Sandbox]:
    """The session's sandbox; knobs, counters, tokens and playlists are reset afterwards.
    Registered clients stay registered."""
    yield sandbox_server
    sandbox_server.reset()
