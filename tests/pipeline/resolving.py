"""What the resolve tests share: a track with an ISRC, and every answer the resolver gives."""

from __future__ import annotations

import asyncio

from downloads.pipeline.resolve import Resolver, SourceFailure, SourceResult
from downloads.pipeline.types import TrackQuery

TRACK = TrackQuery(
    name="Wonderwall",
    artists=("Oasis", "Noel Gallagher"),
    album="(What's The Story) Morning Glory?",
    duration_ms=258_000,
    isrc="GB-AJE-95-00107",
)


def all_answers(resolver: Resolver, track: TrackQuery) -> list[SourceResult]:
    """Every source's answer, in order, as the worker reads them until one is accepted."""

    async def collect() -> list[SourceResult]:
        return [result async for result in resolver.attempts(track)]

    return asyncio.run(collect())


def failures_of(answers: list[SourceResult]) -> list[SourceFailure]:
    return [answer.failure for answer in answers if answer.failure is not None]
