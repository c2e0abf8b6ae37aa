"""Errors the pipeline stages raise: each carries a reason a person can read as it is."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

FetchErrorKind = Literal[
    # YouTube wants us to slow down or prove we are human: nothing is wrong with the track.
    "rate_limited", "captcha", "bot_check",
    # This upload cannot be had; another upload of the same track may be fine.
    "age_restricted", "geo_blocked", "private", "removed", "unavailable", "members_only", "drm",
    "live_or_upcoming",
    # Worth another try later: the network, an expired media URL.
    "network", "forbidden",
    # Someone has to act on the installation before anything downloads.
    "outdated", "disk_full", "cookies_unreadable",
    "cancelled", "other",
]  # fmt: skip


class FetchAction(StrEnum):
    """What the worker does about a failed fetch."""

    PAUSE_INSTALLATION = "pause_installation"  # stop all YouTube work until a resume time
    RETRY_LATER = "retry_later"  # the item waits and is tried again; nothing is wrong with it
    NEXT_CANDIDATE = "next_candidate"  # this upload is out of reach: try the matcher's next one
    FAIL = "fail"  # the item fails with the reason, which says what to do


_ACTIONS: dict[FetchErrorKind, FetchAction] = {
    "rate_limited": FetchAction.PAUSE_INSTALLATION,
    "captcha": FetchAction.PAUSE_INSTALLATION,
    "bot_check": FetchAction.PAUSE_INSTALLATION,
    "age_restricted": FetchAction.NEXT_CANDIDATE,
    "geo_blocked": FetchAction.NEXT_CANDIDATE,
    "private": FetchAction.NEXT_CANDIDATE,
    "removed": FetchAction.NEXT_CANDIDATE,
    "unavailable": FetchAction.NEXT_CANDIDATE,
    "members_only": FetchAction.NEXT_CANDIDATE,
    "drm": FetchAction.NEXT_CANDIDATE,
    "live_or_upcoming": FetchAction.NEXT_CANDIDATE,
    "network": FetchAction.RETRY_LATER,
    "forbidden": FetchAction.RETRY_LATER,
    "outdated": FetchAction.FAIL,
    "disk_full": FetchAction.FAIL,
    "cookies_unreadable": FetchAction.FAIL,
    "cancelled": FetchAction.FAIL,
    "other": FetchAction.FAIL,
}


def action_for(kind: FetchErrorKind, *, retryable: bool) -> FetchAction:
    """The action a kind calls for; an "other" error that may pass on a new try waits for one."""
    if kind == "other" and retryable:
        return FetchAction.RETRY_LATER
    return _ACTIONS[kind]


class PipelineError(Exception):
    """Base of every error a stage raises on purpose; `reason` is shown in the UI."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FetchError(PipelineError):
    """A download or conversion failed.

    `retryable` says whether trying again at once may help (the fetch stage's retry policy,
    `fetch.retry`, acts on it); `action` is what the worker does once the stage gives up.
    """

    def __init__(
        self,
        reason: str,
        kind: FetchErrorKind,
        retryable: bool,
        *,
        action: FetchAction | None = None,
    ) -> None:
        super().__init__(reason)
        self.kind: FetchErrorKind = kind
        self.retryable = retryable
        self.action = action or action_for(kind, retryable=retryable)

    def __repr__(self) -> str:
        return (
            f"FetchError({self.reason!r}, kind={self.kind!r}, retryable={self.retryable}, "
            f"action={self.action.value!r})"
        )


class PathTemplateError(PipelineError):
    """The path template is malformed or would place files outside MUSIC_ROOT."""


class StoreError(PipelineError):
    """A file could not be placed into the music folder."""


class TagError(PipelineError):
    """A file could not be tagged (unknown container, unreadable file)."""
