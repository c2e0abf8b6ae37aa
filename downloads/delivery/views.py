"""Files, streams, ZIPs and player pages. Thin: check ownership through the selectors, locate
files under MUSIC_ROOT, build the response. Another person's anything is a 404, never a 403.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from downloads.delivery import selectors
from downloads.delivery.files import content_disposition, content_type_for, download_name, locate
from downloads.delivery.ranges import file_response
from downloads.delivery.selectors import Collection, Kind, NotInLibrary
from downloads.delivery.zipstream import archive_response, build_archive
from downloads.models import LyricsStatus, StoredFile
from downloads.pipeline.lyrics import lrc_path
from downloads.pipeline.store import music_root
from spotifydl.auth import signed_in

# Where the pipeline caches album covers (the worker uses the same folder).
COVERS_FOLDER = "covers"


# --- one file -----------------------------------------------------------------------------------


@login_required
@require_safe
async def file_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file as an attachment with a readable name; ranges make downloads resumable."""
    return await _serve(request, pk, disposition="attachment")


@login_required
@require_safe
async def file_stream(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file inline, for the player's audio element (which seeks with ranges)."""
    return await _serve(request, pk, disposition="inline")


async def _serve(request: HttpRequest, pk: int, *, disposition: str) -> HttpResponseBase:
    user = signed_in(await request.auser())
    try:
        stored = await sync_to_async(selectors.stored_file_for)(user=user, pk=pk)
    except StoredFile.DoesNotExist:
        raise Http404("No such file") from None
    path = await asyncio.to_thread(locate, stored, music_root())
    if path is None:
        raise Http404("The file is not on disk")
    name = download_name(stored, stored.track.artist_names())
    return await file_response(
        request,
        path,
        content_type=content_type_for(path),
        disposition=content_disposition(disposition, name),
    )


@login_required
@require_safe
async def file_lyrics(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The synced lyrics (.lrc) beside a file, for whoever may play the file."""
    user = signed_in(await request.auser())
    try:
        stored = await sync_to_async(selectors.stored_file_for)(user=user, pk=pk)
    except StoredFile.DoesNotExist:
        raise Http404("No such file") from None
    path = await asyncio.to_thread(locate, stored, music_root())
    text = await asyncio.to_thread(_lrc_text, path) if path is not None else None
    if text is None:
        raise Http404("No synced lyrics for this file")
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def _lrc_text(audio: Path) -> str | None:
    try:
        return lrc_path(audio).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


# --- many files ---------------------------------------------------------------------------------


@login_required
@require_safe
async def collection_zip(
    request: HttpRequest, kind: str, target: str | int = ""
) -> HttpResponseBase:
    collection = await _collection(request, Kind(kind), str(target))
    return await _zip(request, collection)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
async def selection_zip(request: HttpRequest) -> HttpResponseBase:
    """Tracks picked on a page: `track` Spotify ids, as query parameters or a posted form."""
    data = request.POST if request.method == "POST" else request.GET
    target = selectors.selection_target(spotify_ids=data.getlist("track"))
    collection = await _collection(request, Kind.SELECTION, target)
    return await _zip(request, collection)


async def _collection(request: HttpRequest, kind: Kind, target: str) -> Collection:
    user = signed_in(await request.auser())
    audio_format = request.GET.get("format", "")
    try:
        return await sync_to_async(selectors.collection_for)(
            user=user, kind=kind, target=target, audio_format=audio_format
        )
    except NotInLibrary:
        raise Http404("Not in your library") from None


async def _zip(request: HttpRequest, collection: Collection) -> HttpResponseBase:
    covers = Path(settings.DATA_DIR) / COVERS_FOLDER
    archive = await asyncio.to_thread(build_archive, collection, root=music_root(), covers=covers)
    if archive is None:
        context = {"collection": collection, **_links(collection)}
        return await sync_to_async(render)(request, "delivery/nothing.html", context)
    return archive_response(archive, collection.title, head=request.method == "HEAD")


# --- the player ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlayerEntry:
    stored: StoredFile
    artists: str
    length: str
    stream_url: str
    download_url: str
    lyrics_url: str


@login_required
@require_safe
def player(request: HttpRequest, kind: str, target: str | int = "") -> HttpResponse:
    try:
        collection = selectors.collection_for(
            user=signed_in(request.user),
            kind=Kind(kind),
            target=str(target),
            audio_format=request.GET.get("format", ""),
        )
    except NotInLibrary:
        raise Http404("Not in your library") from None
    entries = _player_entries(collection, music_root())
    context = {"collection": collection, "entries": entries, **_links(collection)}
    context["missing"] = collection.track_count - len({entry.stored.pk for entry in entries})
    return render(request, "delivery/player.html", context)


def _player_entries(collection: Collection, root: Path) -> list[PlayerEntry]:
    """The collection's files that exist on disk, in play order."""
    on_disk = {s.pk for s in dict.fromkeys(collection.files) if locate(s, root) is not None}
    return [
        PlayerEntry(
            stored=stored,
            artists=", ".join(stored.track.artist_names()),
            length=_length(stored.duration or stored.track.duration_ms / 1000),
            stream_url=reverse("delivery:stream", args=[stored.pk]),
            download_url=reverse("delivery:file", args=[stored.pk]),
            lyrics_url=reverse("delivery:lyrics", args=[stored.pk])
            if stored.lyrics == LyricsStatus.SYNCED
            else "",
        )
        for stored in collection.files
        if stored.pk in on_disk
    ]


def _length(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}" if whole else ""


def _links(collection: Collection) -> dict[str, object]:
    """Where the collection's pages are, and what to post to download its missing tracks."""
    kind, target = collection.kind, collection.target
    args = [target] if kind in (Kind.JOB, Kind.PLAYLIST, Kind.ALBUM) else []
    links: dict[str, object] = {
        "kind_label": _KIND_LABELS[kind],
        "job_kind": "" if kind == Kind.JOB else str(kind),
        "job_target": "" if kind == Kind.LIKED else target,
    }
    query: dict[str, str | list[str]] = {"track": target.split()} if kind == Kind.SELECTION else {}
    if collection.audio_format and kind != Kind.JOB:  # a job's ZIP always has its own format
        query["format"] = collection.audio_format
    zip_url = reverse(f"delivery:{kind}_zip", args=args)
    links["zip_url"] = f"{zip_url}?{urlencode(query, doseq=True)}" if query else zip_url
    if kind == Kind.JOB:
        links["job_url"] = reverse("downloads:job", args=args)
    return links


_KIND_LABELS = {
    Kind.JOB: "Download job",
    Kind.PLAYLIST: "Playlist",
    Kind.ALBUM: "Album",
    Kind.LIKED: "Liked Songs",
    Kind.SELECTION: "Selection",
}
