"""The lyrics stage: ask LRCLIB for a stored track's lyrics, then write them beside and into it.

One outside call with one retry policy (short backoff on 5xx and dropped connections, a short
Retry-After honoured, a polite pace per worker process); an answer whose duration differs from the
track's by more than two seconds is refused, so a file never gets a wrong song's lyrics.
Whatever goes wrong here never fails the track: the caller records the status.
"""

from __future__ import annotations

import asyncio
import glob
import logging
import random
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings

from downloads.pipeline import lyrics_tags
from downloads.pipeline.types import TrackQuery

logger = logging.getLogger(__name__)

USER_AGENT = "spotifydl (self-hosted; https://github.com/spotifydl/spotifydl)"
MAX_DURATION_GAP_S = 2.0
ATTEMPTS = 3
BACKOFF_BASE_S = 0.2
BACKOFF_CAP_S = 5.0
MAX_RETRY_AFTER_S = 10.0
TIMEOUT_S = 10.0

AUDIO_SUFFIXES = frozenset({".opus", ".ogg", ".m4a", ".mp3", ".webm", ".flac"})
SYNCED, PLAIN, NONE, FAILED, OFF = "synced", "plain", "none", "failed", "off"


class LyricsError(Exception):
    """LRCLIB could not be asked (after the retries): the lyrics status is "failed"."""


@dataclass(frozen=True)
class Lyrics:
    synced: str | None
    plain: str | None


class _Pace:
    """One request of this process per LRCLIB_GAP seconds. Each turn is booked a gap after the
    one before, not a gap after that one's sleep ended: a worker woken late on a busy machine
    would otherwise add every late wake-up to its pace for good."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clock, self._sleep = clock, sleep
        self._next = 0.0  # the earliest moment of the next turn
        # Each chunk run is an event loop of its own (downloads/tasks.py), in a worker's thread.
        self._booking = threading.Lock()

    async def turn(self) -> None:
        # Turns taken at once queue up a gap apart; an idle pace books from now, saving up no
        # turns for a burst. The sleep is outside the lock: the booking is what is shared.
        with self._booking:
            now = self._clock()
            booked = max(self._next, now)
            self._next = booked + settings.LRCLIB_GAP
        if booked > now:
            await self._sleep(booked - now)


_pace = _Pace()


def enabled() -> bool:
    return bool(settings.LRCLIB_URL)


async def lyrics_lookup(client: httpx.AsyncClient, query: TrackQuery) -> Lyrics | None:
    """The track's lyrics from LRCLIB, None when it has none (or only a wrong-length song's).
    Raises LyricsError when LRCLIB cannot be reached or keeps failing."""
    params = {
        "track_name": query.name,
        "artist_name": query.artists[0] if query.artists else "",
        "album_name": query.album,
        "duration": str(round(query.duration_ms / 1000)),
    }
    response = await _get(client, "/api/get", params)
    if response.status_code == 404:
        return None
    record = _record(response)
    gap = abs(float(record.get("duration") or 0) - query.duration_ms / 1000)
    if gap > MAX_DURATION_GAP_S:
        logger.info("LRCLIB answered %r with a duration %.0f s off: refused", query.name, gap)
        return None
    synced, plain = record.get("syncedLyrics"), record.get("plainLyrics")
    if record.get("instrumental") or not (synced or plain):
        return None
    return Lyrics(synced=synced or None, plain=plain or _plain_of(synced))


def _record(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise LyricsError(f"LRCLIB answered {response.status_code}")
    try:
        record = response.json()
    except ValueError as exc:
        raise LyricsError("LRCLIB answered something that is not JSON") from exc
    if not isinstance(record, dict):
        raise LyricsError("LRCLIB answered something that is not a record")
    return record


async def _get(client: httpx.AsyncClient, path: str, params: dict[str, str]) -> httpx.Response:
    """One GET with the retry policy: 5xx and transport errors back off, a short 429 waits."""
    url = settings.LRCLIB_URL.rstrip("/") + path
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    for attempt in range(1, ATTEMPTS + 1):
        await _pace.turn()
        try:
            response = await client.get(url, params=params, headers=headers, timeout=TIMEOUT_S)
        except httpx.TransportError as exc:
            problem = f"LRCLIB unreachable: {type(exc).__name__}"
        else:
            if response.status_code < 500 and response.status_code != 429:
                return response
            problem = f"LRCLIB answered {response.status_code}"
            wait = _retry_after(response)
            if wait is not None:
                await asyncio.sleep(wait)
                continue
        if attempt < ATTEMPTS:
            logger.info("%s; retry %d", problem, attempt)
            await asyncio.sleep(_backoff(attempt))
    raise LyricsError(problem)


def _retry_after(response: httpx.Response) -> float | None:
    if response.status_code != 429:
        return None
    try:
        seconds = float(response.headers.get("Retry-After", "1"))
    except ValueError:
        seconds = 1.0
    if seconds > MAX_RETRY_AFTER_S:
        raise LyricsError("LRCLIB asks to wait too long; lyrics are skipped for this track")
    return seconds


def _backoff(attempt: int) -> float:
    """Full jitter, as the Spotify client does: a random pause up to a growing, capped bound."""
    return random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt))  # noqa: S311


def _plain_of(synced: str | None) -> str | None:
    if not synced:
        return None
    lines = [text for _, text in lyrics_tags.parse_lrc(synced)]
    return "\n".join(lines) or None


def lrc_path(audio: Path) -> Path:
    """Where a track's synced lyrics live: `<file>.lrc` beside it (Navidrome, Jellyfin)."""
    return audio.with_suffix(".lrc")


def lrc_remove_beside(audio: Path) -> None:
    """The .lrc goes with its audio file, unless another format of the song still lies beside
    it under the same name (the .lrc is theirs too)."""
    lrc = lrc_path(audio)
    siblings = lrc.parent.glob(f"{glob.escape(lrc.stem)}.*") if lrc.parent.is_dir() else []
    if not any(p.suffix.lower() in AUDIO_SUFFIXES for p in siblings if p != audio):
        lrc.unlink(missing_ok=True)


def lyrics_chosen(lyrics: Lyrics | None, mode: str) -> tuple[Lyrics | None, str]:
    """What `mode` ("plain" or "synced") asks for and the answer holds, and the file's status."""
    if lyrics is None:
        return None, NONE
    synced = lyrics.synced if mode == SYNCED else None
    if synced:
        return Lyrics(synced=synced, plain=lyrics.plain), SYNCED
    if lyrics.plain:
        return Lyrics(synced=None, plain=lyrics.plain), PLAIN
    return None, NONE


def lrc_write(audio: Path, chosen: Lyrics | None) -> None:
    """The synced lyrics beside the file, when there are some."""
    if chosen is not None and chosen.synced:
        lyrics_tags.atomic_text(lrc_path(audio), chosen.synced)


def lyrics_apply(audio: Path, lyrics: Lyrics | None, mode: str) -> str:
    """Writes what `mode` asks for and the answer holds into a stored file; the status."""
    chosen, status = lyrics_chosen(lyrics, mode)
    if chosen is not None:
        lrc_write(audio, chosen)
        lyrics_tags.embed(audio, plain=chosen.plain, synced=chosen.synced)
    return status
