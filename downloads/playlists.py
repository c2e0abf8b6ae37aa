"""Playlist files: THE one .m3u8 writer, and a source's tracks in order.

A person's playlist or Liked Songs gets MUSIC_ROOT/Playlists/<person>/<title>.m3u8 listing its
stored files in the source's current order. Jobs write it when they finish, syncs after every
run; both go through `_write`, which rewrites the file only when its text changes. Each file is
remembered (PlaylistFile), so a renamed source moves its file and an unsubscribed one removes it;
a file written before people had folders of their own moves on its next write.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.contrib.auth.models import User

from downloads import uploads
from downloads.models import Job, PlaylistFile, StoredFile, Subscription
from downloads.pipeline import store
from library import tracklists
from library.models import Playlist, UserPlaylist, artist_links_prefetch

PLAYLISTS_FOLDER = store.PLAYLISTS_FOLDER
NAME_BYTES = store.MAX_COMPONENT_BYTES - 6  # room for ".m3u8"
# Sources that have a playlist file (saved albums have none).
LISTED_SOURCES = (Subscription.Source.PLAYLIST, Subscription.Source.LIKED)


def source_track_ids(*, source: str, owner_id: int, target_id: str) -> list[int]:
    """A source's tracks in its order, as stored in the catalog (a track twice is listed twice).

    `source` is a Subscription.Source (a playlist or Liked Songs job's kind has the same value);
    the orders are library.tracklists', which the browsing pages show too. Any other source has
    no order of its own: [].
    """
    if source == Subscription.Source.PLAYLIST:
        playlist = Playlist.objects.filter(spotify_id=target_id).values_list("pk", flat=True)
        playlist_id = playlist.first()
        if playlist_id is None:
            return []
        entries = tracklists.playlist_entries(playlist_id=playlist_id)
        return list(entries.values_list("track_id", flat=True))
    if source == Subscription.Source.LIKED:
        saves = tracklists.liked_saves(user_id=owner_id)
        return list(saves.values_list("track_id", flat=True))
    if source == Subscription.Source.ALBUMS:
        return tracklists.saved_albums_track_ids(user_id=owner_id)
    return []


def person_folder(*, owner: User) -> str:
    """The person's folder under Playlists: their display name (else username), made safe, and
    told apart by their id when it would fold onto another person's."""

    def name_of(user: User) -> str:
        account = getattr(user, "spotify_account", None)
        shown = (account.display_name if account is not None else "") or user.get_username()
        return store.sanitize_component(shown, max_bytes=NAME_BYTES - 12)

    own = name_of(owner)
    others = User.objects.exclude(pk=owner.pk).select_related("spotify_account")
    if any(name_of(other).casefold() == own.casefold() for other in others):
        return f"{own} ({owner.pk})"
    return own


def playlist_file_path(*, title: str, owner: User) -> Path:
    """Where the person's playlist file of something called `title` goes."""
    name = store.sanitize_component(title or "Playlist", max_bytes=NAME_BYTES)
    folder = person_folder(owner=owner)
    return store.music_root() / PLAYLISTS_FOLDER / folder / f"{name}.m3u8"


def playlist_file_write(*, job: Job) -> Path:
    """(Re)write a playlist or Liked Songs job's file in the source's current order.

    The order is the catalog's (so a later sync job rewrites the whole list); the job's own
    items stand in when the catalog has no entries.
    """
    order = source_track_ids(source=job.kind, owner_id=job.owner_id, target_id=job.target_id)
    if not order:
        order = list(job.items.order_by("position").values_list("track_id", flat=True))
    return _write(
        owner=job.owner,
        source=job.kind,
        target_id=job.target_id,
        title=job.title,
        track_ids=order,
        audio_format=job.audio_format,
    )


def playlist_file_sync(*, subscription: Subscription) -> Path | None:
    """Make a subscribed playlist's or Liked Songs' file list its stored files in source order.

    The same file, with the same lines, as a finished sync job writes. Saved albums have none.
    """
    if subscription.source not in LISTED_SOURCES:
        return None
    order = source_track_ids(
        source=subscription.source,
        owner_id=subscription.owner_id,
        target_id=subscription.target_id,
    )
    return _write(
        owner=subscription.owner,
        source=subscription.source,
        target_id=subscription.target_id,
        title=subscription.title,
        track_ids=order,
        audio_format=subscription.audio_format,
    )


def playlist_file_remove(*, owner: User, source: str, target_id: str) -> None:
    """Remove the person's file of this source (unsubscribed, or gone from their library)."""
    record = PlaylistFile.objects.filter(owner=owner, source=source, target_id=target_id).first()
    if record is not None:
        _file_remove(record.path)
        record.delete()


def _file_remove(relative: str) -> None:
    store.inside_root(store.music_root(), relative).unlink(missing_ok=True)


def _write(
    *,
    owner: User,
    source: str,
    target_id: str,
    title: str,
    track_ids: list[int],
    audio_format: str,
) -> Path:
    """Written only when its text changes; lists the files that exist, in `track_ids` order."""
    path = playlist_file_path(title=title, owner=owner)
    _moved_from(owner=owner, source=source, target_id=target_id, title=title, path=path)
    _gone_remove(owner=owner, besides=target_id)
    files = _files_by_track(track_ids, audio_format, owner_id=owner.pk)
    entries = [
        store.PlaylistEntry(
            path=stored.absolute_path,
            duration_s=stored.duration,
            artist=", ".join(stored.track.artist_names()),
            title=stored.track.name,
        )
        for stored in (files[t] for t in track_ids if t in files)
        if stored.exists_on_disk()
    ]
    text = store.m3u8_text(path, entries)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path
    store.write_m3u8(path, entries)
    return path


def _moved_from(*, owner: User, source: str, target_id: str, title: str, path: Path) -> None:
    """Remember where this source's file goes now; the file it had elsewhere (renamed, or from
    before people had folders) is removed: the write that follows puts it in its new place."""
    relative = path.relative_to(store.music_root()).as_posix()
    record = PlaylistFile.objects.filter(owner=owner, source=source, target_id=target_id).first()
    if record is None:
        legacy = store.music_root() / PLAYLISTS_FOLDER / path.name
        legacy.unlink(missing_ok=True)
    elif record.path != relative:
        _file_remove(record.path)
    PlaylistFile.objects.filter(path=relative).exclude(
        owner=owner, source=source, target_id=target_id
    ).delete()
    PlaylistFile.objects.update_or_create(
        owner=owner, source=source, target_id=target_id, defaults={"path": relative}
    )


def _gone_remove(*, owner: User, besides: str) -> None:
    """Files of other playlists no longer in the person's library (deleted, left) go too."""
    kept = UserPlaylist.objects.filter(user=owner).values("playlist__spotify_id")
    gone = (
        PlaylistFile.objects.filter(owner=owner, source=Subscription.Source.PLAYLIST)
        .exclude(target_id__in=kept)
        .exclude(target_id=besides)
    )
    for record in gone:
        _file_remove(record.path)
        record.delete()


def _files_by_track(
    track_ids: Iterable[int], audio_format: str, *, owner_id: int
) -> dict[int, StoredFile]:
    """One file per track: the person's upload, the wanted format first (another format beats
    a gap in the list)."""
    rows = (
        StoredFile.objects.filter(track_id__in=list(track_ids))
        .select_related("track__album")
        .prefetch_related(artist_links_prefetch("track__"))
        .order_by("created_at", "pk")
    )
    return uploads.files_for_person(rows, owner_id=owner_id, preferred=audio_format)
