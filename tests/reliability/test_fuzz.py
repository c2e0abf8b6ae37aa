"""Nasty input everywhere it enters: Spotify links to the download form and the CLI, names with
separators, dot-dot, control characters, long and right-to-left text through tagging and storing,
path templates that try to leave MUSIC_ROOT, pasted links to other hosts. Clear errors, never a
500, never a file outside MUSIC_ROOT, never a request to a host other than the configured ones."""

from __future__ import annotations

import random
import shutil
import time
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from downloads import playlists
from downloads.forms import JobCreateForm, TargetError, parse_target
from downloads.models import DownloadSettings, Job, TrackPin
from downloads.pipeline import store
from downloads.pipeline.errors import PipelineError
from downloads.pipeline.metadata import TrackTags
from downloads.pipeline.tag import read_tags, write_tags
from library.models import UserPlaylist
from sandbox import Sandbox
from tests.factories import (
    JobFactory,
    JobItemFactory,
    PlaylistEntryFactory,
    PlaylistFactory,
    StoredFileFactory,
    TrackFactory,
    UserFactory,
)
from tests.reliability.helpers import (
    Connections,
    form_errors_shown,
    playlist_job,
    recorded_connections,
    run_job_here,
    uploaded_tracks,
)
from tests.reliability.invariants import assert_job_consistent, assert_plain, music_files
from tests.reliability.nasty import KINDS, mutations, nasty_strings, spotify_targets
from tests.support.catalog import import_playlist
from tests.support.files import make_opus

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


# --- names through the tag and store stages ----------------------------------------------------

RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{d}" for p in ("COM", "LPT") for d in "123456789"}
TEMPLATES = [
    store.DEFAULT_TEMPLATE,
    "{playlist}/{artists} - {title} [{isrc}] ({year}).{ext}",
    "{artist}/{album} ({year})/{track:03} {title}.{ext}",
]


def component_problems(name: str) -> list[str]:
    problems = []
    if name in ("", ".", ".."):
        problems.append("empty or a dot folder")
    if name.startswith("."):
        problems.append("hidden")
    if any(c in name for c in '/\\<>:"|?*'):
        problems.append("a separator or a character Windows refuses")
    if any(unicodedata.category(c) == "Cc" for c in name):
        problems.append("a control character")
    if any("\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069" for c in name):
        problems.append("a bidi override")
    if len(name.encode()) > store.MAX_COMPONENT_BYTES:
        problems.append(f"{len(name.encode())} bytes long")
    if name != name.rstrip(". "):
        problems.append("a trailing dot or space")
    if name.split(".")[0].rstrip(" ").upper() in RESERVED:
        problems.append("a reserved Windows name")
    return [f"{name!r}: {p}" for p in problems]


@pytest.fixture
def boxed_music_root(tmp_path: Path, settings: Any) -> Path:
    """MUSIC_ROOT alone in a box: whatever lands beside it escaped."""
    root = tmp_path / "box" / "music"
    root.mkdir(parents=True)
    settings.MUSIC_ROOT = root
    return root


@pytest.fixture(scope="module")
def tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_opus(tmp_path_factory.mktemp("tone") / "tone.opus", seconds=1)


def store_one(tone: Path, workdir: Path, template: str, n: int, name: str, other: str) -> Path:
    """What the worker does after a fetch: tag the file, render the template, store it."""
    track_id = f"fuzz{n:018d}"
    source = workdir / f"item-{n}" / "audio.opus"
    source.parent.mkdir(parents=True)
    shutil.copyfile(tone, source)
    tags = TrackTags(
        title=name,
        artists=(other, name),
        album=name[::-1] or "x",
        album_artists=(other,),
        track_number=n,
        disc_number=1,
        release_date="1999-12-31",
        isrc=name[:12],
        spotify_url=f"https://open.spotify.com/track/{track_id}",
    )
    write_tags(source, tags)
    fields = store.PathFields.from_tags(tags, "opus", playlist=other)
    planned = store.render_path(template, fields)
    return store.store_file(source, planned, track_id=track_id)


def test_nasty_names_are_tagged_and_stored_under_safe_names_inside_the_music_folder(
    boxed_music_root: Path, tone: Path, tmp_path: Path
) -> None:
    names = nasty_strings(120)
    placed: list[Path] = []
    for t, template in enumerate(TEMPLATES):
        for n, name in enumerate(names):
            other = names[(n * 7 + 3) % len(names)]
            number = t * 1000 + n
            try:
                final = store_one(tone, tmp_path / "work", template, number, name, other)
            except PipelineError as exc:  # refused with a reason: acceptable, if plain
                assert_plain(exc.reason)
                continue
            placed.append(final)
            relative = final.relative_to(boxed_music_root.resolve())
            problems = [
                p for part in PurePosixPath(relative).parts for p in component_problems(part)
            ]
            assert not problems, f"{name!r} with {template!r}: {problems}"
            assert final.suffix == ".opus"
            assert str(read_tags(final)["spotify_url"]).endswith(f"fuzz{number:018d}")
    assert len(placed) == len(TEMPLATES) * len(names)  # nothing refused, nothing overwritten
    assert len(set(placed)) == len(placed)
    assert sorted(p.name for p in boxed_music_root.parent.iterdir()) == ["music"]
    on_disk = [p for p in boxed_music_root.rglob("*.opus") if p.is_file()]
    assert len(on_disk) == len(placed)


@pytest.mark.django_db
def test_nasty_playlist_and_job_names_make_playlist_files_inside_the_music_folder(
    boxed_music_root: Path, tone: Path
) -> None:
    owner = UserFactory.create(username="lister")
    # PostgreSQL cannot store NUL in text at all; names reach the database through the Spotify
    # parser, which drops it (tests/library/test_spotify_types.py).
    names = [n for n in nasty_strings(60) if connection.vendor != "postgresql" or "\x00" not in n]
    track = TrackFactory.create(name="Line\nBreak #EXTINF:0,Injected\n../../escape.opus")
    relative = "A/B/01 song.opus"
    (boxed_music_root / "A" / "B").mkdir(parents=True)
    shutil.copyfile(tone, boxed_music_root / relative)
    stored = StoredFileFactory.create(track=track, path=relative, duration=1.0)
    for name in names:
        job = JobFactory.create(owner=owner, kind=Job.Kind.PLAYLIST, title=name, status="completed")
        JobItemFactory.create(job=job, track=track, status="done", stored_file=stored)
        written = playlists.playlist_file_write(job=job)
        folder = boxed_music_root / "Playlists" / "lister"
        assert written.resolve().parent == folder.resolve(), name
        assert not component_problems(written.name), written.name
        lines = written.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 3 and lines[0] == "#EXTM3U", (name, lines)  # nothing injected
        assert (written.parent / lines[2]).resolve() == (boxed_music_root / relative).resolve()
    assert sorted(p.name for p in boxed_music_root.parent.iterdir()) == ["music"]


# --- path templates on the settings page --------------------------------------------------------

ESCAPING_TEMPLATES = [
    "../{title}.{ext}", "../../../../tmp/{title}.{ext}", "/etc/{title}.{ext}", "/{title}.{ext}",
    "{album}/../../{title}.{ext}", "{album}/ .. /{title}.{ext}", "./{title}.{ext}",
    "{album}/./{title}.{ext}", "..\\{title}.{ext}", "{album}\\..\\{title}.{ext}",
    "C:\\Music\\{title}.{ext}", "C:{title}.{ext}", "\\\\server\\share\\{title}.{ext}",
    "//server/share/{title}.{ext}", "{album}//{title}.{ext}", "{title}\x00.{ext}",
    "{album}/\n/{title}.{ext}", "{title.__class__}.{ext}", "{title[0]}.{ext}", "{0}.{ext}",
    "{}.{ext}", "{title!r}.{ext}", "{title:{album}}.{ext}", "{title}", "{title}.mp3",
    "{unknown}/{title}.{ext}", "{title", "title}.{ext}", "x" * 1200 + "{title}.{ext}",
]  # fmt: skip


@pytest.mark.django_db
def test_path_templates_that_try_to_leave_the_music_folder_are_refused_and_the_rest_stay_inside(
    boxed_music_root: Path, tone: Path, tmp_path: Path
) -> None:
    admin = UserFactory.create(username="configurer", is_staff=True)
    client = Client()
    client.force_login(admin)
    rng = random.Random(5)
    candidates = ESCAPING_TEMPLATES + [
        "/".join(rng.choice(nasty_strings(60)) for _ in range(rng.randint(1, 3))) + "/{title}.{ext}"
        for _ in range(40)
    ]
    accepted = []
    for template in candidates:
        before = DownloadSettings.load().path_template
        response = client.post(
            "/settings/installation/",
            {"default_format": "original", "path_template": template, "concurrency": ""},
        )
        assert response.status_code in (302, 400), (template, response.status_code)
        saved = DownloadSettings.load().path_template
        if response.status_code == 400:
            assert saved == before, f"a refused template was saved: {template!r}"
            form_errors_shown(response)
        else:
            assert saved == template.strip()
            accepted.append(saved)
    refused = set(ESCAPING_TEMPLATES) - set(accepted)
    assert refused == set(ESCAPING_TEMPLATES), f"accepted: {set(ESCAPING_TEMPLATES) - refused}"
    names = nasty_strings(30)
    for t, template in enumerate(accepted):
        for n, name in enumerate(names):
            store_one(tone, tmp_path / "work", template, t * 100 + n, name, names[-n])
    assert sorted(p.name for p in boxed_music_root.parent.iterdir()) == ["music"]
    print(f"\n{len(accepted)} of {len(candidates)} templates accepted, all stayed inside")


# --- the real pipeline on the sandbox's strangest names ----------------------------------------


def _strange(text: str) -> bool:
    return (
        any(c in text for c in "/\\")
        or ".." in text
        or len(text) > 100
        or any(unicodedata.category(c) in ("Cc", "Cf") for c in text)
        or any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)
    )


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_strangest_names_of_the_sandbox_download_into_safe_paths(
    media_sandbox: Sandbox, user: Any, connections: tuple[Connections, set[int]]
) -> None:
    library = media_sandbox.user_library("ana")
    tracks = [media_sandbox.world.track(i) for i in dict.fromkeys(library["liked"])]
    strange = [
        t
        for t in tracks
        if t
        and t.duration_ms < 600_000  # the 20-minute session adds time, not strangeness
        and (_strange(t.name) or _strange(t.album.name) or any(_strange(a.name) for a in t.artists))
    ]
    assert len(strange) >= 10
    name = next(p["name"] for p in library["playlists"] if _strange(p["name"]))
    job = playlist_job(media_sandbox, user, strange, name=name, enqueue=False)

    run_job_here(job)

    counts = assert_job_consistent(job)
    assert counts["done"] == len(strange) - counts["no_match"]
    root = Path(store.music_root())
    for path in music_files():
        relative = path.relative_to(root)
        assert not [p for part in relative.parts for p in component_problems(part)], relative
    (playlist_file,) = (root / "Playlists").glob("*/*.m3u8")
    assert not component_problems(playlist_file.name)
    record, allowed = connections
    assert record.outside(allowed) == []


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
