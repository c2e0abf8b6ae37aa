from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path

from spotifydl.runner import ChildSpec, Supervisor
from tests.support.waiting import wait_until

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def _ignores_sigterm(marker: Path) -> list[str]:
    code = (
        "import pathlib, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        f"pathlib.Path({str(marker)!r}).touch(); time.sleep(60)"
    )
    return [sys.executable, "-c", code]


def _send_after(delay: float, sig: int) -> None:
    def fire() -> None:
        time.sleep(delay)
        signal.raise_signal(sig)

    threading.Thread(target=fire, daemon=True).start()


def test_an_essential_child_that_dies_stops_the_others_and_fails_the_run() -> None:
    crasher = ChildSpec("crasher", [sys.executable, "-c", "import sys; sys.exit(3)"])
    supervisor = Supervisor(specs=[ChildSpec("sleeper", SLEEPER), crasher])

    code = supervisor.run()

    assert code == 3
    assert all(child.poll() is not None for child in supervisor._children.values())


def test_sigint_stops_every_child_and_exits_cleanly() -> None:
    supervisor = Supervisor(specs=[ChildSpec("a", SLEEPER), ChildSpec("b", SLEEPER)])
    _send_after(0.5, signal.SIGINT)

    code = supervisor.run()

    assert code == 0
    assert all(child.poll() is not None for child in supervisor._children.values())


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    supervisor = Supervisor(
        specs=[ChildSpec("stubborn", _ignores_sigterm(marker))], grace_seconds=0.5
    )

    def stop_once_started() -> None:
        while not marker.exists():
            time.sleep(0.02)
        signal.raise_signal(signal.SIGTERM)

    threading.Thread(target=stop_once_started, daemon=True).start()
    started = time.monotonic()
    code = supervisor.run()

    assert code == 0
    assert supervisor._children["stubborn"].returncode == -signal.SIGKILL
    assert time.monotonic() - started < 30


def _crashes_first_then_sleeps(starts: Path) -> list[str]:
    # Each start adds an x to `starts` and its pid to `starts.pids`.
    code = (
        f"import os, pathlib, sys, time; p = pathlib.Path({str(starts)!r});"
        "p.with_suffix('.pids').open('a').write(f'{os.getpid()} ');"
        "p.open('a').write('x'); sys.exit(1) if len(p.read_text()) == 1 else time.sleep(60)"
    )
    return [sys.executable, "-c", code]


def test_a_restartable_child_that_dies_is_started_again_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    starts = tmp_path / "starts"
    exits: list[tuple[str, int, int]] = []
    supervisor = Supervisor(
        specs=[
            ChildSpec("web", SLEEPER),
            ChildSpec("worker", _crashes_first_then_sleeps(starts), restart=True),
        ],
        backoff_first=0.05,
        on_exit=lambda name, code, pid: exits.append((name, code, pid)),
    )

    def stop_once_restarted() -> None:
        wait_until(lambda: starts.exists() and len(starts.read_text()) == 2)
        signal.raise_signal(signal.SIGINT)

    threading.Thread(target=stop_once_restarted, daemon=True).start()
    code = supervisor.run()

    assert code == 0
    first_pid = int(starts.with_suffix(".pids").read_text().split()[0])
    assert exits == [("worker", 1, first_pid)]
    assert starts.read_text() == "xx"


def test_a_restartable_child_in_a_crash_loop_stops_the_run() -> None:
    crasher = ChildSpec("worker", [sys.executable, "-c", "import sys; sys.exit(2)"], restart=True)
    supervisor = Supervisor(
        specs=[ChildSpec("web", SLEEPER), crasher], backoff_first=0.01, crash_limit=3
    )

    code = supervisor.run()

    assert code == 2
    assert supervisor._children["web"].poll() is not None
