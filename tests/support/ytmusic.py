"""ytmusicapi, unmodified, reading YouTube Music's answers from the sandbox."""

from __future__ import annotations

from typing import Any, Literal

from ytmusicapi import YTMusic

from downloads.pipeline.sources.ytmusic import new_session
from sandbox import Sandbox


def ytmusic_client(sb: Sandbox) -> YTMusic:
    """ytmusicapi, unmodified, whose HTTP goes to the sandbox."""
    return YTMusic(requests_session=new_session(sb.media_url))


Filter = Literal["songs", "videos"]
FILTERS: dict[str, tuple[Filter, ...]] = {
    "song": ("songs",),
    "video": ("videos",),
    "any": ("songs", "videos"),
}


def as_result(sb: Sandbox, item: dict[str, Any]) -> dict[str, Any]:
    """One ytmusicapi search result in the candidate terms of the sandbox."""
    album = item.get("album") or {}
    return {
        "id": item["videoId"],
        "title": item["title"],
        "duration": item["duration_seconds"],
        "views": int(str(item["views"]).replace(",", "")),
        "kind": item["resultType"],
        "artists": [a["name"] for a in item.get("artists") or []],
        "album": album.get("name"),
        "explicit": item.get("isExplicit"),
        "url": sb.watch_url(item["videoId"]),
    }


def search(
    sb: Sandbox, client: YTMusic, q: str, kind: str = "any", limit: int = 20
) -> list[dict[str, Any]]:
    """Songs then videos (as the product asks), read by ytmusicapi from the sandbox."""
    found = [r for f in FILTERS[kind] for r in client.search(q, filter=f, limit=limit)]
    return [as_result(sb, r) for r in found]
