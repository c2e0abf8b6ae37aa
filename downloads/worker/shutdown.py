"""A worker process asked to stop (SIGTERM, SIGINT): chunk runs end their items as interrupted.

db_worker's own handler only stops it taking new tasks once the running one returns; the
chunk's items would run on meanwhile, and their ffmpeg children (same process group) die under
them. While a chunk task runs, this module's handler also raises a flag the chunk's ticker
reads: items stop, go back to the queue uncounted, and the chunk is enqueued for the next worker.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGTERM, signal.SIGINT)
_requested = threading.Event()


def requested() -> bool:
    return _requested.is_set()


def request() -> None:
    _requested.set()


@contextmanager
def signals_watched() -> Iterator[None]:
    """Watch SIGTERM/SIGINT around a task; signal handlers exist only in the main thread."""
    _requested.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {signum: signal.getsignal(signum) for signum in SIGNALS}

    def handler(signum: int, frame: FrameType | None) -> None:
        _requested.set()
        prior = previous[signum]
        # db_worker's handler (stop after this task; a second signal exits at once).
        if callable(prior) and prior is not signal.default_int_handler:
            prior(signum, frame)

    for signum in SIGNALS:
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for watched, prior in previous.items():
            signal.signal(watched, prior)
