"""Job pages, the progress stream, and cancel / retry.

Views validate, check ownership (another person's job is a 404), call one service or selector,
and render. Every view needs a signed-in person; LOGIN_URL sends others to the home page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from downloads import preferences, selectors, services
from downloads.forms import JobCreateForm
from downloads.models import Job
from downloads.progress import BadSince, job_stream, since_parse
from downloads.selectors import JobFilter, TargetNotFound
from downloads.worker_presence import NO_WORKER_WORDS, no_live_worker_for
from spotifydl.auth import request_user

JOBS_PER_PAGE = 50


def _job(request: HttpRequest, pk: int) -> Job:
    try:
        return selectors.job_for(user=request_user(request), job_id=pk)
    except Job.DoesNotExist:
        raise Http404("No such job") from None


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    try:
        which = JobFilter(request.GET.get("show", JobFilter.ALL))
    except ValueError:
        which = JobFilter.ALL
    page = Paginator(
        selectors.jobs_for(user=request_user(request), which=which), JOBS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "downloads/job_list.html",
        {"page": page, "jobs": page.object_list, "which": which, "filters": list(JobFilter)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def job_new(request: HttpRequest) -> HttpResponse:
    """The job-creation form; browse pages post the same fields (kind, target, audio_format)."""
    if request.method == "POST":
        form = JobCreateForm(request.POST)
        if form.is_valid():
            try:
                job = services.job_start(
                    owner=request_user(request),
                    kind=form.cleaned_data["kind"],
                    target_id=form.cleaned_data["target_id"],
                    audio_format=form.cleaned_data["audio_format"],
                )
            except TargetNotFound as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("downloads:job", pk=job.pk)
        status = 400
    else:
        initial = {
            "audio_format": preferences.default_format_for(user_id=request_user(request).pk),
            "kind": request.GET.get("kind", ""),
            "target": request.GET.get("target", ""),
        }
        form = JobCreateForm(initial=initial)
        status = 200
    return render(request, "downloads/job_new.html", {"form": form}, status=status)


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        job = selectors.job_with_items(user=request_user(request), job_id=pk)
    except Job.DoesNotExist:
        raise Http404("No such job") from None
    return render(
        request,
        "downloads/job_detail.html",
        {
            "job": job,
            "items": job.items.all(),
            "rendered_at": timezone.now(),
            "no_worker": no_live_worker_for(job=job),
            "no_worker_words": NO_WORKER_WORDS,
        },
    )


@never_cache
@login_required
@require_GET
async def job_events(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Server-Sent Events for one job (see downloads.progress)."""
    user = await request.auser()
    if not await Job.objects.filter(pk=pk, owner_id=user.pk).aexists():
        raise Http404("No such job")
    try:
        since = since_parse(request.GET.get("since", ""), now=timezone.now())
    except BadSince as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(job_stream(pk, since=since), content_type="text/event-stream")
    # Proxies (nginx) must pass each event on at once instead of buffering the stream.
    response["X-Accel-Buffering"] = "no"
    return response


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    services.job_cancel(job=job)
    return _after_action(request, job, "Cancelling: downloads stop within a couple of seconds.")


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    count = services.job_retry(job=job)
    text = f"Retrying {count} track{'s' if count != 1 else ''}." if count else "Nothing to retry."
    return _after_action(request, job, text)


def _after_action(request: HttpRequest, job: Job, text: str) -> HttpResponse:
    """htmx swaps the job's controls in place; without JavaScript, back to the job page."""
    if getattr(request, "htmx", False):
        job.refresh_from_db()
        return render(request, "downloads/_job_controls.html", {"job": job, "note": text})
    messages.info(request, text)
    return redirect("downloads:job", pk=job.pk)
