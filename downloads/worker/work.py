"""The worker's value types, and the mapping from database rows to what one item needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from downloads.models import JobItem
from downloads.pipeline.metadata import TrackTags
from downloads.pipeline.types import Candidate, TrackQuery
from downloads.uploads import pin_candidate, pins_for
from library.models import Track

SPOTIFY_TRACK_URL = "https://open.spotify.com/track/{}"

# Told (item id, stage or final status, percent) as items move; the CLI draws its bars with it.
Observer = Callable[[int, str, int], None]


@dataclass(frozen=True, slots=True)
class Work:
    """What one item needs, loaded in one query batch when the item is claimed."""

    item_id: int
    attempt: int
    owner_id: int
    track_id: int
    spotify_id: str
    query: TrackQuery
    tags: TrackTags
    album_id: str
    cover_url: str
    pin: Candidate | None
    retries_used: int = 0  # of the item's transient-failure budget (worker/retrying.py)


@dataclass
class Outcome:
    status: str
    error: str = ""
    cause: str = JobItem.FailureCause.NONE  # whose fault a failure or a requeue was
    kind: str = ""  # the failure's kind, for its words and next step (downloads/failures.py)


@dataclass
class ChunkOptions:
    """Installation settings read once per chunk, plus an optional observer (the CLI)."""

    audio_format: str
    path_template: str
    concurrency: int
    cookies_path: str | None
    observer: Observer | None = None


def track_tags(track: Track) -> TrackTags:
    """Every tag Spotify gives for the track (downloads and adopted files get the same)."""
    album = track.album
    return TrackTags(
        title=track.name,
        artists=tuple(track.artist_names()),
        album=album.name if album else "",
        album_artists=tuple(album.artist_names()) if album else (),
        track_number=track.track_number,
        track_total=(album.total_tracks or None) if album else None,
        disc_number=track.disc_number,
        release_date=(album.release_date or None) if album else None,
        isrc=track.isrc or None,
        explicit=track.explicit,
        spotify_url=SPOTIFY_TRACK_URL.format(track.spotify_id),
    )


def work_for(item: JobItem) -> Work:
    track = item.track
    owner_id = item.job.owner_id
    pin = pins_for(owner_id=owner_id, track_ids=[track.pk]).get(track.pk)
    album = track.album
    tags = track_tags(track)
    query = TrackQuery(
        name=track.name,
        artists=tags.artists,
        album=tags.album,
        duration_ms=track.duration_ms,
        isrc=track.isrc or None,
        explicit=track.explicit,
    )
    return Work(
        item_id=item.pk,
        attempt=item.attempts,
        owner_id=owner_id,
        track_id=track.pk,
        spotify_id=track.spotify_id,
        query=query,
        tags=tags,
        album_id=album.spotify_id if album else "",
        cover_url=album.cover_url if album else "",
        pin=pin_candidate(pin) if pin is not None else None,
        retries_used=item.transient_retries,
    )
