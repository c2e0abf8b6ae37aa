"""Job items that carry a real matcher record, as the worker stores it."""

from __future__ import annotations

from typing import Any

from downloads.models import JobItem
from downloads.pipeline.match.score import match
from downloads.pipeline.sources.common import canonical_watch_url
from downloads.pipeline.types import Candidate, TrackQuery
from library.models import Track
from tests.factories import JobItemFactory

TOPIC_ID = "topicAAAAAA"
LIVE_ID = "liveBBBBBBB"
COVER_ID = "coverCCCCCC"


def candidates_for(track: Track) -> list[Candidate]:
    """The right Topic upload, a live take 60 s longer, and a fan cover."""
    artist = track.artist_names()[0]
    seconds = track.duration_ms / 1000
    return [
        Candidate(
            id=LIVE_ID,
            title=f"{track.name} (Live)",
            channel=artist,
            duration=seconds + 60,
            views=5_000_000,
            kind="video",
            url=canonical_watch_url(LIVE_ID),
        ),
        Candidate(
            id=TOPIC_ID,
            title=track.name,
            channel=f"{artist} - Topic",
            duration=seconds + 1,
            views=10_000,
            kind="song",
            artists=(artist,),
            url=canonical_watch_url(TOPIC_ID, music=True),
        ),
        Candidate(
            id=COVER_ID,
            title=f"{track.name} (Cover)",
            channel="Covers Forever",
            duration=seconds - 3,
            views=300,
            kind="video",
            url=canonical_watch_url(COVER_ID),
        ),
    ]


def searched_item(*, track: Track, candidates: list[Candidate] | None = None, **fields: Any):
    """A finished item whose search found `candidates` (default: candidates_for(track))."""
    query = TrackQuery(
        name=track.name,
        artists=tuple(track.artist_names()),
        album=track.album.name if track.album else "",
        duration_ms=track.duration_ms,
    )
    result = match(query, candidates if candidates is not None else candidates_for(track))
    chosen = result.chosen
    values: dict[str, Any] = {
        "status": JobItem.Status.DONE if chosen else JobItem.Status.NO_MATCH,
        "alternatives": result.to_dict(),
        "match_score": round(result.score, 1),
        "match_reason": result.reason,
    }
    if chosen is not None:
        values.update(
            candidate_id=chosen.id,
            candidate_url=chosen.url or "",
            candidate_title=chosen.title,
            candidate_channel=chosen.channel,
        )
    values.update(fields)
    return JobItemFactory.create(track=track, **values)
