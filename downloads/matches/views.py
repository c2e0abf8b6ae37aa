"""Match pages: how a track's upload was chosen, and choosing another one.

Thin: check ownership through the selectors (another person's item, or a track outside the
person's library and jobs, is a 404), validate with the form, call one service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from downloads.matches import selectors, services
from downloads.matches.forms import PinForm
from downloads.matches.selectors import MatchPage
from downloads.models import JobItem
from library.models import Track
from spotifydl.auth import request_user


def _track(user: User, spotify_id: str) -> Track:
    try:
        return selectors.track_for(user=user, spotify_id=spotify_id)
    except Track.DoesNotExist:
        raise Http404("No such track") from None


def _item(user: User, pk: int) -> JobItem:
    try:
        return selectors.item_for(user=user, item_id=pk)
    except JobItem.DoesNotExist:
        raise Http404("No such item") from None


def _posted_item(request: HttpRequest, user: User, track: Track) -> JobItem | None:
    """The item page a form was posted from, when it was one (it must be this track's)."""
    raw = request.POST.get("item", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("No such item")
    item = _item(user, int(raw))
    if item.track_id != track.pk:
        raise Http404("No such item")
    return item


def _form(page: MatchPage, data: QueryDict | None = None) -> PinForm:
    return PinForm(
        data,
        initial={"audio_format": page.audio_format},
        candidates={row.candidate.id: row.candidate for row in page.rows},
    )


def _render(
    request: HttpRequest, page: MatchPage, form: PinForm, status: int = 200
) -> HttpResponse:
    return render(request, "matches/match.html", {"page": page, "form": form}, status=status)


@login_required
@require_GET
def item_match(request: HttpRequest, pk: int) -> HttpResponse:
    """The match page of one item of one of the person's jobs."""
    user = request_user(request)
    item = _item(user, pk)
    page = selectors.match_page(user=user, track=item.track, item=item)
    return _render(request, page, _form(page))


@login_required
@require_GET
def track_match(request: HttpRequest, spotify_id: str) -> HttpResponse:
    """The match page of a track of the person's library or jobs."""
    user = request_user(request)
    page = selectors.match_page(user=user, track=_track(user, spotify_id))
    return _render(request, page, _form(page))


@login_required
@require_POST
def track_pin(request: HttpRequest, spotify_id: str) -> HttpResponse:
    """Pin the track to another candidate or a pasted link, and download it again."""
    user = request_user(request)
    track = _track(user, spotify_id)
    page = selectors.match_page(user=user, track=track, item=_posted_item(request, user, track))
    form = _form(page, request.POST)
    if form.is_valid():
        try:
            override = services.track_override(
                track=track,
                url_or_candidate=form.cleaned_data["choice"],
                user=user,
                audio_format=form.cleaned_data["audio_format"],
                everyone=form.cleaned_data["everyone"],
            )
        except ValueError as exc:  # PinError / LinkError: plain words for the person
            form.add_error(None, str(exc))
        else:
            whom = "for everyone" if override.pin.is_installation_wide else "for you"
            messages.success(
                request,
                f"“{track.name}” is now pinned to {override.pin.video_id} {whom}. "
                "Downloading it again.",
            )
            return redirect("downloads:job", pk=override.job.pk)
    return _render(request, page, form, status=400)


@login_required
@require_POST
def track_unpin(request: HttpRequest, spotify_id: str) -> HttpResponse:
    """Remove the track's pin: later downloads search and match again."""
    user = request_user(request)
    track = _track(user, spotify_id)
    item = _posted_item(request, user, track)
    everyone = request.POST.get("everyone") == "on"
    if services.track_unpin(track=track, user=user, everyone=everyone):
        messages.success(
            request,
            f"The pin of “{track.name}” is removed: new downloads of it are matched "
            "automatically again. Files on disk stay as they are.",
        )
    else:
        messages.info(request, f"You had no pin of “{track.name}” to remove.")
    if item is not None:
        return redirect("matches:item", pk=item.pk)
    return redirect("matches:track", spotify_id=track.spotify_id)
