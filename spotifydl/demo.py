"""Demo mode: the one place where the product is pointed at the built-in sandbox.

With no Spotify credentials configured, `serve` starts the sandbox's Spotify and media servers in
its own process and hands their base URLs to the web server and the workers through the
environment, exactly as real Spotify/YouTube URLs would be configured. Workers elsewhere (other
containers or machines) reach that sandbox at SANDBOX_HOST: `serve` then listens on every
interface, and `manage.py worker` points itself there (`demo_worker_configure`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from sandbox import Sandbox

DEMO_CLIENT_ID = "spotifydl-demo"


def start_demo_sandbox(*, bind_host: str) -> tuple[Sandbox, dict[str, str]]:
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
    env = {
        "DEMO_MODE": "1",
        "SPOTIFY_CLIENT_ID": DEMO_CLIENT_ID,
        "SPOTIFY_CLIENT_SECRET": "",
        "SPOTIFY_ACCOUNTS_URL": sandbox.accounts_url,
        "SPOTIFY_API_URL": sandbox.api_url,
        # The production source (ytmusic) and yt-dlp, pointed at the sandbox's YouTube.
        "MEDIA_SOURCES": "ytmusic",
        **sandbox.youtube_settings(),
        # Lyrics from the sandbox's LRCLIB.
        "LRCLIB_URL": sandbox.lrclib_url,
        # The sandbox has no video budget unless asked: pace lightly, so the demo stays quick.
        "YOUTUBE_BUDGET_PER_HOUR": os.environ.get("YOUTUBE_BUDGET_PER_HOUR", "7200"),
    }
    return sandbox, env


def demo_worker_configure() -> bool:
    """Point a separate worker at the web server's sandbox when demo mode runs with workers
    elsewhere (no SPOTIFY_CLIENT_ID, SANDBOX_HOST set); the same settings `serve` hands its
    own workers. False when this is no such worker."""
    host = os.environ.get("SANDBOX_HOST", "").strip()
    if settings.SPOTIFY_CLIENT_ID or not host:
        return False
    accounts = f"http://{host}:{os.environ.get('SANDBOX_PORT', '8001')}"
    media = f"http://{host}:{os.environ.get('SANDBOX_MEDIA_PORT', '8002')}"
    lrclib = f"http://{host}:{os.environ.get('SANDBOX_LRCLIB_PORT', '8003')}"
    values = {
        "DEMO_MODE": True,
        "SPOTIFY_CLIENT_ID": DEMO_CLIENT_ID,
        "SPOTIFY_CLIENT_SECRET": "",
        "SPOTIFY_ACCOUNTS_URL": accounts,
        "SPOTIFY_API_URL": f"{accounts}/v1",
        "MEDIA_SOURCES": ["ytmusic"],
        "YTMUSIC_BASE_URL": media,
        "YOUTUBE_WATCH_BASE": f"{media}/watch?v=",
        "LRCLIB_URL": lrclib,
        "YOUTUBE_BUDGET_PER_HOUR": int(os.environ.get("YOUTUBE_BUDGET_PER_HOUR", "7200")),
    }
    for name, value in values.items():
        setattr(settings, name, value)
    return True
