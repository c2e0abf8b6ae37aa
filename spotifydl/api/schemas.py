"""The API's shapes: what each endpoint takes and answers (they become the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class Error(Schema):
    detail: str


class Paged(Schema):
    page: int
    pages: int
    total: int


class Playlist(Schema):
    id: str
    name: str
    owner: str
    tracks: int
    readable: bool


class PlaylistPage(Paged):
    items: list[Playlist]


class Album(Schema):
    id: str
    name: str
    artists: list[str]
    release_date: str
    tracks: int


class AlbumPage(Paged):
    items: list[Album]


class Track(Schema):
    id: str
    name: str
    artists: list[str]
    album: str
    duration_ms: int
    isrc: str


class TrackPage(Paged):
    items: list[Track]


class JobIn(Schema):
    target: str = ""
    kind: str = ""
    audio_format: str = ""


class Job(Schema):
    id: int
    kind: str
    target_id: str
    title: str
    audio_format: str
    status: str
    total: int
    done: int
    failed: int
    no_match: int
    cancelled: int
    # Tracks on disk, in percent, a track in flight counting by its progress (Job.progress).
    percent: int
    error: str
    created_at: datetime
    resumes_at: datetime | None

    @staticmethod
    def resolve_percent(job: Any) -> int:
        return int(job.progress.percent)


class JobPage(Paged):
    items: list[Job]


class NextStep(Schema):
    """What to do about a failed or unmatched item; `url` is a page of the app (may be empty)."""

    text: str
    url: str


class Item(Schema):
    id: int
    position: int
    track: Track
    status: str
    stage: str
    progress: int
    error: str
    next_step: NextStep | None
    file_id: int | None


class ItemPage(Paged):
    items: list[Item]


class Done(Schema):
    detail: str
    count: int = 0


class SubscriptionIn(Schema):
    source: str
    target: str = ""
    audio_format: str = ""
    schedule: str = ""


class Subscription(Schema):
    id: int
    source: str
    target_id: str
    title: str
    audio_format: str
    schedule: str
    next_run_at: datetime | None


class File(Schema):
    id: int
    track: str
    audio_format: str
    path: str
    size: int | None


class Candidate(Schema):
    video_id: str
    title: str
    score: float | None
    chosen: bool


class Match(Schema):
    track: Track
    pinned: str
    candidates: list[Candidate]
    files: list[File]


class PinIn(Schema):
    url: str
    everyone: bool = False


ERRORS = (400, 401, 403, 404, 429)


def answers(ok: dict[int, Any]) -> dict[int, Any]:
    """The operation's own answers, and the errors every operation may give (JSON detail)."""
    return {**dict.fromkeys(ERRORS, Error), **ok}


def _binary(media_type: str) -> dict[str, object]:
    content = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    responses: dict[int, object] = {
        code: {"description": "An error", "content": error} for code in ERRORS
    }
    return {"responses": {200: {"description": "The bytes", "content": content}, **responses}}


AUDIO = _binary("audio/*")
ZIP = _binary("application/zip")
