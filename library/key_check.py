"""Whether this process's SECRET_KEY reads what the installation stored under its key.

Checked when a worker or the server starts: a process with another key would fail every token
and cookies read (and, before this check, report those failures as expired sign-ins).
"""

from __future__ import annotations

from django.db import transaction

from library.crypto import UnreadableSecret, decrypt_json, decrypt_text, encrypt_text
from library.models import KeySentinel, SpotifyAccount

SENTINEL = "spotifydl key sentinel v1"
WRONG_KEY_WORDS = (
    "This process's SECRET_KEY cannot decrypt the installation's stored secrets (Spotify "
    "sign-ins, cookies files): set SECRET_KEY to the web server's key, and the old keys in "
    "SECRET_KEY_FALLBACKS while rotating."
)


def key_problem() -> str | None:
    """None when this key reads the sentinel (writing it first when there is none yet)."""
    row = KeySentinel.objects.filter(pk=1).first()
    if row is None:
        if not _reads_a_stored_token():
            return WRONG_KEY_WORDS
        with transaction.atomic():
            row, _ = KeySentinel.objects.get_or_create(
                pk=1, defaults={"blob": encrypt_text(SENTINEL)}
            )
    try:
        readable = decrypt_text(row.blob) == SENTINEL
    except UnreadableSecret:
        readable = False
    return None if readable else WRONG_KEY_WORDS


def _reads_a_stored_token() -> bool:
    """An installation older than the sentinel: its newest token decides whose key is right."""
    blob = (
        SpotifyAccount.objects.exclude(token_blob="")
        .order_by("-tokens_refreshed_at")
        .values_list("token_blob", flat=True)
        .first()
    )
    if blob is None:
        return True
    try:
        decrypt_json(blob)
    except UnreadableSecret:
        return False
    return True
