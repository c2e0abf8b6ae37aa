"""Errors the pipeline stages raise: each carries a reason a person can read as it is."""

from __future__ import annotations

from typing import Literal

FetchErrorKind = Literal[
    "bot_check", "age_restricted", "unavailable", "network", "cancelled", "disk_full", "other"
]


class PipelineError(Exception):
    """Base of every error a stage raises on purpose; `reason` is shown in the UI."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FetchError(PipelineError):
    """A download or conversion failed; `retryable` says whether trying again may help (the
    fetch stage's retry policy, `fetch.retry`, acts on it)."""

    def __init__(self, reason: str, kind: FetchErrorKind, retryable: bool) -> None:
        super().__init__(reason)
        self.kind: FetchErrorKind = kind
        self.retryable = retryable

    def __repr__(self) -> str:
        return f"FetchError({self.reason!r}, kind={self.kind!r}, retryable={self.retryable})"


class PathTemplateError(PipelineError):
    """The path template is malformed or would place files outside MUSIC_ROOT."""


class StoreError(PipelineError):
    """A file could not be placed into the music folder."""


class TagError(PipelineError):
    """A file could not be tagged (unknown container, unreadable file)."""
