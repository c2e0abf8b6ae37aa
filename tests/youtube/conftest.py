"""Fixtures of the YouTube governor tests: the download side's user and sandbox, reused."""

from __future__ import annotations

from tests.jobs.conftest import media_sandbox, other_user, user

__all__ = ["media_sandbox", "other_user", "user"]
