"""The app as people run it, for P5 and P6: `manage.py serve` (web only) and worker processes.

The web server is `serve --workers 0`: the production command, with WEB_WORKERS uvicorn
processes. The workers are `manage.py worker` processes started here (the argv `serve` gives its
embedded workers), so a benchmark decides when a job runs. Both get this run's environment plus
the sandbox's URLs and the key this process uses (sessions made here are valid there).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import suppress
from typing import TYPE_CHECKING

import httpx

from bench.environment import ROOT
from bench.harness import free_port, proc_status_mb, wait_for_port

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from bench.environment import Environment

MANAGE = str(ROOT / "manage.py")


def app_env(env: Environment, *, web_workers: int | None = None) -> dict[str, str]:
    from django.conf import settings

    values = {
        **os.environ,
        "SECRET_KEY": settings.SECRET_KEY,
        "SPOTIFY_ACCOUNTS_URL": env.sandbox.accounts_url,
        "SPOTIFY_API_URL": env.sandbox.api_url,
        "MEDIA_SOURCES": "ytmusic",
        **env.sandbox.youtube_settings(),
        "LRCLIB_URL": env.sandbox.lrclib_url,
    }
    if web_workers is not None:
        values["WEB_WORKERS"] = str(web_workers)
    return values


def session_cookies(user: User) -> dict[str, str]:
    """A signed-in session (in the shared database) as cookies for an HTTP client."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


class Process:
    """A child in a session of its own, stopped with SIGTERM (then SIGKILL) to its group."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        if not self.alive():
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Web(Process):
    """`manage.py serve --workers 0` on a free port: the supervisor and its uvicorn."""

    def __init__(self, env: Environment, *, web_workers: int | None = None) -> None:
        self.port = free_port()
        argv = [sys.executable, MANAGE, "serve", "--port", str(self.port), "--workers", "0"]
        super().__init__(argv, app_env(env, web_workers=web_workers))
        wait_for_port(self.port, timeout=60, alive=self.alive)
        self.url = f"http://127.0.0.1:{self.port}"

    def warm(self, cookies: dict[str, str], paths: list[str], rounds: int = 4) -> None:
        """Each path a few times over several connections, so that every web process has
        imported its views and compiled its templates before anything is timed."""
        clients = [httpx.Client(base_url=self.url, cookies=cookies, timeout=120) for _ in range(4)]
        try:
            for _ in range(rounds):
                for client in clients:
                    for path in paths:
                        client.get(path)
        finally:
            for client in clients:
                client.close()


class Workers:
    """`count` worker processes, as `serve` starts its embedded ones."""

    def __init__(self, env: Environment, count: int) -> None:
        environ = app_env(env)
        self.processes = [
            Process(
                [
                    sys.executable,
                    MANAGE,
                    "worker",
                    "--name",
                    f"bench-worker-{n}",
                    "--interval",
                    "0.5",
                    "--no-reload",
                ],
                environ,
            )
            for n in range(1, count + 1)
        ]

    def peak_rss_mb(self) -> float:
        """The largest VmHWM among the worker processes (their peak resident memory)."""
        return max(
            (proc_status_mb(p.pid, "VmHWM") for p in self.processes if p.alive()), default=0.0
        )

    def stop(self) -> None:
        for process in self.processes:
            process.stop()
