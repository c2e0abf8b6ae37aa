"""Wait for a state another thread or process brings about, and fail plainly when it never comes."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable


def wait_until(
    condition: Callable[[], object], *, timeout: float = 60, step: float = 0.1, what: str = ""
) -> float:
    """Seconds it took for `condition()` to hold; fails the test, naming what it waited for,
    when it does not hold within `timeout` seconds."""
    began = time.monotonic()
    while not condition():
        waited = time.monotonic() - began
        assert waited < timeout, (
            f"timed out after {waited:.1f}s waiting for {what or _named(condition)}"
        )
        time.sleep(step)
    return time.monotonic() - began


def _named(condition: Callable[[], object]) -> str:
    """The condition's source (a lambda reads as what it checks), else its name."""
    try:
        return inspect.getsource(condition).strip()
    except (OSError, TypeError):
        return getattr(condition, "__qualname__", repr(condition))
