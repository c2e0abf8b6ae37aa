"""Who tries again after a failure, and how often: the layers, each owned by one place.

1. Inside one outside call, the call's own policy (never repeated by a caller):
   - media download: `pipeline/fetch/retry.py` (yt-dlp's resumes and extractor retries, then
     whole fetches up to `RetryPolicy.attempts`, with a 20 s socket timeout);
   - search: `pipeline/resolve.py` (`SEARCH_ATTEMPTS` per source, jittered backoff), failures
     read by `pipeline/search_failures.py`;
   - Spotify: `library/spotify/client.py` (its retries, and a shared pause on 429).
2. Per item (this module): what still fails transiently (network, 5xx, a bare 429, timeouts,
   resets; `FetchError.action == RETRY_LATER`, a search failure whose diagnosis is transient)
   goes back to the queue up to `ITEM_RETRY.budget` times, after a growing, jittered pause, on
   the same chunk run. `JobItem.transient_retries` counts them.
3. Per job: once nothing waits or runs, the items that still failed transiently are queued once
   more (`Job.final_round_start`) before the job may end; after that round they stay failed.
Never retried: the track's own faults (`FailureCause.PERMANENT`). Never counted: YouTube's limits
(the governor pauses) and interruptions (a worker stopping or dying requeues the item with
`FailureCause.INTERRUPTED`; a shutdown gives the attempt back).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True, slots=True)
class ItemRetryPolicy:
    budget: int = 3  # requeues per item for transient failures

    def allows(self, used: int) -> bool:
        return used < self.budget

    def delay(self, retry: int) -> float:
        """Pause before requeue n: ITEM_RETRY_BACKOFF * 2**(n-1), jittered."""
        base: float = settings.ITEM_RETRY_BACKOFF * 2.0 ** max(0, retry - 1)
        return base * random.uniform(0.75, 1.25)  # noqa: S311 - jitter only


ITEM_RETRY = ItemRetryPolicy()
