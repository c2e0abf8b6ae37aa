"""The one retry policy for media downloads, yt-dlp's own retries included.

Two levels, both set here and nowhere else:
- inside one yt-dlp run, yt-dlp resumes a cut-off or stalled media download (with Range) up to
  `media_retries` times, retries fragments as often and its extractor `extractor_retries` times;
  it asks `ytdlp_wait(n)` how long to pause (a quarter of the backoff, doubling, at most twice
  the backoff), and that pause watches the cancel flag;
- around it, the fetch stage runs the whole fetch (download, probe, convert) up to `attempts`
  times when the error says trying again may help (`FetchError.retryable`: network errors and
  5xx, an expired media URL's 403, a download that produced no audio, an ffmpeg timeout),
  pausing `backoff * attempt` in between (FETCH_RETRY_BACKOFF, 1 s by default). YouTube's
  limits (rate limit, captcha, bot check: the governor's business), age and availability walls,
  an outdated yt-dlp, a full disk, bad cookies and cancels are never retried here.
The caller runs the stage once per item run; what still fails transiently is the item-level
budget's business (downloads/worker/retrying.py, which maps every retry layer).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from yt_dlp.utils import DownloadCancelled

from downloads.pipeline.errors import FetchError

CancelCheck = Callable[[], bool]
POLL_S = 0.1  # how often a pause looks at the cancel flag


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3  # whole fetches per item run; network errors are often gone a second later
    backoff_s: float | None = None  # pause before attempt n+1: this * n; None: FETCH_RETRY_BACKOFF
    media_retries: int = 10  # yt-dlp: resumes of the media download, and fragment retries
    extractor_retries: int = 3  # yt-dlp: the extractor's own requests
    # None: YTDLP_SOCKET_TIMEOUT (20 s by default, which suits real links). A cancel does not
    # wait for a stalled read: the worker abandons the fetch thread (worker/item.py), which sees
    # the cancel at its next read or retry pause.
    socket_timeout_s: float | None = None

    def socket_timeout(self) -> float:
        if self.socket_timeout_s is not None:
            return self.socket_timeout_s
        return float(settings.YTDLP_SOCKET_TIMEOUT)

    def backoff_base(self) -> float:
        if self.backoff_s is not None:
            return self.backoff_s
        return float(settings.FETCH_RETRY_BACKOFF)

    def ytdlp_wait(self, n: int) -> float:
        """yt-dlp's pause before its retry n: short, growing, capped."""
        base = self.backoff_base()
        return min(base / 4 * 2.0**n, base * 2)

    def should_retry(self, error: FetchError, attempt: int) -> bool:
        """Whether a fetch that failed on try `attempt` (1-based) gets another one."""
        return error.retryable and attempt < self.attempts

    def backoff(self, attempt: int) -> float:
        return self.backoff_base() * attempt


RETRY_POLICY = RetryPolicy()


def wait_unless_cancelled(seconds: float, cancel: CancelCheck) -> None:
    """Sleep in short slices; raises yt-dlp's DownloadCancelled as soon as `cancel()` says so."""
    deadline = time.monotonic() + seconds
    while True:
        if cancel():
            raise DownloadCancelled()
        if time.monotonic() >= deadline:
            return
        time.sleep(POLL_S)
