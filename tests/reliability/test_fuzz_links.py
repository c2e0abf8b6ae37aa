"""Nasty links everywhere they are pasted: Spotify links and URIs to the download form and the
CLI, YouTube links to the match page. Clear errors, never a 500, never a request to a host other
than the configured ones."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from downloads.forms import JobCreateForm, TargetError, parse_target
from downloads.models import Job, TrackPin
from library.models import UserPlaylist
from sandbox import Sandbox
from tests.factories import PlaylistEntryFactory, PlaylistFactory, UserFactory
from tests.reliability.helpers import (
    Connections,
    form_errors_shown,
    recorded_connections,
    run_job_here,
    uploaded_tracks,
)
from tests.reliability.invariants import assert_job_consistent, assert_plain
from tests.reliability.nasty import KINDS, mutations, nasty_strings, spotify_targets
from tests.support.catalog import import_playlist

# --- Spotify links -------------------------------------------------------------------------------


def _parsed(text: str, kind: str = "") -> tuple[str, str] | str:
    """(kind, id), or the error message; anything else raised fails the test."""
    try:
        return parse_target(text, kind=kind)
    except TargetError as exc:
        return str(exc)


def test_links_and_uris_of_every_shape_give_exactly_their_id_or_a_plain_error() -> None:
    rng = random.Random(11)
    slowest = 0.0
    cases = spotify_targets()
    for text, expected in cases:
        began = time.perf_counter()
        got = _parsed(text)
        slowest = max(slowest, time.perf_counter() - began)
        if expected is None:
            assert isinstance(got, str), f"{text!r} was accepted as {got}"
            assert_plain(got)
        else:
            assert got == expected, f"{text!r}"
    # Random damage to valid links: refused, or exactly an id that the text really contains.
    for text, _ in cases[::7]:
        for mutated in mutations(text, rng, 25):
            got = _parsed(mutated)
            if isinstance(got, str):
                assert_plain(got)
                continue
            kind, found = got
            assert kind in (*KINDS, "liked", "library"), mutated
            assert found == "" or (found.isascii() and found.isalnum() and found in mutated)
    assert slowest < 0.05, f"parsing took {slowest:.3f} s: a regular expression backtracks"


@pytest.mark.slow
@pytest.mark.django_db
def test_the_download_form_and_the_cli_refuse_bad_targets_plainly_and_never_fail() -> None:
    owner = UserFactory.create(username="fuzzer")
    playlist = PlaylistFactory.create(name="Mine")
    PlaylistEntryFactory.create(playlist=playlist)
    UserPlaylist.objects.create(user=owner, playlist=playlist)
    client = Client()
    client.force_login(owner)
    texts = [text for text, _ in spotify_targets()[::3]] + nasty_strings(80)
    texts.append(f"https://open.spotify.com/playlist/{playlist.spotify_id}?si=x")
    statuses: dict[int, int] = {}
    with recorded_connections() as connections:
        for n, text in enumerate(texts):
            kind = ["", "playlist", "track", "selection", "liked", "bogus"][n % 6]
            data = {"kind": kind, "target": text, "audio_format": "original"}
            form = JobCreateForm(data)  # type: ignore[arg-type]  # a dict is what a form reads
            for error in form.errors.get("__all__", []) + form.errors.get("target", []):
                assert_plain(str(error), what=f"form error for {text!r}")
            response = client.post(
                "/downloads/new/", {"kind": kind, "target": text, "audio_format": "original"}
            )
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code in (302, 400), (text, response.status_code)
            if response.status_code == 302:
                job = Job.objects.get(pk=int(response["Location"].strip("/").rsplit("/", 1)[-1]))
                assert (job.owner, job.target_id) == (owner, playlist.spotify_id)
                continue  # the CLI would download it: not here
            form_errors_shown(response)
            if text.lstrip().startswith("-"):
                continue  # an option to argparse, not a target
            try:
                call_command("download", text, user=owner.username, stdout=None)
            except CommandError as exc:
                assert exc.returncode == 2
                assert_plain(str(exc), what=f"CLI error for {text!r}")
            else:  # pragma: no cover - only liked/library/playlists would run, none is here
                pytest.fail(f"the CLI accepted {text!r}")
    assert connections.connected == [] and connections.looked_up == []
    print("\nform answers:", statuses)


# --- pasted links on the match page -------------------------------------------------------------

VIDEO = "dQw4w9WgXcQ"
OTHER_HOSTS = [
    f"https://evil.example/watch?v={VIDEO}", f"https://youtube.com.evil.example/watch?v={VIDEO}",
    f"https://www.youtube.com.evil.example/watch?v={VIDEO}", f"https://evilyoutube.com/watch?v={VIDEO}",
    f"https://www.youtube.com@evil.example/watch?v={VIDEO}", f"https://evil.example@www.youtube.com/watch?v={VIDEO}",
    f"https://www.youtube.com:8080/watch?v={VIDEO}", f"https://www.youtube.com:443/watch?v={VIDEO}",
    f"https://127.0.0.1/watch?v={VIDEO}", f"http://localhost:8000/watch?v={VIDEO}",
    f"http://169.254.169.254/latest/meta-data?v={VIDEO}", f"https://[::1]/watch?v={VIDEO}",
    f"https://www.y\u043eutube.com/watch?v={VIDEO}",  # a Cyrillic o
    f"https://xn--yutube-wqf.com/watch?v={VIDEO}", f"https://www.youtube.com./watch?v={VIDEO}",
    f"https://%77ww.youtube.com/watch?v={VIDEO}", f"//evil.example/watch?v={VIDEO}",
    f"//www.youtube.com/watch?v={VIDEO}", f"www.youtube.com/watch?v={VIDEO}",
    f"javascript:alert('{VIDEO}')", "file:///etc/passwd", f"data:text/html,{VIDEO}",
    f"ftp://www.youtube.com/watch?v={VIDEO}", f"https://www.youtube.com/redirect?q=https://evil.example&v={VIDEO}",
    f"https://www.youtube.com/watch?v={VIDEO}&v=aaaaaaaaaaa", f"https://www.youtube.com/watch?v={VIDEO}\n.evil.example",
    f"https://www.youtube.com\\@evil.example/watch?v={VIDEO}", f"https://youtu.be/../../evil.example/{VIDEO}",
    f"https://youtu.be/{VIDEO}/../../x", f"https://www.youtube.com/watch?v=../../{VIDEO}",
    f"https://www.youtube.com/watch?v=%2e%2e%2f{VIDEO}", f"https://www.youtube.com/shorts/{VIDEO}?next=//evil",
    f"https://music.youtube.com/shorts/{VIDEO}", f"https://www.youtube.com/embed/{VIDEO}",
    f"https://www.youtube.com/watch?v={VIDEO}\u202e", "x" * 3000,
]  # fmt: skip
YOUTUBE = [
    f"https://www.youtube.com/watch?v={VIDEO}", f"https://youtu.be/{VIDEO}",
    f"https://music.youtube.com/watch?v={VIDEO}&si=x", f"http://m.youtube.com/watch?t=3&v={VIDEO}",
    f"https://www.youtube.com/shorts/{VIDEO}", f"  https://WWW.YOUTUBE.COM/watch?v={VIDEO}#t=1 ",
]  # fmt: skip


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_pasted_links_to_other_hosts_are_refused_and_nothing_reaches_another_host(
    media_sandbox: Sandbox, user: Any, connections: tuple[Connections, set[int]]
) -> None:
    (track,) = uploaded_tracks(media_sandbox, 1)
    playlist = import_playlist(media_sandbox, user, [track], name="Pins")
    catalog_track = playlist.entries.get().track
    client = Client()
    client.force_login(user)
    url = f"/downloads/tracks/{catalog_track.spotify_id}/match/pin/"
    rng = random.Random(3)
    refused = OTHER_HOSTS + [m for link in YOUTUBE for m in mutations(link, rng, 6)]
    for link in refused + YOUTUBE:
        jobs, pins = Job.objects.count(), list(TrackPin.objects.values_list("url", flat=True))
        response = client.post(url, {"link": link, "audio_format": "original"})
        assert response.status_code in (302, 400), (link, response.status_code)
        if link in YOUTUBE:
            assert response.status_code == 302, link
        if response.status_code == 400:
            assert (Job.objects.count(), list(TrackPin.objects.values_list("url", flat=True))) == (
                jobs,
                pins,
            ), f"a refused link changed something: {link!r}"
            form_errors_shown(response)
    pinned = set(TrackPin.objects.values_list("url", flat=True))
    assert pinned == {media_sandbox.watch_url(VIDEO)}  # the configured host only
    media_sandbox.reset_counters()
    job = Job.objects.filter(kind=Job.Kind.TRACK).latest("pk")
    run_job_here(job)

    assert_job_consistent(job)
    assert media_sandbox.requests["GET /watch"] >= 1  # fetched from the sandbox...
    record, allowed = connections
    assert record.outside(allowed) == []  # ...and from nowhere else
