"""Subscription pages: the list with the subscribe form, one subscription with its syncs, and
the subscribe / change / sync now / unsubscribe actions (POST with CSRF).

Views validate, check ownership (another person's subscription is a 404) and call one service
or selector. Every view needs a signed-in person; LOGIN_URL sends others to the home page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from downloads import preferences
from downloads.models import Subscription
from downloads.sync import selectors, services
from downloads.sync.forms import SubscribeForm, SubscriptionForm
from spotifydl.auth import request_user


def _subscription(request: HttpRequest, pk: int) -> Subscription:
    try:
        return selectors.subscription_for(user=request_user(request), pk=pk)
    except Subscription.DoesNotExist:
        raise Http404("No such subscription") from None


def _list(request: HttpRequest, form: SubscribeForm, *, status: int = 200) -> HttpResponse:
    subscriptions = selectors.subscriptions_for(user=request_user(request))
    return render(
        request,
        "sync/subscription_list.html",
        {"subscriptions": subscriptions, "form": form},
        status=status,
    )


@login_required
@require_GET
def subscription_list(request: HttpRequest) -> HttpResponse:
    user_id = request_user(request).pk
    initial = {
        "what": request.GET.get("what", ""),
        "audio_format": preferences.default_format_for(user_id=user_id),
        "schedule": preferences.sync_schedule_for(user_id=user_id),
    }
    return _list(request, SubscribeForm(owner=request_user(request), initial=initial))


@login_required
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = SubscribeForm(request.POST, owner=user)
    if form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            subscription, created = services.subscription_create(
                owner=user,
                source=data["source"],
                target_id=data["target_id"],
                audio_format=data["audio_format"],
                schedule=data["schedule"],
            )
        except selectors.SourceNotFound as exc:
            form.add_error(None, str(exc))
        else:
            text = (
                f"Subscribed to {subscription.title}: the first sync is on its way."
                if created
                else f"You already keep {subscription.title} in sync; its settings are updated."
            )
            messages.success(request, text)
            return _back(request, subscription)
    return _list(request, form, status=400)


def _back(request: HttpRequest, subscription: Subscription) -> HttpResponse:
    """To the page that posted (a playlist's "Keep in sync" button), else the subscription."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("sync:subscription", pk=subscription.pk)


def _detail(
    request: HttpRequest, subscription: Subscription, form: SubscriptionForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "sync/subscription_detail.html",
        {
            "subscription": subscription,
            "runs": selectors.subscription_runs(subscription=subscription),
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    return _detail(request, subscription, SubscriptionForm(instance=subscription))


@login_required
@require_GET
def subscription_runs(request: HttpRequest, pk: int) -> HttpResponse:
    """The syncs table alone: the subscription page polls it while a sync waits or runs."""
    subscription = _subscription(request, pk)
    return render(
        request,
        "sync/_runs.html",
        {
            "subscription": subscription,
            "runs": selectors.subscription_runs(subscription=subscription),
        },
    )


@login_required
@require_POST
def subscription_change(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    # A copy: validating writes the new values into the form's instance, and the service
    # compares them with the stored ones.
    form = SubscriptionForm(request.POST, instance=Subscription.objects.get(pk=subscription.pk))
    if not form.is_valid():
        return _detail(request, subscription, form, status=400)
    services.subscription_update(
        subscription=subscription,
        audio_format=form.cleaned_data["audio_format"],
        schedule=form.cleaned_data["schedule"],
    )
    messages.success(request, "Saved.")
    return redirect("sync:subscription", pk=subscription.pk)


@login_required
@require_POST
def sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    _run, created = services.subscription_sync_enqueue(subscription=subscription)
    messages.info(
        request,
        "Syncing: the result appears below in a moment."
        if created
        else "A sync of this subscription is already on its way.",
    )
    return redirect("sync:subscription", pk=subscription.pk)


@login_required
@require_POST
def unsubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    title = subscription.title
    services.subscription_delete(subscription=subscription)
    messages.success(request, f"Unsubscribed from {title}. Its files stay where they are.")
    return redirect("sync:subscriptions")
