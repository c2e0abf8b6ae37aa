"""A path template tried before it is saved: filled in with the worst values tracks can bring.

The pipeline's own check (store.validate_template) looks at the template's shape; a format
such as `{title:d}` or `{year:%Y}` only fails once a track fills it in, and then it fails every
download for everyone. So the template is rendered here with long, Unicode, empty, huge and
zero values, and must land inside the music folder and outside the playlist files' folder.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

from downloads.pipeline.errors import PathTemplateError, StoreError
from downloads.pipeline.store import PathFields, inside_root, render_path
from downloads.playlists import PLAYLISTS_FOLDER

# A width or precision beyond this only pads names that are cut at 200 bytes anyway; a huge one
# ("{track:099999999999}") would make Python build a string of that size, or refuse outright.
MAX_FORMAT_NUMBER = 100
_NUMBERS = re.compile(r"\d+")

WORST_CASES = (
    PathFields(
        title="Title " * 300,
        artist="Artist " * 100,
        artists="Artist, " * 100,
        album_artist="Album Artist " * 100,
        album="Album " * 300,
        track=10**18,
        disc=10**9,
        year="2026",
        ext="flac",
        isrc="USRC17607839",
        playlist="Playlist " * 100,
    ),
    PathFields(
        title="Ünïcødé 🎵👩🏽‍🎤 مرحبا \u202etxt.exe 日本語",
        artist="Beyoncé",
        artists="Beyoncé, 坂本龍一",
        album_artist="Sigur Rós",
        album="Ágætis byrjun",
        track=1,
        disc=1,
        year="1999",
        ext="opus",
    ),
    PathFields(
        title="",
        artist="",
        artists="",
        album_artist="",
        album="",
        track=0,
        disc=0,
        year="",
        ext="m4a",
    ),
)


def path_template_check(template: str) -> None:
    """Refuse a template (PathTemplateError, with a reason fit to show) that cannot render."""
    for part in template.split("/"):
        _check_numbers(part)
    if template.split("/")[0].strip().casefold() == PLAYLISTS_FOLDER.casefold():
        # A tag that renders as "Playlists" is moved aside by the store; a template is refused.
        raise PathTemplateError(
            f"Music cannot go into the {PLAYLISTS_FOLDER} folder: it holds the playlist files."
        )
    for fields in WORST_CASES:
        try:
            planned = render_path(template, fields)
        except (StoreError, OverflowError, ValueError, TypeError) as exc:
            # "{track:c}" overflows on a huge track number; store.py only expects ValueError.
            raise PathTemplateError(f"The path template cannot be filled in: {exc}") from exc
        # Sanitized names cannot climb out; this states the promise the error message makes.
        inside_root(Path("/nonexistent-music-root"), planned.relative())


def _check_numbers(part: str) -> None:
    try:
        parsed = list(string.Formatter().parse(part))
    except ValueError as exc:
        raise PathTemplateError(f"The path template is malformed: {exc}.") from exc
    for _literal, field, spec, _conversion in parsed:
        if (
            field is not None
            and spec
            and any(int(number) > MAX_FORMAT_NUMBER for number in _NUMBERS.findall(spec))
        ):
            raise PathTemplateError(
                f"The format of {{{field}}} asks for {spec!r}: widths above "
                f"{MAX_FORMAT_NUMBER} cannot be used."
            )
