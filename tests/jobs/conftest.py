"""Fixtures of the download-side tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from downloads.models import AudioFormat, StoredFile
from library.models import Track
from sandbox import Sandbox
from tests.jobs.factories import StoredFileFactory, UserFactory


@pytest.fixture
def user(db: None) -> Any:
    return UserFactory.create(username="ana")


@pytest.fixture
def other_user(db: None) -> Any:
    return UserFactory.create(username="bo")


@pytest.fixture
def file_on_disk(db: None) -> Callable[..., StoredFile]:
    """A StoredFile row with a real (tiny) file behind it under MUSIC_ROOT."""

    def make(track: Track, audio_format: str = AudioFormat.ORIGINAL) -> StoredFile:
        stored = StoredFileFactory.create(track=track, audio_format=audio_format)
        path = Path(settings.MUSIC_ROOT) / stored.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"audio")
        return stored

    return make


@pytest.fixture
def media_sandbox(sandbox: Sandbox, settings: Any) -> Sandbox:
    """Search (the ytmusic source) and fetch (yt-dlp) from the sandbox's YouTube."""
    settings.MEDIA_SOURCES = ["ytmusic"]
    for name, value in sandbox.youtube_settings().items():
        setattr(settings, name, value)
    return sandbox
