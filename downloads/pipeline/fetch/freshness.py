"""How old the installed yt-dlp is: YouTube breaks old releases within weeks.

yt-dlp's version is its release date (2026.11.23), so its age needs no network.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass

from yt_dlp import version as ytdlp_version

logger = logging.getLogger(__name__)
STALE_AFTER_DAYS = 60
UPDATE_ADVICE = (
    "Update it: run `make update-ytdlp` (with Docker, then rebuild the image: "
    "`docker compose build && docker compose up -d`)."
)


@dataclass(frozen=True, slots=True)
class YtDlpAge:
    version: str
    released: dt.date | None  # None when the version is not a date (a development build)
    days: int | None

    @property
    def stale(self) -> bool:
        return self.days is not None and self.days > STALE_AFTER_DAYS

    @property
    def notice(self) -> str | None:
        """What to tell the admin, or None while the release is recent."""
        if not self.stale:
            return None
        return (
            f"yt-dlp {self.version} is {self.days} days old; YouTube stops working with old "
            f"releases. {UPDATE_ADVICE}"
        )


def ytdlp_age(*, today: dt.date | None = None) -> YtDlpAge:
    """The installed yt-dlp's release date and age in days on `today` (default: today, UTC)."""
    version = ytdlp_version.__version__
    released = _release_date(version)
    now = today or dt.datetime.now(dt.UTC).date()
    return YtDlpAge(version, released, None if released is None else (now - released).days)


def _release_date(version: str) -> dt.date | None:
    try:
        year, month, day = (int(part) for part in version.split(".")[:3])
        return dt.date(year, month, day)
    except ValueError:
        return None


@functools.cache
def log_if_stale() -> None:
    """Once per process (a worker's first download): say so in the log when yt-dlp is old."""
    notice = ytdlp_age().notice
    if notice:
        logger.warning("%s", notice)
