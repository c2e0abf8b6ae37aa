"""Fixtures of the match-page tests."""

from __future__ import annotations

from tests.jobs.conftest import file_on_disk, media_sandbox, other_user, user

__all__ = ["file_on_disk", "media_sandbox", "other_user", "user"]
