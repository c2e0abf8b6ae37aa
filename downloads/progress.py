"""Live job progress as Server-Sent Events.

The stream is an async generator: under ASGI a sync iterator would be buffered whole and the
browser would see nothing until the job ended. It reads the job every POLL_SECONDS (the workers
throttle their writes to match), sends only what changed, hands its database connection back
between reads as CONN_MAX_AGE says (an open page holds no PostgreSQL connection; on SQLite, where
a connection is an open file, the poll's thread keeps it), and ends once the job is finished.

Events: `job` (counters, status, progress and the tabs' counts, when they changed), `items`
(only the items written since the last poll whose state differs from what was sent; a client
with nothing gets the job page's first page of items first), `end` (the final job state; the
page closes its EventSource, which would otherwise reconnect). Each event's id is the moment its
poll began: a browser reconnecting sends it back as Last-Event-ID, and a page listening again
after Retry or Resume passes it as `since`, so neither is sent the whole job.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from downloads import snapshots
from spotifydl.paging import TRACKS_PER_PAGE

POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0
# Items are re-read from a little before the last poll: workers on other machines stamp
# `updated_at` with their own clocks. Duplicates are filtered by comparing with what was sent.
CLOCK_SLACK = timedelta(seconds=2)
# `since` is when the page was rendered: never before this app existed, never far in the future.
SINCE_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
SINCE_FUTURE_SLACK = timedelta(days=1)


class BadSince(ValueError):
    """A `since` the stream cannot start from; the message says why, in words."""


def since_parse(value: str, *, now: datetime) -> datetime | None:
    """The moment a stream starts from: None (now) when absent, else an ISO 8601 time with a
    zone between SINCE_EARLIEST and a day from now."""
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None or timezone.is_naive(parsed):
        raise BadSince("since must be an ISO 8601 date and time with a time zone.")
    if not SINCE_EARLIEST <= parsed <= now + SINCE_FUTURE_SLACK:
        raise BadSince("since is out of range: it must be a recent moment, not " + value[:40])
    return parsed


def event(name: str, data: Any, *, event_id: str = "") -> str:
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, separators=(',', ':'), default=str)}\n\n"


def _read(
    job_id: int, since: datetime | None
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """One poll in one sync call, which then lets go of its connection (CONN_MAX_AGE). No
    `since`: a client with nothing, sent the items a job page shows first (the page draws the
    others, and the job event carries every count)."""
    try:
        job = snapshots.job_snapshot(job_id=job_id)
        if since is None:
            items = snapshots.item_snapshots(
                job_id=job_id, changed_since=SINCE_EARLIEST, first=TRACKS_PER_PAGE
            )
        else:
            items = snapshots.item_snapshots(job_id=job_id, changed_since=since - CLOCK_SLACK)
        return job, items
    finally:
        close_old_connections()


async def job_stream(job_id: int, *, since: datetime | None = None) -> AsyncIterator[str]:
    """Events for one job until it is finished (or gone), starting with what changed since
    `since`; a client that has nothing (no `since`) is sent the first page's items, then every
    change: at 10,000 items the first event weighs what the page shows, not the whole job."""
    sent_job: dict[str, Any] | None = None
    sent_items: dict[int, dict[str, Any]] = {}
    last_sent = time.monotonic()
    yield "retry: 2000\n\n"
    while True:
        polled_at = timezone.now()
        # Off Django's one sync thread: ten open job pages polling twice a second would
        # otherwise queue every other page of this process behind their reads (bench P6).
        job, items = await sync_to_async(_read, thread_sensitive=False)(job_id, since)
        since = polled_at
        if job is None:
            yield event("end", None)
            return
        moment = polled_at.isoformat()
        changed = [i for i in items if sent_items.get(i["id"]) != i]
        sent_items.update((i["id"], i) for i in changed)
        if changed:
            yield event("items", changed, event_id=moment)
        job_changed = job != sent_job
        if job_changed:
            sent_job = job
            yield event("job", job, event_id=moment)
        if job["finished"]:
            yield event("end", job, event_id=moment)
            return
        if changed or job_changed:
            last_sent = time.monotonic()
        elif time.monotonic() - last_sent > KEEPALIVE_SECONDS:
            last_sent = time.monotonic()
            yield ": keep-alive\n\n"
        await asyncio.sleep(POLL_SECONDS)
