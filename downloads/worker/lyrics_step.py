"""The lyrics step of one item: the owner's choice, LRCLIB's answer, then the stored file's status.

LRCLIB is asked while the media downloads (`lyrics_ask`: it needs only the track's metadata).
An answer already in when the item is tagged goes into that one tag write, its status into the
stored file's record (`LyricsAnswer.chosen`); a later one is written once the file is stored and
recorded (`lyrics_store`): whatever happens here, the track stays done.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import mutagen
from asgiref.sync import sync_to_async

from downloads import preferences
from downloads.models import LyricsMode, LyricsStatus
from downloads.pipeline import lyrics
from downloads.worker import records
from downloads.worker.work import Work

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LyricsAnswer:
    mode: str  # the owner's choice (never off here)
    found: lyrics.Lyrics | None
    error: str = ""  # LRCLIB could not be asked: the status is "failed"

    def chosen(self) -> tuple[lyrics.Lyrics | None, str]:
        """What goes into the file (and beside it), and the status that gives it."""
        if self.error:
            return None, LyricsStatus.FAILED
        return lyrics.lyrics_chosen(self.found, self.mode)


async def lyrics_ask(work: Work, *, client: httpx.AsyncClient) -> LyricsAnswer | None:
    """What LRCLIB holds for the item's track; None when lyrics are off (no request made)."""
    if not lyrics.enabled():
        return None
    mode = await sync_to_async(preferences.lyrics_mode_for)(user_id=work.owner_id)
    if mode == LyricsMode.OFF:
        return None
    try:
        return LyricsAnswer(mode, await lyrics.lyrics_lookup(client, work.query))
    except lyrics.LyricsError as exc:
        return LyricsAnswer(mode, None, str(exc))


def lyrics_beside(final: Path, answer: LyricsAnswer) -> str:
    """For an answer already in the file's tags: the .lrc beside the stored file; the status."""
    chosen, status = answer.chosen()
    if answer.error:
        logger.warning("Lyrics for %s failed: %s", final.name, answer.error)
        return status
    try:
        lyrics.lrc_write(final, chosen)
    except OSError as exc:
        logger.warning("Lyrics for %s failed: %s", final.name, exc)
        return LyricsStatus.FAILED
    return status


async def lyrics_store(
    work: Work, final: Path, answer: LyricsAnswer | None, *, executor: ThreadPoolExecutor
) -> None:
    """Writes the answer beside and into the stored file and records its lyrics status."""
    if answer is None:
        return
    status: str
    if answer.error:
        logger.warning("Lyrics for %s failed: %s", final.name, answer.error)
        status = LyricsStatus.FAILED
    else:
        apply = functools.partial(lyrics.lyrics_apply, final, answer.found, answer.mode)
        try:
            status = await asyncio.get_running_loop().run_in_executor(executor, apply)
        except (OSError, mutagen.MutagenError) as exc:
            logger.warning("Lyrics for %s failed: %s", final.name, exc)
            status = LyricsStatus.FAILED
    await sync_to_async(records.stored_file_lyrics)(work, final, status)
