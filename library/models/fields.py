"""Sizes shared by the library's models."""

from __future__ import annotations

SPOTIFY_ID = 64
LONG_TEXT = 1000
URL = 1000
