"""Subscriptions: keep a playlist or Liked Songs in sync; list, sync now, stop."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.http.request import QueryDict
from ninja import Router, Status

from downloads.models import Subscription
from downloads.sync import selectors, services
from downloads.sync.forms import SubscribeForm, source_value
from spotifydl.api import schemas
from spotifydl.api.auth import person
from spotifydl.api.errors import BadRequest
from spotifydl.api.paging import form_words

router = Router(tags=["subscriptions"])


def _subscription(request: HttpRequest, subscription_id: int) -> Subscription:
    try:
        return selectors.subscription_for(person(request), subscription_id)
    except Subscription.DoesNotExist:
        raise Http404("No such subscription") from None


@router.get("/subscriptions", response=schemas.answers({200: list[schemas.Subscription]}))
def subscription_list(request: HttpRequest) -> list[Subscription]:
    return list(selectors.subscriptions_for(person(request)))


@router.post(
    "/subscriptions",
    response=schemas.answers({201: schemas.Subscription, 200: schemas.Subscription}),
)
def subscription_create(request: HttpRequest, body: schemas.SubscriptionIn) -> Status[Subscription]:
    """`source` is `liked` or `playlist` (with the playlist's id in `target`); an existing
    subscription gets the new format and schedule (200)."""
    user = person(request)
    data = QueryDict(mutable=True)
    data.update(
        {
            "what": source_value(body.source, body.target),
            "audio_format": body.audio_format,
            "schedule": body.schedule,
        }
    )
    form = SubscribeForm(data, owner=user)
    if not form.is_valid():
        raise BadRequest(form_words(form.errors))
    cleaned: dict[str, Any] = form.cleaned_data
    try:
        subscription, created = services.subscription_create(
            owner=user,
            source=cleaned["source"],
            target_id=cleaned["target_id"],
            audio_format=cleaned["audio_format"],
            schedule=cleaned["schedule"],
        )
    except selectors.SourceNotFound as exc:
        raise BadRequest(str(exc)) from None
    return Status(201 if created else 200, subscription)


@router.post("/subscriptions/{subscription_id}/sync", response=schemas.answers({200: schemas.Done}))
def subscription_sync(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    subscription = _subscription(request, subscription_id)
    _run, created = services.subscription_sync_enqueue(subscription=subscription)
    text = (
        "Syncing: the result appears in a moment."
        if created
        else "A sync of this subscription is already on its way."
    )
    return {"detail": text, "count": int(created)}


@router.delete("/subscriptions/{subscription_id}", response=schemas.answers({204: None}))
def subscription_delete(request: HttpRequest, subscription_id: int) -> Status[None]:
    services.subscription_delete(subscription=_subscription(request, subscription_id))
    return Status(204, None)
