"""Timing, CPU, memory, request counting and printing, shared by every benchmark.

Nothing here knows the product: it measures whatever runs inside its context managers.
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

MB = 1024 * 1024


def log(message: str) -> None:
    """Progress for the person watching; stdout carries only the JSON results."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- time and CPU -------------------------------------------------------------------------------


def cpu_seconds() -> float:
    """User + system CPU of this process and of every child it has waited for (ffmpeg...)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class Measure:
    """Wall and CPU seconds of a `with` block."""

    wall: float = 0.0
    cpu: float = 0.0
    _wall0: float = field(default=0.0, repr=False)
    _cpu0: float = field(default=0.0, repr=False)

    def __enter__(self) -> Measure:
        self._wall0, self._cpu0 = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall0
        self.cpu = cpu_seconds() - self._cpu0


def median(values: Iterable[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def ratio(numerator: float, denominator: float, digits: int = 2) -> float | None:
    """numerator / denominator, rounded; None when the denominator is zero."""
    if not denominator:
        return None
    return round(numerator / denominator, digits)


def rounded(value: float, digits: int = 3) -> float:
    return round(value, digits)


# --- requests seen by the sandbox ----------------------------------------------------------------


class CountsRequests(Protocol):
    """The sandbox's counter: "GET /v1/me/tracks" -> n."""

    @property
    def requests(self) -> Counter[str]: ...


@dataclass
class Requests:
    """Requests the sandbox served during a `with` block, by endpoint."""

    sandbox: CountsRequests
    by_endpoint: dict[str, int] = field(default_factory=dict)
    _before: Counter[str] = field(default_factory=Counter, repr=False)

    def __enter__(self) -> Requests:
        self._before = Counter(self.sandbox.requests)
        return self

    def __exit__(self, *exc: object) -> None:
        after = Counter(self.sandbox.requests)
        after.subtract(self._before)
        self.by_endpoint = {k: v for k, v in sorted(after.items()) if v > 0}

    def total(self, prefix: str = "") -> int:
        """Requests whose "METHOD /path" route starts with `prefix` after the method."""
        return sum(
            n
            for endpoint, n in self.by_endpoint.items()
            if endpoint.partition(" ")[2].startswith(prefix)
        )


# --- memory and disk ------------------------------------------------------------------------------


def proc_status_mb(pid: int, key: str) -> float:
    """A memory line of /proc/<pid>/status (VmRSS, VmHWM...) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024  # the kernel reports kB
    raise KeyError(key)


class DiskWatch:
    """The largest growth of used space on a filesystem while the block runs (sampled)."""

    def __init__(self, path: Path, every: float = 0.02) -> None:
        self.path, self.every = path, every
        self.peak_bytes = 0
        self._start = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="disk-watch", daemon=True)

    def _used(self) -> int:
        return shutil.disk_usage(self.path).used

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._used() - self._start)
            self._stop.wait(self.every)

    def __enter__(self) -> DiskWatch:
        self._start = self._used()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return rounded(self.peak_bytes / MB, 1)


# --- processes ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, *, timeout: float = 30.0, alive: Any = None) -> None:
    """Until something accepts connections on 127.0.0.1:port (`alive()` False: give up)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline or (alive is not None and not alive()):
                raise RuntimeError(f"nothing listens on port {port}") from None
            time.sleep(0.05)


# --- results ------------------------------------------------------------------------------------


def emit(result: Mapping[str, Any]) -> None:
    """One benchmark's result: one JSON object on one line of stdout."""
    print(json.dumps(result, ensure_ascii=False), flush=True)


def write_results(path: Path, results: Mapping[str, Any], meta: Mapping[str, Any]) -> None:
    """Merge into `path` (pretty JSON): a run of one benchmark keeps the others' last figures."""
    previous: dict[str, Any] = {}
    if path.exists():
        try:
            previous = json.loads(path.read_text())
        except ValueError:
            previous = {}
    benchmarks = dict(previous.get("benchmarks") or {})
    benchmarks.update(results)
    document = {"meta": dict(meta), "benchmarks": dict(sorted(benchmarks.items()))}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)


def machine(repo: Path) -> dict[str, Any]:
    """Where the figures come from: the machine and the code (commit, uncommitted changes)."""
    return {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "platform": sys.platform,
        "commit": _git(repo, "rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(_git(repo, "status", "--porcelain", "--untracked-files=no")),
    }


def _git(repo: Path, *args: str) -> str:
    """A read-only git query; "" when git or the repository is not there."""
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


@contextmanager
def stage(name: str) -> Iterator[None]:
    log(f"{name}...")
    began = time.perf_counter()
    yield
    log(f"{name}: {time.perf_counter() - began:.1f} s")
