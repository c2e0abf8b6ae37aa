"""Cover art: fetched once per album over HTTP, kept on disk, JPEG only."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from downloads.pipeline.metadata import CoverCache, is_jpeg, largest_image_url
from sandbox import Sandbox

IMAGE_ROUTE = "GET /image/{name}"


def _get(cache: CoverCache, album_id: str, url: str | None) -> bytes | None:
    async def run() -> bytes | None:
        async with httpx.AsyncClient() as client:
            return await cache.get(album_id, url, client)

    return asyncio.run(run())


def test_the_largest_image_is_picked_whatever_the_order():
    images = [
        {"url": "https://i.scdn.co/image/small", "width": 64, "height": 64},
        {"url": "https://i.scdn.co/image/large", "width": 640, "height": 640},
        {"url": "https://i.scdn.co/image/medium", "width": 300, "height": 300},
    ]

    assert largest_image_url(images) == "https://i.scdn.co/image/large"
    assert largest_image_url([]) is None


@pytest.mark.integration
def test_a_cover_is_fetched_once_per_album_and_then_read_from_disk(
    sandbox: Sandbox, tmp_path: Path
):
    track = sandbox.world.liked(sandbox.world.user("ana"))[0]
    url = largest_image_url(sandbox.api.shapes.images(track.album.image_key))
    cache = CoverCache(tmp_path / "covers")
    before = sandbox.requests[IMAGE_ROUTE]

    first = _get(cache, track.album.id, url)
    second = _get(cache, track.album.id, url)

    assert first is not None and is_jpeg(first)
    assert second == first
    assert sandbox.requests[IMAGE_ROUTE] - before == 1
    assert cache.path_for(track.album.id).read_bytes() == first


@pytest.mark.integration
def test_concurrent_tracks_of_one_album_share_a_single_fetch(sandbox: Sandbox, tmp_path: Path):
    track = sandbox.world.liked(sandbox.world.user("ana"))[1]
    url = largest_image_url(sandbox.api.shapes.images(track.album.image_key))
    cache = CoverCache(tmp_path / "covers")
    before = sandbox.requests[IMAGE_ROUTE]

    async def many() -> list[bytes | None]:
        async with httpx.AsyncClient() as client:
            return await asyncio.gather(*(cache.get(track.album.id, url, client) for _ in range(8)))

    covers = asyncio.run(many())

    assert len(set(covers)) == 1 and covers[0] is not None
    assert sandbox.requests[IMAGE_ROUTE] - before == 1


@pytest.mark.integration
def test_a_missing_or_refused_cover_is_none_and_nothing_is_cached(sandbox: Sandbox, tmp_path: Path):
    cache = CoverCache(tmp_path / "covers")

    assert _get(cache, "album1", f"{sandbox.accounts_url}/image/nope") is None
    assert _get(cache, "album2", "http://example.com/cover.jpg") is None
    assert _get(cache, "album3", None) is None
    assert not (tmp_path / "covers").exists() or not any((tmp_path / "covers").iterdir())


def test_odd_album_ids_never_name_a_path_outside_the_cache(tmp_path: Path):
    cache = CoverCache(tmp_path)

    assert cache.path_for("../../etc/passwd").parent == tmp_path
    assert cache.path_for("4aawyAB9vmqN3uQ7FjRGTy").name == "4aawyAB9vmqN3uQ7FjRGTy.jpg"
