"""Pruning after a sync: forget the files of dropped tracks nothing references, then unlink them."""

from __future__ import annotations

import logging
from pathlib import Path

from downloads.models import DownloadSettings, StoredFile, Subscription
from downloads.pipeline import store
from downloads.pipeline.errors import PathTemplateError
from downloads.pipeline.lyrics import lrc_remove_beside
from downloads.sync import selectors
from library.catalog.writer import chunks

logger = logging.getLogger(__name__)


class Pruned:
    def __init__(
        self, deleted: list[str] | None = None, still_used: int = 0, kept_by_setting: int = 0
    ) -> None:
        self.deleted = deleted or []  # paths relative to MUSIC_ROOT, unlinked after commit
        self.still_used = still_used
        self.kept_by_setting = kept_by_setting


def prune(subscription: Subscription, removed: set[int]) -> Pruned:
    """Forget the stored files of dropped tracks that nothing else references.

    Only the subscription's own format: files in other formats were fetched for someone else.
    """
    files = [
        stored
        for chunk in chunks(sorted(removed))
        for stored in StoredFile.objects.filter(
            track_id__in=chunk, audio_format=subscription.audio_format
        )
    ]
    if not files:
        return Pruned()
    if not DownloadSettings.load().sync_prune_files:
        return Pruned(kept_by_setting=len(files))
    used = selectors.tracks_still_used(track_ids=[f.track_id for f in files], besides=subscription)
    doomed = [f for f in files if f.track_id not in used]
    for chunk in chunks([f.pk for f in doomed]):
        StoredFile.objects.filter(pk__in=chunk).delete()
    return Pruned(deleted=[f.path for f in doomed], still_used=len(files) - len(doomed))


def files_remove(paths: list[str]) -> int:
    """Unlink these files (relative to MUSIC_ROOT), their .lrc lyrics, and the folders they
    leave empty."""
    root = store.music_root()
    removed = 0
    for relative in paths:
        try:
            path = store.inside_root(root, relative)
            path.unlink(missing_ok=True)
            lrc_remove_beside(path)
            removed += 1
            _empty_folders_remove(path.parent, root)
        except (OSError, PathTemplateError):
            logger.exception("Could not delete %s", relative)
    return removed


def _empty_folders_remove(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()  # only ever succeeds on an empty folder
        except OSError:
            return
        folder = folder.parent
