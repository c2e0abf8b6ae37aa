"""Files: one file's metadata and bytes (with ranges), and a ZIP of a job, playlist, album or
Liked Songs, built and streamed by downloads.delivery exactly as for the pages."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponseBase
from ninja import Router

from downloads.delivery import selectors
from downloads.delivery.files import content_disposition, content_type_for, download_name, locate
from downloads.delivery.ranges import file_response
from downloads.delivery.views import COVERS_FOLDER
from downloads.delivery.zipstream import archive_response, build_archive
from downloads.models import StoredFile
from downloads.pipeline.store import music_root
from spotifydl.api import schemas
from spotifydl.api.auth import person

router = Router(tags=["files"])


def file_out(stored: StoredFile) -> dict[str, Any]:
    return {
        "id": stored.pk,
        "track": stored.track.spotify_id,
        "audio_format": stored.audio_format,
        "path": stored.path,
        "size": stored.size or None,
    }


def _stored(user: Any, file_id: int) -> StoredFile:
    try:
        return selectors.stored_file_for(user=user, pk=file_id)
    except StoredFile.DoesNotExist:
        raise Http404("No such file") from None


@router.get("/files/{file_id}", response=schemas.answers({200: schemas.File}))
def file_detail(request: HttpRequest, file_id: int) -> dict[str, Any]:
    return file_out(_stored(person(request), file_id))


@router.get("/files/{file_id}/download", openapi_extra=schemas.AUDIO)
async def file_download(request: HttpRequest, file_id: int) -> HttpResponseBase:
    stored = await sync_to_async(_stored)(person(request), file_id)
    path = await asyncio.to_thread(locate, stored, music_root())
    if path is None:
        raise Http404("The file is not on disk")
    name = download_name(stored, await sync_to_async(stored.track.artist_names)())
    return await file_response(
        request,
        path,
        content_type=content_type_for(path),
        disposition=content_disposition("attachment", name),
    )


@router.get("/zip/{kind}/{target}", openapi_extra=schemas.ZIP)
async def collection_zip(
    request: HttpRequest, kind: selectors.Kind, target: str, format: str = ""
) -> HttpResponseBase:
    """`kind`: job (target: its id), playlist or album (their Spotify ids), liked (target `-`)."""
    try:
        collection = await sync_to_async(selectors.collection_for)(
            user=person(request),
            kind=kind,
            target="" if target == "-" else target,
            audio_format=format,
        )
    except selectors.NotInLibrary:
        raise Http404("Not in your library") from None
    covers = Path(settings.DATA_DIR) / COVERS_FOLDER
    archive = await asyncio.to_thread(build_archive, collection, root=music_root(), covers=covers)
    if archive is None:
        raise Http404("Nothing of this is downloaded yet.")
    return archive_response(archive, collection.title, head=request.method == "HEAD")
