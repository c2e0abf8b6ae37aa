"""Read what the app answered through Django's test client."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync


def body(response: Any) -> bytes:
    """The whole body of a test-client response, async streaming ones included."""
    if not getattr(response, "streaming", False):
        return bytes(response.content)
    if not response.is_async:
        return b"".join(response.streaming_content)

    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(collect)()
