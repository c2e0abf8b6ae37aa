"""Match details (the ranked candidates and the files of a track) and the person's pins."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from ninja import Router

from downloads.matches import selectors, services
from library.models import Track
from spotifydl.api import schemas
from spotifydl.api.auth import person
from spotifydl.api.errors import BadRequest
from spotifydl.api.files import file_out
from spotifydl.api.library import track_out

router = Router(tags=["matches"])


def _track(user: User, spotify_id: str) -> Track:
    try:
        return selectors.track_for(user=user, spotify_id=spotify_id)
    except Track.DoesNotExist:
        raise Http404("No such track") from None


def _match(user: User, track: Track) -> dict[str, Any]:
    page = selectors.match_page(user=user, track=track)
    return {
        "track": track_out(track),
        "pinned": page.pin.video_id if page.pin else "",
        "candidates": [
            {
                "video_id": row.candidate.id,
                "title": row.candidate.title,
                "score": row.score,
                "chosen": row.chosen,
            }
            for row in page.rows
        ],
        "files": [file_out(row.stored) for row in page.files],
    }


@router.get("/tracks/{spotify_id}/match", response=schemas.answers({200: schemas.Match}))
def match_detail(request: HttpRequest, spotify_id: str) -> dict[str, Any]:
    user = person(request)
    return _match(user, _track(user, spotify_id))


@router.put(
    "/tracks/{spotify_id}/pin", response=schemas.answers({200: schemas.Match, 400: schemas.Error})
)
def track_pin(request: HttpRequest, spotify_id: str, body: schemas.PinIn) -> dict[str, Any]:
    """Pin the track to an upload (a YouTube link or video id); later downloads use it."""
    user = person(request)
    track = _track(user, spotify_id)
    try:
        services.track_pin(
            track=track, url_or_candidate=body.url, user=user, everyone=body.everyone
        )
    except ValueError as exc:  # PinError / LinkError: plain words
        raise BadRequest(str(exc)) from None
    return _match(user, track)


@router.delete("/tracks/{spotify_id}/pin", response=schemas.answers({200: schemas.Done}))
def track_unpin(request: HttpRequest, spotify_id: str, everyone: bool = False) -> dict[str, Any]:
    user = person(request)
    removed = services.track_unpin(track=_track(user, spotify_id), user=user, everyone=everyone)
    return {
        "detail": "The pin is removed." if removed else "There was no pin.",
        "count": int(removed),
    }
