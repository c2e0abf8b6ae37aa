"""The lyrics step of one stored track: the owner's choice, the lyrics stage, the status.

Runs after the file is stored and recorded: whatever happens here, the track stays done.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
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


async def item_lyrics(
    work: Work, final: Path, *, client: httpx.AsyncClient, executor: ThreadPoolExecutor
) -> None:
    if not lyrics.enabled():
        return
    mode = await sync_to_async(preferences.lyrics_mode_for)(user_id=work.owner_id)
    if mode == LyricsMode.OFF:
        return
    try:
        found = await lyrics.lyrics_lookup(client, work.query)
        apply = functools.partial(lyrics.lyrics_apply, final, found, mode)
        status = await asyncio.get_running_loop().run_in_executor(executor, apply)
    except (lyrics.LyricsError, OSError, mutagen.MutagenError) as exc:
        logger.warning("Lyrics for %s failed: %s", final.name, exc)
        status = LyricsStatus.FAILED
    await sync_to_async(records.stored_file_lyrics)(work, final, status)
