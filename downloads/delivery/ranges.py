"""HTTP Range (RFC 9110 section 14) for one file, served from an async iterator.

Audio elements ask for `bytes=0-` first and then seek with further ranges (an Ogg file's duration
is found by reading its last page), so every stream answers 206 with Content-Range. Only a single
range is served: a request for several gets the whole file (200), which RFC 9110 allows.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_etags, parse_http_date_safe

READ_BYTES = 256 * 1024
# Longer headers are not what an audio element or a download manager sends; ignore them.
MAX_RANGE_HEADER = 200
_RANGE_SPEC = re.compile(r"(\d*)-(\d*)")


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


class RangeNotSatisfiable(Exception):
    """A well-formed range that lies wholly outside the representation: answer 416."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range to serve, or None to serve the whole file (no, malformed or many ranges).

    Raises RangeNotSatisfiable for a single well-formed range that selects nothing.
    """
    if not header or len(header) > MAX_RANGE_HEADER or size <= 0:
        return None
    unit, equals, range_set = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None  # an unknown unit must be ignored
    # The list rule (RFC 9110 5.6.1) lets empty elements appear; they count for nothing.
    specs = [spec.strip() for spec in range_set.split(",") if spec.strip()]
    if len(specs) != 1:
        return None
    return _one_range(specs[0], size)


def _one_range(spec: str, size: int) -> ByteRange | None:
    found = _RANGE_SPEC.fullmatch(spec)
    if found is None or not (found[1] or found[2]):
        return None
    first, last = found[1], found[2]
    if not first:  # suffix-range: the last N bytes
        suffix = int(last)
        if suffix == 0:
            raise RangeNotSatisfiable(spec)
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None  # invalid (RFC 9110 14.1.1), so the header is ignored
    if start >= size:
        raise RangeNotSatisfiable(spec)
    return ByteRange(start, min(int(last), size - 1) if last else size - 1)


# --- validators -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Validators:
    etag: str
    last_modified: int  # seconds since the epoch

    @classmethod
    def of(cls, stat: os.stat_result) -> Validators:
        # Size and nanosecond mtime change whenever the pipeline replaces a file (atomic rename).
        return cls(f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"', int(stat.st_mtime))

    def if_range_allows(self, if_range: str | None) -> bool:
        """If-Range: serve the range only while the file is the one the client has a part of."""
        if not if_range:
            return True
        if if_range.startswith(("W/", '"')):
            return parse_etags(if_range) == [self.etag]  # strong comparison: weak never matches
        return parse_http_date_safe(if_range) == self.last_modified

    def apply(self, response: HttpResponseBase) -> None:
        response["ETag"] = self.etag
        response["Last-Modified"] = http_date(self.last_modified)


# --- the response -----------------------------------------------------------------------------


class FileSlice:
    """Bytes [start, start + length) of an open file as an async iterator; reads run in a thread.

    Django calls `close()` when the response ends, also when the client went away mid-file.
    """

    def __init__(self, handle: BinaryIO, start: int, length: int) -> None:
        self._handle = handle
        self._position = start
        self._remaining = length
        self._lock = threading.Lock()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        while self._remaining > 0:
            chunk = await asyncio.to_thread(self._read)
            if not chunk:
                # The file shrank under us: end short, and the server drops the connection
                # because Content-Length was not reached, so the client knows it is incomplete.
                return
            yield chunk

    def _read(self) -> bytes:
        with self._lock:
            if self._handle.closed:
                return b""
            wanted = min(READ_BYTES, self._remaining)
            chunk = os.pread(self._handle.fileno(), wanted, self._position)
            self._position += len(chunk)
            self._remaining -= len(chunk)
            return chunk

    def close(self) -> None:
        with self._lock:
            self._handle.close()


async def file_response(
    request: HttpRequest, path: Path, *, content_type: str, disposition: str
) -> HttpResponseBase:
    """200, 206, 304 or 416 for `path`, which the caller has authorized and located."""
    handle = await asyncio.to_thread(_open, path)
    body: FileSlice | None = None
    try:
        # fstat, not stat: size and validators describe exactly the file that was opened, even
        # if the pipeline renames a new version into place meanwhile.
        stat = await asyncio.to_thread(os.fstat, handle.fileno())
        response, body = _response(request, handle, stat, content_type)
    finally:
        if body is None:  # nothing will read the file: close it now, not when collected
            handle.close()
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = disposition
    # Per person (behind a sign-in); revalidated with the ETag instead of fetched again.
    response["Cache-Control"] = "private, no-cache"
    return response


def _open(path: Path) -> BinaryIO:
    return open(path, "rb")


def _response(
    request: HttpRequest, handle: BinaryIO, stat: os.stat_result, content_type: str
) -> tuple[HttpResponseBase, FileSlice | None]:
    """The response, and the slice it streams (None when it sends no body from the file)."""
    validators = Validators.of(stat)
    conditional = get_conditional_response(
        request, etag=validators.etag, last_modified=validators.last_modified
    )
    if conditional is not None:  # 304 Not Modified or 412 Precondition Failed
        validators.apply(conditional)
        return conditional, None
    size = stat.st_size
    if_range_ok = validators.if_range_allows(request.headers.get("If-Range"))
    try:
        wanted = parse_range(request.headers.get("Range"), size) if if_range_ok else None
    except RangeNotSatisfiable:
        return _unsatisfiable(size), None
    served = wanted or ByteRange(0, size - 1)
    status = 206 if wanted else 200
    body = FileSlice(handle, served.start, served.length) if request.method != "HEAD" else None
    response: HttpResponseBase
    if body is None:
        response = HttpResponse(content_type=content_type, status=status)
    else:
        response = StreamingHttpResponse(body, content_type=content_type, status=status)
    response["Content-Length"] = str(served.length)
    if wanted:
        response["Content-Range"] = wanted.content_range(size)
    validators.apply(response)
    return response, body


def _unsatisfiable(size: int) -> HttpResponse:
    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    return response
