"""Resolve: ask the search sources, in the configured order, for candidate uploads of a track.

A source that fails (network, unexpected answer, timeout) or finds nothing hands over to the
next one; failures are logged and returned, never raised. Every candidate that leaves this
module carries a media URL that passed the allow-list. Each source is asked the planned queries
in order (the ISRC first); when the caller says what the ISRC search found will do, the text
search is never sent.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

from django.conf import settings

from downloads.pipeline.search_failures import SearchFailureKind, diagnose
from downloads.pipeline.sources.common import (
    Query,
    SearchSource,
    dedupe,
    is_allowed_media_url,
    planned_queries,
)
from downloads.pipeline.sources.youtube import YouTubeSource
from downloads.pipeline.sources.ytmusic import YouTubeMusicSource
from downloads.pipeline.types import Candidate, TrackQuery

logger = logging.getLogger(__name__)
SOURCE_NAMES = ("ytmusic", "youtube")
DEFAULT_LIMIT = 10
SOURCE_TIMEOUT_S = 45.0
# Whether a source's answer so far will do (the caller's matcher accepts an ISRC hit in it).
type Enough = Callable[[Sequence[Candidate]], bool]


@dataclass(frozen=True, slots=True)
class SourceFailure:
    source: str
    reason: str
    kind: SearchFailureKind = "unreadable"
    transient: bool = False  # a later try may get an answer (worker/retrying.py requeues it)


@dataclass(frozen=True, slots=True)
class SourceResult:
    """What one source answered: candidates, or the reason it could not answer."""

    source: str
    candidates: tuple[Candidate, ...]
    failure: SourceFailure | None = None


def build_sources(
    names: Sequence[str],
    *,
    executor: Executor | None = None,
    cookiefile: str | None = None,
) -> list[SearchSource]:
    """Sources in the order named (settings.MEDIA_SOURCES); an unknown name is a config error."""
    sources: list[SearchSource] = []
    for name in names:
        if name == "ytmusic":
            sources.append(YouTubeMusicSource(executor=executor))
        elif name == "youtube":
            sources.append(YouTubeSource(executor=executor, cookiefile=cookiefile))
        else:
            raise ValueError(
                f"unknown media source {name!r}; choose from {', '.join(SOURCE_NAMES)}"
            )
    return sources


class Resolver:
    def __init__(
        self,
        sources: Sequence[SearchSource],
        *,
        limit: int = DEFAULT_LIMIT,
        timeout: float = SOURCE_TIMEOUT_S,
    ) -> None:
        self.sources = list(sources)
        self.limit = limit
        self.timeout = timeout

    async def attempts(
        self, track: TrackQuery, *, enough: Enough | None = None
    ) -> AsyncIterator[SourceResult]:
        """Each source's answer in order, lazily: stop iterating once a candidate is accepted,
        and the remaining sources are never asked. `enough`: a source's later queries are not
        sent once it accepts what the earlier ones found."""
        for source in self.sources:
            yield await self._ask(source, track, enough)

    async def _ask(
        self, source: SearchSource, track: TrackQuery, enough: Enough | None
    ) -> SourceResult:
        try:
            async with asyncio.timeout(self.timeout):
                found = await self._queries(source, track, enough)
        except Exception as exc:  # any failure of one source must only move us to the next
            diagnosis = diagnose(exc)
            logger.warning(
                "search source %s failed for %r: %s", source.name, track.name, diagnosis.reason
            )
            failure = SourceFailure(
                source.name, diagnosis.reason, diagnosis.kind, diagnosis.transient
            )
            return SourceResult(source.name, (), failure)
        kept = _allowed(found)
        if len(kept) < len(found):
            logger.warning(
                "search source %s returned media URLs outside the allow-list", source.name
            )
        return SourceResult(source.name, tuple(kept))

    async def _queries(
        self, source: SearchSource, track: TrackQuery, enough: Enough | None
    ) -> list[Candidate]:
        found: list[Candidate] = []
        queries = planned_queries(track)
        for query in queries:
            answer = await _search_with_retries(source, query, limit=self.limit)
            found = dedupe([*found, *answer])  # earlier queries are the more precise ones
            if enough is not None and query is not queries[-1] and enough(_allowed(found)):
                break
        return found


def _allowed(candidates: Sequence[Candidate]) -> list[Candidate]:
    return [c for c in candidates if c.url is not None and is_allowed_media_url(c.url)]


SEARCH_ATTEMPTS = 3  # with SEARCH_RETRY_BACKOFF, doubled after each try, jittered: one glitch
# must not fail a track


async def _search_with_retries(
    source: SearchSource, query: Query, *, limit: int
) -> list[Candidate]:
    """The source's answer to one query; a transient failure (timeout, broken connection, 5xx,
    429, a cut-off answer), whichever library raised it, is asked again with backoff."""
    for attempt in range(1, SEARCH_ATTEMPTS + 1):
        try:
            return await source.search(query, limit=limit)
        except Exception as exc:
            if attempt == SEARCH_ATTEMPTS or not diagnose(exc).transient:
                raise
            delay = settings.SEARCH_RETRY_BACKOFF * 2 ** (attempt - 1)
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter only
    raise AssertionError("unreachable: the last attempt returns or raises")
