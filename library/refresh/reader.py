"""One refresh run's reading of Spotify: every collection at once, written as it arrives.

The client bounds concurrency; progress and a heartbeat go to the LibraryRefresh row while the
run lasts. What is read is written through library.catalog.collections.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.utils import timezone

from library.catalog.collections import (
    TopLists,
    followed_artists_store,
    playlist_entries_store,
    recent_plays_store,
    top_lists_store,
    user_playlist_mark_unreadable,
    user_playlists_store,
)
from library.catalog.writer import CatalogWriter
from library.models import LibraryRefresh, SpotifyAccount
from library.refresh.access import REFUSALS, refusal_reason
from library.refresh.sources import liked_refresh, saved_albums_refresh
from library.spotify import TIME_RANGES, AsyncSpotify
from library.spotify import types as t
from library.spotify.paging import gather_all


@dataclass
class _Counts:
    values: dict[str, int] = field(default_factory=dict)
    skipped: t.Skipped = field(default_factory=t.Skipped)

    def add(self, name: str, amount: int = 1) -> None:
        self.values[name] = self.values.get(name, 0) + amount

    def as_dict(self) -> dict[str, int]:
        skipped = {
            "skipped_null": self.skipped.null,
            "skipped_local": self.skipped.local,
            "skipped_episodes": self.skipped.episode,
        }
        return {**self.values, **skipped}


class LibraryReader:
    """One refresh run: reads every collection at once (the client bounds concurrency)."""

    FIXED_STEPS = 6  # playlist list, liked songs, albums, followed artists, top lists, recent
    PROGRESS_EVERY = 0.5  # seconds between progress writes
    HEARTBEAT_EVERY = 5.0  # seconds: a quiet run still shows it is alive (and its requests)
    # Playlists read are written together once at least BATCH_MIN_ENTRIES wait (the last ones
    # whatever is left), in transactions of up to BATCH_ENTRIES: a write one playlist at a time
    # paid a transaction's fixed costs some 150 times a library; the write lock is never held
    # for long either way.
    BATCH_MIN_ENTRIES = 2000
    BATCH_ENTRIES = 5000

    def __init__(
        self, *, refresh: LibraryRefresh, account: SpotifyAccount, spotify: AsyncSpotify
    ) -> None:
        self.refresh = refresh
        self.user_id = refresh.user_id
        self.spotify_id = account.spotify_id
        self.spotify = spotify
        self._counts = _Counts()
        self.steps_done = 0
        self.steps_total = self.FIXED_STEPS
        self._progress_written = 0.0
        self._catalog = CatalogWriter()
        self._unwritten: list[tuple[t.Playlist, t.PlaylistItems]] = []
        self._unwritten_entries = 0
        self._write_lock = asyncio.Lock()

    def counts(self) -> dict[str, int]:
        return self._counts.as_dict()

    async def run(self) -> None:
        await self._progress(force=True)
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            await gather_all(
                [
                    self._playlists(),
                    self._liked(),
                    self._albums(),
                    self._followed(),
                    self._top(),
                    self._recent(),
                ]
            )
        finally:
            # Awaited, so no late heartbeat can overwrite the final state written after this.
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.HEARTBEAT_EVERY)
            await self._progress(force=True)

    async def _step(self, more_total: int = 0) -> None:
        self.steps_done += 1
        self.steps_total += more_total
        await self._progress()

    async def _progress(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._progress_written < self.PROGRESS_EVERY:
            return
        self._progress_written = now
        await LibraryRefresh.objects.filter(pk=self.refresh.pk).aupdate(
            steps_done=self.steps_done,
            steps_total=self.steps_total,
            requests_made=self.spotify.requests_made,
            counts=self.counts(),
            updated_at=timezone.now(),
        )

    async def _liked(self) -> None:
        read = await liked_refresh(
            spotify=self.spotify, user_id=self.user_id, catalog=self._catalog
        )
        self._counts.add("liked", read.saved)
        self._counts.skipped.null += read.skipped
        await self._step()

    async def _albums(self) -> None:
        read = await saved_albums_refresh(
            spotify=self.spotify, user_id=self.user_id, catalog=self._catalog
        )
        self._counts.add("albums", read.saved)
        self._counts.add("album_tracks", read.album_tracks)
        await self._step()

    async def _followed(self) -> None:
        artists = await self.spotify.followed_artists()
        await sync_to_async(followed_artists_store)(
            user_id=self.user_id, artists=artists, catalog=self._catalog
        )
        self._counts.add("followed_artists", len(artists))
        await self._step()

    async def _top(self) -> None:
        artists = await gather_all([self.spotify.top_artists(r) for r in TIME_RANGES])
        tracks = await gather_all([self.spotify.top_tracks(r) for r in TIME_RANGES])
        top = TopLists(
            artists=dict(zip(TIME_RANGES, artists, strict=True)),
            tracks=dict(zip(TIME_RANGES, tracks, strict=True)),
        )
        await sync_to_async(top_lists_store)(user_id=self.user_id, top=top, catalog=self._catalog)
        self._counts.add("top_artists", sum(len(a) for a in artists))
        self._counts.add("top_tracks", sum(len(tr) for tr in tracks))
        await self._step()

    async def _recent(self) -> None:
        plays = await self.spotify.recently_played()
        await sync_to_async(recent_plays_store)(
            user_id=self.user_id, plays=plays, catalog=self._catalog
        )
        self._counts.add("recent_plays", len(plays))
        await self._step()

    async def _playlists(self) -> None:
        playlists = await self.spotify.my_playlists()
        plan = await sync_to_async(user_playlists_store)(
            user_id=self.user_id, spotify_id=self.spotify_id, playlists=playlists
        )
        self._counts.add("playlists", len(playlists))
        self._counts.add("playlists_unreadable", plan.unreadable)
        self._counts.add("playlists_unchanged", plan.unchanged)
        await self._step(more_total=len(plan.to_read))
        try:
            await gather_all([self._playlist(playlist) for playlist in plan.to_read])
        finally:
            # Also when the read stops short (a quota pause): what was read is kept, and a
            # resumed refresh need not ask for it again.
            await self._write_waiting(all_of_them=True)

    async def _playlist(self, playlist: t.Playlist) -> None:
        try:
            items = await self.spotify.playlist_items(playlist.id, known_total=playlist.items_total)
        except REFUSALS as exc:
            await sync_to_async(user_playlist_mark_unreadable)(
                user_id=self.user_id,
                playlist_id=playlist.id,
                snapshot_id=playlist.snapshot_id,
                reason=refusal_reason(exc),
            )
            self._counts.add("playlists_unreadable")
        else:
            self._unwritten.append((playlist, items))
            self._unwritten_entries += len(items.entries)
            if self._unwritten_entries >= self.BATCH_MIN_ENTRIES:
                await self._write_waiting()
            self._counts.add("playlists_read")
            self._counts.add("playlist_entries", len(items.entries))
            self._counts.skipped.add(items.skipped)
        await self._step()

    async def _write_waiting(self, *, all_of_them: bool = False) -> None:
        """Write the playlists read and not written yet while they make a batch's minimum (also
        those read meanwhile); `all_of_them`: whatever waits."""
        async with self._write_lock:
            while self._unwritten and (
                all_of_them or self._unwritten_entries >= self.BATCH_MIN_ENTRIES
            ):
                await sync_to_async(playlist_entries_store)(
                    user_id=self.user_id, batch=self._take_batch(), catalog=self._catalog
                )

    def _take_batch(self) -> list[tuple[t.Playlist, t.PlaylistItems]]:
        """The oldest unwritten playlists, up to BATCH_ENTRIES entries (at least one playlist)."""
        count, size = 0, 0
        while count < len(self._unwritten) and (count == 0 or size < self.BATCH_ENTRIES):
            size += len(self._unwritten[count][1].entries)
            count += 1
        batch, self._unwritten = self._unwritten[:count], self._unwritten[count:]
        self._unwritten_entries -= size
        return batch
