"""The notification settings of a person, or of the installation."""

from __future__ import annotations

from typing import Any

from django import forms

from spotifydl.notifications.models import Kind


class ChannelForm(forms.Form):
    urls = forms.CharField(
        required=False,
        label="Apprise URLs",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "ntfys://ntfy.sh/my-topic"}),
        help_text="One a line: any service Apprise knows (ntfy, Gotify, Discord, Telegram, "
        "mailto://, json:// webhooks...). Empty: no notifications.",
    )
    kinds = forms.MultipleChoiceField(
        required=False,
        label="Tell me when",
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_urls(self) -> str:
        import apprise  # heavy: only a saved form pays for it

        text: str = self.cleaned_data.get("urls") or ""
        wrong = [
            line.split("://")[0] + "://…"
            for line in (raw.strip() for raw in text.splitlines())
            if line and not apprise.Apprise().add(line)
        ]
        if wrong:
            raise forms.ValidationError(f"Apprise does not understand: {', '.join(wrong)}")
        return text

    @classmethod
    def for_channel(cls, channel: Any) -> ChannelForm:
        return cls(initial={"urls": channel.urls, "kinds": list(channel.kinds or [])})
