"""Input on the match pages: another candidate from the list, or a pasted YouTube link."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from downloads.matches.links import MAX_LINK_LENGTH, LinkError, parse_youtube_link
from downloads.models import AudioFormat
from downloads.pipeline.types import Candidate

BOTH = "Choose one of the listed uploads or paste a link, not both."
NEITHER = "Choose one of the listed uploads, or paste a YouTube or YouTube Music link."
UNKNOWN_CANDIDATE = (
    "That upload is no longer among this track's search results. Reload the page and choose again."
)


class YouTubeLinkField(forms.CharField):
    """A YouTube / YouTube Music video link; cleans to the canonical watch URL of its video."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_LINK_LENGTH)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        try:
            return parse_youtube_link(text).canonical_url
        except LinkError as exc:
            raise forms.ValidationError(str(exc), code="invalid_link") from exc


class PinForm(forms.Form):
    """What the "Use this one" buttons and the link box post.

    `candidates` are the ranked candidates the page showed (by id): a posted id must be one of
    them, so nothing but the stored search results and validated links can become a pin.
    """

    candidate = forms.CharField(required=False, max_length=200)
    link = YouTubeLinkField(
        required=False,
        widget=forms.TextInput(
            attrs={
                "inputmode": "url",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": "https://www.youtube.com/watch?v=…",
            }
        ),
        label="YouTube or YouTube Music link",
        help_text="For example https://www.youtube.com/watch?v=… , https://youtu.be/… or "
        "https://music.youtube.com/watch?v=…",
    )
    audio_format = forms.ChoiceField(choices=AudioFormat.choices, label="Format")
    everyone = forms.BooleanField(
        required=False, label="For everyone (admin): people without a pin of their own use it"
    )

    def __init__(self, *args: Any, candidates: Mapping[str, Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        candidate_id, link = data.get("candidate") or "", data.get("link") or ""
        if "link" in self.errors:
            return data
        if candidate_id and link:
            raise forms.ValidationError(BOTH)
        if link:
            data["choice"] = link
        elif candidate_id:
            if candidate_id not in self.candidates:
                raise forms.ValidationError(UNKNOWN_CANDIDATE)
            data["choice"] = self.candidates[candidate_id]
        else:
            raise forms.ValidationError(NEITHER)
        return data
