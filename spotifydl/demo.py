"""Demo mode: the one place where the product is pointed at the built-in sandbox.

With no Spotify credentials configured, `serve` starts the sandbox's Spotify and media servers in
its own process and hands their base URLs to the web server and the workers through the
environment, exactly as real Spotify/YouTube URLs would be configured. It also records them in
DATA_DIR (`spotifydl.demo_record`), so a command run in another terminal (`download`, `sync`, ...)
uses the same sandbox (`demo_cli_configure`). Workers elsewhere (other containers or machines)
reach that sandbox at SANDBOX_HOST: `serve` then listens on every interface, and `manage.py
worker` points itself there (`demo_worker_configure`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from django.conf import settings

from spotifydl.demo_record import SettingValue, demo_record_read
from spotifydl.env import env_int

if TYPE_CHECKING:
    from sandbox import Sandbox

DEMO_CLIENT_ID = "spotifydl-demo"
# Set by hand, these point the app at a stand-in of its own (`manage.py sandbox`, the tests):
# a command then keeps them rather than looking for a running demo.
ADDRESS_VARIABLES = (
    "SPOTIFY_ACCOUNTS_URL",
    "SPOTIFY_API_URL",
    "YTMUSIC_BASE_URL",
    "YOUTUBE_WATCH_BASE",
)
NOT_RUNNING_WORDS = (
    "Demo mode (no SPOTIFY_CLIENT_ID configured) needs the demo running: start `make run` "
    "(or `manage.py serve`) in another terminal, with the same DATA_DIR, then try again. "
    "To use your own Spotify account instead, see Configuration in README.md."
)


class DemoNotRunning(Exception):
    """A command needs Spotify or YouTube, demo mode is on, and no demo is running."""

    def __init__(self) -> None:
        super().__init__(NOT_RUNNING_WORDS)


def demo_settings(
    *, accounts_url: str, api_url: str, media_url: str, watch_base: str, lrclib_url: str
) -> dict[str, SettingValue]:
    """Every setting demo mode overrides, typed as settings.py reads them."""
    return {
        "DEMO_MODE": True,
        "SPOTIFY_CLIENT_ID": DEMO_CLIENT_ID,
        "SPOTIFY_CLIENT_SECRET": "",
        "SPOTIFY_ACCOUNTS_URL": accounts_url,
        "SPOTIFY_API_URL": api_url,
        # The production source (ytmusic) and yt-dlp, pointed at the sandbox's YouTube.
        "MEDIA_SOURCES": ["ytmusic"],
        "YTMUSIC_BASE_URL": media_url,
        "YOUTUBE_WATCH_BASE": watch_base,
        # Lyrics from the sandbox's LRCLIB.
        "LRCLIB_URL": lrclib_url,
        # The sandbox has no video budget unless asked: pace lightly, so the demo stays quick.
        "YOUTUBE_BUDGET_PER_HOUR": env_int("YOUTUBE_BUDGET_PER_HOUR", 7200),
    }


# The names demo mode overrides: a recorded card sets nothing else.
DEMO_SETTINGS = frozenset(
    demo_settings(accounts_url="", api_url="", media_url="", watch_base="", lrclib_url="")
)


def demo_environment(values: dict[str, SettingValue]) -> dict[str, str]:
    """The same settings as environment variables, for `serve`'s child processes."""

    def text(value: SettingValue) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, list):
            return ",".join(value)
        return str(value)

    return {name: text(value) for name, value in values.items()}


def start_demo_sandbox(*, bind_host: str) -> tuple[Sandbox, dict[str, SettingValue]]:
    from sandbox import Sandbox

    sandbox = Sandbox(seed=2026, preset="demo", cache_dir=settings.DATA_DIR / "sandbox-cache")
    sandbox.register_client(
        DEMO_CLIENT_ID, redirect_uris=[settings.SPOTIFY_REDIRECT_URI], name="spotifydl (demo)"
    )
    # Fixed ports so the browser (and a Docker port mapping) can reach the sandbox consent page.
    sandbox.start(
        host="0.0.0.0" if os.environ.get("SANDBOX_HOST") else bind_host,  # noqa: S104
        port=int(os.environ.get("SANDBOX_PORT", "8001")),
        media_port=int(os.environ.get("SANDBOX_MEDIA_PORT", "8002")),
        lrclib_port=int(os.environ.get("SANDBOX_LRCLIB_PORT", "8003")),
    )
    values = demo_settings(
        accounts_url=sandbox.accounts_url,
        api_url=sandbox.api_url,
        media_url=sandbox.media_url,
        watch_base=sandbox.watch_base,
        lrclib_url=sandbox.lrclib_url,
    )
    return sandbox, values


def demo_cli_configure(*, required: bool) -> bool:
    """Point this command at the running demo's sandbox when demo mode is on (no Spotify app,
    no stand-in configured by hand). Raises DemoNotRunning when `required` (the command talks
    to Spotify or YouTube) and no demo is running. True when the demo's settings were applied."""
    if settings.SPOTIFY_CLIENT_ID or _stand_in_configured():
        return False
    record = demo_record_read(data_dir=settings.DATA_DIR)
    if record is None:
        if required:
            raise DemoNotRunning()
        return False
    _apply({name: value for name, value in record.settings.items() if name in DEMO_SETTINGS})
    return True


def demo_worker_configure() -> bool:
    """Point a separate worker at the web server's sandbox in demo mode: at SANDBOX_HOST when
    it runs elsewhere, else at the demo recorded in DATA_DIR. False when this is no such
    worker."""
    host = os.environ.get("SANDBOX_HOST", "").strip()
    if settings.SPOTIFY_CLIENT_ID or not host:
        return demo_cli_configure(required=False)
    accounts = f"http://{host}:{os.environ.get('SANDBOX_PORT', '8001')}"
    media = f"http://{host}:{os.environ.get('SANDBOX_MEDIA_PORT', '8002')}"
    lrclib = f"http://{host}:{os.environ.get('SANDBOX_LRCLIB_PORT', '8003')}"
    values = demo_settings(
        accounts_url=accounts,
        api_url=f"{accounts}/v1",
        media_url=media,
        watch_base=f"{media}/watch?v=",
        lrclib_url=lrclib,
    )
    _apply(values)
    return True


def _stand_in_configured() -> bool:
    return any(os.environ.get(name, "").strip() for name in ADDRESS_VARIABLES)


def _apply(values: dict[str, SettingValue]) -> None:
    for name, value in values.items():
        setattr(settings, name, value)
