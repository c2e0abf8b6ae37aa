"""Input on the admin page besides the download settings: sign-in policy, invitations, roles."""

from __future__ import annotations

from django import forms

from library.models import SignInPolicy
from library.models.fields import LONG_TEXT


class SignInPolicyForm(forms.ModelForm[SignInPolicy]):
    class Meta:
        model = SignInPolicy
        fields = ["invite_only"]


class InviteForm(forms.Form):
    identifier = forms.CharField(
        max_length=LONG_TEXT,
        label="Spotify user id or display name",
        help_text="Their id is the last part of their profile link (open.spotify.com/user/<id>).",
    )

    def clean_identifier(self) -> str:
        value = str(self.cleaned_data["identifier"]).strip()
        if not value:
            raise forms.ValidationError("Type their Spotify user id or display name.")
        return value


class RoleForm(forms.Form):
    admin = forms.BooleanField(required=False)
