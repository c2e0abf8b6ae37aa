"""The disk side's state: jobs, files on disk, pins, installation settings and sync.

Django finds an app's models here; every model (and the constants other modules share) is
importable as `downloads.models.<Name>`.
"""

from __future__ import annotations

from downloads.models.choices import TEXT, URL, AudioFormat, LyricsMode, LyricsStatus
from downloads.models.config import DownloadSettings
from downloads.models.files import PlaylistFile, StoredFile
from downloads.models.gate import YouTubeGate
from downloads.models.jobs import (
    CHUNK_ITEMS,
    HEARTBEAT_STALE_AFTER,
    Job,
    JobItem,
    JobItemQuerySet,
)
from downloads.models.pins import TrackPin
from downloads.models.preferences import Preferences
from downloads.models.sync import Subscription, SubscriptionTrack, SyncRun

__all__ = [
    "CHUNK_ITEMS",
    "HEARTBEAT_STALE_AFTER",
    "TEXT",
    "URL",
    "AudioFormat",
    "DownloadSettings",
    "Job",
    "JobItem",
    "JobItemQuerySet",
    "LyricsMode",
    "LyricsStatus",
    "PlaylistFile",
    "Preferences",
    "StoredFile",
    "Subscription",
    "SubscriptionTrack",
    "SyncRun",
    "TrackPin",
    "YouTubeGate",
]
