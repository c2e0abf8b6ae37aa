"""Nasty names through tagging and storing: separators, dot-dot, control characters, long and
right-to-left text in track, playlist and job names, path templates that try to leave MUSIC_ROOT,
the sandbox's strangest names through the real pipeline. Never a file outside MUSIC_ROOT, never
a name a filesystem refuses."""

from __future__ import annotations

import random
import shutil
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from downloads import playlists
from downloads.models import DownloadSettings, Job
from downloads.pipeline import store
from downloads.pipeline.errors import PipelineError
from downloads.pipeline.metadata import TrackTags
from downloads.pipeline.tag import read_tags, write_tags
from sandbox import Sandbox
from tests.factories import JobFactory, JobItemFactory, StoredFileFactory, TrackFactory, UserFactory
from tests.reliability.helpers import Connections, form_errors_shown, playlist_job, run_job_here
from tests.reliability.invariants import assert_job_consistent, assert_plain, music_files
from tests.reliability.nasty import nasty_strings
from tests.support.files import make_opus

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
