"""Run the web server and the background workers as one supervised group of processes.

Children start in sessions of their own, so a Ctrl+C in the terminal reaches only this process,
which then stops every child in order: SIGTERM, a grace period, SIGKILL for stragglers. A child
that dies on its own takes the whole group down with a non-zero exit, so a supervisor (Docker,
systemd) sees the failure instead of a half-working app.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger(__name__)

GRACE_SECONDS = 4.0
POLL_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class ChildSpec:
    name: str
    argv: Sequence[str]


@dataclass
class Supervisor:
    specs: Sequence[ChildSpec]
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    grace_seconds: float = GRACE_SECONDS
    _children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict, init=False)
    _stop_signal: int | None = field(default=None, init=False)

    def run(self) -> int:
        """Start every child, wait until one exits or a signal arrives, stop the rest."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for spec in self.specs:
                self._start(spec)
            failed = self._wait_for_first_exit()
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed is not None:
            name, code = failed
            logger.error(
                "%s exited unexpectedly with code %s; stopped everything else.", name, code
            )
            return code or 1
        return 0

    def _start(self, spec: ChildSpec) -> None:
        logger.info("Starting %s: %s", spec.name, " ".join(spec.argv))
        self._children[spec.name] = subprocess.Popen(
            list(spec.argv), env=dict(self.env), start_new_session=True
        )

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stop_signal = signum

    def _wait_for_first_exit(self) -> tuple[str, int] | None:
        while self._stop_signal is None:
            for name, child in self._children.items():
                code = child.poll()
                if code is not None:
                    return name, code
            time.sleep(POLL_SECONDS)
        logger.info("Received %s, stopping.", signal.strsignal(self._stop_signal))
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
