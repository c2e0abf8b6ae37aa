"""The benchmarks' own world: throwaway data folders, a fresh SQLite database, the sandbox.

`Environment.create()` must run before anything imports Django models: it sets the environment
the settings module reads, calls django.setup(), migrates, starts `Sandbox(preset="bench")` in
this process and points the settings at it. `close()` stops the sandbox and deletes it all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.harness import log

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from library.models import LibraryRefresh
    from sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "spotifydl-bench"


@dataclass
class Environment:
    root: Path
    sandbox: Sandbox
    _signed_in: dict[str, User] = field(default_factory=dict)
    _read: set[str] = field(default_factory=set)

    # -- life ------------------------------------------------------------------------------------

    @classmethod
    def create(cls) -> Environment:
        root = Path(tempfile.mkdtemp(prefix="spotifydl-bench-"))
        prepare_dirs(root)
        os.environ.update(child_env(root))
        os.environ.pop("SPOTIFY_CLIENT_SECRET", None)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        from sandbox import Sandbox

        sandbox = Sandbox(seed=1, preset="bench", cache_dir=root / "sandbox").start()
        sandbox.register_client(
            CLIENT_ID, redirect_uris=[settings.SPOTIFY_REDIRECT_URI], name="spotifydl bench"
        )
        settings.SPOTIFY_CLIENT_ID = CLIENT_ID
        settings.SPOTIFY_CLIENT_SECRET = ""
        settings.SPOTIFY_ACCOUNTS_URL = sandbox.accounts_url
        settings.SPOTIFY_API_URL = sandbox.api_url
        # The production search source, ytmusic, talking to the sandbox's YouTube Music.
        settings.MEDIA_SOURCES = ["ytmusic"]
        for name, value in sandbox.youtube_settings().items():
            setattr(settings, name, value)
        # The lyrics step asks the sandbox's LRCLIB, as the served processes do (served.py).
        settings.LRCLIB_URL = sandbox.lrclib_url
        log(f"data in {root}; sandbox at {sandbox.api_url} and {sandbox.media_url}")
        return cls(root=root, sandbox=sandbox)

    def close(self) -> None:
        from django.db import connections

        connections.close_all()
        self.sandbox.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def music_root(self) -> Path:
        return self.root / "music"

    # -- knobs -----------------------------------------------------------------------------------

    @contextmanager
    def knobs(
        self,
        *,
        latency: float = 0.0,
        media_latency: float = 0.0,
        bandwidth: int | None = None,
        scale: str | None = None,
        lyrics_latency: float = 0.0,
    ) -> Iterator[None]:
        """Set the sandbox's latency / bandwidth knobs for a block, then put them back.

        Never `sandbox.reset()`: it would also forget the tokens the accounts hold.
        """
        spotify, media = self.sandbox.knobs, self.sandbox.media_knobs
        lrclib = self.sandbox.lrclib.knobs
        saved: dict[str, Any] = {
            "latency": spotify.latency,
            "media_latency": media.latency,
            "bandwidth": media.bandwidth,
            "scale": media.scale,
            "lyrics_latency": lrclib.latency,
        }
        spotify.latency, media.latency, media.bandwidth = latency, media_latency, bandwidth
        lrclib.latency = lyrics_latency
        if scale is not None:
            media.scale = scale
        try:
            yield
        finally:
            spotify.latency, media.latency = saved["latency"], saved["media_latency"]
            media.bandwidth, media.scale = saved["bandwidth"], saved["scale"]
            lrclib.latency = saved["lyrics_latency"]

    # -- accounts and libraries ------------------------------------------------------------------

    def sign_in(self, user_key: str) -> User:
        """Sign a sandbox user in without a browser, as the tests' fixtures do: tokens from the
        sandbox, the profile from /me, then `account_sign_in` (which queues a first refresh)."""
        if user_key in self._signed_in:
            return self._signed_in[user_key]
        from asgiref.sync import async_to_sync

        from library.accounts import account_sign_in
        from library.admission import allowed_account_add
        from library.oauth import SCOPES
        from library.spotify import AsyncSpotify, StaticToken
        from library.tokens import TokenSet

        access, refresh = self.sandbox.issue_token(user_key, list(SCOPES), client_id=CLIENT_ID)
        tokens = TokenSet.from_info(
            {
                "access_token": access,
                "refresh_token": refresh,
                "expires_in": self.sandbox.knobs.access_token_lifetime,
                "scope": " ".join(SCOPES),
            }
        )
        me = AsyncSpotify(tokens=StaticToken(access), account_key=f"bench:{user_key}").me
        profile = async_to_sync(me)()
        # The bench plays a household: the admin has invited every account it signs in.
        allowed_account_add(identifier=profile.id, added_by=None)
        user = account_sign_in(profile=profile, tokens=tokens).user
        self._signed_in[user_key] = user
        return user

    def refresh(self, user: User) -> LibraryRefresh:
        """One library refresh run to its end in this process, the way the worker runs it."""
        from library.models import LibraryRefresh
        from library.refresh.service import library_refresh_create
        from library.tasks import library_refresh_task

        refresh, _ = library_refresh_create(user=user)
        library_refresh_task.call(refresh.pk)
        refresh.refresh_from_db()
        if refresh.status != LibraryRefresh.Status.SUCCEEDED:
            raise RuntimeError(
                f"library refresh {refresh.pk} ended {refresh.status}: {refresh.error}"
            )
        return refresh

    def mark_read(self, user_key: str) -> None:
        self._read.add(user_key)

    def library(self, user_key: str) -> User:
        """A signed-in user whose library is in the database (read now, without latency, if no
        benchmark of this run has read it yet)."""
        user = self.sign_in(user_key)
        if user_key not in self._read:
            log(f"reading {user_key}'s library into the catalog (no latency)")
            with self.knobs():
                self.refresh(user)
            self._read.add(user_key)
        return user


def child_env(root: Path) -> dict[str, str]:
    """What the settings module reads, for this process and for servers it starts."""
    return {
        "DJANGO_SETTINGS_MODULE": "spotifydl.settings",
        "DATA_DIR": str(root / "data"),
        "MUSIC_ROOT": str(root / "music"),
        "DATABASE_URL": f"sqlite:///{root / 'data' / 'bench.sqlite3'}",
        "SPOTIFY_CLIENT_ID": CLIENT_ID,
        "DEBUG": "false",
        "DEMO_MODE": "false",
        "LOG_LEVEL": "WARNING",
        "TMPDIR": str(root / "tmp"),
        # The sandbox has no video budget: the governor must not pace the figures measured
        # against a bound that ignores it (P2 measures it separately, with a budget of its own).
        "YOUTUBE_BUDGET_PER_HOUR": "3600000",
        "YOUTUBE_BUDGET_PER_HOUR_WITH_COOKIES": "3600000",
        "YOUTUBE_SEARCH_GAP": "0",
    }


def prepare_dirs(root: Path) -> None:
    for name in ("data", "music", "tmp"):
        (root / name).mkdir(parents=True, exist_ok=True)
