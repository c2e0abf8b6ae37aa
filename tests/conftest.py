"""Fixtures shared by every test directory: Chromium for Playwright, the sandbox as Spotify and as
the media source, signed-in people, files on disk, an ASGI server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from playwright.sync_api import Playwright, sync_playwright

from downloads.models import AudioFormat, StoredFile
from library.models import LibraryRefresh, Track
from library.refresh.service import library_refresh_create
from library.tasks import library_refresh_task
from sandbox import Sandbox
from tests.factories import StoredFileFactory, UserFactory
from tests.support.servers import AsgiServer
from tests.support.signing_in import (
    RunRefresh,
    SignIn,
    SignInWithClient,
    invite,
    outside_running_loop,
    sign_in_on,
)
from tests.support.spotify import point_at

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


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (`make test` runs two processes), each process keeps a DATA_DIR of its
    own: cookies and covers are filed by user and track id, which both processes' databases reuse.
    The environment carries it to the servers and workers the tests start."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        data_dir = Path(django_settings.DATA_DIR) / worker
        data_dir.mkdir(parents=True, exist_ok=True)
        # The servers and workers started by tests read the key from their DATA_DIR: the same key
        # as this process, or they could not read the tokens it stored.
        (data_dir / "secret_key").write_text(django_settings.SECRET_KEY)
        django_settings.DATA_DIR = data_dir
        os.environ["DATA_DIR"] = str(data_dir)


# The fixtures that open the database: `_django_db_helper` is below `db`, `transactional_db` and
# pytest-django's other fixtures that grant access (`django_db_blocker` is below every test).
DATABASE_FIXTURES = {"_django_db_helper", "django_db_setup", "live_server"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last, after everything else; on PostgreSQL, only what uses a database.

    Playwright's sync API starts an event loop in the main thread and keeps it for the session;
    once it runs, `asyncio.run()` (used by the pipeline and the Spotify client) cannot be called
    from that thread any more. The PostgreSQL pass (`make test-postgres`) follows the SQLite
    one: a test that never touches a database ran there exactly as it would here (and
    `_database_use_is_declared` fails one that touches it undeclared).
    """
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    if django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        without = [item for item in items if not uses_database(item)]
        config.hook.pytest_deselected(items=without)
        items[:] = [item for item in items if uses_database(item)]


def uses_database(item: pytest.Item) -> bool:
    """Whether the test asks for the database: the django_db mark, or a fixture that grants it."""
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(fixtures & DATABASE_FIXTURES)


@pytest.fixture(autouse=True)
def _database_use_is_declared(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test the PostgreSQL pass would leave out fails if it runs a query all the same (through
    a fixture asked for by name at run time, say): that pass would never have run it."""
    if uses_database(request.node):
        yield
        return
    queried: list[str] = []
    real_cursor = BaseDatabaseWrapper.cursor

    def cursor(self: BaseDatabaseWrapper) -> Any:
        queried.append(self.alias)
        return real_cursor(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "cursor", cursor)
        yield
    if queried:
        pytest.fail(
            f"{request.node.nodeid} queried the database ({sorted(set(queried))}) without the "
            "django_db mark or a db fixture, so the PostgreSQL pass leaves it out: declare it."
        )


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
    # The sandbox is on loopback: a read silent for 1.5 s is a stall, not a slow link.
    "YTDLP_SOCKET_TIMEOUT": 1.5,
    # A transient failure is queued again after a fifth of a second, not two; a failed download,
    # search or Spotify request is tried again after a tenth of its usual pause.
    "ITEM_RETRY_BACKOFF": 0.2,
    "FETCH_RETRY_BACKOFF": 0.1,
    "SEARCH_RETRY_BACKOFF": 0.03,
    "SPOTIFY_RETRY_BACKOFF": 0.02,
}


@pytest.fixture(autouse=True)
def _youtube_governor(settings: Any) -> None:
    for name, value in YOUTUBE_TEST_SETTINGS.items():
        setattr(settings, name, value)


@pytest.fixture(autouse=True)
def _no_lyrics(settings: Any) -> None:
    """Tests never ask the real LRCLIB: lyrics are off unless a test points them at the
    sandbox (`lyrics_sandbox`)."""
    settings.LRCLIB_URL = ""
    settings.LRCLIB_GAP = 0.0


@pytest.fixture
def lyrics_sandbox(media_sandbox: Sandbox, settings: Any) -> Sandbox:
    """The sandbox's YouTube and its LRCLIB."""
    settings.LRCLIB_URL = media_sandbox.lrclib_url
    return media_sandbox


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[AsgiServer]:
    """The app under uvicorn on a free loopback port, sharing the test database."""
    server = AsgiServer.start()
    yield server
    server.stop()


# --- the sandbox as Spotify, and signed-in people --------------------------------------------


@pytest.fixture
def spotify(sandbox: Sandbox, settings: Any) -> Sandbox:
    """The sandbox, with the app's settings pointing at it and the app registered."""
    point_at(settings, sandbox)
    return sandbox


@pytest.fixture
def sign_in(spotify: Sandbox, db: None) -> SignIn:
    return lambda user_key: sign_in_on(spotify, user_key)


@pytest.fixture
def run_refresh(db: None) -> RunRefresh:
    """Run a refresh of the user's library to its end, the way the worker runs it."""

    def run(user: User) -> LibraryRefresh:
        refresh, _ = library_refresh_create(user=user)
        outside_running_loop(lambda: library_refresh_task.call(refresh.pk))
        refresh.refresh_from_db()
        return refresh

    return run


@pytest.fixture
def sign_in_with_client(spotify: Sandbox) -> SignInWithClient:
    """The whole redirect dance with Django's test client and httpx, consent auto-approved."""

    def run(client: Client, user_key: str) -> Any:
        outside_running_loop(lambda: invite(spotify, user_key))
        spotify.knobs.auto_consent = user_key
        start = client.post("/login/")
        assert start.status_code == 302, start
        answer = httpx.get(start["Location"], follow_redirects=False)
        assert answer.status_code in (302, 303), answer.text
        location = httpx.URL(answer.headers["Location"])
        return client.get("/callback/", dict(location.params))

    return run


# --- the download side: people, files on disk, the sandbox as media source ----------------------


@pytest.fixture
def user(db: None) -> Any:
    return UserFactory.create(username="ana")


@pytest.fixture
def other_user(db: None) -> Any:
    return UserFactory.create(username="bo")


@pytest.fixture
def file_on_disk(db: None) -> Callable[..., StoredFile]:
    """A StoredFile row with a real (tiny) file behind it under MUSIC_ROOT."""

    def make(track: Track, audio_format: str = AudioFormat.ORIGINAL) -> StoredFile:
        stored = StoredFileFactory.create(track=track, audio_format=audio_format)
        path = Path(django_settings.MUSIC_ROOT) / stored.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"audio")
        return stored

    return make


@pytest.fixture
def media_sandbox(sandbox: Sandbox, settings: Any) -> Sandbox:
    """Search (the ytmusic source) and fetch (yt-dlp) from the sandbox's YouTube."""
    settings.MEDIA_SOURCES = ["ytmusic"]
    for name, value in sandbox.youtube_settings().items():
        setattr(settings, name, value)
    return sandbox
