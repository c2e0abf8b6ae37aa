"""Files, streams, ZIPs and player pages. Thin: check ownership through the selectors, locate
files under MUSIC_ROOT, build the response. Another person's anything is a 404, never a 403.
"""

from __future__ import annotations

import asyncio
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
from downloads.delivery.files import (
    content_disposition,
    content_type_for,
    download_name,
    locate,
    present,
)
from downloads.delivery.player import player_page
from downloads.delivery.ranges import file_response
from downloads.delivery.selectors import Collection, Kind, NotInLibrary, Queue
from downloads.delivery.zipstream import archive_response, build_archive
from downloads.models import StoredFile
from downloads.pipeline.lyrics import lrc_path
from downloads.pipeline.store import music_root
from downloads.selectors import job_for
from spotifydl.auth import signed_in

# Where the pipeline caches album covers (the worker uses the same folder).
COVERS_FOLDER = "covers"
# The query parameter that asks for a ZIP of only what is on disk, without the question first.
PARTIAL = "partial"


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
    """The ZIP at once when every track is on disk (or the person chose a partial one); else a
    page that says how many are there and offers to download the rest first."""
    root = music_root()
    on_disk = len(await asyncio.to_thread(present, collection.files, root))
    links = _links(collection)
    if 0 < on_disk < collection.track_count and request.GET.get(PARTIAL) != "1":
        context = {"collection": collection, "on_disk": on_disk, **links}
        context["partial_zip_url"] = _with_query(str(links["zip_url"]), {PARTIAL: "1"})
        if collection.kind == Kind.JOB:  # the rest is the job's own: resume or retry it
            user = signed_in(await request.auser())
            job_id = int(collection.target)
            context["job"] = await sync_to_async(job_for)(user=user, job_id=job_id)
        return await sync_to_async(render)(request, "delivery/zip_partial.html", context)
    covers = Path(settings.DATA_DIR) / COVERS_FOLDER
    archive = await asyncio.to_thread(build_archive, collection, root=root, covers=covers)
    if archive is None:
        context = {"collection": collection, **links}
        return await sync_to_async(render)(request, "delivery/nothing.html", context)
    return archive_response(archive, collection.title, head=request.method == "HEAD")


# --- the player ---------------------------------------------------------------------------------


@login_required
@require_safe
def player(request: HttpRequest, kind: str, target: str | int = "") -> HttpResponse:
    try:
        collection = selectors.queue_for(
            user=signed_in(request.user),
            kind=Kind(kind),
            target=str(target),
            audio_format=request.GET.get("format", ""),
        )
    except NotInLibrary:
        raise Http404("Not in your library") from None
    shown = player_page(collection, root=music_root(), number=request.GET.get("page"))
    links = _links(collection)
    context = {"collection": collection, "shown": shown, "entries": shown.entries, **links}
    context["page_url"] = _with_query(str(links["player_url"]), {"page": ""})
    return render(request, "delivery/player.html", context)


def _links(collection: Collection | Queue) -> dict[str, object]:
    """Where the collection's pages are, and what to post to download its missing tracks (a
    job's own page resumes or retries it)."""
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
    links["zip_url"] = _with_query(reverse(f"delivery:{kind}_zip", args=args), query)
    if kind != Kind.SELECTION:
        links["player_url"] = _with_query(reverse(f"delivery:{kind}_player", args=args), query)
    if kind == Kind.JOB:
        links["job_url"] = reverse("downloads:job", args=args)
    return links


def _with_query(url: str, query: dict[str, str | list[str]]) -> str:
    """`url` with `query` appended (`url` may carry a query already); an empty value comes last,
    so that a page number can be written after it."""
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(query, doseq=True)}"


_KIND_LABELS = {
    Kind.JOB: "Download job",
    Kind.PLAYLIST: "Playlist",
    Kind.ALBUM: "Album",
    Kind.LIKED: "Liked Songs",
    Kind.SELECTION: "Selection",
}
