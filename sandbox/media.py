"""YouTube's media side: `GET /watch?v=<id>` answers with the audio itself, so yt-dlp's generic
extractor downloads the same video ids the search answered; `GET /media/<id>.webm|.m4a` too.

Bodies honour HTTP Range (206, suffix ranges, 416) and the media knobs (latency, bandwidth cap,
5xx, truncated, stalled and expiring bodies, connection resets, bot check, captcha, the
per-session video budget). yt-dlp asks twice with the same headers: its generic extractor's
probe, then the download. So a request for a video counts as a "page" (what YouTube's watch
page and player request would be) unless it follows a served page of that video from the same
client, or resumes (Range past 0): those are "media". Body faults wait for a "media" request.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from sandbox import audio
from sandbox.candidates import Candidate
from sandbox.faults import RequestCounter
from sandbox.http import CloseConnection, Request, Response, Sink, json_response
from sandbox.search import SearchIndex
from sandbox.world import World
from sandbox.youtube_faults import MediaFaults

VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def media_error(status: int, message: str) -> Response:
    return json_response({"error": {"code": status, "message": message}}, status)


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(start, end) inclusive for one satisfiable range; None to send it all; "416" if not."""
    if not header:
        return None
    match = RANGE.match(header.strip())
    if not match or (not match[1] and not match[2]):
        return None  # several ranges, or garbage: ignoring Range is allowed
    if not match[1]:
        length = int(match[2])
        return (max(0, size - length), size - 1) if length > 0 and size else "416"
    start = int(match[1])
    end = min(int(match[2]), size - 1) if match[2] else size - 1
    return (start, end) if start < size and start <= end else "416"


def body_writer(
    path: Path,
    start: int,
    end: int,
    bandwidth: int | None,
    cut_after: int | None,
    stall: float = 0.0,
) -> Callable[[Sink], None]:
    """Streams bytes [start, end] at most `bandwidth` bytes/s; after `cut_after` bytes it hangs
    for `stall` seconds, then drops the line."""
    chunk = 64 * 1024 if not bandwidth else max(1024, min(64 * 1024, bandwidth // 10))

    def write(out: Sink) -> None:
        sent, began = 0, time.monotonic()
        with path.open("rb") as source:
            source.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                if cut_after is not None and sent >= cut_after:
                    _hang(stall)
                    raise CloseConnection
                size = min(chunk, remaining, (cut_after - sent) if cut_after else chunk)
                data = source.read(size)
                if not data:
                    raise CloseConnection
                if bandwidth:  # no byte leaves before its time under the cap
                    ahead = (sent + len(data)) / bandwidth - (time.monotonic() - began)
                    if ahead > 0:
                        time.sleep(ahead)
                out.write(data)
                sent, remaining = sent + len(data), remaining - len(data)

    return write


def _hang(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(min(0.1, seconds))


def half_then_hang_up(body: bytes) -> Callable[[Sink], None]:
    def write(out: Sink) -> None:
        out.write(body[: len(body) // 2])
        raise CloseConnection

    return write


class MediaSource:
    def __init__(
        self, world: World, cache_dir: Path, faults: MediaFaults, counts: RequestCounter
    ) -> None:
        self.world, self.faults, self.counts = world, faults, counts
        self.index = SearchIndex(world)
        self.cache = audio.AudioCache(cache_dir)
        self._lock = threading.Lock()
        self._paged: set[tuple[str, str]] = set()  # (client, video): a page served, no download yet

    def forget_clients(self) -> None:
        with self._lock:
            self._paged.clear()

    def _request_kind(self, request: Request, video_id: str, start: int) -> str:
        key = (request.client, video_id)
        with self._lock:
            if start > 0:
                return "media"
            if key in self._paged:
                self._paged.discard(key)
                return "media"
            return "page"

    def _paged_served(self, request: Request, video_id: str) -> None:
        with self._lock:
            self._paged.add((request.client, video_id))

    # -- for tests ----------------------------------------------------------------------------
    def candidates(self, track_id: str) -> list[Candidate]:
        track = self.world.track(track_id)
        if track is None:
            raise KeyError(f"no track {track_id!r}")
        return self.index.candidates(track)

    def expected_candidates(self, track_id: str) -> set[str]:
        return {c.id for c in self.candidates(track_id) if c.acceptable}

    def identify(self, path: Path, candidate_ids: Iterable[str]) -> str | None:
        return audio.identify(Path(path), candidate_ids)

    def files(self) -> list[Path]:
        return self.cache.files()

    # -- endpoints ------------------------------------------------------------------------------
    def watch(self, request: Request) -> Response:
        """`/watch?v=<id>`: the audio of that video, in the container the knobs name."""
        video_id = request.arg("v") or ""
        if not VIDEO_ID.match(video_id):
            return media_error(400, "Invalid video id")
        return self._serve(request, video_id, self.faults.knobs.container)

    def media(self, request: Request) -> Response:
        candidate_id, _, ext = request.params["file"].partition(".")
        return self._serve(request, candidate_id, ext)

    def _serve(self, request: Request, video_id: str, ext: str) -> Response:
        path = self.cache.path(video_id, ext, self.faults.knobs.scale)
        size = path.stat().st_size if path is not None else 0
        wanted = parse_range(request.headers.get("Range"), size)
        first = wanted[0] if isinstance(wanted, tuple) else 0
        kind = self._request_kind(request, video_id, first)
        self.counts.hit(kind)
        if path is None:
            return media_error(404, "Video unavailable")
        fault = self.faults.check_media(request, video_id, first, download=kind == "media")
        if isinstance(fault, Response):
            return fault
        if kind == "page":
            self._paged_served(request, video_id)
        headers = {"Content-Type": audio.CONTENT_TYPES[ext], "Accept-Ranges": "bytes"}
        if wanted == "416":
            return Response(416, b"", {**headers, "Content-Range": f"bytes */{size}"})
        status, (start, end) = (206, wanted) if isinstance(wanted, tuple) else (200, (0, size - 1))
        if status == 206:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(end - start + 1)
        cut = (end - start + 1) // 2 if fault is not None else None
        stall = self.faults.knobs.stall_seconds if fault == "stall" else 0.0
        writer = body_writer(path, start, end, self.faults.knobs.bandwidth, cut, stall)
        return Response(status, b"", headers, stream=writer)
