"""Fixtures of the delivery tests: a second person (Ana, `user`, comes from tests/conftest.py),
files on disk under MUSIC_ROOT, real audio."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from downloads.models import AudioFormat, StoredFile
from library.models import Track
from tests.factories import StoredFileFactory, UserFactory
from tests.support.files import PutFile, make_jpeg, make_opus


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> Path:
    """An empty DATA_DIR per test, so no cover cached by another test is found."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return Path(settings.DATA_DIR)


@pytest.fixture
def music_root() -> Path:
    return Path(django_settings.MUSIC_ROOT)


@pytest.fixture
def covers_dir(_data_dir: Path) -> Path:
    folder = _data_dir / "covers"
    folder.mkdir()
    return folder


@pytest.fixture
def other(db: None) -> Any:
    return UserFactory.create(username="bo")


@pytest.fixture
def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def put_file(music_root: Path) -> PutFile:
    """A StoredFile row and its file under MUSIC_ROOT (bytes given, or copied from `source`)."""

    def put(
        track: Track,
        relative: str,
        data: bytes = b"audio bytes",
        *,
        source: Path | None = None,
        audio_format: str = AudioFormat.ORIGINAL,
    ) -> StoredFile:
        path = music_root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if source is not None:
            shutil.copyfile(source, path)
        else:
            path.write_bytes(data)
        return StoredFileFactory.create(
            track=track, path=relative, size=path.stat().st_size, audio_format=audio_format
        )

    return put


@pytest.fixture(scope="session")
def opus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3-second Ogg Opus file made by ffmpeg, once per session; copy it, never change it."""
    return make_opus(tmp_path_factory.mktemp("audio") / "tone.opus")


@pytest.fixture(scope="session")
def jpeg_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_jpeg(tmp_path_factory.mktemp("pictures") / "cover.jpg").read_bytes()
