"""Input on the disk side: what to download (a Spotify link or a kind), the installation's
settings, and a person's own preferences."""

from __future__ import annotations

import http.cookiejar
import io
import re
import warnings
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from yt_dlp.cookies import YoutubeDLCookieJar

from downloads.models import AudioFormat, DownloadSettings, Job, Preferences
from downloads.path_template import path_template_check
from downloads.pipeline.errors import PathTemplateError
from downloads.pipeline.fetch.cookies import CookiesFileError, check_netscape
from downloads.pipeline.store import DEFAULT_TEMPLATE, validate_template

SPOTIFY_ID = r"[A-Za-z0-9]{1,64}"
# https://open.spotify.com/intl-de/playlist/<id>?si=…, spotify:album:<id>
_URL = re.compile(
    rf"^https?://open\.spotify\.com/(?:intl-[a-z-]+/)?(?:embed/)?"
    rf"(?P<kind>track|album|playlist|artist)/(?P<id>{SPOTIFY_ID})/?(?:[?#].*)?$"
)
_URI = re.compile(rf"^spotify:(?P<kind>track|album|playlist|artist):(?P<id>{SPOTIFY_ID})$")
_BARE = re.compile(rf"^{SPOTIFY_ID}$")
# Words the CLI and the form accept instead of a link.
KEYWORDS = {"liked": Job.Kind.LIKED, "library": Job.Kind.LIBRARY}
MAX_COOKIES_BYTES = 1024 * 1024
MAX_CONCURRENCY = 32
# One page of a track table at most ten times over; a Spotify id and its separator are 23 chars.
MAX_SELECTION = 1000


class TargetError(ValueError):
    """The text is neither a Spotify link, a URI, nor a known word."""


def parse_target(text: str, *, kind: str = "") -> tuple[str, str]:
    """(kind, Spotify id) from a link, a `spotify:` URI, a keyword, or a bare id plus `kind`."""
    text = text.strip()
    if text.lower() in KEYWORDS:
        return KEYWORDS[text.lower()], ""
    for pattern in (_URL, _URI):
        found = pattern.match(text)
        if found:
            return found["kind"], found["id"]
    if kind in (Job.Kind.LIKED, Job.Kind.LIBRARY) and not text:
        return kind, ""
    if kind == Job.Kind.SELECTION:
        ids = text.replace(",", " ").split()
        if ids and all(_BARE.match(i) for i in ids):
            return kind, " ".join(ids)
    elif kind and _BARE.match(text):
        return kind, text
    raise TargetError(
        "Paste a Spotify link (open.spotify.com/…) or URI (spotify:playlist:…), "
        "or choose Liked Songs or Whole library."
    )


class JobCreateForm(forms.Form):
    """What the job-creation page and the browse pages' Download buttons post."""

    kind = forms.ChoiceField(choices=[("", "From the link"), *Job.Kind.choices], required=False)
    target = forms.CharField(
        required=False,
        max_length=MAX_SELECTION * 23,
        label="Spotify link",
        help_text="A playlist, album, track or artist link; leave empty for Liked Songs or "
        "your whole library.",
    )
    audio_format = forms.ChoiceField(choices=AudioFormat.choices, label="Format")

    def __init__(self, data: QueryDict | None = None, **kwargs: Any) -> None:
        # Track tables post their checkboxes as repeated `track` fields, which works without
        # JavaScript; the selection's target is those ids.
        if data is not None and data.get("kind") == Job.Kind.SELECTION and not data.get("target"):
            data = data.copy()
            data["target"] = " ".join(data.getlist("track")[:MAX_SELECTION])
        super().__init__(data, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["kind"], data["target_id"] = parse_target(
                data.get("target", ""), kind=data.get("kind", "")
            )
        except TargetError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


class DownloadSettingsForm(forms.ModelForm[DownloadSettings]):
    cookies_file = forms.FileField(
        required=False,
        label="Cookies file",
        help_text="A Netscape-format cookies.txt of a signed-in YouTube account, for bot and "
        "age checks. Stored privately on the server, never shown or served.",
    )
    clear_cookies = forms.BooleanField(required=False, label="Remove the stored cookies file")

    class Meta:
        model = DownloadSettings
        fields = ["default_format", "path_template", "concurrency", "sync_prune_files"]
        labels = {
            "concurrency": "Downloads at once",
            "sync_prune_files": "Delete files that synced playlists no longer need",
        }
        help_texts = {
            "path_template": f"Empty for the default, {DEFAULT_TEMPLATE}. Fields: {{artist}}, "
            "{artists}, {album_artist}, {album}, {title}, {track}, {disc}, {year}, {isrc}, "
            "{ext}.",
            "concurrency": "Per worker; empty for the server's DOWNLOAD_CONCURRENCY.",
        }

    def clean_path_template(self) -> str:
        template = str(self.cleaned_data.get("path_template") or "").strip()
        if template:
            try:
                validate_template(template)
                path_template_check(template)
            except PathTemplateError as exc:
                raise forms.ValidationError(exc.reason) from exc
        return template

    def clean_concurrency(self) -> int | None:
        value: int | None = self.cleaned_data.get("concurrency")
        if value is not None and not 1 <= value <= MAX_CONCURRENCY:
            raise forms.ValidationError(f"Choose between 1 and {MAX_CONCURRENCY}.")
        return value

    def clean_cookies_file(self) -> bytes | None:
        return cookies_upload_read(self.cleaned_data.get("cookies_file"))


class PreferencesForm(forms.ModelForm[Preferences]):
    """A person's own settings page: their defaults, and their own cookies file if they want."""

    cookies_file = forms.FileField(
        required=False,
        label="My own cookies file",
        help_text="Optional: a Netscape-format cookies.txt of your YouTube account, used for "
        "your downloads only (instead of the installation's). Stored privately on the server, "
        "never shown or served.",
    )
    clear_cookies = forms.BooleanField(required=False, label="Remove my cookies file")

    class Meta:
        model = Preferences
        fields = ["default_format", "sync_schedule", "playlist_files", "lyrics"]
        labels = {"default_format": "My default format"}

    def __init__(self, *args: Any, installation_format: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["default_format"]
        assert isinstance(field, forms.ChoiceField)
        label = AudioFormat(installation_format).label if installation_format else "installation"
        field.choices = [("", f"Same as the installation: {label}"), *AudioFormat.choices]
        # A form without the lyrics choice (older pages, scripts) leaves it as it is.
        self.fields["lyrics"].required = False

    def clean_cookies_file(self) -> bytes | None:
        return cookies_upload_read(self.cleaned_data.get("cookies_file"))


def cookies_upload_read(upload: UploadedFile[bytes] | None) -> bytes | None:
    """The uploaded cookies file's bytes once it is one yt-dlp can use; never echoes it."""
    if upload is None:
        return None
    if upload.size is None or upload.size > MAX_COOKIES_BYTES:
        raise forms.ValidationError("A cookies file is at most 1 MB.")
    data = bytes(upload.read())
    try:
        check_netscape(data)
    except CookiesFileError as exc:
        # The message names the line and what is wrong with it, never its content.
        raise forms.ValidationError(
            f"That is not a Netscape-format cookies file yt-dlp can read: {exc} Export it "
            "again with a cookies.txt browser extension."
        ) from exc
    if not _ytdlp_can_load(data):
        # Never echo the file: its lines hold the account's session cookies.
        raise forms.ValidationError(
            "yt-dlp cannot read this cookies file: some lines break the Netscape format "
            "(often a domain marked for subdomains without a leading dot). Export it again "
            "with a cookies.txt browser extension."
        )
    return data


def _ytdlp_can_load(data: bytes) -> bool:
    """Load the upload with the cookie jar yt-dlp itself uses, so a file it would reject at
    download time (with the offending line, values included, in its message) is refused now."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # http.cookiejar warns with the line's content
            jar = YoutubeDLCookieJar(io.StringIO(data.decode("utf-8")))
            jar.load(ignore_discard=True, ignore_expires=True)
    except (http.cookiejar.LoadError, OSError, ValueError):
        return False
    return True
