"""Downloads: start one (the form's targets and formats), its status and items, cancel, retry,
resume. The same form, services and selectors as the job pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.http.request import QueryDict
from ninja import Router, Status

from downloads import preferences, selectors, services
from downloads.failures import Viewer, failure_viewer, item_failure_note
from downloads.forms import JobCreateForm
from downloads.models import Job, JobItem
from spotifydl.api import schemas
from spotifydl.api.auth import person
from spotifydl.api.errors import BadRequest
from spotifydl.api.library import track_out
from spotifydl.api.paging import form_words, page_of, paged

router = Router(tags=["jobs"])


def _job(request: HttpRequest, job_id: int) -> Job:
    try:
        return selectors.job_for(user=person(request), job_id=job_id)
    except Job.DoesNotExist:
        raise Http404("No such job") from None


def item_out(item: JobItem, viewer: Viewer) -> dict[str, Any]:
    note = item_failure_note(
        status=item.status, kind=item.error_kind, error=item.error, item_id=item.pk, viewer=viewer
    )
    step = note.step if note else None
    return {
        "id": item.pk,
        "position": item.position,
        "track": track_out(item.track),
        "status": item.status,
        "stage": item.stage,
        "progress": 100 if item.status == JobItem.Status.DONE else item.progress,
        "error": item.error,
        "next_step": {"text": step.text, "url": step.url} if step else None,
        "file_id": item.stored_file_id,
    }


@router.get("/jobs", response=schemas.answers({200: schemas.JobPage}))
def job_list(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    found = page_of(selectors.jobs_for(user=person(request)), page)
    return paged(found, list(found.object_list))


@router.post("/jobs", response=schemas.answers({201: schemas.Job, 400: schemas.Error}))
def job_start(request: HttpRequest, body: schemas.JobIn) -> Status[Job]:
    """What the job form takes: a Spotify link or URI in `target`, or `kind` liked / library
    (or a bare id with its kind); `audio_format` defaults to the person's own."""
    user = person(request)
    data = QueryDict(mutable=True)
    data.update(
        {
            "kind": body.kind,
            "target": body.target,
            "audio_format": body.audio_format or preferences.default_format_for(user_id=user.pk),
        }
    )
    form = JobCreateForm(data)
    if not form.is_valid():
        raise BadRequest(form_words(form.errors))
    try:
        job = services.job_start(
            owner=user,
            kind=form.cleaned_data["kind"],
            target_id=form.cleaned_data["target_id"],
            audio_format=form.cleaned_data["audio_format"],
        )
    except selectors.TargetNotFound as exc:
        raise BadRequest(str(exc)) from None
    return Status(201, job)


@router.get("/jobs/{job_id}", response=schemas.answers({200: schemas.Job}))
def job_detail(request: HttpRequest, job_id: int) -> Job:
    return _job(request, job_id)


@router.get("/jobs/{job_id}/items", response=schemas.answers({200: schemas.ItemPage}))
def job_items(request: HttpRequest, job_id: int, page: int = 1) -> dict[str, Any]:
    found = page_of(selectors.job_items(job=_job(request, job_id)), page)
    user = person(request)
    viewer = failure_viewer(user_id=user.pk, is_admin=user.is_staff)
    return paged(found, [item_out(item, viewer) for item in found.object_list])


@router.post("/jobs/{job_id}/cancel", response=schemas.answers({200: schemas.Done}))
def job_cancel(request: HttpRequest, job_id: int) -> dict[str, Any]:
    services.job_cancel(job=_job(request, job_id))
    return {"detail": "Cancelling: downloads stop within a couple of seconds."}


@router.post("/jobs/{job_id}/retry", response=schemas.answers({200: schemas.Done}))
def job_retry(request: HttpRequest, job_id: int) -> dict[str, Any]:
    count = services.job_retry(job=_job(request, job_id))
    text = f"Retrying {count} track{'s' if count != 1 else ''}." if count else "Nothing to retry."
    return {"detail": text, "count": count}


@router.post("/jobs/{job_id}/resume", response=schemas.answers({200: schemas.Done}))
def job_resume(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """A paused job now, or a cancelled one with the tracks its cancel left undone."""
    count = services.job_resume(job=_job(request, job_id), user=person(request))
    text = f"Resuming {count} track{'s' if count != 1 else ''}." if count else "Nothing to resume."
    return {"detail": text, "count": count}
