"""`manage.py serve` as `make run` starts it: uvicorn plus workers, stopped by Ctrl+C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings

from spotifydl.models import WorkerBeat
from tests.support.processes import child_env, free_port, manage, wait_for_http
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _serve(tmp_path: Path, **env: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = manage(
        "serve",
        "--port",
        str(port),
        "--workers",
        "2",
        env=child_env(DATA_DIR=str(tmp_path), **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return process, port


def test_serve_answers_home_and_healthz_then_stops_everything_on_ctrl_c(tmp_path: Path) -> None:
    process, port = _serve(tmp_path, SPOTIFY_CLIENT_ID="configured-client")
    try:
        health = wait_for_http(f"http://127.0.0.1:{port}/healthz")
        home = wait_for_http(f"http://127.0.0.1:{port}/")
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)

    assert health.status_code == 200
    assert home.status_code == 200 and b"<h1>" in home.content
    assert process.returncode == 0, output.decode()
    assert b"demo mode" not in output
    # The default redirect URI says :8000, this server listens elsewhere: said at startup.
    assert b"Sign-in will not work" in output and f"listens on port {port}".encode() in output


def test_a_second_serve_on_a_taken_port_refuses_at_once_and_says_why(tmp_path: Path) -> None:
    process, port = _serve(tmp_path, SPOTIFY_CLIENT_ID="configured-client")
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        # Before it would take the running workers' slots (same host and port) for a dead run's.
        second = manage(
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            env=child_env(DATA_DIR=str(tmp_path), SPOTIFY_CLIENT_ID="configured-client"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        output, _ = second.communicate(timeout=30)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=20)

    assert second.returncode != 0
    assert f"Cannot listen on 127.0.0.1:{port}".encode() in output
    assert b"already running there?" in output
    assert b"Starting web" not in output


def test_without_spotify_credentials_serve_starts_demo_mode_on_the_sandbox(tmp_path: Path) -> None:
    process, port = _serve(
        tmp_path,
        SPOTIFY_CLIENT_ID="",
        SANDBOX_PORT=str(free_port()),
        SANDBOX_MEDIA_PORT=str(free_port()),
        SANDBOX_LRCLIB_PORT=str(free_port()),
    )
    try:
        home = wait_for_http(f"http://127.0.0.1:{port}/")
        consent = _sign_in_start(port)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)

    assert home.status_code == 200
    assert b"Demo mode" in home.content
    # The sandbox sends the browser back to the port the app listens on, not to :8000.
    assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fcallback%2F" in str(consent.url)
    assert consent.status_code == 200, consent.text
    assert b"running in demo mode" in output
    assert process.returncode == 0, output.decode()


def _sign_in_start(port: int) -> httpx.Response:
    """Press "Sign in with Spotify" and follow the app to the sandbox's consent page."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as browser:
        page = browser.get("/login/").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None, page
        started = browser.post("/login/", data={"csrfmiddlewaretoken": token.group(1)})
        assert started.status_code == 302, started.text
        return browser.get(started.headers["Location"])


def _health(port: int) -> dict[str, Any]:
    response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    assert response.status_code == 200, response.text  # the web answers throughout
    return dict(response.json())


def _status(port: int, seen: list[str]) -> str:
    seen.append(_health(port)["status"])
    return seen[-1]


def _up(health: dict[str, Any]) -> set[str]:
    return {w["name"] for w in health["workers"] if w["state"] == "up"}


def test_a_killed_worker_is_restarted_while_the_web_keeps_answering(tmp_path: Path) -> None:
    process, port = _serve(tmp_path, SPOTIFY_CLIENT_ID="configured-client")
    seen: list[str] = []
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        wait_until(lambda: len(_up(_health(port))) == 2, what="both workers beating")
        victim = WorkerBeat.objects.order_by("name").first()
        assert victim is not None
        # Pages come first: the workers run at a lower CPU priority than the web.
        assert _niceness(victim.pid) == min(19, os.nice(0) + settings.WORKER_NICENESS)
        # ... and its session's autogroup, which nice alone doesn't reach (Linux).
        autogroup = Path(f"/proc/{victim.pid}/autogroup")
        if autogroup.exists():
            assert autogroup.read_text().split()[-1] == str(settings.WORKER_NICENESS)
        os.kill(victim.pid, signal.SIGKILL)

        wait_until(lambda: _status(port, seen) == "degraded", what="/healthz saying degraded")
        wait_until(lambda: _status(port, seen) == "ok", what="/healthz healthy again")
        health = _health(port)
        replacement = WorkerBeat.objects.get(name=victim.name)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)

    assert _up(health) == {w["name"] for w in health["workers"]} and len(health["workers"]) == 2
    assert replacement.pid != victim.pid
    assert b"worker-1 exited unexpectedly with code -9; restarting it" in output
    assert process.returncode == 0, output.decode()
    assert not WorkerBeat.objects.exists()  # a clean stop leaves no worker looking down


def _niceness(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[16])  # field 19 of proc(5)


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def _web_processes(serve_pid: int) -> int:
    """uvicorn's worker processes under serve (multiprocessing children of the web child)."""
    count = 0
    for pid in _descendants(serve_pid):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        count += b"spawn_main" in argv
    return count


def test_serve_runs_as_many_web_processes_as_web_workers_says(tmp_path: Path) -> None:
    process, port = _serve(tmp_path, SPOTIFY_CLIENT_ID="configured-client", WEB_WORKERS="2")
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        wait_until(lambda: _web_processes(process.pid) == 2, what="two web processes")
        # Each new process answers once it has imported Django: wait for that, not a clock.
        home = wait_for_http(f"http://127.0.0.1:{port}/", timeout=120)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)

    assert home.status_code == 200
    assert process.returncode == 0, output.decode()
