"""Job pages, the queue, the progress stream, and cancel / retry / resume.

Views validate, check ownership (another person's job is a 404), call one service or selector,
and render. Every view needs a signed-in person; LOGIN_URL sends others to the home page.
"""

from __future__ import annotations

from enum import StrEnum

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

from downloads import job_queue, preferences, selectors, services
from downloads.forms import JobCreateForm
from downloads.models import Job
from downloads.progress import BadSince, job_stream, since_parse
from downloads.selectors import ItemFilter, JobFilter, TargetNotFound
from downloads.worker_presence import NO_WORKER_WORDS, no_live_worker_for
from library.roles import is_admin
from spotifydl.auth import request_user
from spotifydl.paging import TRACKS_PER_PAGE

JOBS_PER_PAGE = 50
CANCELLING = "Cancelling: downloads stop within a couple of seconds."


def _choice[E: StrEnum](enum: type[E], value: str | None, default: E) -> E:
    try:
        return enum(value or default)
    except ValueError:
        return default


def _job(request: HttpRequest, pk: int) -> Job:
    try:
        return selectors.job_for(user=request_user(request), job_id=pk)
    except Job.DoesNotExist:
        raise Http404("No such job") from None


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    which = _choice(JobFilter, request.GET.get("show"), JobFilter.ALL)
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
    """The job's counters and bar, and its tracks a page at a time (a tab per state), so the
    page weighs the same at 10,000 tracks as at 100."""
    job = _job(request, pk)
    which = _choice(ItemFilter, request.GET.get("show"), ItemFilter.ALL)
    page = Paginator(selectors.job_items(job=job, which=which), TRACKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "downloads/job_detail.html",
        {
            "job": job,
            "page": page,
            "items": page.object_list,
            "which": which,
            "tabs": [(tab, tab.size_in(job)) for tab in ItemFilter],
            "rendered_at": timezone.now(),
            "no_worker": no_live_worker_for(job=job),
            "no_worker_words": NO_WORKER_WORDS,
        },
    )


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Every active job of the person (an admin: of everyone) with speed, size and ETA; htmx
    polls it for the table alone."""
    user = request_user(request)
    context = {"entries": job_queue.queue_for(user=user), "everyone": is_admin(user)}
    if getattr(request, "htmx", False):
        return render(request, "downloads/_queue.html", context)
    return render(request, "downloads/queue.html", context)


@never_cache
@login_required
@require_GET
async def job_events(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Server-Sent Events for one job (see downloads.progress)."""
    user = await request.auser()
    if not await Job.objects.filter(pk=pk, owner_id=user.pk).aexists():
        raise Http404("No such job")
    # A reconnecting EventSource says where it got to; else the page says when it was drawn.
    since_text = request.headers.get("Last-Event-ID") or request.GET.get("since", "")
    try:
        since = since_parse(since_text, now=timezone.now())
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
    if job.status in Job.FINISHED:
        return _after_action(request, job, "Cancelled.")
    return _after_action(request, job, CANCELLING, while_active=True)


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    count = services.job_retry(job=job)
    text = f"Retrying {count} track{'s' if count != 1 else ''}." if count else "Nothing to retry."
    return _after_action(request, job, text)


@login_required
@require_POST
def job_resume(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    count = services.job_resume(job=job, user=request_user(request))
    text = f"Resuming {count} track{'s' if count != 1 else ''}." if count else "Nothing to resume."
    return _after_action(request, job, text)


def _after_action(
    request: HttpRequest, job: Job, text: str, *, while_active: bool = False
) -> HttpResponse:
    """htmx swaps the job's controls in place and, when the job runs (again), tells the page to
    listen to its progress again; without JavaScript, back to the job page."""
    if getattr(request, "htmx", False):
        job.refresh_from_db()
        context = {"job": job, "note": text, "note_while_active": while_active}
        response = render(request, "downloads/_job_controls.html", context)
        if job.is_active:
            response["HX-Trigger"] = "job-active"
        return response
    messages.info(request, text)
    return redirect("downloads:job", pk=job.pk)
