"""Helpers of the fault tests that run `manage.py serve`: its workers' processes, signals to a
whole tree of processes, and a watch on the web server's answers while the faults land."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from spotifydl.models import WorkerBeat


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, theirs, ...), read from /proc."""
    found = []
    with contextlib.suppress(FileNotFoundError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError):
                children = (task / "children").read_text().split()
            for child in map(int, children):
                found += [child, *descendants(child)]
    return found


def signal_tree(pid: int, signum: int) -> list[int]:
    """Send `signum` to `pid` and everything below it at once (what a terminal's process group
    or a container stop reaches); returns the processes signalled."""
    targets = [pid, *descendants(pid)]
    for target in targets:
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signum)
    return targets


def command_line(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def converting(serve_pid: int) -> bool:
    """An ffmpeg conversion (the only ffmpeg call with -y) runs below `serve`."""
    for pid in descendants(serve_pid):
        argv = command_line(pid)
        if argv and Path(argv[0]).name.startswith("ffmpeg") and "-y" in argv:
            return True
    return False


def stopped(pids: Iterable[int]) -> bool:
    """Every thread of these processes has stopped (or the process is gone). SIGSTOP lands on
    each thread at its next return to user space, not when kill() returns: a thread may still
    finish a database commit meanwhile."""
    for pid in pids:
        try:
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except (FileNotFoundError, ProcessLookupError):
            continue
        if any(_state(task / "stat") not in (None, "T", "t") for task in tasks):
            return False
    return True


def live_workers() -> dict[str, int]:
    """Slot name -> pid of each worker beating for `serve` (the supervisor marks a dead one
    down; its replacement's first beat clears the mark)."""
    beats = WorkerBeat.objects.filter(down_since=None).values_list("name", "pid")
    return {name: pid for name, pid in beats if alive(pid)}


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent to notice."""
    return _state(Path(f"/proc/{pid}/stat")) not in (None, "Z")


def _state(stat: Path) -> str | None:
    """The state letter in a /proc stat file (R, S, D, T, Z...); None once it is gone."""
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


@dataclass
class WebWatch:
    """Asks `/healthz` over and over in a thread of its own; what it saw, for the report."""

    url: str
    every: float = 0.2  # seconds between the end of an answer and the next question
    answered: int = 0
    failures: list[str] = field(default_factory=list)
    longest_gap: float = 0.0  # seconds between two answers (or from the start to the first)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _run(self) -> None:
        last = time.monotonic()
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                try:
                    status = client.get(f"{self.url}/healthz").status_code
                except httpx.HTTPError as exc:
                    status, reason = 0, f"{type(exc).__name__}: {exc}"
                else:
                    reason = f"HTTP {status}"
                now = time.monotonic()
                if status == 200:
                    self.answered += 1
                    self.longest_gap = max(self.longest_gap, now - last)
                    last = now
                else:
                    self.failures.append(reason)
                self._stop.wait(self.every)

    @contextlib.contextmanager
    def running(self) -> Iterator[WebWatch]:
        thread = threading.Thread(target=self._run, name="web watch", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join(timeout=60)

    def figures(self) -> str:
        return (
            f"web answered {self.answered} health checks, {len(self.failures)} failed, "
            f"longest gap {self.longest_gap:.2f} s"
        )
