"""The sandbox's YouTube stand-in: `GET {SANDBOX_MEDIA_URL}/search` over HTTP."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx

from downloads.pipeline.sources.common import (
    VIDEO_ID,
    dedupe,
    found_by,
    is_allowed_media_url,
    planned_queries,
)
from downloads.pipeline.types import Candidate, TrackQuery

logger = logging.getLogger(__name__)
TIMEOUT_S = 15


def parse_result(item: Mapping[str, Any], base_url: str) -> Candidate | None:
    """One search answer; dropped when its media URL is not a file on this sandbox."""
    video_id, url = item.get("id"), item.get("url")
    if not isinstance(video_id, str) or not VIDEO_ID.fullmatch(video_id):
        return None
    if not isinstance(url, str) or not is_allowed_media_url(url, sandbox_url=base_url):
        logger.warning("sandbox search answered a media URL outside the sandbox: %r", url)
        return None
    return Candidate.from_dict({**item, "source": SandboxSource.name})


class SandboxSource:
    name = "sandbox"

    def __init__(self, base_url: str, *, client: httpx.AsyncClient | None = None) -> None:
        if not base_url:
            raise ValueError("the sandbox source needs SANDBOX_MEDIA_URL")
        self.base_url = base_url.rstrip("/")
        self._client = client

    async def _get(self, client: httpx.AsyncClient, text: str, limit: int) -> list[Any]:
        response = await client.get(
            f"{self.base_url}/search", params={"q": text, "kind": "any", "limit": limit}
        )
        response.raise_for_status()
        results = response.json()["results"]
        if not isinstance(results, list):
            raise TypeError("sandbox search: `results` is not a list")
        return results

    async def _search(
        self, client: httpx.AsyncClient, track: TrackQuery, limit: int
    ) -> list[Candidate]:
        found: list[Candidate] = []
        for query in planned_queries(track):
            items = await self._get(client, query.text, limit)
            found.extend(found_by(query, (parse_result(i, self.base_url) for i in items)))
        return dedupe(found)

    async def search(self, track: TrackQuery, *, limit: int) -> list[Candidate]:
        if self._client is not None:
            return await self._search(self._client, track, limit)
        async with httpx.AsyncClient(timeout=TIMEOUT_S) as client:
            return await self._search(client, track, limit)
