"""Reads for the match pages: which upload a track's file came from, why, and what else was found.

A person sees a match page only for an item of their own jobs or a track of their own library
(or of their own jobs); anything else raises DoesNotExist, which views turn into a 404.

The ranked candidates come from the matcher's record on a job item (`JobItem.alternatives`, the
`MatchResult.to_dict()` form). An item that reused a stored file or followed a pin has none of
its own, so the page falls back to the track's latest item that searched: the file is shared by
everyone, and so is the story of how it was chosen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from downloads import uploads
from downloads.format_labels import format_short
from downloads.models import AudioFormat, DownloadSettings, JobItem, StoredFile, TrackPin
from downloads.pipeline.sources.common import is_allowed_media_url
from downloads.pipeline.types import Candidate
from downloads.selectors import owned_tracks
from library.models import (
    Track,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AnyUser

KIND_LABELS = {"song": "YouTube Music song", "video": "YouTube video"}


# --- who may see what ---------------------------------------------------------------------------


def item_for(*, user: AnyUser, item_id: int) -> JobItem:
    """One item of one of the person's jobs; raises JobItem.DoesNotExist for anyone else's."""
    return JobItem.objects.select_related("job", "track__album", "stored_file").get(
        pk=item_id, job__owner_id=user.pk
    )


def track_for(*, user: AnyUser, spotify_id: str) -> Track:
    """A track in the person's library or jobs; raises Track.DoesNotExist otherwise."""
    return owned_tracks(user=user).select_related("album").get(spotify_id=spotify_id)


# --- what the page shows ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """One ranked candidate as the page shows it."""

    rank: int
    candidate: Candidate
    score: float | None
    accepted: bool
    reason: str
    chosen: bool  # the matcher picked it in that search
    in_file: tuple[str, ...]  # formats whose stored file came from it
    pinned: bool
    duration_diff: float | None  # candidate minus Spotify, seconds

    @property
    def verdict(self) -> str:
        if self.chosen:
            return "Chosen"
        return "Acceptable" if self.accepted else "Rejected"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.candidate.kind, self.candidate.kind)

    @property
    def link(self) -> str:
        """The upload's address, only when it is one we would fetch ourselves."""
        url = self.candidate.url or ""
        return url if url and is_allowed_media_url(url) else ""


@dataclass(frozen=True, slots=True)
class FileRow:
    stored: StoredFile
    candidate: CandidateRow | None  # the ranked candidate it came from, when it is one of them
    pinned: bool

    @property
    def format_label(self) -> str:
        stored = self.stored
        short = format_short(stored.audio_format, stored.codec)
        original = stored.audio_format == AudioFormat.ORIGINAL and short != format_short(
            AudioFormat.ORIGINAL
        )
        return f"Original ({short})" if original else short


@dataclass(frozen=True, slots=True)
class MatchPage:
    track: Track
    artists: list[str]
    item: JobItem | None  # the item the page is about (item pages), else the person's latest
    analysis: JobItem | None  # the item whose search the ranked candidates come from
    decision_reason: str
    decision_score: float | None
    chosen: CandidateRow | None
    rows: list[CandidateRow]
    files: list[FileRow]
    pin: TrackPin | None
    audio_format: str

    @property
    def audio_format_label(self) -> str:
        return format_short(self.audio_format)

    @property
    def spotify_seconds(self) -> float | None:
        return self.track.duration_ms / 1000 if self.track.duration_ms > 0 else None

    @property
    def analysis_is_elsewhere(self) -> bool:
        """The candidates come from another item than the one the page is about."""
        return self.analysis is not None and (self.item is None or self.analysis.pk != self.item.pk)


def match_page(*, user: AnyUser, track: Track, item: JobItem | None = None) -> MatchPage:
    """Everything a match page shows; `item` must already be one of the person's (item_for)."""
    own_item = item or latest_item(user=user, track=track)
    analysis = _analysis_item(track, item)
    pin = uploads.pins_for(owner_id=user.pk, track_ids=[track.pk]).get(track.pk)
    files = list(StoredFile.objects.filter(track=track).order_by("audio_format"))
    sources: dict[str, list[str]] = {}
    for stored in files:
        sources.setdefault(stored.source_id, []).append(stored.audio_format)
    pinned_id = pin.video_id if pin else None
    record: Mapping[str, Any] = analysis.alternatives if analysis else {}
    rows = _rows(record, track, sources, pinned_id)
    by_id = {row.candidate.id: row for row in rows}
    chosen = next((row for row in rows if row.chosen), None)
    return MatchPage(
        track=track,
        artists=track.artist_names(),
        item=own_item,
        analysis=analysis,
        decision_reason=str(record.get("reason") or ""),
        decision_score=_float(record.get("score")),
        chosen=chosen,
        rows=rows,
        files=[
            FileRow(stored, by_id.get(stored.source_id), stored.source_id == pinned_id)
            for stored in files
        ],
        pin=pin,
        audio_format=_audio_format(own_item, files),
    )


def latest_item(*, user: AnyUser, track: Track) -> JobItem | None:
    """The person's most recent item for this track."""
    return (
        JobItem.objects.select_related("job", "stored_file")
        .filter(track=track, job__owner_id=user.pk)
        .order_by("-pk")
        .first()
    )


def _analysis_item(track: Track, item: JobItem | None) -> JobItem | None:
    if item is not None and _ranked(item.alternatives):
        return item
    searched = JobItem.objects.filter(track=track, alternatives__has_key="ranked").order_by("-pk")
    return next((i for i in searched[:20] if _ranked(i.alternatives)), None)


def _ranked(record: Any) -> list[Any]:
    ranked = record.get("ranked") if isinstance(record, Mapping) else None
    return ranked if isinstance(ranked, list) else []


def _rows(
    record: Mapping[str, Any],
    track: Track,
    sources: Mapping[str, Sequence[str]],
    pinned_id: str | None,
) -> list[CandidateRow]:
    chosen = record.get("chosen")
    chosen_id = chosen.get("id") if isinstance(chosen, Mapping) else None
    spotify_s = track.duration_ms / 1000 if track.duration_ms > 0 else None
    rows: list[CandidateRow] = []
    for entry in _ranked(record):
        candidate = _candidate(entry)
        if candidate is None:
            continue
        rows.append(
            CandidateRow(
                rank=len(rows) + 1,
                candidate=candidate,
                score=_float(entry.get("score")),
                accepted=bool(entry.get("accepted")),
                reason=str(entry.get("reason") or ""),
                chosen=candidate.id == chosen_id,
                in_file=tuple(sources.get(candidate.id, ())),
                pinned=candidate.id == pinned_id,
                duration_diff=(
                    None
                    if candidate.duration is None or spotify_s is None
                    else candidate.duration - spotify_s
                ),
            )
        )
    return rows


def _candidate(entry: Any) -> Candidate | None:
    data = entry.get("candidate") if isinstance(entry, Mapping) else None
    if not isinstance(data, Mapping) or not data.get("id"):
        return None
    try:
        return Candidate.from_dict(data)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _audio_format(item: JobItem | None, files: Sequence[StoredFile]) -> str:
    """Re-download in the format the person last asked for, else the file's, else the default."""
    if item is not None:
        return item.job.audio_format
    if files:
        return files[0].audio_format
    return DownloadSettings.load().default_format
