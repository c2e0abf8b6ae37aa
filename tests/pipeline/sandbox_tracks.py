"""A sandbox track as the pipeline's stages see it: its query, a right upload and the decoys."""

from __future__ import annotations

from dataclasses import dataclass

from downloads.pipeline.types import TrackQuery
from sandbox import Sandbox
from sandbox.models import Track


@dataclass(frozen=True)
class SandboxTrack:
    track: Track
    query: TrackQuery
    right: str  # an acceptable candidate's id
    wrong: tuple[str, ...]  # decoys from the same search

    def media_url(self, sandbox: Sandbox, ext: str = "webm", candidate: str | None = None) -> str:
        """The watch URL of this upload; the sandbox serves it as `ext` (webm or m4a)."""
        sandbox.media_knobs.container = ext
        return sandbox.watch_url(candidate or self.right)
