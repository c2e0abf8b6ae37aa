"""P3's baseline server: the seeds' way to deliver a ZIP, as a tiny ASGI app for uvicorn.

`python -m uvicorn bench.zip_baseline:application` with the bench's environment. It loads the
same Django project (so its process holds the same code as ours) and answers
`GET /zip/jobs/<pk>/` by writing the job's files into a temporary file with `zipfile` (stored),
then sending that file; the first byte leaves only once the whole archive is built. Anything
else answers 200 "ok" (readiness). Bench-only: no authentication.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import zipfile
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from spotifydl.asgi import application as django_application

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

JOB_ZIP = re.compile(r"^/zip/jobs/(\d+)/$")
SEND_BYTES = 1024 * 1024

del django_application  # imported for django.setup() and the same resident code as ours


def job_files(job_id: int) -> list[tuple[Path, str]]:
    """(absolute path, name in the archive) of the job's stored files, in job order."""
    from django.conf import settings
    from django.db import close_old_connections

    from downloads.models import JobItem

    root = Path(settings.MUSIC_ROOT)
    items = (
        JobItem.objects.filter(job_id=job_id, stored_file__isnull=False)
        .select_related("stored_file")
        .order_by("position")
    )
    try:
        return [(root / i.stored_file.path, i.stored_file.path) for i in items if i.stored_file]
    finally:
        close_old_connections()


def build_zip(files: list[tuple[Path, str]]) -> Path:
    """The whole archive, written to a temporary file first."""
    handle, name = tempfile.mkstemp(suffix=".zip")
    with (
        os.fdopen(handle, "wb") as raw,
        zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True) as archive,
    ):
        for path, arcname in files:
            archive.write(path, arcname)
    return Path(name)


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    match = JOB_ZIP.match(scope["path"])
    if match is None:
        await _answer(send, 200, b"ok")
        return
    files = await asyncio.to_thread(job_files, int(match.group(1)))
    path = await asyncio.to_thread(build_zip, files)
    try:
        size = path.stat().st_size
        headers = [
            (b"content-type", b"application/zip"),
            (b"content-length", str(size).encode()),
            (b"content-disposition", b'attachment; filename="job.zip"'),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        with path.open("rb") as source:
            while chunk := await asyncio.to_thread(source.read, SEND_BYTES):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        path.unlink(missing_ok=True)


async def _answer(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
