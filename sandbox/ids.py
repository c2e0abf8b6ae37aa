"""Deterministic identifiers: everything is derived from the sandbox seed plus a name."""

from __future__ import annotations

import hashlib
import random
import string

BASE62 = string.digits + string.ascii_letters
YOUTUBE_ALPHABET = string.ascii_letters + string.digits + "-_"


def stable_int(*parts: object) -> int:
    key = ":".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=16).digest(), "big")


def rng(*parts: object) -> random.Random:
    # A str seed is hashed with SHA-512 by random.Random: stable across runs and processes.
    return random.Random(":".join(str(p) for p in parts))


def encode(number: int, alphabet: str, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rem = divmod(number, len(alphabet))
        chars.append(alphabet[rem])
    return "".join(reversed(chars))


# byte -> base62 character: a hash's bytes become an id in one C-level call (ids are made by
# the ten thousand, so this matters); the slight bias of % 62 is harmless here.
_BASE62_TABLE = bytes(ord(BASE62[b % 62]) for b in range(256))


def spotify_id(*parts: object) -> str:
    """A 22-character base62 id, like Spotify's."""
    key = ":".join(str(p) for p in parts).encode()
    return hashlib.blake2b(key, digest_size=22).digest().translate(_BASE62_TABLE).decode()


def hex_key(*parts: object, width: int = 24) -> str:
    return f"{stable_int(*parts):032x}"[:width]
