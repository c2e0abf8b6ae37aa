"""Resolve's scheduling: the ISRC is searched before the text, and the text search is skipped
once the ISRC answer will do; sources are built and asked in the configured order, lazily, each
waited for a bounded time, a passing fault asked again."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from downloads.pipeline.resolve import Resolver, SourceResult, build_sources
from downloads.pipeline.sources import ytmusic
from downloads.pipeline.sources.common import Query, planned_queries, text_query
from downloads.pipeline.types import Candidate, TrackQuery
from tests.pipeline.resolving import TRACK, all_answers, failures_of

SANDBOX = "http://127.0.0.1:8123"

# ---- queries: the ISRC first, the text only when needed ----------------------------------------


def test_the_query_names_only_the_primary_artist():
    assert text_query(TRACK) == "Oasis - Wonderwall"


def test_the_isrc_is_searched_first_when_there_is_one():
    queries = planned_queries(TRACK)

    assert [(q.kind, q.text) for q in queries] == [
        ("isrc", "GBAJE9500107"),
        ("text", "Oasis - Wonderwall"),
    ]


def test_without_an_isrc_only_the_text_is_searched():
    track = TrackQuery(name="Song", artists=(), album="", duration_ms=1000, isrc="not-an-isrc")

    assert [(q.kind, q.text) for q in planned_queries(track)] == [("text", "Song")]


@pytest.mark.integration
def test_the_ytmusic_source_puts_the_isrc_answers_first(media_sandbox, short_track):
    official = [
        c for c in media_sandbox.media.candidates(short_track.track.id) if c.label == "official"
    ]

    resolver = Resolver([ytmusic.YouTubeMusicSource()], limit=10)
    found = all_answers(resolver, short_track.query)[-1].candidates

    assert official and found[0].id == official[0].id


def test_the_text_search_is_skipped_once_the_isrc_answer_will_do():
    asked: list[str] = []

    class Counting:
        name = "counting"

        async def search(self, query: Query, *, limit: int) -> list[Candidate]:
            asked.append(query.kind)
            url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
            return [Candidate("dQw4w9WgXcQ", "t", "c", 1.0, 1, "video", url=url)]

    async def first(enough: Any) -> SourceResult:
        return await anext(Resolver([Counting()]).attempts(TRACK, enough=enough))

    accepted = asyncio.run(first(lambda found: True))
    declined = asyncio.run(first(lambda found: False))

    assert asked == ["isrc", "isrc", "text"]
    assert len(accepted.candidates) == len(declined.candidates) == 1


# ---- which sources, in what order, and how long each is waited for --------------------------


def test_unknown_source_names_are_a_configuration_error():
    with pytest.raises(ValueError, match="ytmusic, youtube"):
        build_sources(["ytmusic", "napster"])


def test_sources_are_built_in_the_order_named():
    sources = build_sources(["youtube", "ytmusic"])

    assert [s.name for s in sources] == ["youtube", "ytmusic"]


def test_no_source_is_left_for_the_sandbox():
    with pytest.raises(ValueError, match="unknown media source 'sandbox'"):
        build_sources(["sandbox"])


@pytest.mark.integration
def test_sources_are_asked_lazily_in_the_configured_order(media_sandbox, short_track, settings):
    settings.MEDIA_SOURCES = ["ytmusic"]
    resolver = Resolver(build_sources(settings.MEDIA_SOURCES))

    async def first_answer() -> SourceResult:
        async for result in resolver.attempts(short_track.query):
            return result
        raise AssertionError("no source answered")

    result = asyncio.run(first_answer())

    assert result.source == "ytmusic"
    assert result.failure is None
    assert result.candidates


def test_a_source_that_finds_nothing_moves_on_and_the_last_answer_is_empty(settings):
    class Silent:
        name = "silent"

        async def search(self, query: Query, *, limit: int) -> list[Candidate]:
            return []

    class Hanging:
        name = "hanging"

        async def search(self, query: Query, *, limit: int) -> list[Candidate]:
            await asyncio.sleep(60)
            return []

    answers = all_answers(Resolver([Silent(), Hanging()], timeout=0.2), TRACK)

    assert [answer.candidates for answer in answers] == [(), ()]
    assert [(f.source, f.reason) for f in failures_of(answers)] == [
        ("hanging", "did not answer in time")
    ]


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("cut short"),
        httpx.HTTPStatusError(
            "503", request=httpx.Request("GET", SANDBOX), response=httpx.Response(503)
        ),
    ],
)
def test_a_single_transient_search_fault_is_retried(error):
    class Flaky:
        """Fails once with a transient error, then answers."""

        name = "flaky"
        calls = 0

        async def search(self, query: Query, *, limit: int) -> list[Candidate]:
            self.calls += 1
            if self.calls == 1:
                raise error
            url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
            return [Candidate("dQw4w9WgXcQ", "t", "c", 1.0, 1, "video", url=url)]

    answers = all_answers(Resolver([Flaky()]), TRACK)

    assert answers[0].candidates
    assert failures_of(answers) == []
