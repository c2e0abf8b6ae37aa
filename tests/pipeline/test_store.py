"""Paths from the template are safe on every OS, stay in MUSIC_ROOT, and land atomically."""

from __future__ import annotations

import dataclasses
import os
import threading
import unicodedata
from pathlib import Path

import pytest

from downloads.pipeline.errors import PathTemplateError
from downloads.pipeline.metadata import TrackTags
from downloads.pipeline.store import (
    DEFAULT_TEMPLATE,
    MAX_COMPONENT_BYTES,
    PathFields,
    PlaylistEntry,
    atomic_write_bytes,
    inside_root,
    m3u8_text,
    render_path,
    sanitize_component,
    store_file,
    validate_template,
    write_m3u8,
)
from downloads.playlists import playlist_file_path
from downloads.worker import workdir

TAGS = TrackTags(
    title="Wonderwall",
    artists=("Oasis",),
    album="(What's The Story) Morning Glory?",
    album_artists=("Oasis",),
    track_number=3,
    disc_number=1,
    release_date="1995-10-02",
    isrc="GBAJE9500107",
    spotify_url="https://open.spotify.com/track/1qPbGZqppFwLwcBC1JQ6Vr",
)
FIELDS = PathFields.from_tags(TAGS, "opus")
WINDOWS_FORBIDDEN = set('<>:"/\\|?*')


def _is_portable(name: str) -> bool:
    return (
        name not in {"", ".", ".."}
        and not name.startswith(".")
        and not name.endswith((".", " "))
        and not WINDOWS_FORBIDDEN & set(name)
        and all(unicodedata.category(char) != "Cc" for char in name)
        and len(name.encode()) <= MAX_COMPONENT_BYTES
        and unicodedata.is_normalized("NFC", name)
    )


# ---- sanitizing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AC/DC", "AC_DC"),
        ("back\\slash", "back_slash"),
        ("..", "__"),
        (".", "_"),
        ("...And Justice for All", "___And Justice for All"),
        ("CON", "CON_"),
        ("con.txt", "con_.txt"),
        ("Nul", "Nul_"),
        ("COM1", "COM1_"),
        ("LPT9.mp3", "LPT9_.mp3"),
        ("COM\u00b9", "COM\u00b9_"),
        ("CONCERT", "CONCERT"),
        ("tab\there\nnew\x00line\x7f", "tab here new line"),
        ("Ends with dots...", "Ends with dots"),
        ("trailing spaces   ", "trailing spaces"),
        ('What? <Why> "Who": a|b*', "What_ _Why_ _Who__ a_b_"),
        ("", "_"),
        ("   ", "_"),
        ("\u202eevil\u202c.mp3", "evil.mp3"),
    ],
)
def test_names_are_made_safe_for_every_os(raw, expected):
    assert sanitize_component(raw) == expected


def test_names_are_normalized_to_nfc():
    decomposed = "Beyonce\u0301"

    assert sanitize_component(decomposed) == "Beyoncé"
    assert unicodedata.is_normalized("NFC", sanitize_component(decomposed))


def test_right_to_left_and_emoji_names_are_kept_as_they_are():
    assert sanitize_component("עומר אדם") == "עומר אדם"
    assert sanitize_component("فيروز - يا أنا") == "فيروز - يا أنا"
    assert sanitize_component("👨‍👩‍👧 family 🇯🇵") == "👨‍👩‍👧 family 🇯🇵"


@pytest.mark.parametrize("unit", ["a", "é", "東", "🎶", "👨‍👩‍👧", "e\u0301"])
def test_long_names_are_cut_to_200_bytes_without_splitting_a_character(unit):
    raw = unit * 400

    name = sanitize_component(raw)

    assert len(name.encode()) <= MAX_COMPONENT_BYTES
    assert len(name.encode()) > MAX_COMPONENT_BYTES - 20
    assert name.encode().decode() == name
    normalized_unit = unicodedata.normalize("NFC", unit)
    assert name == normalized_unit * (len(name) // len(normalized_unit))


@pytest.mark.parametrize(
    "raw",
    ["a" * 300, "..", "CON", "x" * 199 + "é" + ". .", "\x00\x01", " . ", "🎶" * 100 + "..."],
)
def test_every_sanitized_name_is_portable(raw):
    assert _is_portable(sanitize_component(raw))


# ---- templates --------------------------------------------------------------------------------


def test_the_default_template_gives_artist_album_and_numbered_title():
    planned = render_path(DEFAULT_TEMPLATE, FIELDS)

    assert str(planned.relative()) == "Oasis/(What's The Story) Morning Glory_/1-03 Wonderwall.opus"


def test_every_template_field_can_be_used():
    fields = dataclasses.replace(FIELDS, artists="Oasis, Noel", playlist="Britpop")
    template = "{playlist}/{artist} - {artists}/{year} {album_artist}/{isrc} {title} {disc}.{ext}"

    planned = render_path(template, fields)

    assert str(planned.relative()) == (
        "Britpop/Oasis - Oasis, Noel/1995 Oasis/GBAJE9500107 Wonderwall 1.opus"
    )


def test_values_with_separators_and_dots_cannot_add_folders():
    fields = dataclasses.replace(FIELDS, album_artist="../../etc", album="..", title="a/../../b")

    planned = render_path(DEFAULT_TEMPLATE, fields)

    assert planned.directories == ("___.._etc", "__")
    assert "/" not in planned.filename()
    assert all(_is_portable(part) for part in planned.relative().parts)


def test_a_long_title_keeps_its_extension():
    fields = dataclasses.replace(FIELDS, title="东" * 200)

    name = render_path(DEFAULT_TEMPLATE, fields).filename()

    assert name.endswith(".opus")
    assert len(name.encode()) <= MAX_COMPONENT_BYTES


@pytest.mark.parametrize(
    "template",
    [
        "/etc/{title}.{ext}",
        "\\\\server\\share\\{title}.{ext}",
        "C:/{title}.{ext}",
        "../{title}.{ext}",
        "{album}/../../{title}.{ext}",
        "{album}/./{title}.{ext}",
        "{album}//{title}.{ext}",
        "{album}\\..\\{title}.{ext}",
        "{title}",
        "{title}.mp3",
        "{title.__class__}.{ext}",
        "{title[0]}.{ext}",
        "{0}.{ext}",
        "{secret}.{ext}",
        "{title!r}.{ext}",
        "{title:{album}}.{ext}",
        "{title.{ext}",
        "{album}\n/{title}.{ext}",
        "",
    ],
)
def test_templates_that_escape_or_misbehave_are_rejected(template):
    with pytest.raises(PathTemplateError):
        validate_template(template)
    with pytest.raises(PathTemplateError):
        render_path(template, FIELDS)


def test_a_symlink_out_of_the_music_folder_is_refused(_music_root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (_music_root / "Oasis").symlink_to(outside)

    with pytest.raises(PathTemplateError):
        inside_root(_music_root, render_path(DEFAULT_TEMPLATE, FIELDS).relative())


# ---- placing files ----------------------------------------------------------------------------


def _owner_from_content(path: Path) -> str | None:
    """Test files hold their track id as their content, standing in for the tagged Spotify URL."""
    return path.read_text()


def _incoming(root: Path, content: str) -> Path:
    folder = root / ".incoming" / content
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "audio.opus"
    path.write_text(content)
    return path


def test_a_file_is_moved_into_place_and_the_incoming_copy_is_gone(_music_root):
    source = _incoming(_music_root, "track-one")

    final = store_file(
        source,
        render_path(DEFAULT_TEMPLATE, FIELDS),
        track_id="track-one",
        owner_of=_owner_from_content,
    )

    assert final == _music_root / "Oasis/(What's The Story) Morning Glory_/1-03 Wonderwall.opus"
    assert final.read_text() == "track-one"
    assert not source.exists()


def test_the_same_track_again_replaces_its_own_file(_music_root):
    planned = render_path(DEFAULT_TEMPLATE, FIELDS)
    first = store_file(
        _incoming(_music_root, "same"), planned, track_id="same", owner_of=_owner_from_content
    )
    inode = first.stat().st_ino

    again = store_file(
        _incoming(_music_root, "same"), planned, track_id="same", owner_of=_owner_from_content
    )

    assert again == first
    assert again.stat().st_ino != inode
    assert sorted(p.name for p in first.parent.iterdir()) == [first.name]


def test_a_different_track_on_the_same_path_gets_its_short_id_appended(_music_root):
    planned = render_path(DEFAULT_TEMPLATE, FIELDS)
    first = store_file(
        _incoming(_music_root, "1qPbGZqppFwLwcBC1JQ6Vr"),
        planned,
        track_id="1qPbGZqppFwLwcBC1JQ6Vr",
        owner_of=_owner_from_content,
    )

    second = store_file(
        _incoming(_music_root, "7xGfFoTpQ2E7fRF5lN10tr"),
        planned,
        track_id="7xGfFoTpQ2E7fRF5lN10tr",
        owner_of=_owner_from_content,
    )
    again = store_file(
        _incoming(_music_root, "7xGfFoTpQ2E7fRF5lN10tr"),
        planned,
        track_id="7xGfFoTpQ2E7fRF5lN10tr",
        owner_of=_owner_from_content,
    )

    assert first.read_text() == "1qPbGZqppFwLwcBC1JQ6Vr"
    assert second.name == "1-03 Wonderwall [7xGfFoTp].opus"
    assert second.read_text() == "7xGfFoTpQ2E7fRF5lN10tr"
    assert again == second


def test_tracks_racing_for_one_path_never_overwrite_each_other(_music_root):
    planned = render_path(DEFAULT_TEMPLATE, FIELDS)
    ids = [f"racer{n:02}xxxxxxxxxxxxx" for n in range(8)]
    sources = {track_id: _incoming(_music_root, track_id) for track_id in ids}
    placed: dict[str, Path] = {}
    barrier = threading.Barrier(len(ids))

    def place(track_id: str) -> None:
        barrier.wait()
        placed[track_id] = store_file(
            sources[track_id], planned, track_id=track_id, owner_of=_owner_from_content
        )

    threads = [threading.Thread(target=place, args=(track_id,)) for track_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(placed.values())) == len(ids)
    assert all(path.read_text() == track_id for track_id, path in placed.items())


def _beside(folder: Path) -> list[str]:
    """What is in the folder but the process's own run root (its temp files are named after it)."""
    return [name for name in os.listdir(folder) if name != workdir.INCOMING]


def test_atomic_write_replaces_content_and_leaves_no_temp_files(_music_root):
    target = _music_root / "file.txt"
    target.write_text("old")

    atomic_write_bytes(target, b"new")

    assert target.read_bytes() == b"new"
    assert _beside(_music_root) == ["file.txt"]


def test_a_failed_atomic_write_keeps_the_old_content(_music_root):
    target = _music_root / "file.txt"
    target.write_text("old")

    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")  # type: ignore[arg-type]

    assert target.read_text() == "old"
    assert _beside(_music_root) == ["file.txt"]


# ---- playlists --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_playlist_lists_paths_relative_to_itself_with_extinf_lines(_music_root, user):
    song = _music_root / "Oasis" / "Morning Glory" / "1-03 Wonderwall.opus"
    other = _music_root / "Sigur Rós" / "( )" / "1-01 Untitled #1.m4a"
    playlist = playlist_file_path(title="Road trip: 90s / 00s", owner=user)

    write_m3u8(
        playlist,
        [
            PlaylistEntry(song, 258.6, "Oasis", "Wonderwall"),
            PlaylistEntry(other, None, "Sigur Rós", "Untitled #1\nfake.mp3"),
        ],
    )

    assert playlist == _music_root / "Playlists" / "ana" / "Road trip_ 90s _ 00s.m3u8"
    assert playlist.read_bytes().decode("utf-8") == (
        "#EXTM3U\n"
        "#EXTINF:259,Oasis - Wonderwall\n"
        "../../Oasis/Morning Glory/1-03 Wonderwall.opus\n"
        "#EXTINF:-1,Sigur Rós - Untitled #1 fake.mp3\n"
        "../../Sigur Rós/( )/1-01 Untitled #1.m4a\n"
    )


def test_a_playlist_in_a_subfolder_reaches_files_with_dot_dot(_music_root):
    song = _music_root / "Oasis" / "Wonderwall.opus"

    text = m3u8_text(_music_root / "Playlists" / "mine.m3u8", [PlaylistEntry(song, 1, "O", "W")])

    assert text.splitlines()[-1] == "../Oasis/Wonderwall.opus"


def test_a_playlist_outside_the_music_folder_is_refused(_music_root, tmp_path):
    with pytest.raises(PathTemplateError):
        write_m3u8(tmp_path / "elsewhere.m3u8", [])
    with pytest.raises(PathTemplateError):
        write_m3u8(_music_root / ".." / "escape.m3u8", [])
