"""Writes that span models: signing in, and reading a library into the catalog.

Async functions do the network part; every database write is one sync function holding one
transaction, called through sync_to_async (Django has no async transactions).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import IntegrityError, models, transaction
from django.db.models import Count
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from library.catalog import CatalogWriter, chunks, playlist_row, upsert
from library.models import (
    Album,
    FollowedArtist,
    LibraryRefresh,
    Playlist,
    PlaylistEntry,
    RecentPlay,
    SavedAlbum,
    SavedTrack,
    SpotifyAccount,
    TopArtist,
    TopTrack,
    UserPlaylist,
)
from library.oauth import AccountTokens, code_exchange
from library.spotify import (
    TIME_RANGES,
    AsyncSpotify,
    SpotifyError,
    SpotifyForbidden,
    SpotifyQuotaExceeded,
    SpotifyReauthRequired,
    SpotifyUnavailable,
    StaticToken,
)
from library.spotify import types as t
from library.spotify.errors import SpotifyNotFound
from library.spotify.paging import gather_all, offset_paged
from library.tokens import TokenSet

logger = logging.getLogger(__name__)

USERNAME_MAX = 150

FOLLOWED_REASON = (
    "You follow this playlist but do not own it. Spotify lets apps read only playlists you own "
    "or collaborate on."
)
FORBIDDEN_REASON = (
    "Spotify refused to share this playlist's tracks: apps may read only playlists you own or "
    "collaborate on."
)
GONE_REASON = "Spotify no longer has this playlist."
UNEXPECTED_ERROR = (
    "Something unexpected went wrong while reading your library; it has been logged. "
    "Please try again."
)


# --- sign-in -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignIn:
    user: User
    created: bool
    refresh: LibraryRefresh | None  # the first reading of the library, when one was started


@sensitive_variables("code", "verifier", "tokens")
async def account_sign_in_with_code(*, code: str, verifier: str) -> SignIn:
    """Finish the OAuth dance: trade the code for tokens, ask who this is, sign them in.

    Raises SignInError or SpotifyError with a message fit to show.
    """
    tokens = await sync_to_async(code_exchange, thread_sensitive=False)(
        code=code, verifier=verifier
    )
    # The account is not known yet: this sign-in's rate-limit pauses are its own.
    spotify = AsyncSpotify(
        tokens=StaticToken(tokens.access_token), account_key=f"sign-in:{secrets.token_hex(8)}"
    )
    profile = await spotify.me()
    return await sync_to_async(account_sign_in)(profile=profile, tokens=tokens)


def account_sign_in(*, profile: t.User, tokens: TokenSet) -> SignIn:
    """The Django user of this Spotify account (created at first sign-in), with fresh tokens.

    Accounts are keyed by Spotify's stable `account_id`, falling back to the user `id`. A first
    sign-in also starts reading the library in the background.
    """
    with transaction.atomic():
        account = _account_for(profile)
        created = account is None
        if account is None:
            user = User.objects.create_user(username=_free_username(profile.id))
            account = SpotifyAccount(user=user)
        account.account_key = profile.account_key
        account.spotify_id = profile.id
        account.account_id = profile.account_id
        account.display_name = profile.display_name
        account.image_url = profile.image_url
        account.signed_in_at = timezone.now()
        account.set_tokens(tokens)
        account.save()
        user = account.user
        user.first_name = profile.display_name[:USERNAME_MAX]
        user.save(update_fields=["first_name"])
        refresh = None
        if not LibraryRefresh.objects.filter(user=user).exists():
            refresh = library_refresh_enqueue(user=user)
    return SignIn(user=user, created=created, refresh=refresh)


def _account_for(profile: t.User) -> SpotifyAccount | None:
    accounts = SpotifyAccount.objects.select_for_update().select_related("user")
    found = accounts.filter(account_key=profile.account_key).first()
    if found is None and profile.account_id:
        # Stored before Spotify sent account_id: the row is keyed by the user id.
        found = accounts.filter(account_key=profile.id).first()
    return found


def _free_username(spotify_id: str) -> str:
    base = "".join(c for c in spotify_id if c.isalnum() or c in "._-")[:100] or "spotify"
    users = User.objects
    name, n = base, 1
    while users.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


# --- starting a refresh ------------------------------------------------------------------------


def library_refresh_create(*, user: User) -> tuple[LibraryRefresh, bool]:
    """The user's waiting, running or paused refresh, or a new waiting one (True: new)."""
    with transaction.atomic():
        active = (
            LibraryRefresh.objects.select_for_update()
            .filter(user=user, status__in=LibraryRefresh.ACTIVE)
            .first()
        )
        if active is not None and not active.is_stale():
            return active, False
        if active is not None:
            # Its worker died mid-run; a new run must be able to start.
            active.finish(status=LibraryRefresh.Status.FAILED, error="The refresh was interrupted.")
            active.save()
        try:
            with transaction.atomic():
                return LibraryRefresh.objects.create(user=user), True
        except IntegrityError:
            # Another request created one between our look and our insert.
            return LibraryRefresh.objects.get(user=user, status__in=LibraryRefresh.ACTIVE), False


def library_refresh_enqueue(*, user: User) -> LibraryRefresh:
    """Start reading the user's library in the background, unless a refresh is already on."""
    account = SpotifyAccount.objects.filter(user=user).first()
    if account is None or account.needs_reauth:
        raise SpotifyReauthRequired(account.reauth_reason if account else "")
    from library.tasks import library_refresh_task

    with transaction.atomic():
        refresh, created = library_refresh_create(user=user)
        if created:
            # Same transaction: the task row and the refresh row exist together or not at all.
            library_refresh_task.enqueue(refresh_id=refresh.pk)
    return refresh


# --- the refresh itself ------------------------------------------------------------------------


async def library_refresh(*, refresh_id: int) -> LibraryRefresh:
    """Read everything in the user's library into the catalog, recording progress and cost.

    Playlists whose snapshot_id is unchanged cost no item requests; followed playlists that
    Spotify will not share are marked unreadable with the reason. A quota pause ends the run
    as `paused` and schedules its resumption; nothing ever sleeps for hours.
    """
    refresh = await _refresh_claim(refresh_id)
    if refresh is None:
        return await LibraryRefresh.objects.aget(pk=refresh_id)
    account = await SpotifyAccount.objects.filter(user_id=refresh.user_id).afirst()
    if account is None:
        refresh.finish(status=LibraryRefresh.Status.FAILED, error=SpotifyReauthRequired().message)
        await sync_to_async(_refresh_save_result)(refresh=refresh, resume_at=None)
        return refresh
    spotify = AsyncSpotify(tokens=AccountTokens(account.pk), account_key=account.account_key)
    reader = _LibraryReader(refresh=refresh, account=account, spotify=spotify)
    resume_at: datetime | None = None
    try:
        await reader.run()
    except SpotifyQuotaExceeded as exc:
        resume_at = exc.retry_at
        refresh.finish(status=LibraryRefresh.Status.PAUSED, error=exc.message, resumes_at=resume_at)
    except SpotifyError as exc:
        refresh.finish(status=LibraryRefresh.Status.FAILED, error=exc.message)
    except Exception:
        logger.exception("Library refresh %s failed", refresh_id)
        refresh.finish(status=LibraryRefresh.Status.FAILED, error=UNEXPECTED_ERROR)
    else:
        refresh.finish(status=LibraryRefresh.Status.SUCCEEDED)
    refresh.counts = reader.counts()
    refresh.requests_made = spotify.requests_made
    refresh.steps_done, refresh.steps_total = reader.steps_done, reader.steps_total
    await sync_to_async(_refresh_save_result)(refresh=refresh, resume_at=resume_at)
    logger.info(
        "Library refresh %s: %s, %d requests, %s",
        refresh.pk,
        refresh.status,
        refresh.requests_made,
        refresh.duration,
    )
    return refresh


def _refresh_claim_sync(refresh_id: int) -> LibraryRefresh | None:
    """Move a waiting or paused refresh to running; None when another worker has it."""
    with transaction.atomic():
        refresh = (
            LibraryRefresh.objects.select_for_update()
            .filter(
                pk=refresh_id,
                status__in=[LibraryRefresh.Status.QUEUED, LibraryRefresh.Status.PAUSED],
            )
            .first()
        )
        if refresh is None:
            return None
        refresh.start()
        refresh.save()
        return refresh


async def _refresh_claim(refresh_id: int) -> LibraryRefresh | None:
    return await sync_to_async(_refresh_claim_sync)(refresh_id)


def _refresh_save_result(*, refresh: LibraryRefresh, resume_at: datetime | None) -> None:
    from library.tasks import library_refresh_task

    with transaction.atomic():
        refresh.save()
        if resume_at is not None:
            # Come back when Spotify says the quota is available again.
            library_refresh_task.using(run_after=resume_at).enqueue(refresh_id=refresh.pk)


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


class _LibraryReader:
    """One refresh run: reads every collection at once (the client bounds concurrency)."""

    FIXED_STEPS = 6  # playlist list, liked songs, albums, followed artists, top lists, recent
    PROGRESS_EVERY = 0.5  # seconds between progress writes
    HEARTBEAT_EVERY = 5.0  # seconds: a quiet run still shows it is alive (and its requests)
    # Playlists read while a write is going on are written together, in one transaction of up
    # to this many entries: fewer, larger writes, yet the write lock is never held for long.
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
        saved, skipped = await self.spotify.saved_tracks()
        await sync_to_async(_saved_tracks_store)(
            user_id=self.user_id, saved=saved, catalog=self._catalog
        )
        self._counts.add("liked", len(saved))
        self._counts.skipped.null += skipped
        await self._step()

    async def _albums(self) -> None:
        saved = await self.spotify.saved_albums()
        await sync_to_async(_saved_albums_store)(
            user_id=self.user_id, saved=saved, catalog=self._catalog
        )
        self._counts.add("albums", len(saved))
        self._counts.add("album_tracks", sum(len(s.album.tracks) for s in saved))
        await self._step()

    async def _followed(self) -> None:
        artists = await self.spotify.followed_artists()
        await sync_to_async(_followed_artists_store)(
            user_id=self.user_id, artists=artists, catalog=self._catalog
        )
        self._counts.add("followed_artists", len(artists))
        await self._step()

    async def _top(self) -> None:
        artists = await gather_all([self.spotify.top_artists(r) for r in TIME_RANGES])
        tracks = await gather_all([self.spotify.top_tracks(r) for r in TIME_RANGES])
        top = _Top(
            artists=dict(zip(TIME_RANGES, artists, strict=True)),
            tracks=dict(zip(TIME_RANGES, tracks, strict=True)),
        )
        await sync_to_async(_top_store)(user_id=self.user_id, top=top, catalog=self._catalog)
        self._counts.add("top_artists", sum(len(a) for a in artists))
        self._counts.add("top_tracks", sum(len(tr) for tr in tracks))
        await self._step()

    async def _recent(self) -> None:
        plays = await self.spotify.recently_played()
        await sync_to_async(_recent_plays_store)(
            user_id=self.user_id, plays=plays, catalog=self._catalog
        )
        self._counts.add("recent_plays", len(plays))
        await self._step()

    async def _playlists(self) -> None:
        playlists = await self.spotify.my_playlists()
        plan = await sync_to_async(_user_playlists_store)(
            user_id=self.user_id, spotify_id=self.spotify_id, playlists=playlists
        )
        self._counts.add("playlists", len(playlists))
        self._counts.add("playlists_unreadable", plan.unreadable)
        self._counts.add("playlists_unchanged", plan.unchanged)
        await self._step(more_total=len(plan.to_read))
        await gather_all([self._playlist(playlist) for playlist in plan.to_read])

    async def _playlist(self, playlist: t.Playlist) -> None:
        try:
            items = await self.spotify.playlist_items(playlist.id, known_total=playlist.items_total)
        except (SpotifyForbidden, SpotifyNotFound) as exc:
            reason = FORBIDDEN_REASON if isinstance(exc, SpotifyForbidden) else GONE_REASON
            await sync_to_async(_user_playlist_mark_unreadable)(
                user_id=self.user_id, playlist=playlist, reason=reason
            )
            self._counts.add("playlists_unreadable")
        else:
            await self._write_entries(playlist, items)
            self._counts.add("playlists_read")
            self._counts.add("playlist_entries", len(items.entries))
            self._counts.skipped.add(items.skipped)
        await self._step()

    async def _write_entries(self, playlist: t.Playlist, items: t.PlaylistItems) -> None:
        """Returns once this playlist's entries are written, by this call or a batch before it."""
        self._unwritten.append((playlist, items))
        while True:
            async with self._write_lock:
                batch = self._take_batch()
                if batch:
                    await sync_to_async(_playlist_entries_store)(
                        user_id=self.user_id, batch=batch, catalog=self._catalog
                    )
            if all(p.id != playlist.id for p, _ in self._unwritten):
                return

    def _take_batch(self) -> list[tuple[t.Playlist, t.PlaylistItems]]:
        """The oldest unwritten playlists, up to BATCH_ENTRIES entries (at least one playlist)."""
        count, size = 0, 0
        while count < len(self._unwritten) and (count == 0 or size < self.BATCH_ENTRIES):
            size += len(self._unwritten[count][1].entries)
            count += 1
        batch, self._unwritten = self._unwritten[:count], self._unwritten[count:]
        return batch


# --- storing what was read (sync: one transaction each) ------------------------------------------


def _membership_replace[M: models.Model](
    model: type[M], *, user_id: int, key: str, rows: Sequence[M], update: list[str]
) -> None:
    """Make the user's rows exactly `rows`: drop the ones gone, upsert the rest."""
    attname = f"{key}_id"
    own = model._default_manager.filter(user_id=user_id)
    keep = {getattr(row, attname) for row in rows}
    gone = [pk for pk in own.values_list(attname, flat=True) if pk not in keep]
    for chunk in chunks(gone):
        own.filter(**{f"{attname}__in": chunk}).delete()
    upsert(model, rows, unique=["user", key], update=update)


def _saved_tracks_store(
    *, user_id: int, saved: Sequence[t.SavedTrack], catalog: CatalogWriter
) -> None:
    with transaction.atomic():
        track_pk = catalog.tracks(s.track for s in saved)
        rows = {
            track_pk[s.track.id]: SavedTrack(
                user_id=user_id, track_id=track_pk[s.track.id], added_at=s.added_at
            )
            for s in reversed(saved)  # the newest save wins when a track appears twice
        }
        _membership_replace(
            SavedTrack, user_id=user_id, key="track", rows=list(rows.values()), update=["added_at"]
        )


def _saved_albums_store(
    *, user_id: int, saved: Sequence[t.SavedAlbum], catalog: CatalogWriter
) -> None:
    with transaction.atomic():
        refs = [s.album.album for s in saved]
        upcs = {s.album.album.id: s.album.upc for s in saved if s.album.upc}
        album_pk = catalog.albums(refs, upcs)
        catalog.tracks((track for s in saved for track in s.album.tracks), albums=refs, upcs=upcs)
        rows = {
            album_pk[s.album.album.id]: SavedAlbum(
                user_id=user_id, album_id=album_pk[s.album.album.id], added_at=s.added_at
            )
            for s in reversed(saved)
        }
        _membership_replace(
            SavedAlbum, user_id=user_id, key="album", rows=list(rows.values()), update=["added_at"]
        )


def _followed_artists_store(
    *, user_id: int, artists: Sequence[t.Artist], catalog: CatalogWriter
) -> None:
    with transaction.atomic():
        artist_pk = catalog.artists((), artists)
        rows = {
            artist_pk[a.id]: FollowedArtist(user_id=user_id, artist_id=artist_pk[a.id], position=i)
            for i, a in reversed(list(enumerate(artists)))
        }
        _membership_replace(
            FollowedArtist,
            user_id=user_id,
            key="artist",
            rows=list(rows.values()),
            update=["position"],
        )


@dataclass(frozen=True, slots=True)
class _Top:
    artists: dict[str, list[t.Artist]]
    tracks: dict[str, list[t.Track]]


def _top_store(*, user_id: int, top: _Top, catalog: CatalogWriter) -> None:
    with transaction.atomic():
        artist_pk = catalog.artists((), [a for ranked in top.artists.values() for a in ranked])
        track_pk = catalog.tracks(tr for ranked in top.tracks.values() for tr in ranked)
        # Ranks are positions, not identities: replacing the short lists is simplest.
        TopArtist.objects.filter(user_id=user_id).delete()
        TopTrack.objects.filter(user_id=user_id).delete()
        TopArtist.objects.bulk_create(
            TopArtist(user_id=user_id, artist_id=artist_pk[a.id], time_range=r, rank=i + 1)
            for r, ranked in top.artists.items()
            for i, a in enumerate(ranked)
        )
        TopTrack.objects.bulk_create(
            TopTrack(user_id=user_id, track_id=track_pk[tr.id], time_range=r, rank=i + 1)
            for r, ranked in top.tracks.items()
            for i, tr in enumerate(ranked)
        )


def _recent_plays_store(
    *, user_id: int, plays: Sequence[t.PlayedTrack], catalog: CatalogWriter
) -> None:
    with transaction.atomic():
        track_pk = catalog.tracks(p.track for p in plays)
        # Spotify forgets plays after 50; kept rows make a longer history over time.
        RecentPlay.objects.bulk_create(
            [
                RecentPlay(user_id=user_id, track_id=track_pk[p.track.id], played_at=p.played_at)
                for p in plays
            ],
            ignore_conflicts=True,
        )


PLAYLIST_FIELDS = [
    "name",
    "description",
    "owner_spotify_id",
    "owner_name",
    "collaborative",
    "public",
    "image_url",
    "snapshot_id",
    "items_total",
]


@dataclass(frozen=True, slots=True)
class _PlaylistPlan:
    to_read: list[t.Playlist]
    unreadable: int
    unchanged: int


def _user_playlists_store(
    *, user_id: int, spotify_id: str, playlists: Sequence[t.Playlist]
) -> _PlaylistPlan:
    """Store the user's playlist list and decide which playlists need their items read."""
    with transaction.atomic():
        by_id = {p.id: p for p in playlists}
        upsert(
            Playlist,
            [playlist_row(p) for p in by_id.values()],
            unique=["spotify_id"],
            update=PLAYLIST_FIELDS,
        )
        stored = {
            row.spotify_id: row
            for chunk in chunks(list(by_id))
            for row in Playlist.objects.filter(spotify_id__in=chunk)
        }
        before = {m.playlist_id: m for m in UserPlaylist.objects.filter(user_id=user_id)}
        rows, to_read, unreadable, unchanged = [], [], 0, 0
        for position, p in enumerate(playlists):
            row = stored[p.id]
            old = before.get(row.pk)
            membership = UserPlaylist(
                user_id=user_id,
                playlist_id=row.pk,
                position=position,
                is_owner=p.owner.id == spotify_id,
            )
            _judge_access(membership, old, p, entries_current=row.entries_current)
            if not membership.readable:
                unreadable += 1
            elif row.entries_current and membership.checked_snapshot_id == p.snapshot_id:
                unchanged += 1
            else:
                to_read.append(p)
            rows.append(membership)
        unique_rows = list({m.playlist_id: m for m in reversed(rows)}.values())
        _membership_replace(
            UserPlaylist,
            user_id=user_id,
            key="playlist",
            rows=unique_rows,
            update=["position", "is_owner", "readable", "unreadable_reason", "checked_snapshot_id"],
        )
        return _PlaylistPlan(
            to_read=list({p.id: p for p in to_read}.values()),
            unreadable=unreadable,
            unchanged=unchanged,
        )


def _judge_access(
    membership: UserPlaylist,
    old: UserPlaylist | None,
    playlist: t.Playlist,
    *,
    entries_current: bool,
) -> None:
    """Whether this user may read the playlist's items, asking Spotify only when unsure."""
    if old is not None and old.checked_snapshot_id == playlist.snapshot_id and entries_current:
        # Nothing changed since this user's access was last established.
        membership.readable = old.readable
        membership.unreadable_reason = old.unreadable_reason
        membership.checked_snapshot_id = old.checked_snapshot_id
    elif membership.is_owner:
        membership.readable = True
        membership.checked_snapshot_id = playlist.snapshot_id
    elif playlist.collaborative:
        # Collaborators may read, others get 403: only a request can tell which this user is.
        membership.readable = True
        membership.checked_snapshot_id = ""
    else:
        membership.readable = False
        membership.unreadable_reason = FOLLOWED_REASON
        membership.checked_snapshot_id = playlist.snapshot_id


def _playlist_entries_store(
    *,
    user_id: int,
    batch: Sequence[tuple[t.Playlist, t.PlaylistItems]],
    catalog: CatalogWriter,
) -> None:
    """Replace the entries of the playlists in `batch` and mark them read at their snapshot."""
    with transaction.atomic():
        track_pk = catalog.tracks(e.track for _, items in batch for e in items.entries)
        rows = {
            row.spotify_id: row
            for row in Playlist.objects.select_for_update().filter(
                spotify_id__in=[p.id for p, _ in batch]
            )
        }
        PlaylistEntry.objects.filter(playlist__in=rows.values()).delete()
        PlaylistEntry.objects.bulk_create(
            PlaylistEntry(
                playlist=rows[playlist.id],
                position=e.position,
                track_id=track_pk[e.track.id],
                added_at=e.added_at,
                added_by=e.added_by,
            )
            for playlist, items in batch
            for e in items.entries
        )
        now = timezone.now()
        for playlist, _ in batch:
            Playlist.objects.filter(pk=rows[playlist.id].pk).update(
                items_snapshot_id=playlist.snapshot_id, items_read_at=now
            )
            UserPlaylist.objects.filter(user_id=user_id, playlist=rows[playlist.id]).update(
                readable=True, unreadable_reason="", checked_snapshot_id=playlist.snapshot_id
            )


def _user_playlist_mark_unreadable(*, user_id: int, playlist: t.Playlist, reason: str) -> None:
    UserPlaylist.objects.filter(user_id=user_id, playlist__spotify_id=playlist.id).update(
        readable=False, unreadable_reason=reason, checked_snapshot_id=playlist.snapshot_id
    )


# --- live reads while browsing -------------------------------------------------------------------

# The 2026 schema caps `artists/{id}/albums` at 10 per page (default 5).
ARTIST_ALBUMS_PAGE = 10
ARTIST_ALBUM_GROUPS = "album,single,compilation"
# Discographies change rarely; a short cache spares Spotify's rolling limit when people page
# back and forth, and the data is public, so one copy serves every account.
ARTIST_ALBUMS_TTL = 10 * 60
# A page must answer even when Spotify crawls: give up and say so rather than hang.
LIVE_READ_TIMEOUT = 15.0
SLOW_SPOTIFY = "Spotify took too long to answer. Please try again in a moment."


@dataclass(frozen=True, slots=True)
class ArtistAlbum:
    album: t.AlbumRef
    saved: bool  # in the user's saved albums, so it has a page of its own here


@dataclass(frozen=True, slots=True)
class ArtistAlbums:
    albums: list[ArtistAlbum]
    total: int
    offset: int

    @property
    def next_offset(self) -> int | None:
        following = self.offset + ARTIST_ALBUMS_PAGE
        return following if following < self.total else None


async def _spotify_for(user: User) -> AsyncSpotify:
    account = await SpotifyAccount.objects.filter(user_id=user.pk).afirst()
    if account is None or account.needs_reauth:
        raise SpotifyReauthRequired(account.reauth_reason if account else "")
    return AsyncSpotify(tokens=AccountTokens(account.pk), account_key=account.account_key)


async def _live_get(
    spotify: AsyncSpotify, path: str, params: dict[str, str | int] | None = None
) -> t.Json:
    try:
        async with asyncio.timeout(LIVE_READ_TIMEOUT):
            return await spotify.get(path, params)
    except TimeoutError:
        raise SpotifyUnavailable(SLOW_SPOTIFY) from None


async def artist_albums(*, user: User, artist_id: str, offset: int = 0) -> ArtistAlbums:
    """One page of an artist's albums, read live from Spotify (cached briefly).

    Raises SpotifyError (with a message fit to show) when Spotify cannot answer.
    """
    key = f"library:artist-albums:{artist_id}:{offset}"
    page: t.Json | None = await cache.aget(key)
    if page is None:
        spotify = await _spotify_for(user)
        params: dict[str, str | int] = {
            "include_groups": ARTIST_ALBUM_GROUPS,
            "limit": ARTIST_ALBUMS_PAGE,
            "offset": offset,
        }
        answer = await _live_get(spotify, f"artists/{artist_id}/albums", params)
        page = {"items": answer.get("items") or [], "total": answer.get("total") or 0}
        await cache.aset(key, page, ARTIST_ALBUMS_TTL)
    refs = [
        ref
        for item in page["items"]
        if isinstance(item, dict) and (ref := t.parse_album_ref(item)) is not None
    ]
    saved = await sync_to_async(_saved_album_ids)(user_id=user.pk, ids=[r.id for r in refs])
    return ArtistAlbums(
        albums=[ArtistAlbum(album=ref, saved=ref.id in saved) for ref in refs],
        total=int(page["total"]),
        offset=offset,
    )


def _saved_album_ids(*, user_id: int, ids: list[str]) -> set[str]:
    saved = SavedAlbum.objects.filter(user_id=user_id, album__spotify_id__in=ids)
    return set(saved.values_list("album__spotify_id", flat=True))


async def album_catalog_ensure(*, user: User, album_id: str) -> None:
    """Put an album and all its tracks in the catalog, so a download job can list them.

    Albums seen on an artist's page are not in anyone's library yet; a download job reads its
    tracks from the catalog. Costs nothing when the catalog already holds the whole album.
    """
    if await sync_to_async(_album_complete)(album_id):
        return
    spotify = await _spotify_for(user)
    album = t.parse_album(await _live_get(spotify, f"albums/{album_id}"))
    if album is None:
        raise SpotifyNotFound("Spotify has no such album.")
    tracks = list(album.tracks)
    if album.tracks_total > len(tracks):

        def fetch(offset: int, limit: int) -> Awaitable[t.Json]:
            params: dict[str, str | int] = {"offset": offset, "limit": limit}
            return _live_get(spotify, f"albums/{album_id}/tracks", params)

        more = await offset_paged(fetch, known_total=album.tracks_total, start=len(tracks))
        parsed = (t.parse_track(item, album=album.album) for item in more)
        tracks += [track for track in parsed if track is not None]
    await sync_to_async(_album_store)(album=album, tracks=tracks)


def _album_complete(album_id: str) -> bool:
    found = (
        Album.objects.filter(spotify_id=album_id)
        .annotate(stored=Count("tracks"))
        .values_list("total_tracks", "stored")
        .first()
    )
    return found is not None and found[1] > 0 and found[1] >= found[0]


def _album_store(*, album: t.Album, tracks: Sequence[t.Track]) -> None:
    upcs = {album.album.id: album.upc} if album.upc else None
    with transaction.atomic():
        CatalogWriter().tracks(tracks, albums=[album.album], upcs=upcs)
