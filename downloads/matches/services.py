"""Writes for the match pages: pin a track to an upload, download it again, unpin.

A person's pin is their own choice for a track: the worker skips searching and fetches the
pinned upload for that person's later downloads and syncs of the track. An admin may also pin a
track for the whole installation: everyone without a pin of their own follows it. Only URLs that
pass the media allow-list are ever stored in a pin: a chosen candidate's own URL when it still
passes, else one rebuilt from its validated video id; a pasted link is reduced to its id first.

Re-downloading is an ordinary job of kind "track" in the asked-for format. Files are keyed by
(track, format, upload), so the pinned upload lands in a file of its own (or one already stored
for it); nobody else's file changes. Unpinning deletes no file: others may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from downloads import services as download_services
from downloads.matches.links import parse_youtube_link
from downloads.models import AudioFormat, Job, TrackPin
from downloads.pipeline.sources.common import VIDEO_ID, canonical_watch_url, is_allowed_media_url
from downloads.pipeline.types import Candidate
from library.models import Track

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class PinError(ValueError):
    """The chosen upload cannot be pinned; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class Override:
    pin: TrackPin
    job: Job


def media_url_for(video_id: str, *, music: bool = False) -> str:
    """The URL yt-dlp will get for a video id: its watch URL (YOUTUBE_WATCH_BASE decides where)."""
    if not VIDEO_ID.fullmatch(video_id):
        raise PinError("That is not a valid YouTube video id.")
    return canonical_watch_url(video_id, music=music)


def _pin_target(url_or_candidate: str | Candidate) -> tuple[str, str]:
    """(video id, media URL) for a pasted link or a candidate a search found."""
    if isinstance(url_or_candidate, Candidate):
        candidate = url_or_candidate
        if not VIDEO_ID.fullmatch(candidate.id):
            raise PinError("That upload has no YouTube video id, so it cannot be pinned.")
        if candidate.url and is_allowed_media_url(candidate.url):
            return candidate.id, candidate.url
        return candidate.id, media_url_for(candidate.id, music=candidate.kind == "song")
    link = parse_youtube_link(url_or_candidate)  # LinkError is a ValueError with plain words
    return link.video_id, media_url_for(link.video_id, music=link.music)


def may_pin_for_everyone(user: User) -> bool:
    """Installation-wide pins are the admin's."""
    return bool(user.is_staff)


def track_pin(
    *, track: Track, url_or_candidate: str | Candidate, user: User, everyone: bool = False
) -> TrackPin:
    """Pin the track to this upload for the person (or, for an admin, everyone), recording who
    chose it and when."""
    if everyone and not may_pin_for_everyone(user):
        raise PinError("Only an admin can pin a track for everyone.")
    video_id, url = _pin_target(url_or_candidate)
    pin, _ = TrackPin.objects.update_or_create(
        track=track,
        owner=None if everyone else user,
        defaults={
            "video_id": video_id,
            "url": url,
            "pinned_by": user,
            # auto_now_add only fills it on creation: a new choice is dated now.
            "created_at": timezone.now(),
        },
    )
    return pin


def track_unpin(*, track: Track, user: User, everyone: bool = False) -> bool:
    """Forget the person's own choice (an admin: the installation's). True when one existed.

    Nobody can remove another person's pin, and no file on disk is deleted: others may use it.
    """
    if everyone and not may_pin_for_everyone(user):
        return False
    pins = TrackPin.objects.filter(track=track)
    pins = pins.filter(owner__isnull=True) if everyone else pins.filter(owner=user)
    deleted, _ = pins.delete()
    return bool(deleted)


def track_redownload(*, track: Track, owner: User, audio_format: str) -> Job:
    """A new job of kind "track" for this one track, enqueued once the transaction commits."""
    if audio_format not in AudioFormat.values:
        raise PinError("Choose one of the offered formats.")
    return download_services.job_create(
        owner=owner,
        kind=Job.Kind.TRACK,
        target_id=track.spotify_id,
        title=track.name,
        tracks=[track],
        audio_format=audio_format,
    )


def track_override(
    *,
    track: Track,
    url_or_candidate: str | Candidate,
    user: User,
    audio_format: str,
    everyone: bool = False,
) -> Override:
    """Pin the track to this upload and download it again in `audio_format`, all or nothing."""
    with transaction.atomic():
        pin = track_pin(
            track=track, url_or_candidate=url_or_candidate, user=user, everyone=everyone
        )
        job = track_redownload(track=track, owner=user, audio_format=audio_format)
    return Override(pin=pin, job=job)
