"""Demo mode from a second terminal: `serve` records its sandbox's addresses in DATA_DIR and the
shell commands use them; a record a dead `serve` left is ignored, and with no demo running a
command says what to start."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from spotifydl.demo import ADDRESS_VARIABLES
from spotifydl.demo_record import (
    demo_record_path,
    demo_record_read,
    demo_record_remove,
    demo_record_write,
)


@pytest.fixture
def answering() -> Iterator[str]:
    """A loopback address something listens on, standing in for the demo's sandbox."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.fixture
def demo_mode(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No Spotify app and no stand-in configured: the state `make run` leaves a shell in."""
    settings.SPOTIFY_CLIENT_ID = ""
    settings.DATA_DIR = tmp_path
    for name in ADDRESS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _addresses(accounts: str) -> dict[str, Any]:
    return {
        "SPOTIFY_CLIENT_ID": "spotifydl-demo",
        "SPOTIFY_ACCOUNTS_URL": accounts,
        "SPOTIFY_API_URL": f"{accounts}/v1",
        "MEDIA_SOURCES": ["ytmusic"],
        "YOUTUBE_BUDGET_PER_HOUR": 7200,
    }


def test_the_record_is_read_back_while_its_sandbox_answers(tmp_path: Path, answering: str) -> None:
    demo_record_write(data_dir=tmp_path, settings=_addresses(answering))

    record = demo_record_read(data_dir=tmp_path)

    assert record is not None
    assert (record.pid, record.settings) == (os.getpid(), _addresses(answering))
    assert not list(tmp_path.glob(".demo-sandbox.json.*"))  # no temporary file left


def test_a_record_left_by_a_dead_serve_is_ignored(tmp_path: Path, answering: str) -> None:
    finished = subprocess.Popen(["true"])
    finished.wait()
    card = {"pid": finished.pid, "host": socket.gethostname(), "settings": _addresses(answering)}
    demo_record_path(tmp_path).write_text(json.dumps(card))

    assert demo_record_read(data_dir=tmp_path) is None


def test_a_record_whose_sandbox_no_longer_answers_is_ignored(tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        silent = f"http://127.0.0.1:{closed.getsockname()[1]}"
    demo_record_write(data_dir=tmp_path, settings=_addresses(silent))

    assert demo_record_read(data_dir=tmp_path) is None


def test_serve_removes_its_own_record_and_leaves_another_serves(tmp_path: Path) -> None:
    demo_record_write(data_dir=tmp_path, settings=_addresses("http://127.0.0.1:9"))
    demo_record_remove(data_dir=tmp_path)
    assert not demo_record_path(tmp_path).exists()

    other = {"pid": os.getpid() + 1, "host": socket.gethostname(), "settings": {}}
    demo_record_path(tmp_path).write_text(json.dumps(other))
    demo_record_remove(data_dir=tmp_path)
    assert demo_record_path(tmp_path).exists()


@pytest.mark.django_db
def test_in_demo_mode_a_command_uses_the_running_demos_sandbox(
    demo_mode: Path, answering: str, settings: Any
) -> None:
    demo_record_write(data_dir=demo_mode, settings=_addresses(answering))

    with pytest.raises(SystemExit) as finished:
        call_command("sync", "--all")

    assert finished.value.code == 0
    used = (settings.SPOTIFY_API_URL, settings.MEDIA_SOURCES)
    assert used == (f"{answering}/v1", ["ytmusic"])


@pytest.mark.django_db
def test_in_demo_mode_with_no_demo_running_a_command_says_to_start_make_run(
    demo_mode: Path,
) -> None:
    with pytest.raises(CommandError, match="start `make run`") as refused:
        call_command("sync", "--all")

    assert refused.value.returncode == 2
