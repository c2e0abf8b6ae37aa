"""Helpers of the reliability tests: real worker and server processes with their logs,
and a record of every outgoing connection."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.processes import ROOT, free_port, manage, wait_for_http
from tests.support.waiting import wait_until
from tests.support.workers import worker_env

# --- real processes ----------------------------------------------------------------------------


@dataclass
class Processes:
    """Worker and server subprocesses of one test, each writing its own log file."""

    log_dir: Path
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def _start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = self.log_dir / f"{len(self.logs):02d}-{name}.log"
        self.logs.append(log)
        with open(log, "wb") as out:
            process = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.started.append(process)
        return process

    def worker(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        """A real `manage.py db_worker` on the test database, music folder and sandbox."""
        argv = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload"]
        argv += ["--no-startup-delay", "--interval", "0.2", *args]
        return self._start("worker", argv, worker_env(**env))

    def checked_worker(self, **env: str) -> subprocess.Popen[bytes]:
        """A real `manage.py worker` (the start checks, then db_worker); `env` may replace
        anything, DATA_DIR included, as on a machine of its own."""
        argv = [sys.executable, str(ROOT / "manage.py"), "worker", "--no-reload"]
        argv += ["--no-startup-delay", "--interval", "0.2"]
        return self._start("worker", argv, {**worker_env(), **env})

    def serve(self, *args: str, **env: str) -> str:
        """`manage.py serve` (uvicorn under its supervisor); its base URL once it answers."""
        return self.served(*args, **env)[1]

    def served(self, *args: str, **env: str) -> tuple[subprocess.Popen[bytes], str]:
        """`manage.py serve` on a free port, as a process and its base URL once it answers."""
        return self.served_on(free_port(), *args, **env)

    def served_on(self, port: int, *args: str, **env: str) -> tuple[subprocess.Popen[bytes], str]:
        """`manage.py serve` on this port (a killed run's, say)."""
        argv = [sys.executable, str(ROOT / "manage.py"), "serve", "--port", str(port), *args]
        process = self._start("serve", argv, {**worker_env(), **env})
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/healthz", timeout=120)
        return process, url

    def web(self, **env: str) -> str:
        """The app under uvicorn in a subprocess; returns its base URL once it answers.

        It shares this process's SECRET_KEY, so sessions made here are valid there."""
        from django.conf import settings

        env.setdefault("SECRET_KEY", settings.SECRET_KEY)
        port = free_port()
        argv = [sys.executable, "-m", "uvicorn", "spotifydl.asgi:application"]
        argv += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
        self._start("web", argv, worker_env(**env))
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/healthz")
        return url

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def log_text(self) -> str:
        return "\n".join(
            f"===== {log.name}\n{log.read_text(errors='replace')}" for log in self.logs
        )


def manage_command(*args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    process = manage(*args, env=worker_env(**env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, output)


# --- where the process connects to -------------------------------------------------------------

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass
class Connections:
    """Every TCP connection attempt and host name lookup made by this process meanwhile."""

    connected: list[tuple[str, int]] = field(default_factory=list)
    looked_up: list[str] = field(default_factory=list)

    def outside(self, allowed_ports: set[int]) -> list[str]:
        """Destinations other than the loopback ports we configured."""
        wrong = [f"connect {h}:{p}" for h, p in self.connected if h not in LOOPBACK]
        wrong += [f"connect {h}:{p}" for h, p in self.connected if p not in allowed_ports]
        wrong += [f"lookup {h}" for h in self.looked_up if h not in LOOPBACK]
        return sorted(set(wrong))


@contextlib.contextmanager
def recorded_connections() -> Iterator[Connections]:
    """Record (and let through) every connect() and getaddrinfo() of this process, any thread."""
    record = Connections()
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def note(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            record.connected.append((str(address[0]), int(address[1])))

    def connect(self: socket.socket, address: Any) -> None:
        note(self, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        note(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None:
            record.looked_up.append(host.decode() if isinstance(host, bytes) else str(host))
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign, assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign, assignment]
    socket.getaddrinfo = getaddrinfo
    try:
        yield record
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo


def port_of(url: str) -> int:
    from urllib.parse import urlsplit

    port = urlsplit(url).port
    assert port is not None, url
    return port


# --- jobs of sandbox tracks --------------------------------------------------------------------


def uploaded_tracks(sandbox: Any, count: int, *, skip: int = 0) -> list[Any]:
    """`count` tracks of the sandbox that have an acceptable upload, editorial ones first."""
    from itertools import islice

    from tests.support.catalog import catalog_tracks, has_upload

    uploaded = (t for t in catalog_tracks(sandbox) if has_upload(sandbox, t))
    found = list(islice(uploaded, skip, skip + count))
    assert len(found) == count, f"the sandbox has only {len(found)} uploaded tracks"
    return found


def playlist_job(
    sandbox: Any,
    owner: Any,
    tracks: list[Any],
    *,
    name: str,
    enqueue: bool,
    audio_format: str = "original",
) -> Any:
    """A playlist of these tracks in the owner's library, and a download job of it."""
    from downloads import selectors, services
    from downloads.models import Job
    from tests.support.catalog import import_playlist

    playlist = import_playlist(sandbox, owner, tracks, name=name)
    target = selectors.target_tracks(
        user=owner, kind=Job.Kind.PLAYLIST, target_id=playlist.spotify_id
    )
    return services.job_create(
        owner=owner,
        kind=target.kind,
        target_id=target.target_id,
        title=target.title,
        tracks=target.tracks,
        audio_format=audio_format,
        enqueue=enqueue,
    )


def uploads_job(
    sandbox: Any,
    owner: Any,
    count: int,
    *,
    name: str,
    enqueue: bool = True,
    audio_format: str = "original",
) -> Any:
    """A playlist job of `count` tracks that all have an acceptable upload (queued for the
    workers unless `enqueue=False`): every one of them can end done."""
    tracks = uploaded_tracks(sandbox, count)
    return playlist_job(
        sandbox, owner, tracks, name=name, enqueue=enqueue, audio_format=audio_format
    )


def app_env(spotify: Any = None, **extra: str) -> dict[str, str]:
    """What the app's processes started by a test share with it besides `worker_env`: its
    SECRET_KEY (so they read the sign-ins it stored) and a Spotify app, the sandbox's when
    given (a sync reads Spotify), else a configured one nothing asks."""
    from django.conf import settings

    from tests.support.spotify import CLIENT_ID

    env = {"SECRET_KEY": settings.SECRET_KEY, "SPOTIFY_CLIENT_ID": "configured-client"}
    if spotify is not None:
        env["SPOTIFY_CLIENT_ID"] = CLIENT_ID
        env["SPOTIFY_ACCOUNTS_URL"] = spotify.accounts_url
        env["SPOTIFY_API_URL"] = spotify.api_url
    return env | extra


def wait_job_ended(job: Any, *, timeout: float) -> None:
    """Until a job that workers in other processes run is finished and the worker that ended
    it has written what follows its end (`job_after_finish`: its playlist file). Checked in
    between, the files would show that write's temporary file."""
    from downloads import playlists, preferences
    from downloads.models import Job

    wait_until(lambda: Job.objects.get(pk=job.pk).status in Job.FINISHED, timeout=timeout)
    job.refresh_from_db()
    if job.kind in Job.M3U8_KINDS and preferences.playlist_files_wanted(user_id=job.owner_id):
        written = playlists.playlist_file_path(title=job.title, owner=job.owner)
        wait_until(written.is_file, timeout=60, what="the job's playlist file")


def assert_every_track_done(job: Any, count: int, *, temp_dirs: list[Path] | None = None) -> None:
    """The job is consistent (tests/reliability/invariants.py) and all its `count` tracks are
    done, none failed."""
    from tests.reliability.invariants import assert_job_consistent, describe

    counts = assert_job_consistent(job, temp_dirs=temp_dirs or [])
    assert (counts["done"], counts["failed"]) == (count, 0), describe(job)


def no_chunk_task_left_running() -> Any:
    """The chunk tasks' result rows, once none is left running (the worker that ends a job ends
    its chunk's task just after)."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from downloads import enqueue
    from tests.support.waiting import wait_until

    chunk_rows = DBTaskResult.objects.filter(task_path=enqueue.RUN_CHUNK)
    running = chunk_rows.filter(status=TaskResultStatus.RUNNING)
    wait_until(lambda: not running.exists(), timeout=30, what="no chunk task left running")
    return chunk_rows


def run_job_here(job: Any) -> None:
    """Run every chunk of the job in this process, one after the other, the way a worker does,
    and again the chunks the end-of-job round queued (downloads/worker/retrying.py)."""
    from downloads.tasks import run_chunk
    from tests.support.workers import run_task_in_thread

    chunks = sorted(set(job.items.values_list("chunk", flat=True)))
    for _ in range(2):
        for chunk in chunks:
            run_task_in_thread(run_chunk, job_id=job.pk, chunk=chunk)
        chunks = sorted(set(job.items.filter(status="queued").values_list("chunk", flat=True)))
    job.refresh_from_db()


def identify_problems(sandbox: Any, job: Any) -> list[str]:
    """Done items whose file is not a complete copy of an acceptable upload of their track."""
    problems = []
    for item in job.items.filter(status="done").select_related("track", "stored_file"):
        stored = item.stored_file
        ids = [c.id for c in sandbox.media.candidates(item.track.spotify_id)]
        found = sandbox.media.identify(stored.absolute_path, ids)
        if found not in sandbox.expected_candidates(item.track.spotify_id):
            problems.append(f"{item.track.name!r}: the file is {found}, not an acceptable upload")
            continue
        candidate = next(
            c for c in sandbox.media.candidates(item.track.spotify_id) if c.id == found
        )
        if stored.duration is None or abs(stored.duration - candidate.duration) > 1.5:
            problems.append(
                f"{item.track.name!r}: {stored.duration} s stored, "
                f"of an upload of {candidate.duration} s"
            )
    return problems


def form_errors_shown(response: Any) -> list[str]:
    """The form's error messages, each checked to be on the page (escaped) and in plain words."""
    from django.utils.html import escape

    from tests.reliability.invariants import assert_plain

    form = response.context["form"]
    messages = [str(m) for errors in form.errors.values() for m in errors]
    assert messages, "refused without saying why"
    page = response.content.decode()
    for message in messages:
        assert_plain(message, what="form error")
        assert escape(message) in page, f"the error {message!r} is not shown"
    return messages
