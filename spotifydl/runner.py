"""Run the web server and the background workers as one supervised group of processes.

Children start in sessions of their own, so a Ctrl+C in the terminal reaches only this process,
which then stops every child in order: SIGTERM, a grace period, SIGKILL for stragglers.

A worker that dies is started again after a backoff that doubles with each recent crash; the web
server keeps serving meanwhile, and the health check reports the worker as down until its
replacement beats. Only an essential child dying (the web server), or a worker crash-looping
(CRASH_LIMIT deaths within CRASH_WINDOW seconds), takes the group down with a non-zero exit, so a
supervisor above (Docker, systemd) sees a failure it can act on instead of a half-working app.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger(__name__)

# A worker stopping mid-conversion on a busy machine needs a few seconds; Docker's stop timeout
# (10 s by default) must still leave serve time to hand back what a killed worker held.
GRACE_SECONDS = 7.0
POLL_SECONDS = 0.2
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0
CRASH_LIMIT = 5
CRASH_WINDOW = 60.0


@dataclass(frozen=True, slots=True)
class ChildSpec:
    name: str
    argv: Sequence[str]
    # A restartable child is started again when it dies; any other child's death ends the run.
    restart: bool = False


@dataclass
class _Crashes:
    """A restartable child's recent deaths, which set its backoff and detect a crash loop."""

    times: deque[float] = field(default_factory=deque)
    restart_at: float | None = None

    def record(self, now: float, window: float) -> int:
        self.times.append(now)
        while self.times and self.times[0] < now - window:
            self.times.popleft()
        return len(self.times)


@dataclass
class Supervisor:
    specs: Sequence[ChildSpec]
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    grace_seconds: float = GRACE_SECONDS
    backoff_first: float = BACKOFF_FIRST
    backoff_max: float = BACKOFF_MAX
    crash_limit: int = CRASH_LIMIT
    crash_window: float = CRASH_WINDOW
    # Told of each restartable child's death (name, exit code, pid) before its restart is
    # scheduled.
    on_exit: Callable[[str, int, int], None] | None = None
    _children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict, init=False)
    _crashes: dict[str, _Crashes] = field(default_factory=dict, init=False)
    _stop_signal: int | None = field(default=None, init=False)

    def run(self) -> int:
        """Start every child and keep them running until a signal arrives or one fails for good."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for spec in self.specs:
                self._start(spec)
            failed = self._supervise()
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed is not None:
            name, code, why = failed
            logger.error("%s %s (code %s); stopped everything else.", name, why, code)
            return code or 1
        return 0

    def _start(self, spec: ChildSpec) -> None:
        logger.info("Starting %s: %s", spec.name, " ".join(spec.argv))
        self._children[spec.name] = subprocess.Popen(
            list(spec.argv), env=dict(self.env), start_new_session=True
        )

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stop_signal = signum

    def _supervise(self) -> tuple[str, int, str] | None:
        while self._stop_signal is None:
            for spec in self.specs:
                failed = self._check(spec, time.monotonic())
                if failed is not None:
                    return failed
            time.sleep(POLL_SECONDS)
        logger.info("Received %s, stopping.", signal.strsignal(self._stop_signal))
        return None

    def _check(self, spec: ChildSpec, now: float) -> tuple[str, int, str] | None:
        """None while the child runs or waits for its restart; why the run must end otherwise."""
        crashes = self._crashes.setdefault(spec.name, _Crashes())
        if crashes.restart_at is not None:
            if now >= crashes.restart_at:
                crashes.restart_at = None
                self._start(spec)
            return None
        child = self._children[spec.name]
        code = child.poll()
        if code is None:
            return None
        if not spec.restart:
            return spec.name, code, "exited unexpectedly"
        if self.on_exit is not None:
            self.on_exit(spec.name, code, child.pid)
        recent = crashes.record(now, self.crash_window)
        if recent >= self.crash_limit:
            return spec.name, code, f"exited unexpectedly {recent} times in {self.crash_window:g}s"
        delay = min(self.backoff_first * 2 ** (recent - 1), self.backoff_max)
        crashes.restart_at = now + delay
        logger.warning(
            "%s exited unexpectedly with code %s; restarting it in %.1fs.", spec.name, code, delay
        )
        return None

    def _stop_all(self) -> None:
        running = [child for child in self._children.values() if child.poll() is None]
        for child in running:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_seconds
        for child in running:
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                # Workers finish their current task on SIGTERM; every pipeline stage is
                # idempotent and the reaper re-queues the chunk, so killing them is safe.
                _signal_group(child, signal.SIGKILL)
                child.wait()


def _signal_group(child: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, sig)


def python_argv(*args: str) -> list[str]:
    return [sys.executable, *args]
