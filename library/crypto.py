"""Encryption at rest for Spotify tokens and cookies files: Fernet, keys derived by HKDF.

Deriving (rather than using SECRET_KEY directly) keeps the token key separate from Django's
signing key; SECRET_KEY_FALLBACKS (the environment's, comma-separated) keep old blobs readable
while a key is rotated: the first key encrypts, every key decrypts.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_SALT = b"spotifydl.library.tokens"
_INFO = b"spotify-token-blob-v1"


class UnreadableSecret(Exception):
    """The blob was written under a SECRET_KEY that is no longer configured, or was altered."""


def _derive(secret: str) -> Fernet:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO)
    return Fernet(base64.urlsafe_b64encode(hkdf.derive(secret.encode())))


@lru_cache(maxsize=4)
def _fernet(secret: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    # The first key encrypts; every key may decrypt.
    return MultiFernet([_derive(secret), *(_derive(old) for old in fallbacks)])


def _current() -> MultiFernet:
    fallbacks = tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ()) or ())
    return _fernet(settings.SECRET_KEY, fallbacks)


def encrypt_json(value: dict[str, Any]) -> str:
    return _current().encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()


def decrypt_json(blob: str) -> dict[str, Any]:
    try:
        data = json.loads(_current().decrypt(blob.encode()))
    except (InvalidToken, ValueError) as exc:
        raise UnreadableSecret("The stored Spotify sign-in cannot be read.") from exc
    if not isinstance(data, dict):
        raise UnreadableSecret("The stored Spotify sign-in cannot be read.")
    return data


def encrypt_text(value: str) -> str:
    return _current().encrypt(value.encode()).decode()


def decrypt_text(blob: str) -> str:
    try:
        return _current().decrypt(blob.encode()).decode()
    except (InvalidToken, UnicodeDecodeError) as exc:
        raise UnreadableSecret("This SECRET_KEY cannot read the stored secret.") from exc
