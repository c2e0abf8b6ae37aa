"""Notification settings: a person's own (on /settings/) and the installation's (the admin's).

Each form posts here, calls one service and goes back to its settings page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from spotifydl.auth import admin_required, request_user
from spotifydl.notifications.forms import ChannelForm
from spotifydl.notifications.services import channel_of, channel_test, channel_update


def _save(request: HttpRequest, owner_id: int | None, page: str) -> HttpResponse:
    form = ChannelForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Notifications not saved: {error}")
        return redirect(page)
    channel_update(
        owner_id=owner_id, urls=form.cleaned_data["urls"], kinds=form.cleaned_data["kinds"]
    )
    messages.success(request, "Notification settings saved.")
    return redirect(page)


def _test(request: HttpRequest, owner_id: int | None, page: str) -> HttpResponse:
    channel = channel_of(owner_id=owner_id)
    if not channel.pk or not channel.url_list():
        messages.error(request, "Save an Apprise URL first.")
        return redirect(page)
    channel_test(channel=channel)
    messages.success(request, "A test is on its way; any failure shows here on your next visit.")
    return redirect(page)


@login_required
@require_POST
def personal_save(request: HttpRequest) -> HttpResponse:
    return _save(request, request_user(request).pk, "household:preferences")


@login_required
@require_POST
def personal_test(request: HttpRequest) -> HttpResponse:
    return _test(request, request_user(request).pk, "household:preferences")


@admin_required
@require_POST
def installation_save(request: HttpRequest) -> HttpResponse:
    return _save(request, None, "household:installation")


@admin_required
@require_POST
def installation_test(request: HttpRequest) -> HttpResponse:
    return _test(request, None, "household:installation")
