"""The YouTube stand-in: `GET /search` (JSON candidates) and `GET /media/<id>.webm|.m4a`.

Media URLs are plain file URLs, so yt-dlp downloads them with its generic extractor. Bodies
honour HTTP Range (206, suffix ranges, 416) and the media knobs (latency, bandwidth cap, 5xx,
truncated bodies, connection resets, the bot check).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from sandbox import audio
from sandbox.candidates import Candidate
from sandbox.faults import MediaFaults
from sandbox.http import CloseConnection, Request, Response, Sink, json_response
from sandbox.search import SearchIndex
from sandbox.world import World

KINDS = ("song", "video", "any")
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
    path: Path, start: int, end: int, bandwidth: int | None, cut_after: int | None
) -> Callable[[Sink], None]:
    """Streams bytes [start, end] at most `bandwidth` bytes/s; drops the line after `cut_after`."""
    chunk = 64 * 1024 if not bandwidth else max(1024, min(64 * 1024, bandwidth // 10))

    def write(out: Sink) -> None:
        sent, began = 0, time.monotonic()
        with path.open("rb") as source:
            source.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                if cut_after is not None and sent >= cut_after:
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


def half_then_hang_up(body: bytes) -> Callable[[Sink], None]:
    def write(out: Sink) -> None:
        out.write(body[: len(body) // 2])
        raise CloseConnection

    return write


class MediaSource:
    def __init__(self, world: World, cache_dir: Path, faults: MediaFaults) -> None:
        self.world, self.faults = world, faults
        self.index = SearchIndex(world)
        self.cache = audio.AudioCache(cache_dir)
        self.url = "http://sandbox.invalid"  # set when the server starts

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
    def search(self, request: Request) -> Response:
        query, kind = request.arg("q"), request.arg("kind") or "any"
        if not query:
            return media_error(400, "Missing query parameter q")
        if kind not in KINDS:
            return media_error(400, f"kind must be one of {', '.join(KINDS)}")
        try:
            limit = int(request.arg("limit") or 10)
        except ValueError:
            limit = 0
        if not 1 <= limit <= 50:
            return media_error(400, "limit must be between 1 and 50")
        fault = self.faults.check(request, is_json=True)
        if isinstance(fault, Response):
            return fault
        found = [c for c in self.index.search(query) if kind == "any" or c.kind == kind]
        response = json_response({"results": [c.as_json(self.url) for c in found[:limit]]})
        if fault == "truncate":
            response.headers["Content-Length"] = str(len(response.body))
            response.stream = half_then_hang_up(response.body)
        return response

    def media(self, request: Request) -> Response:
        candidate_id, _, ext = request.params["file"].partition(".")
        path = self.cache.path(candidate_id, ext, self.faults.knobs.scale)
        if path is None:
            return media_error(404, "Video unavailable")
        fault = self.faults.check(request, is_json=False)
        if isinstance(fault, Response):
            return fault
        size = path.stat().st_size
        wanted = parse_range(request.headers.get("Range"), size)
        headers = {"Content-Type": audio.CONTENT_TYPES[ext], "Accept-Ranges": "bytes"}
        if wanted == "416":
            return Response(416, b"", {**headers, "Content-Range": f"bytes */{size}"})
        status, (start, end) = (206, wanted) if isinstance(wanted, tuple) else (200, (0, size - 1))
        if status == 206:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(end - start + 1)
        cut = (end - start + 1) // 2 if fault == "truncate" else None
        writer = body_writer(path, start, end, self.faults.knobs.bandwidth, cut)
        return Response(status, b"", headers, stream=writer)
