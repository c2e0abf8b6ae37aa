"""The app as people run it, for P2, P5 and P6: `manage.py serve` (web only) and workers.

The web server is `serve --workers 0`: the production command, with WEB_WORKERS uvicorn
processes. The workers are `manage.py worker` processes started here (the argv `serve` gives its
embedded workers), so a benchmark decides when a job runs. Both get this run's environment plus
the sandbox's URLs and the key this process uses (sessions made here are valid there).
`bench_job` makes the jobs the benchmarks run or show; `job_run_on_workers` times one job on
worker processes from its creation to its last item.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from bench.environment import ROOT
from bench.harness import free_port, proc_status_mb, wait_for_port
from bench.p6_clients import answering_process

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from bench.environment import Environment
    from downloads.models import Job
    from library.models import Track

MANAGE = str(ROOT / "manage.py")
# db_worker sleeps up to this long once it has started (after the heartbeat's first beat).
STARTUP_JITTER_S = 1.0


def app_env(
    env: Environment, *, web_workers: int | None = None, extra: dict[str, str] | None = None
) -> dict[str, str]:
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
    return {**values, **(extra or {})}


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
    """`manage.py serve --workers 0` on a free port: the supervisor and its uvicorn.

    `timed` serves the app with `bench.server_timing` (settings `bench.timed_settings`): each
    response says how long the web process spent on it, and which process answered."""

    def __init__(
        self, env: Environment, *, web_workers: int | None = None, timed: bool = False
    ) -> None:
        from django.conf import settings

        self.port = free_port()
        self.processes = web_workers if web_workers is not None else settings.WEB_WORKERS
        argv = [sys.executable, MANAGE, "serve", "--port", str(self.port), "--workers", "0"]
        extra = {"DJANGO_SETTINGS_MODULE": "bench.timed_settings"} if timed else None
        super().__init__(argv, app_env(env, web_workers=web_workers, extra=extra))
        wait_for_port(self.port, timeout=60, alive=self.alive)
        self.url = f"http://127.0.0.1:{self.port}"

    def warm(
        self, cookies: dict[str, str], paths: list[str], rounds: int = 4, connections: int = 8
    ) -> None:
        """Each path a few times over several connections at once, so that every web process
        has imported its views and compiled its templates before anything is timed: the
        processes share one listening socket and whichever wakes first takes a connection, so a
        few connections one after the other may all go to one. Served `timed`, until every
        process has answered every path (at most 10 times `rounds`)."""
        seen: dict[str, set[str]] = {path: set() for path in paths}

        def browse(_: int) -> None:
            with httpx.Client(base_url=self.url, cookies=cookies, timeout=120) as client:
                for _ in range(rounds):
                    for path in paths:
                        pid = answering_process(client.get(path))
                        if pid:
                            seen[path].add(pid)

        with ThreadPoolExecutor(connections) as pool:
            for _ in range(10):
                list(pool.map(browse, range(connections)))
                pids = set().union(*seen.values())
                if not pids or all(len(p) >= self.processes for p in seen.values()):
                    return

    def tree(self) -> list[int]:
        """The supervisor, its uvicorn and uvicorn's processes: their pids."""
        return process_tree(self.pid)


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo += children.get(tree[-1], [])
    return tree


class Workers:
    """`count` worker processes, as `serve` starts its embedded ones (its argv; `interval` is
    how long an idle worker waits before looking for a task again, 0.5 s in `serve`)."""

    def __init__(
        self,
        env: Environment,
        count: int,
        *,
        interval: float = 0.5,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        environ = app_env(env, extra=extra_env)
        self.names = [f"bench-worker-{n}" for n in range(1, count + 1)]
        self.processes = [
            Process(
                [
                    sys.executable,
                    MANAGE,
                    "worker",
                    "--name",
                    name,
                    "--interval",
                    str(interval),
                    "--no-reload",
                ],
                environ,
            )
            for name in self.names
        ]

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until every worker polls the queue and has emptied it: tasks the world's setup left
        (a sign-in's first library refresh) run before anything is timed."""
        from django_tasks_db.models import DBTaskResult

        from spotifydl.models import WorkerBeat

        deadline = time.monotonic() + timeout
        pids = {p.pid for p in self.processes}
        while WorkerBeat.objects.filter(pid__in=pids).count() < len(pids):
            if time.monotonic() > deadline or not all(p.alive() for p in self.processes):
                raise RuntimeError("the worker processes did not start")
            time.sleep(0.05)
        time.sleep(STARTUP_JITTER_S)
        while DBTaskResult.objects.ready().exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not empty the queue")
            time.sleep(0.05)

    def cpu_seconds(self) -> float:
        """User + system CPU of the worker processes and the children they waited for
        (ffmpeg, ffprobe), from /proc."""
        return sum(proc_cpu_seconds(p.pid) for p in self.processes if p.alive())

    def peak_rss_mb(self) -> float:
        """The largest VmHWM among the worker processes (their peak resident memory)."""
        return max(
            (proc_status_mb(p.pid, "VmHWM") for p in self.processes if p.alive()), default=0.0
        )

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


def proc_cpu_seconds(pid: int, *, reaped: bool = True) -> float:
    """utime + stime (+ cutime + cstime, `reaped`) of /proc/<pid>/stat, in seconds; 0 for a
    process already gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    own = (11, 12, 13, 14) if reaped else (11, 12)  # fields 14-17 of proc(5)
    return sum(int(fields[i]) for i in own) / os.sysconf("SC_CLK_TCK")


def bench_job(
    user: User,
    tracks: Sequence[Track],
    *,
    title: str,
    kind: str = "",
    target_id: str = "",
    enqueue: bool = False,
) -> Job:
    """A job of these tracks as the product makes one (`job_create`, original format);
    `enqueue` hands its chunks to the workers' queue, as a download button does."""
    from downloads.models import AudioFormat, Job
    from downloads.services import job_create

    return job_create(
        owner=user,
        kind=kind or Job.Kind.SELECTION,
        target_id=target_id,
        title=title,
        tracks=tracks,
        audio_format=AudioFormat.ORIGINAL,
        enqueue=enqueue,
    )


@dataclass
class JobRun:
    job: Job
    seconds: float  # from the job's creation to its last item finished
    worker_cpu_seconds: float  # the worker processes' CPU (with ffmpeg's) meanwhile
    sandbox_cpu_seconds: float  # this process's CPU meanwhile: mostly the sandbox serving


def job_run_on_workers(
    env: Environment,
    make_job: Callable[[], Job],
    *,
    workers: int,
    interval: float = 0.05,
    extra_env: dict[str, str] | None = None,
    timeout: float = 900.0,
    counting: AbstractContextManager[object] | None = None,
) -> JobRun:
    """Start `workers` worker processes, wait until they poll, then make the job (enqueued)
    and time it to its last item, polling the database. `counting` (the sandbox's request
    counters) is entered for the same span: the workers' start checks are not the job's."""
    from bench.harness import Measure
    from downloads.models import JobItem

    # This process stands for the web process that makes the job: a long-running one has
    # loaded these since its start (views import services; its first enqueue, the tasks).
    import_module("downloads.services")
    import_module("downloads.tasks")
    pool = Workers(env, workers, interval=interval, extra_env=extra_env)
    try:
        pool.wait_ready()
        cpu_before = pool.cpu_seconds()
        with counting or nullcontext(), Measure() as measured:
            job = make_job()
            deadline = time.monotonic() + timeout
            while job.items.filter(status__in=JobItem.UNFINISHED).exists():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"job {job.pk} did not finish in {timeout:.0f} s")
                time.sleep(0.05)
        worker_cpu = pool.cpu_seconds() - cpu_before
        _wait_job_settled(job)
    finally:
        pool.stop()
    job.refresh_from_db()
    return JobRun(job, measured.wall, worker_cpu, measured.cpu)


def _wait_job_settled(job: Job, timeout: float = 30.0) -> None:
    """Its items are finished: wait (untimed) for a worker to end the job itself."""
    deadline = time.monotonic() + timeout
    job.refresh_from_db()
    while job.is_active and time.monotonic() < deadline:
        time.sleep(0.05)
        job.refresh_from_db()
