"""Fault knobs for Spotify, and the engine both servers' faults share (YouTube's: youtube_faults).

Rates use an RNG seeded from the sandbox seed (reseeded on reset), and `fail_next(n, kind)`
queues exact faults for the next matching requests, so tests never depend on luck.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from sandbox.clock import Clock
from sandbox.http import Request, Response, json_response

SPOTIFY_FAULTS = ("500", "502", "503", "reset", "429", "quota")
SIX_MONTHS = 183 * 86_400


def answered_after(latency: float, answer: Callable[[], Response]) -> Response:
    """`answer()`, held until `latency` seconds after the request arrived: every latency knob
    means the round trip a client sees, the server's work within it, as with a remote server.
    (Sleeping first and then making the answer, eight at once under one GIL, made the round trip
    longer than the knob, and the bench's bounds out of any client's reach.)"""
    arrived = time.monotonic()
    response = answer()
    left = arrived + latency - time.monotonic()
    if left > 0:
        time.sleep(left)
    return response


@dataclass
class Planned:
    kind: str
    path: str | None  # only requests whose path contains this; None for any


class Plannable:
    planned: list[Planned]
    _kinds: tuple[str, ...] = ()

    def fail_next(self, count: int = 1, kind: str = "500", path: str | None = None) -> None:
        """Answer the next `count` requests (whose path contains `path`) with `kind`."""
        if kind not in self._kinds:
            raise ValueError(f"unknown fault {kind!r}; choose one of {self._kinds}")
        self.planned.extend(Planned(kind, path) for _ in range(count))

    def update(self, values: dict[str, object]) -> None:
        names = {f.name for f in fields(self)} - {"planned"}  # type: ignore[arg-type]
        unknown = set(values) - names
        if unknown:
            raise ValueError(f"unknown knobs {sorted(unknown)}")
        for name, value in values.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, object]:
        shown = {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]
        shown["planned"] = [(p.kind, p.path) for p in self.planned]
        return shown


@dataclass
class SpotifyKnobs(Plannable):
    latency: float = 0.0  # seconds from a /v1 request's arrival to its answer (answered_after)
    rate_limit: int | None = None  # /v1 requests allowed per rolling window
    rate_window: float = 30.0
    daily_quota: int | None = None  # /v1 requests allowed per 24 h period
    error_rate: float = 0.0  # fraction of /v1 requests answered 500/502/503
    reset_rate: float = 0.0  # fraction of /v1 requests answered by resetting the connection
    access_token_lifetime: int = 3600
    refresh_token_lifetime: int = SIX_MONTHS
    code_lifetime: int = 600
    legacy_track_key: bool = False  # also send the deprecated `track` / `tracks` keys
    # GET /playlists/{id} without its `items` object, as Spotify answers for a playlist the
    # caller neither owns nor collaborates on: a client must not read its size as zero.
    playlist_omits_items: bool = False
    auto_consent: str | None = None  # a user key: /authorize skips the consent page
    planned: list[Planned] = field(default_factory=list)
    _kinds = SPOTIFY_FAULTS


class RequestCounter(Counter[str]):
    """Requests per endpoint template, e.g. "GET /v1/playlists/{id}/items"."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        with self._lock:
            self[key] += 1


def spotify_error(
    status: int, message: str, headers: dict[str, str] | None = None, **extra: str
) -> Response:
    return json_response(
        {"error": {"status": status, "message": message, **extra}}, status, headers
    )


class Engine:
    def __init__(self, seed: int, clock: Clock) -> None:
        self.seed, self.clock = seed, clock
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        # Faults answered since the last reset, by kind: the figures a fault test reports.
        self.injected = RequestCounter()

    def _planned(self, planned: list[Planned], path: str) -> str | None:
        for i, plan in enumerate(planned):
            if plan.path is None or plan.path in path:
                del planned[i]
                return plan.kind
        return None

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate


class SpotifyFaults(Engine):
    def __init__(self, seed: int, clock: Clock) -> None:
        super().__init__(seed, clock)
        self.knobs = SpotifyKnobs()
        self._window: deque[float] = deque()
        self._quota_start: float | None = None
        self._quota_used = 0

    def reset(self) -> None:
        with self.lock:
            self.knobs.__init__()  # type: ignore[misc]  # same object: tests may hold it
            self.rng.seed(self.seed)
            self.injected.clear()
            self._window.clear()
            self._quota_start, self._quota_used = None, 0

    def check(self, request: Request) -> Response | None:
        """A fault answer for this /v1 request, or None to serve it normally."""
        with self.lock:
            kind = self._planned(self.knobs.planned, request.path)
            if kind is None and self._roll(self.knobs.reset_rate):
                kind = "reset"
            if kind is None and self._roll(self.knobs.error_rate):
                kind = self.rng.choice(("500", "502", "503"))
            if kind is not None:
                self.injected.hit(kind)
                return self._answer(kind)
            return self._quota() or self._rate_limit()

    def _answer(self, kind: str) -> Response:
        if kind == "reset":
            return Response(reset=True)
        if kind == "429":
            return spotify_error(429, "API rate limit exceeded", {"Retry-After": "1"})
        if kind == "quota":
            return self._quota_error(86_400)
        return spotify_error(int(kind), _SERVER_ERRORS[kind])

    def _quota(self) -> Response | None:
        limit = self.knobs.daily_quota
        if limit is None:
            return None
        now = self.clock.now()
        if self._quota_start is None or now - self._quota_start >= 86_400:
            self._quota_start, self._quota_used = now, 0
        if self._quota_used >= limit:
            return self._quota_error(self._quota_start + 86_400 - now)
        self._quota_used += 1
        return None

    def _quota_error(self, seconds_left: float) -> Response:
        retry = str(max(1, math.ceil(seconds_left)))
        return spotify_error(
            429,
            "Daily quota exceeded for this application",
            {"Retry-After": retry},
            reason="QUOTA_EXCEEDED",
        )

    def _rate_limit(self) -> Response | None:
        limit, window, now = self.knobs.rate_limit, self.knobs.rate_window, self.clock.now()
        while self._window and self._window[0] <= now - window:
            self._window.popleft()
        if limit is not None and len(self._window) >= limit:
            retry = max(1, math.ceil(self._window[0] + window - now))
            return spotify_error(429, "API rate limit exceeded", {"Retry-After": str(retry)})
        self._window.append(now)
        return None


_SERVER_ERRORS = {"500": "Server error", "502": "Bad gateway", "503": "Service unavailable"}
