"""Fixtures of the delivery tests: a second person (Ana, `user`, comes from tests/conftest.py),
files on disk under MUSIC_ROOT, real audio."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import UserFactory
from tests.support import files
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
    return files.put_file


@pytest.fixture(scope="session")
def opus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3-second Ogg Opus file made by ffmpeg, once per session; copy it, never change it."""
    return make_opus(tmp_path_factory.mktemp("audio") / "tone.opus")


@pytest.fixture(scope="session")
def jpeg_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_jpeg(tmp_path_factory.mktemp("pictures") / "cover.jpg").read_bytes()
