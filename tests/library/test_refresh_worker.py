from __future__ import annotations

import subprocess

import pytest
from django.conf import settings

from library.models import LibraryRefresh, SavedTrack
from sandbox import Sandbox
from tests.support.processes import child_env, manage
from tests.support.signing_in import SignIn

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def test_the_refresh_started_at_first_sign_in_is_run_by_a_real_db_worker(
    spotify: Sandbox, sign_in: SignIn
) -> None:
    ben = sign_in("ben")
    env = child_env(
        SECRET_KEY=settings.SECRET_KEY,  # to read the tokens this process encrypted
        SPOTIFY_CLIENT_ID=settings.SPOTIFY_CLIENT_ID,
        SPOTIFY_CLIENT_SECRET="",
        SPOTIFY_ACCOUNTS_URL=spotify.accounts_url,
        SPOTIFY_API_URL=spotify.api_url,
    )

    worker = manage(
        "db_worker",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output, _ = worker.communicate(timeout=120)

    refresh = LibraryRefresh.objects.get(user=ben)
    assert worker.returncode == 0, output.decode()
    assert refresh.status == LibraryRefresh.Status.SUCCEEDED, output.decode()
    assert SavedTrack.objects.filter(user=ben).count() == len(spotify.user_library("ben")["liked"])
    assert refresh.requests_made > 0
