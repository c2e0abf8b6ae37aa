"""A web process loads every view at start and keeps what it loaded out of the garbage
collector's full passes (spotifydl/asgi.py)."""

from __future__ import annotations

import json
import subprocess
import sys

from django.conf import settings

PROBE = """
import gc, json, sys
import spotifydl.asgi
print(json.dumps({"frozen": gc.get_freeze_count(), "views": "library.views.browse" in sys.modules}))
"""


def test_a_web_process_loads_its_views_and_freezes_them_before_its_first_request() -> None:
    run = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    started = json.loads(run.stdout.strip().splitlines()[-1])
    assert started["views"] is True
    assert started["frozen"] > 50_000  # Django, the apps and their libraries
