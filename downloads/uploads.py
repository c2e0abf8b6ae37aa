"""Which upload and which stored file a person's download of a track uses.

Files are keyed by (track, format, upload). A person's upload of a track is their own pin, else
the installation's pin, else the matcher's choice; with no pin, a file already stored for the
track and format is used again (the matcher would most likely choose the same upload).
A file's format is what is on disk: an Original download that turned out Opus is the Opus file
of that upload, and an Opus file serves a request for the Original.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from downloads.models import AudioFormat, StoredFile, TrackPin
from downloads.pipeline.sources.common import canonical_watch_url
from downloads.pipeline.types import Candidate

OPUS_CODEC = "opus"


def formats_serving(audio_format: str) -> Q:
    """StoredFile rows whose audio serves a request for `audio_format`."""
    if audio_format == AudioFormat.ORIGINAL:
        return Q(audio_format=AudioFormat.ORIGINAL) | Q(audio_format=AudioFormat.OPUS)
    if audio_format == AudioFormat.OPUS:
        return Q(audio_format=AudioFormat.OPUS) | Q(
            audio_format=AudioFormat.ORIGINAL, codec=OPUS_CODEC
        )
    return Q(audio_format=audio_format)


def pins_for(*, owner_id: int, track_ids: Iterable[int]) -> dict[int, TrackPin]:
    """The pin each track follows for this person: their own, else the installation's."""
    rows = TrackPin.objects.filter(
        Q(owner_id=owner_id) | Q(owner__isnull=True), track_id__in=list(track_ids)
    ).select_related("pinned_by")
    pins: dict[int, TrackPin] = {}
    for pin in rows:
        if pin.owner_id is not None or pin.track_id not in pins:
            pins[pin.track_id] = pin
    return pins


def pin_candidate(pin: TrackPin) -> Candidate:
    return Candidate(
        id=pin.video_id,
        title="",
        channel="",
        duration=None,
        views=None,
        kind="video",
        url=pin.url or canonical_watch_url(pin.video_id),
        source="pin",
    )


def stored_files_for(
    *, owner_id: int, track_ids: Iterable[int], audio_format: str
) -> dict[int, StoredFile]:
    """The file on disk each track's download by this person would end up with, if any.

    With a pin only the pinned upload's file counts; without one, the file in exactly the asked
    format first, then the oldest (the first download, the one most people share).
    """
    ids = list(track_ids)
    pins = pins_for(owner_id=owner_id, track_ids=ids)
    rows = StoredFile.objects.filter(formats_serving(audio_format), track_id__in=ids).order_by("pk")
    chosen: dict[int, StoredFile] = {}
    for stored in rows:
        pin = pins.get(stored.track_id)
        if pin is not None and stored.source_id != pin.video_id:
            continue
        if not stored.exists_on_disk():
            continue
        current = chosen.get(stored.track_id)
        if current is None or (
            current.audio_format != audio_format and stored.audio_format == audio_format
        ):
            chosen[stored.track_id] = stored
    return chosen


def paths_held(*, track_id: int, audio_format: str, source_id: str) -> frozenset[str]:
    """Paths of the track's other files: a new file of this upload must not take any of them.

    The file of this very (track, format, upload) may be replaced in place.
    """
    rows = StoredFile.objects.filter(track_id=track_id).exclude(
        audio_format=audio_format, source_id=source_id
    )
    return frozenset(rows.values_list("path", flat=True))


def files_for_person(
    rows: Iterable[StoredFile], *, owner_id: int, preferred: str
) -> dict[int, StoredFile]:
    """One file per track for what a person gets (a ZIP, a playlist file): the upload they chose
    (their pin, else the installation's), then the preferred format, then the oldest file.

    `rows` must come oldest first; a track with files only in other formats still gets one.
    """
    files = list(rows)
    pins = pins_for(owner_id=owner_id, track_ids={f.track_id for f in files})

    def rank(stored: StoredFile) -> tuple[bool, bool]:
        pin = pins.get(stored.track_id)
        return (
            pin is not None and stored.source_id == pin.video_id,
            stored.audio_format == preferred,
        )

    chosen: dict[int, StoredFile] = {}
    for stored in files:
        current = chosen.get(stored.track_id)
        if current is None or rank(stored) > rank(current):
            chosen[stored.track_id] = stored
    return chosen
