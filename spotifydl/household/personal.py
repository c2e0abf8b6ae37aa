"""A person's own settings page: their defaults and cookies, and the installation's settings
they live with, read-only, with whom to ask about them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from downloads import preferences
from downloads.forms import PreferencesForm
from downloads.models import DownloadSettings
from downloads.pipeline.store import DEFAULT_TEMPLATE
from library.roles import admin_contact_name
from spotifydl.auth import request_user
from spotifydl.notifications.forms import ChannelForm
from spotifydl.notifications.services import channel_of


def notification_context(*, owner_id: int | None) -> dict[str, Any]:
    """What the notifications part of a settings page shows (a person's, or the installation's)."""
    channel = channel_of(owner_id=owner_id)
    personal = owner_id is not None
    return {
        "notify_channel": channel,
        "notify_form": ChannelForm.for_channel(channel),
        "notify_heading": "My notifications" if personal else "Installation notifications",
        "notify_save_url": reverse(
            "household:notifications" if personal else "household:installation_notifications"
        ),
        "notify_test_url": reverse(
            "household:notifications_test"
            if personal
            else "household:installation_notifications_test"
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def preferences_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    config = DownloadSettings.load()
    form = PreferencesForm(
        request.POST or None,
        request.FILES or None,
        instance=preferences.preferences_of(user_id=user.pk),
        installation_format=config.default_format,
    )
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        preferences.preferences_update(
            user=user,
            default_format=data["default_format"],
            sync_schedule=data["sync_schedule"],
            playlist_files=data["playlist_files"],
            lyrics=data["lyrics"] or None,
            cookies_data=data["cookies_file"],
            clear_cookies=data["clear_cookies"],
        )
        messages.success(request, "Your settings are saved.")
        return redirect("household:preferences")
    context = {
        "form": form,
        "prefs": form.instance,
        "config": config,
        "path_template": config.path_template or DEFAULT_TEMPLATE,
        "ask": admin_contact_name(),
        **notification_context(owner_id=user.pk),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "spotifydl/preferences.html", context, status=status)
