"""`manage.py sandbox` prints its URLs, serves, and stops on Ctrl+C."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("spotifydl.settings") is None or not (ROOT / "manage.py").exists(),
    reason="the product's Django settings are not there yet",
)


def test_the_management_command_serves_until_interrupted(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-X",
        "faulthandler",
        "manage.py",
        "sandbox",
        "--preset",
        "tiny",
        "--client-id",
        "cmd-test",
        "--redirect-uri",
        "http://127.0.0.1:9/cb",
        "--cache-dir",
        str(tmp_path),
    ]
    env = os.environ | {"DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(5)]
        urls = dict(re.findall(r"(\w+_URL)=(\S+)", "".join(lines)))
        assert set(urls) == {"SPOTIFY_ACCOUNTS_URL", "SPOTIFY_API_URL", "YTMUSIC_BASE_URL"}
        assert f"  YOUTUBE_WATCH_BASE={urls['YTMUSIC_BASE_URL']}/watch?v=\n" in lines
        me = httpx.get(f"{urls['SPOTIFY_API_URL']}/me", timeout=5)
        assert me.status_code == 401
        page = httpx.get(
            f"{urls['SPOTIFY_ACCOUNTS_URL']}/authorize?client_id=cmd-test&response_type=code"
            "&redirect_uri=http://127.0.0.1:9/cb&code_challenge_method=S256"
            f"&code_challenge={'a' * 43}",
            timeout=5,
        )
        assert page.status_code == 200 and "Agree" in page.text
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # Seen once on a loaded machine: SIGABRT makes faulthandler print every thread's
            # stack on stderr (in this test's report), then the process is gone for good.
            process.send_signal(signal.SIGABRT)
            process.wait(timeout=10)
            raise
    assert code == 0
