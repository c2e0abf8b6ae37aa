"""The README's shell lines, run as written beside `make run` in demo mode: a person signs in on
the demo's consent page in Chromium, then each line of the README's CLI block runs in a second
"terminal" (bash, the same DATA_DIR) and uses the demo's sandbox, never the real YouTube."""

from __future__ import annotations

import re
import shlex
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from downloads.models import Job, JobItem
from library.models import SpotifyAccount, UserPlaylist
from sandbox import Sandbox
from spotifydl.demo import ADDRESS_VARIABLES
from spotifydl.demo_record import demo_record_path
from tests.support.processes import ROOT, child_env, free_port, manage, wait_for_http

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

CLI_BLOCK = re.compile(r"From the shell[^\n]*\n\n```sh\n(.*?)```", re.DOTALL)


def readme_cli_lines() -> list[str]:
    block = CLI_BLOCK.search((ROOT / "README.md").read_text())
    assert block, "README.md has no ```sh block after “From the shell”"
    return [line for line in block.group(1).splitlines() if line.strip()]


@pytest.fixture
def demo_env(tmp_path: Path) -> dict[str, str]:
    """What `make run` and a second terminal share: no Spotify app, one DATA_DIR and database."""
    port = free_port()
    env = child_env(
        DATA_DIR=str(tmp_path / "data"),
        MUSIC_ROOT=str(settings.MUSIC_ROOT),
        SECRET_KEY=settings.SECRET_KEY,
        SPOTIFY_CLIENT_ID="",
        PORT=str(port),
        SPOTIFY_REDIRECT_URI=f"http://127.0.0.1:{port}/callback/",
        SANDBOX_PORT=str(free_port()),
        SANDBOX_MEDIA_PORT=str(free_port()),
        SANDBOX_LRCLIB_PORT=str(free_port()),
        COLUMNS="120",
        # No pacing between searches and lyrics look-ups: the sandbox has no limits to respect.
        YOUTUBE_SEARCH_GAP="0",
        LRCLIB_GAP="0",
    )
    for name in ADDRESS_VARIABLES:
        env.pop(name, None)
    return env


@pytest.fixture
def demo(demo_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """`manage.py serve` in demo mode (no workers: the shell runs what it starts)."""
    with open(tmp_path / "serve.log", "wb") as log:
        serve = manage("serve", "--workers", "0", env=demo_env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{demo_env['PORT']}"
    try:
        wait_for_http(f"{url}/healthz", timeout=60)
        yield url
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=30)
    record = demo_record_path(Path(demo_env["DATA_DIR"]))
    assert serve.returncode == 0, (tmp_path / "serve.log").read_text()
    assert not record.exists(), "serve left its sandbox's address behind"


def test_the_readmes_shell_lines_work_as_written_beside_the_demo(
    demo: str, demo_env: dict[str, str], page: Page
) -> None:
    page.goto(f"{demo}/login/")
    page.get_by_role("button", name="Sign in with Spotify").click()
    page.locator("#user").select_option("ben")
    page.get_by_role("button", name="Agree").click()
    account = SpotifyAccount.objects.get()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(account.display_name)
    world = Sandbox(seed=2026, preset="demo")  # the demo's own world, to know what has uploads

    for line in readme_cli_lines():
        typed = line.replace('"NAME"', shlex.quote(account.display_name))
        typed = typed.replace("PLAYLIST_ID", _whole_playlist(world, account))
        before = set(Job.objects.values_list("pk", flat=True))
        shell = subprocess.run(
            ["bash", "-c", typed],
            cwd=ROOT,
            env=demo_env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        output = shell.stdout + shell.stderr
        assert "Search failed" not in output, output
        jobs = Job.objects.exclude(pk__in=before)
        expected = max((_job_checked(job, world) for job in jobs), default=0)
        assert shell.returncode == expected, f"{typed}\n{output}"

    assert Job.objects.filter(kind=Job.Kind.LIKED).count() == 1
    assert Job.objects.filter(kind=Job.Kind.PLAYLIST, audio_format="mp3").count() == 1


def _whole_playlist(world: Sandbox, account: SpotifyAccount) -> str:
    """The smallest playlist of theirs whose every track has an upload (read after the refresh
    line has read the library; until then the line has no PLAYLIST_ID to fill)."""
    owned = UserPlaylist.objects.filter(
        user=account.user, readable=True, playlist__owner_spotify_id=account.spotify_id
    ).select_related("playlist")
    whole = [
        m.playlist
        for m in owned
        if m.playlist.entries.exists()
        and all(world.expected_candidates(e.track.spotify_id) for e in m.playlist.entries.all())
    ]
    return min(whole, key=lambda p: p.entries.count()).spotify_id if whole else "PLAYLIST_ID"


def _job_checked(job: Job, world: Sandbox) -> int:
    """Every track with an upload was downloaded onto the disk, the rest found no match; the exit
    code this calls for (1 when some had no match)."""
    items = list(job.items.select_related("track", "stored_file"))
    uploaded = [i for i in items if world.expected_candidates(i.track.spotify_id)]
    done = [i for i in items if i.status == JobItem.Status.DONE]
    no_match = [i for i in items if i.status == JobItem.Status.NO_MATCH]
    assert items and done == uploaded, _describe(items)
    assert len(done) + len(no_match) == len(items), _describe(items)
    for item in done:
        assert item.stored_file is not None
        assert (Path(settings.MUSIC_ROOT) / item.stored_file.path).is_file()
    return 1 if no_match else 0


def _describe(items: list[Any]) -> str:
    return "\n".join(f"{i.track.name}: {i.status} {i.error or i.match_reason}" for i in items)
