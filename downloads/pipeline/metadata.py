"""What gets written into a file: `TrackTags` (the worker fills them from catalog rows) and covers.

Cover art is fetched once per album and kept on disk by album id, so the twelve tracks of an album
cost one image request, and a re-download costs none.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from downloads.worker import workdir

logger = logging.getLogger(__name__)

ARTIST_SEPARATOR = ", "
MAX_COVER_BYTES = 10 * 1024 * 1024
_JPEG_MAGIC = b"\xff\xd8\xff"
_SAFE_ID = re.compile(r"[A-Za-z0-9]{1,64}")
_LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}


@dataclass(frozen=True, slots=True)
class TrackTags:
    """Every field we write into a file; None means "leave the field out"."""

    title: str
    artists: tuple[str, ...]
    album: str
    album_artists: tuple[str, ...] = ()
    track_number: int | None = None
    track_total: int | None = None
    disc_number: int | None = None
    disc_total: int | None = None
    release_date: str | None = None  # "YYYY", "YYYY-MM" or "YYYY-MM-DD", as precise as known
    isrc: str | None = None
    explicit: bool | None = None
    spotify_url: str | None = None
    source_url: str | None = None
    match_score: float | None = None

    @property
    def artist(self) -> str:
        """The artists as one display string, for players that show a single value."""
        return ARTIST_SEPARATOR.join(self.artists)

    @property
    def album_artist(self) -> str:
        """Album artists joined; falls back to the primary artist so folders never go blank."""
        if self.album_artists:
            return ARTIST_SEPARATOR.join(self.album_artists)
        return self.artists[0] if self.artists else ""

    @property
    def year(self) -> str:
        return (self.release_date or "")[:4]

    @property
    def spotify_id(self) -> str | None:
        """The track id at the end of the Spotify URL (how store tells tracks apart)."""
        if not self.spotify_url:
            return None
        return self.spotify_url.rstrip("/").rsplit("/", 1)[-1] or None


def largest_image_url(images: Any) -> str | None:
    """Spotify lists album images largest first, but do not rely on it."""
    best = max(
        (image for image in images or () if image and image.get("url")),
        key=lambda image: (image.get("width") or 0) * (image.get("height") or 0),
        default=None,
    )
    return None if best is None else str(best["url"])


def is_jpeg(data: bytes) -> bool:
    return data.startswith(_JPEG_MAGIC)


def _cover_url_allowed(url: str) -> bool:
    # Image URLs come from Spotify's answers; plain http is only accepted on loopback.
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS


class CoverCache:
    """JPEG covers on disk, one file per album; concurrent requests for one album share a fetch."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._locks: dict[str, asyncio.Lock] = {}

    def path_for(self, album_id: str) -> Path:
        # Ids are base62 on Spotify; anything else is hashed so it can never name a path.
        name = (
            album_id
            if _SAFE_ID.fullmatch(album_id)
            else hashlib.sha256(album_id.encode()).hexdigest()[:32]
        )
        return self.directory / f"{name}.jpg"

    async def get(self, album_id: str, url: str | None, client: httpx.AsyncClient) -> bytes | None:
        """The album's cover as JPEG bytes, or None when there is none or it cannot be fetched."""
        path = self.path_for(album_id)
        lock = self._locks.setdefault(path.name, asyncio.Lock())
        async with lock:
            cached = await asyncio.to_thread(_read_if_exists, path)
            if cached is not None or not url:
                return cached
            data = await _download_cover(url, client)
            if data is not None:
                await asyncio.to_thread(_write_atomic, path, data)
            return data


def _read_if_exists(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    """Readers see a whole cover or none. The temporary file lives beside the cover (a rename is
    atomic only within one filesystem, and the cache may be on another than the temp root); its
    name carries this run's id, so a kill between write and rename leaves a file that the sweep
    of dead runs removes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=workdir.beside_prefix("cover"))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


async def _download_cover(url: str, client: httpx.AsyncClient) -> bytes | None:
    """A missing cover never fails a track: every problem is logged and answered with None."""
    if not _cover_url_allowed(url):
        logger.warning("cover art URL refused: %s", url)
        return None
    try:
        async with client.stream("GET", url, timeout=20) as response:
            response.raise_for_status()
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > MAX_COVER_BYTES:
                    logger.warning("cover art larger than %d bytes: %s", MAX_COVER_BYTES, url)
                    return None
    except httpx.HTTPError as exc:
        logger.warning("cover art could not be fetched from %s: %s", url, exc)
        return None
    if not is_jpeg(bytes(data)):
        logger.warning("cover art at %s is not a JPEG", url)
        return None
    return bytes(data)
