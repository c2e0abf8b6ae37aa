"""The admin's page: installation-wide download settings, who may sign in, who is an admin.

Every view here is behind `admin_required` (403 for anyone else, GET or POST). Each form posts
to its own endpoint, which calls one service and comes back to the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from downloads import services, youtube_gate
from downloads.forms import DownloadSettingsForm
from downloads.models import DownloadSettings
from downloads.pipeline.fetch.freshness import ytdlp_age
from library import admission, roles
from library.models import AllowedAccount, SignInPolicy
from spotifydl.auth import admin_required, request_user
from spotifydl.household.forms import InviteForm, RoleForm, SignInPolicyForm
from spotifydl.household.personal import notification_context


def _page(
    request: HttpRequest,
    *,
    settings_form: DownloadSettingsForm | None = None,
    invite_form: InviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    config = DownloadSettings.load()
    context: dict[str, Any] = {
        "form": settings_form or DownloadSettingsForm(instance=config),
        "config": config,
        "ytdlp_notice": ytdlp_age().notice,
        "gate": youtube_gate.gate_overview(),
        "policy_form": SignInPolicyForm(instance=SignInPolicy.load()),
        "invite_form": invite_form or InviteForm(),
        "invited": AllowedAccount.objects.all(),
        "invited_count": admission.invited_count(),
        "cap": admission.DEVELOPMENT_MODE_CAP,
        "people": roles.people(),
        "admin_count": roles.admins().count(),
        **notification_context(owner_id=None),
    }
    return render(request, "spotifydl/installation.html", context, status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def installation_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    form = DownloadSettingsForm(request.POST, request.FILES, instance=DownloadSettings.load())
    if not form.is_valid():
        return _page(request, settings_form=form, status=400)
    data: dict[str, Any] = form.cleaned_data
    services.download_settings_update(
        default_format=data["default_format"],
        path_template=data["path_template"],
        concurrency=data["concurrency"],
        sync_prune_files=data["sync_prune_files"],
        cookies=data["cookies_file"],
        clear_cookies=data["clear_cookies"],
    )
    messages.success(request, "Download settings saved.")
    return redirect("household:installation")


@admin_required
@require_POST
def sign_in_policy(request: HttpRequest) -> HttpResponse:
    form = SignInPolicyForm(request.POST)
    if form.is_valid():
        invite_only = bool(form.cleaned_data["invite_only"])
        admission.sign_in_policy_update(invite_only=invite_only)
        text = "Only invited people may sign in." if invite_only else "Anyone may sign in now."
        messages.success(request, text)
    return redirect("household:installation")


@admin_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _page(request, invite_form=form, status=400)
    entry = admission.allowed_account_add(
        identifier=form.cleaned_data["identifier"], added_by=request_user(request)
    )
    messages.success(request, f"{entry.identifier} may sign in.")
    return redirect("household:installation")


@admin_required
@require_POST
def uninvite(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(AllowedAccount, pk=pk)
    admission.allowed_account_remove(entry_id=entry.pk)
    messages.success(request, f"{entry.identifier} may no longer sign in.")
    return redirect("household:installation")


@admin_required
@require_POST
def person_role(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id, spotify_account__isnull=False)
    form = RoleForm(request.POST)
    if not form.is_valid():  # pragma: no cover - a checkbox cannot be invalid
        raise Http404
    make_admin = bool(form.cleaned_data["admin"])
    try:
        roles.admin_set(user=person, admin=make_admin)
    except roles.LastAdminError as exc:
        messages.error(request, str(exc))
    else:
        name = person.first_name or person.get_username()
        messages.success(
            request, f"{name} is an admin now." if make_admin else f"{name} is no longer an admin."
        )
    return redirect("household:installation")
