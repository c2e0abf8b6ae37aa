"""Input for sync: what to subscribe to (with format and schedule), and changing a subscription."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from downloads import preferences
from downloads.models import AudioFormat, Subscription
from downloads.sync import selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PLAYLIST_PREFIX = f"{Subscription.Source.PLAYLIST}:"


def source_value(source: str, target_id: str = "") -> str:
    """How a source travels in a form: "liked", "albums" or "playlist:<Spotify id>"."""
    return f"{PLAYLIST_PREFIX}{target_id}" if source == Subscription.Source.PLAYLIST else source


def source_parse(value: str) -> tuple[str, str]:
    if value.startswith(PLAYLIST_PREFIX):
        return Subscription.Source.PLAYLIST, value.removeprefix(PLAYLIST_PREFIX)
    return value, ""


class SubscribeForm(forms.Form):
    """The subscriptions page's form; a bare "Keep in sync" button posts only `what`.

    Without a format or schedule, the person's defaults apply (downloads.preferences).
    """

    what = forms.ChoiceField(label="Keep in sync")
    audio_format = forms.ChoiceField(choices=AudioFormat.choices, label="Format", required=False)
    schedule = forms.ChoiceField(
        choices=Subscription.Schedule.choices, label="Sync", required=False
    )

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        field = self.fields["what"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (source_value(source, target_id), title)
            for source, target_id, title in selectors.source_options(user=owner)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "what" in data:
            data["source"], data["target_id"] = source_parse(data["what"])
        owner_id = self.owner.pk
        data["audio_format"] = data.get("audio_format") or preferences.default_format_for(
            user_id=owner_id
        )
        data["schedule"] = data.get("schedule") or preferences.sync_schedule_for(user_id=owner_id)
        return data


class SubscriptionForm(forms.ModelForm[Subscription]):
    class Meta:
        model = Subscription
        fields = ["audio_format", "schedule"]
        labels = {"audio_format": "Format", "schedule": "Sync"}
        help_texts = {"audio_format": "Applies to tracks downloaded from the next sync on."}
