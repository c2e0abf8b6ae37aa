"""One library refresh in a process of its own, as a worker process runs it (P1's "ours").

In production the refresh runs in a worker process and Spotify is elsewhere; in the bench the
sandbox's Spotify lives in the bench process. Running the refresh here keeps the two from sharing
one GIL. `refresh_in_child(env, user)` creates the refresh row and runs
`python -m bench.refresh_child REFRESH_ID [--profile PATH]` with the environment `served.py`
gives the app's processes; the child times `library_refresh_task.call` alone (not its start-up)
and prints its wall and CPU seconds as one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.environment import ROOT
from bench.harness import Measure

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from bench.environment import Environment
    from library.models import LibraryRefresh


@dataclass(frozen=True)
class ChildRefresh:
    refresh: LibraryRefresh
    wall: float
    cpu: float
    cpu_main_thread: float  # the sync_to_async work: the ORM's writes and reads


def refresh_in_child(env: Environment, user: User, *, profile: Path | None = None) -> ChildRefresh:
    """One library refresh run to its end in a child process; its wall and CPU seconds."""
    from django.db import connections

    from bench.served import app_env
    from library.models import LibraryRefresh
    from library.refresh.service import library_refresh_create

    refresh, _ = library_refresh_create(user=user)
    connections.close_all()  # SQLite: nothing of this process's holds the file while it writes
    argv = [sys.executable, "-m", "bench.refresh_child", str(refresh.pk)]
    if profile is not None:
        argv += ["--profile", str(profile)]
    run = subprocess.run(argv, cwd=ROOT, env=app_env(env), capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"refresh child failed ({run.returncode}): {run.stderr[-4000:]}")
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    refresh.refresh_from_db()
    if refresh.status != LibraryRefresh.Status.SUCCEEDED:
        raise RuntimeError(f"library refresh {refresh.pk} ended {refresh.status}: {refresh.error}")
    return ChildRefresh(
        refresh=refresh,
        wall=figures["wall"],
        cpu=figures["cpu"],
        cpu_main_thread=figures["cpu_main_thread"],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.refresh_child")
    parser.add_argument("refresh_id", type=int)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the call here")
    args = parser.parse_args(argv)
    import django

    django.setup()
    from library.tasks import library_refresh_task

    gc.freeze()  # as `manage.py worker` does once its task modules are loaded
    profiler = None
    if args.profile is not None:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is shared
    main_thread_cpu = time.thread_time()  # async_to_sync sends sync_to_async calls back here
    with Measure() as took:
        if profiler is not None:
            profiler.enable()
        library_refresh_task.call(args.refresh_id)
        if profiler is not None:
            profiler.disable()
    if profiler is not None:
        profiler.dump_stats(str(args.profile))
    main_thread_cpu = time.thread_time() - main_thread_cpu
    figures = {"wall": took.wall, "cpu": took.cpu, "cpu_main_thread": main_thread_cpu}
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
