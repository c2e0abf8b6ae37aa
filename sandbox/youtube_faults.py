"""YouTube's failure behaviour: the knobs, a per-session video budget, and the answers.

yt-dlp's generic extractor reports an HTTP error as "HTTP Error <status>: <reason phrase>" and
never reads the body, so every YouTube sentence travels in the reason phrase (and in the body,
for people and for ytmusicapi, which quotes `error.message` of a JSON answer).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

from sandbox.clock import Clock
from sandbox.faults import Engine, Plannable, Planned
from sandbox.http import Request, Response, html_response, json_response

MEDIA_FAULTS = (
    "500",
    "503",
    "reset",
    "truncate",
    "bot_check",
    "captcha",
    "rate_limit",
    "stall",
    "forbidden_midway",
)
BOT_CHECK = "Sign in to confirm you're not a bot"
CAPTCHA = "Video unavailable. YouTube is requiring a captcha challenge before playback"
RATE_LIMITED = (
    "Video unavailable. This content isn't available, try again later. The current session "
    "has been rate-limited by YouTube for up to an hour"
)
BODY_FAULTS = ("truncate", "stall", "forbidden_midway")  # answered by cutting the body short


@dataclass
class MediaKnobs(Plannable):
    latency: float = 0.0  # seconds from a YouTube request's arrival to its answer
    bandwidth: int | None = None  # bytes per second, per connection
    error_rate: float = 0.0  # fraction of requests answered 503
    reset_rate: float = 0.0  # fraction of requests answered by resetting the connection
    truncate_rate: float = 0.0  # fraction of media bodies cut off halfway
    stall_rate: float = 0.0  # fraction of media bodies that stop halfway and hang
    stall_seconds: float = 30.0  # how long a stalled body hangs before the line drops
    forbidden_midway_rate: float = 0.0  # fraction of downloads cut halfway, then 403 on resume
    bot_check: bool = False  # every request answers "Sign in to confirm you're not a bot"
    captcha: bool = False  # every request answers YouTube's captcha wall
    video_budget: int | None = None  # new videos per session (client IP) per budget_window
    budget_window: float = 3600.0  # seconds; a rolling window, as YouTube's "up to an hour"
    container: str = "webm"  # what /watch serves: "webm" (Opus) or "m4a" (AAC)
    scale: str = "tiny"  # "tiny": 12-16 kbps mono; "real": ~160 kbps stereo
    planned: list[Planned] = field(default_factory=list)
    _kinds = MEDIA_FAULTS


class VideoBudget:
    """Distinct videos each session started within a rolling window; past the budget the
    session is refused until its oldest video leaves the window."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._started: dict[str, deque[tuple[float, str]]] = {}

    def reset(self) -> None:
        with self._lock:
            self._started.clear()

    def _window(self, session: str, window: float) -> deque[tuple[float, str]]:
        started = self._started.setdefault(session, deque())
        now = self.clock.now()
        while started and started[0][0] <= now - window:
            started.popleft()
        return started

    def _refused_for(self, started: deque[tuple[float, str]], window: float) -> float:
        if not started:  # a budget of 0: refused for a whole window, whenever asked
            return window
        return max(0.001, started[0][0] + window - self.clock.now())

    def blocked_for(self, session: str, budget: int | None, window: float) -> float:
        """Seconds this session stays refused (0 when it may go on)."""
        if budget is None:
            return 0.0
        with self._lock:
            started = self._window(session, window)
            if len(started) < budget:
                return 0.0
            return self._refused_for(started, window)

    def admit(self, session: str, video_id: str, budget: int | None, window: float) -> float:
        """Counts a video the session starts; seconds refused when over budget, else 0.
        Counted even without a budget, so a budget switched on mid-run sees the past."""
        with self._lock:
            started = self._window(session, window)
            if any(vid == video_id for _, vid in started):
                return 0.0  # the same video again (its download after the page): no new cost
            if budget is not None and len(started) >= budget:
                return self._refused_for(started, window)
            started.append((self.clock.now(), video_id))
            return 0.0


class MediaFaults(Engine):
    def __init__(self, seed: int, clock: Clock, scale: str) -> None:
        super().__init__(seed, clock)
        self.default_scale = scale
        self.knobs = MediaKnobs(scale=scale)
        self.budget = VideoBudget(clock)
        self._expired: set[str] = set()  # videos whose next request answers 403 (URL expired)

    def reset(self) -> None:
        with self.lock:
            self.knobs.__init__(scale=self.default_scale)  # type: ignore[misc]
            self.rng.seed(self.seed + 1)
            self.injected.clear()
            self._expired.clear()
        self.budget.reset()

    def _take_planned(self, request: Request, waiting: tuple[str, ...]) -> str | None:
        """The first planned fault for this request, except kinds `waiting` for another kind
        of request (a body fault waits for a download: yt-dlp's probe hangs up before any
        body arrives)."""
        where = request.path + "?" + _query(request)
        for i, plan in enumerate(self.knobs.planned):
            if plan.path is not None and plan.path not in where:
                continue
            if plan.kind in waiting:
                continue
            del self.knobs.planned[i]
            return plan.kind
        return None

    def _pick(self, request: Request, download: bool, waiting: tuple[str, ...]) -> str | None:
        kind = self._take_planned(request, waiting)
        if kind is None and self.knobs.bot_check:
            kind = "bot_check"
        if kind is None and self.knobs.captcha:
            kind = "captcha"
        if kind is None and self._roll(self.knobs.reset_rate):
            kind = "reset"
        if kind is None and self._roll(self.knobs.error_rate):
            kind = "503"
        if download:
            for rate, body_kind in (
                (self.knobs.truncate_rate, "truncate"),
                (self.knobs.stall_rate, "stall"),
                (self.knobs.forbidden_midway_rate, "forbidden_midway"),
            ):
                if kind is None and self._roll(rate):
                    kind = body_kind
        return kind

    def check_search(self, request: Request) -> Response | str | None:
        """A fault answer for a search or page request; "truncate" to cut the body; None."""
        with self.lock:
            kind = self._pick(request, download=False, waiting=("forbidden_midway",))
        if kind is None:
            wait = self.budget.blocked_for(
                request.client, self.knobs.video_budget, self.knobs.budget_window
            )
            kind = "rate_limit" if wait else None
        if kind is not None:
            self.injected.hit(kind)
        if kind is None or kind == "truncate":
            return kind
        if kind == "stall":
            time.sleep(self.knobs.stall_seconds)
            return None
        return answer(kind, is_json=True)

    def check_media(
        self, request: Request, video_id: str, start: int, *, download: bool
    ) -> Response | str | None:
        """A fault answer for a media request, a body fault (see BODY_FAULTS), or None.
        `download` is False for the first request of a video (yt-dlp's probe)."""
        with self.lock:
            if video_id in self._expired and start > 0:
                self._expired.discard(video_id)
                return Response(403, b"", {"Content-Type": "text/plain"}, reason="Forbidden")
            waiting = () if download else ("stall", "forbidden_midway")
            kind = self._pick(request, download=download, waiting=waiting)
            if kind == "forbidden_midway":
                self._expired.add(video_id)
        if kind is None:
            wait = self.budget.admit(
                request.client, video_id, self.knobs.video_budget, self.knobs.budget_window
            )
            kind = "rate_limit" if wait else None
        if kind is not None:
            self.injected.hit(kind)
        if kind is None or kind in BODY_FAULTS:
            return kind
        return answer(kind, is_json=False)


def _query(request: Request) -> str:
    return "&".join(f"{k}={v}" for k, values in request.query.items() for v in values)


def answer(kind: str, is_json: bool) -> Response:
    if kind == "reset":
        return Response(reset=True)
    if kind == "bot_check":
        return youtube_error(
            403, BOT_CHECK, f"{BOT_CHECK}. This helps protect our community.", is_json
        )
    if kind == "captcha":
        return youtube_error(429, CAPTCHA, CAPTCHA, is_json)
    if kind == "rate_limit":
        return youtube_error(429, RATE_LIMITED, RATE_LIMITED, is_json)
    if is_json:  # Google's API error body, which ytmusicapi quotes
        message = _SERVER_ERRORS.get(kind, "Internal error encountered.")
        status = "UNAVAILABLE" if kind == "503" else "INTERNAL"
        return json_response(
            {"error": {"code": int(kind), "message": message, "status": status}}, int(kind)
        )
    return Response(int(kind), b"", {"Content-Type": "text/plain"})


_SERVER_ERRORS = {"503": "The service is currently unavailable."}


def youtube_error(status: int, reason: str, sentence: str, is_json: bool) -> Response:
    """YouTube's refusal. Search: Google's JSON error, whose message ytmusicapi quotes. Media: the
    sentence in the reason phrase (what yt-dlp reports) and in an HTML body."""
    if is_json:
        google_status = "RESOURCE_EXHAUSTED" if status == 429 else "PERMISSION_DENIED"
        error = {"code": status, "message": sentence, "status": google_status}
        return json_response({"error": error}, status)
    response = html_response(f"<html><body><p>{sentence}</p></body></html>", status)
    response.reason = reason
    return response
