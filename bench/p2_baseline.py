"""P2's baseline, spotDL's default way: per track a YouTube Music search for "Artists - Title"
(first song), yt-dlp, ffmpeg to MP3 128 kbit/s, mutagen ID3 tags with the cover, one track per
call from worker threads."""

from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from library.models import Track


@dataclass(frozen=True)
class TrackInfo:
    """What the baseline knows of a track: what spotDL gets from Spotify."""

    spotify_id: str
    name: str
    artists: tuple[str, ...]
    album: str
    album_artists: tuple[str, ...]
    track_number: int
    disc_number: int
    release_date: str
    isrc: str
    cover_url: str


def track_info(track: Track) -> TrackInfo:
    from library.models import AlbumArtist, TrackArtist

    album = track.album
    artists = TrackArtist.objects.filter(track=track).select_related("artist").order_by("position")
    album_artists = (
        AlbumArtist.objects.filter(album=album).select_related("artist").order_by("position")
        if album
        else AlbumArtist.objects.none()
    )
    return TrackInfo(
        spotify_id=track.spotify_id,
        name=track.name,
        artists=tuple(link.artist.name for link in artists),
        album=album.name if album else "",
        album_artists=tuple(link.artist.name for link in album_artists),
        track_number=track.track_number,
        disc_number=track.disc_number,
        release_date=album.release_date if album else "",
        isrc=track.isrc,
        cover_url=album.cover_url if album else "",
    )


# --- the baseline -------------------------------------------------------------------------------


def youtube_music() -> Any:
    """ytmusicapi as spotDL uses it, its requests going where YTMUSIC_BASE_URL says."""
    from django.conf import settings
    from ytmusicapi import YTMusic

    from downloads.pipeline.sources.ytmusic import new_session

    return YTMusic(requests_session=new_session(settings.YTMUSIC_BASE_URL))


def baseline_search(ytmusic: Any, info: TrackInfo) -> dict[str, str]:
    """spotDL's query, "Artist1, Artist2 - Title"; the first song, else the first video."""
    from downloads.pipeline.sources.common import canonical_watch_url

    query = f"{', '.join(info.artists)} - {info.name}"
    results = ytmusic.search(query, filter="songs", limit=10) or ytmusic.search(
        query, filter="videos", limit=10
    )
    if not results:
        raise LookupError(f"no results for {query!r}")
    video_id = str(results[0]["videoId"])
    return {"id": video_id, "url": canonical_watch_url(video_id)}


class Baseline:
    """spotDL's way, one track per call, from worker threads (each with its own HTTP client)."""

    def __init__(self, workdir: Path, target: Path, ffmpeg: str) -> None:
        self.workdir, self.target, self.ffmpeg = workdir, target, ffmpeg
        self._local = threading.local()

    def ytmusic(self) -> Any:
        ytmusic = getattr(self._local, "ytmusic", None)
        if ytmusic is None:
            ytmusic = self._local.ytmusic = youtube_music()
        return ytmusic

    def client(self) -> httpx.Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = httpx.Client(timeout=60)
        return client

    def track(self, info: TrackInfo) -> tuple[str, int]:
        """(candidate id, bytes stored) for one track."""
        import yt_dlp

        client = self.client()
        pick = baseline_search(self.ytmusic(), info)
        folder = self.workdir / info.spotify_id
        folder.mkdir(parents=True, exist_ok=True)
        options = {
            "format": "bestaudio/best",
            "outtmpl": {"default": str(folder / "source.%(ext)s")},
            "quiet": True,
            "no_warnings": True,
            "noprogress": True,
            "cachedir": False,
            "allowed_extractors": ["generic"],
        }
        with yt_dlp.YoutubeDL(options) as ydl:
            downloaded = ydl.extract_info(pick["url"], download=True)
        source = Path(downloaded["requested_downloads"][0]["filepath"])
        mp3 = folder / "audio.mp3"
        subprocess.run(
            [self.ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i",
             str(source), "-vn", "-c:a", "libmp3lame", "-b:a", "128k", str(mp3)],
            check=True,
        )  # fmt: skip
        cover = client.get(info.cover_url).content if info.cover_url else b""
        self._tag(mp3, info, cover)
        final = self.target / f"{info.spotify_id}.mp3"
        shutil.move(mp3, final)
        shutil.rmtree(folder, ignore_errors=True)
        return str(pick["id"]), final.stat().st_size

    @staticmethod
    def _tag(path: Path, info: TrackInfo, cover: bytes) -> None:
        import mutagen.id3

        id3: Any = mutagen.id3  # untyped: its frames are built by keyword
        tags = id3.ID3()
        tags.add(id3.TIT2(encoding=3, text=info.name))
        tags.add(id3.TPE1(encoding=3, text=list(info.artists)))
        tags.add(id3.TALB(encoding=3, text=info.album))
        tags.add(id3.TPE2(encoding=3, text=list(info.album_artists)))
        tags.add(id3.TRCK(encoding=3, text=str(info.track_number)))
        tags.add(id3.TPOS(encoding=3, text=str(info.disc_number)))
        if info.release_date:
            tags.add(id3.TDRC(encoding=3, text=info.release_date))
        if info.isrc:
            tags.add(id3.TSRC(encoding=3, text=info.isrc))
        if cover:
            tags.add(id3.APIC(encoding=3, mime="image/jpeg", type=3, desc="Cover", data=cover))
        tags.save(path)
