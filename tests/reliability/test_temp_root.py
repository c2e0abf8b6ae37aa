"""Temporary files live under one root per process run; the sweep removes dead runs' leftovers
(a killed worker's attempt folders, and a cover, playlist file or lyrics written beside their
target but never renamed), never a live run's."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from downloads.worker import workdir
from tests.support.processes import child_env, manage
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration]

# A run that writes what a worker writes mid-item, says so, then dies or lives on.
_RUN = """
import os, pathlib, signal, time
from downloads.worker import workdir
folder = workdir.attempt_dir_create({item}, 1)
(folder / "source.webm.part").write_bytes(b"half")
covers = workdir.beside_dirs()[0]
covers.mkdir(parents=True, exist_ok=True)
(covers / (workdir.beside_prefix("cover") + "x1")).write_bytes(b"half a cover")
music = pathlib.Path({music!r})
for folder, kind in (("Playlists/ana", "tmp"), ("Artist/Album", "lyrics")):
    (music / folder).mkdir(parents=True, exist_ok=True)
    (music / folder / (workdir.beside_prefix(kind) + "x2.opus")).write_bytes(b"half a write")
pathlib.Path({marker!r}).write_text(workdir.run_id())
os.kill(os.getpid(), signal.SIGKILL) if {die} else time.sleep(120)
"""


@pytest.fixture
def roots(settings: Any, tmp_path: Path) -> Path:
    settings.MUSIC_ROOT = tmp_path / "music"
    settings.DATA_DIR = tmp_path / "data"
    return tmp_path


def _run(roots: Path, name: str, *, die: bool) -> tuple[subprocess.Popen[bytes], Path]:
    marker = roots / name
    process = manage(
        "shell",
        "-c",
        _RUN.format(marker=str(marker), die=die, item=8 if die else 7, music=str(roots / "music")),
        env=child_env(MUSIC_ROOT=str(settings.MUSIC_ROOT), DATA_DIR=str(settings.DATA_DIR)),
    )
    return process, marker


def _files_of(run: str) -> list[Path]:
    incoming = Path(settings.MUSIC_ROOT) / workdir.INCOMING
    covers, music = workdir.beside_dirs()
    return [
        *incoming.glob(f"{run}*"),
        *covers.glob(f".cover-{run}-*"),
        *music.glob(f"*/*/.*-{run}-*"),
    ]


def test_the_sweep_removes_a_killed_runs_files_and_keeps_a_live_runs(roots: Path) -> None:
    dead, dead_marker = _run(roots, "dead", die=True)
    live, live_marker = _run(roots, "live", die=False)
    try:
        dead.wait(timeout=60)
        wait_until(live_marker.exists, what="the live run to write its files")
        dead_run, live_run = dead_marker.read_text(), live_marker.read_text()
        assert _files_of(dead_run), "the killed run left nothing to sweep"

        removed = workdir.dead_runs_remove()

        assert removed == 1
        assert _files_of(dead_run) == []
        assert len(_files_of(live_run)) == 4  # its root, its cover, playlist and lyrics writes
        assert (workdir.incoming_dir() / live_run / "item-7-1" / "source.webm.part").exists()
    finally:
        live.kill()
        live.wait()


def test_a_finished_runs_files_go_at_the_next_sweep(roots: Path) -> None:
    live, marker = _run(roots, "run", die=False)
    wait_until(marker.exists, what="the run to write its files")
    live.kill()
    live.wait()

    workdir.dead_runs_remove()

    assert list(workdir.incoming_dir().iterdir()) == []
    assert list(workdir.beside_dirs()[0].iterdir()) == []
    assert list(Path(settings.MUSIC_ROOT).glob("*/*/*")) == []


def test_this_processes_attempt_folders_live_under_its_own_run_root(roots: Path) -> None:
    folder = workdir.attempt_dir_create(3, 2)

    assert folder.parent == workdir.run_root()
    assert folder.parent.name == workdir.run_id()
    assert workdir.dead_runs_remove() == 0
    assert folder.is_dir()
