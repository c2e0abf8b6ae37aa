"""A person's own download choices: read with the installation's as fallback, and saved.

Unset choices follow the installation (DownloadSettings); the person's cookies file, when they
uploaded one, replaces the installation's for their jobs only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from downloads import cookies
from downloads.models import DownloadSettings, Preferences

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def preferences_of(*, user_id: int) -> Preferences:
    """The person's preferences; an unsaved row of defaults when they never changed any."""
    found = Preferences.objects.filter(user_id=user_id).first()
    return found if found is not None else Preferences(user_id=user_id)


def default_format_for(*, user_id: int) -> str:
    """The format the person's new downloads and subscriptions start from."""
    return preferences_of(user_id=user_id).default_format or DownloadSettings.load().default_format


def sync_schedule_for(*, user_id: int) -> str:
    return preferences_of(user_id=user_id).sync_schedule


def playlist_files_wanted(*, user_id: int) -> bool:
    return preferences_of(user_id=user_id).playlist_files


def lyrics_mode_for(*, user_id: int) -> str:
    """ "off", "plain" or "synced": what the lyrics stage writes for this person's downloads."""
    return preferences_of(user_id=user_id).lyrics


def cookies_path_for(*, user_id: int) -> str | None:
    """The cookies file for this person's downloads (their own, else the installation's),
    materialised on this machine from the database."""
    own = preferences_of(user_id=user_id).cookies_blob
    if own:
        return str(cookies.person_cookies_file(user_id=user_id, blob=own))
    shared = DownloadSettings.load().cookies_blob
    return str(cookies.installation_cookies_file(blob=shared)) if shared else None


def preferences_update(
    *,
    user: User,
    default_format: str,
    sync_schedule: str,
    playlist_files: bool,
    lyrics: str | None = None,
    cookies_data: bytes | None = None,
    clear_cookies: bool = False,
) -> Preferences:
    prefs, _ = Preferences.objects.get_or_create(user=user)
    prefs.default_format = default_format
    prefs.sync_schedule = sync_schedule
    prefs.playlist_files = playlist_files
    if lyrics is not None:
        prefs.lyrics = lyrics
    if clear_cookies:
        cookies.person_cookies_remove(user_id=user.pk)
        prefs.cookies_blob = ""
        prefs.cookies_uploaded_at = None
    elif cookies_data is not None:
        prefs.cookies_blob = cookies.cookies_seal(cookies_data)
        prefs.cookies_uploaded_at = timezone.now()
    prefs.save()
    return prefs
