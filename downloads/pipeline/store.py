"""Place finished files into MUSIC_ROOT: path template, names safe on every OS, atomic moves.

One file per (track, format, upload). A file's identity is the Spotify URL in its tags, so when
two different tracks would get the same path the second one is told apart by its Spotify id; a
second upload of a track is told apart by its video id; the same upload arriving again replaces
its own file. The first folder never equals the playlists folder, so music and playlist files
never mix.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import string
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from downloads.pipeline.errors import PathTemplateError, StoreError
from downloads.pipeline.metadata import TrackTags
from downloads.pipeline.tag import spotify_track_id
from downloads.worker import workdir

# The folder of the .m3u8 files; music never goes there (a first folder with this name is renamed).
PLAYLISTS_FOLDER = "Playlists"
DEFAULT_TEMPLATE = "{album_artist}/{album}/{disc}-{track:02} {title}.{ext}"
TEMPLATE_FIELDS = frozenset(
    {"artist", "artists", "album_artist", "album", "title", "track", "disc", "year", "ext"}
    | {"isrc", "playlist"}
)
# Most filesystems allow 255 bytes per name; the margin leaves room for a collision suffix and
# for tools that append their own (".part", "~").
MAX_COMPONENT_BYTES = 200
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")
_EXTENSION = re.compile(r"[a-z0-9]{1,10}")
# Windows refuses these as a name's stem whatever the extension ("nul.txt"), superscript digits too.
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"{port}{digit}" for port in ("COM", "LPT") for digit in "123456789\u00b9\u00b2\u00b3"}
)
# Characters that continue the previous one; a cut in front of them would split what people see
# as one character (accents, emoji with skin tones or joined by ZWJ, flags' tag sequences).
_EXTENDERS = re.compile("[\u200d\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")

# ---- names ------------------------------------------------------------------------------------


def sanitize_component(name: str, *, max_bytes: int = MAX_COMPONENT_BYTES) -> str:
    """One path component that is a valid, visible, non-reserved name on Linux, macOS, Windows."""
    name = unicodedata.normalize("NFC", name)
    name = _BIDI_CONTROLS.sub("", name)
    name = "".join(" " if unicodedata.category(char) == "Cc" else char for char in name)
    name = _FORBIDDEN.sub("_", _SPACES.sub(" ", name)).strip()
    # A leading dot hides the file on Unix and could name our own ".incoming" folder.
    name = re.sub(r"^\.+", lambda match: "_" * len(match.group()), name)
    name = _strip_trailing(_truncate(_unreserve(_strip_trailing(name)), max_bytes))
    return name or "_"


def _strip_trailing(name: str) -> str:
    # Windows silently drops trailing dots and spaces, so "Album." and "Album" would collide.
    return name.rstrip(". ")


def _unreserve(name: str) -> str:
    stem, dot, rest = name.partition(".")
    if stem.rstrip(" ").upper() in _RESERVED:
        return f"{stem}_{dot}{rest}"
    return name


def _truncate(text: str, max_bytes: int) -> str:
    """The longest prefix of `text` within `max_bytes` of UTF-8 that ends between characters."""
    if len(text.encode()) <= max_bytes:
        return text
    used, cut = 0, 0
    for index, char in enumerate(text):
        used += len(char.encode())
        if used > max_bytes:
            break
        if not _continues(text, index + 1):
            cut = index + 1
    return text[:cut]


def _continues(text: str, index: int) -> bool:
    """True when a cut before text[index] would split a user-perceived character."""
    if index >= len(text) or index == 0:
        return False
    char, previous = text[index], text[index - 1]
    return bool(unicodedata.combining(char) or _EXTENDERS.match(char) or previous == "\u200d")


# ---- templates --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PathFields:
    """Values a template may use; `artist` is the primary artist, `artists` all of them."""

    title: str
    artist: str
    artists: str
    album_artist: str
    album: str
    track: int
    disc: int
    year: str
    ext: str
    isrc: str = ""
    playlist: str = ""

    @classmethod
    def from_tags(cls, tags: TrackTags, ext: str, *, playlist: str = "") -> PathFields:
        return cls(
            title=tags.title or "Unknown Title",
            artist=tags.artists[0] if tags.artists else "Unknown Artist",
            artists=tags.artist or "Unknown Artist",
            album_artist=tags.album_artist or "Unknown Artist",
            album=tags.album or "Unknown Album",
            track=tags.track_number or 0,
            disc=tags.disc_number or 1,
            year=tags.year,
            ext=ext,
            isrc=tags.isrc or "",
            playlist=playlist,
        )


@dataclass(frozen=True, slots=True)
class PlannedPath:
    """A rendered template: safe folder names, and a file name that keeps its extension."""

    directories: tuple[str, ...]
    stem: str
    ext: str

    def filename(self, suffix: str = "") -> str:
        budget = MAX_COMPONENT_BYTES - len(f"{suffix}.{self.ext}".encode())
        stem = _strip_trailing(_truncate(self.stem, budget)) or "_"
        return f"{stem}{suffix}.{self.ext}"

    def relative(self, suffix: str = "") -> PurePosixPath:
        return PurePosixPath(*self.directories, self.filename(suffix))


def validate_template(template: str) -> None:
    """Reject templates that are malformed, reach outside the music folder or lose the extension."""
    if not template or template.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", template):
        raise PathTemplateError("The path template must be relative to the music folder.")
    if any(unicodedata.category(char) == "Cc" for char in template) or "\\" in template:
        raise PathTemplateError("The path template may not contain control characters or '\\'.")
    parts = template.split("/")
    if any(part.strip() in {"", ".", ".."} for part in parts):
        raise PathTemplateError(
            "The path template may not contain empty, '.' or '..' folders: "
            "files must stay inside the music folder."
        )
    if not parts[-1].endswith(".{ext}"):
        raise PathTemplateError("The path template must end with '.{ext}'.")
    for part in parts:
        _check_fields(part)


def _check_fields(part: str) -> None:
    try:
        parsed = list(string.Formatter().parse(part))
    except ValueError as exc:
        raise PathTemplateError(f"The path template is malformed: {exc}.") from exc
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in TEMPLATE_FIELDS:
            allowed = ", ".join(sorted(TEMPLATE_FIELDS))
            raise PathTemplateError(f"Unknown field {{{field}}} in the path template ({allowed}).")
        if conversion or (spec and "{" in spec):
            raise PathTemplateError(f"Field {{{field}}} may only carry a format such as :02.")


def render_path(template: str, fields: PathFields) -> PlannedPath:
    """Fill the template; each component is made safe on its own, so values can add no folders."""
    validate_template(template)
    ext = fields.ext.lower()
    if not _EXTENSION.fullmatch(ext):
        raise StoreError(f"Unusable file extension {fields.ext!r}.")
    values = {
        name: value.replace("/", "_").replace("\\", "_") if isinstance(value, str) else value
        for name, value in _field_values(fields).items()
    }
    *folders, last = template.split("/")
    stem_template = last.removesuffix(".{ext}")
    directories = tuple(sanitize_component(_format(part, values)) for part in folders)
    if directories and directories[0].casefold() == PLAYLISTS_FOLDER.casefold():
        directories = (f"{directories[0]} (music)", *directories[1:])
    stem = sanitize_component(_format(stem_template, values), max_bytes=1 << 20)
    return PlannedPath(directories=directories, stem=stem, ext=ext)


def _field_values(fields: PathFields) -> dict[str, str | int]:
    return {name: getattr(fields, name) for name in TEMPLATE_FIELDS}


def _format(part: str, values: dict[str, str | int]) -> str:
    try:
        return part.format_map(values)
    except (ValueError, TypeError) as exc:
        raise PathTemplateError(f"The path template cannot be filled in: {exc}.") from exc


def music_root(root: Path | None = None) -> Path:
    return Path(root if root is not None else settings.MUSIC_ROOT).resolve()


def inside_root(root: Path, relative: PurePosixPath | str) -> Path:
    """`root / relative`, resolved; refuses anything that lands outside root (also via symlinks)."""
    relative = PurePosixPath(relative)
    if relative.is_absolute():
        raise PathTemplateError(f"Refusing to write outside the music folder: {relative}")
    resolved = root.resolve()  # once: each resolve() is an lstat per component of the path
    return _require_inside(resolved, resolved / relative)


def _require_inside(resolved_root: Path, path: Path) -> Path:
    target = path.resolve()
    if not target.is_relative_to(resolved_root) or target == resolved_root:
        raise PathTemplateError(f"Refusing to write outside the music folder: {path}")
    return target


# ---- atomic placement -------------------------------------------------------------------------


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new entry in `directory` durable (a no-op where directories can't be
    opened, as on Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def make_directories(directory: Path, root: Path) -> None:
    """Create missing folders below root, syncing each parent so the new entries survive a crash."""
    missing: list[Path] = []
    current = directory
    while not current.exists() and current != root and current.is_relative_to(root):
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir()
        fsync_directory(folder.parent)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Readers see the old content or the new one, never a half-written file."""
    fd, temp_name = tempfile.mkstemp(
        dir=path.parent, prefix=workdir.beside_prefix("tmp"), suffix=path.suffix
    )
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def _staged(source: Path, directory: Path) -> Path:
    """`source` itself when it is on the target's filesystem; else a complete copy beside it."""
    if source.stat().st_dev == directory.stat().st_dev:
        return source
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=workdir.beside_prefix("tmp"))
    os.close(fd)
    shutil.copyfile(source, temp_name)
    source.unlink()
    return Path(temp_name)


OwnerOf = Callable[[Path], str | None]


def _claim(source: Path, target: Path, track_id: str, owner_of: OwnerOf) -> bool:
    """Move source to target unless target holds another track's file. True when placed."""
    try:
        # link() fails when target exists, so two workers can never overwrite each other's track.
        os.link(source, target)
    except FileExistsError:
        if owner_of(target) != track_id:
            return False
        source.replace(target)
    except OSError as exc:
        if exc.errno not in {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK}:
            raise
        # No hard links on this filesystem (FAT, some network shares): check, then rename.
        if target.exists() and owner_of(target) != track_id:
            return False
        source.replace(target)
    else:
        source.unlink()
    return True


def store_file(
    source: Path,
    planned: PlannedPath,
    *,
    track_id: str,
    upload_id: str = "",
    held: frozenset[str] = frozenset(),
    root: Path | None = None,
    owner_of: OwnerOf = spotify_track_id,
) -> Path:
    """Move a finished, tagged file into place and return its final path.

    `track_id` is the Spotify id the file's tags carry; `held` are paths (relative to the root)
    of the track's files from other uploads or formats, which this one must not replace: a second
    upload of a track is told apart by its `upload_id`. Blocking: run it in a thread.
    """
    base = music_root(root)
    upload = sanitize_component(upload_id, max_bytes=64) if upload_id else ""
    suffixes = ["", f" [{upload}]"] if upload else [""]
    suffixes += [f" [{track_id[:8]}]", f" [{track_id}]"]
    if upload:
        suffixes.append(f" [{track_id} {upload}]")
    for suffix in suffixes:
        relative = planned.relative(suffix)
        if relative.as_posix() in held:
            continue
        target = inside_root(base, relative)
        make_directories(target.parent, base)
        _fsync_file(source)
        source = _staged(source, target.parent)
        if _claim(source, target, track_id, owner_of):
            fsync_directory(target.parent)
            return target
    source.unlink(missing_ok=True)
    raise StoreError(f"Another track already holds {planned.relative()} and its variants.")


# ---- playlists --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaylistEntry:
    path: Path
    duration_s: float | None
    artist: str
    title: str


def _one_line(text: str) -> str:
    # A newline in a title would start a new entry: the playlist format has no escaping.
    return _SPACES.sub(" ", "".join(" " if unicodedata.category(c) == "Cc" else c for c in text))


def m3u8_text(playlist: Path, entries: Iterable[PlaylistEntry]) -> str:
    """Extended M3U: an #EXTINF line and a path relative to the playlist's folder per entry."""
    lines = ["#EXTM3U"]
    for entry in entries:
        relative = PurePosixPath(Path(os.path.relpath(entry.path, playlist.parent)).as_posix())
        if _one_line(str(relative)) != str(relative):
            raise StoreError(f"Cannot list {entry.path} in a playlist: its name has control chars.")
        seconds = -1 if entry.duration_s is None else round(entry.duration_s)
        lines.append(f"#EXTINF:{seconds},{_one_line(entry.artist)} - {_one_line(entry.title)}")
        lines.append(str(relative))
    return "\n".join(lines) + "\n"


def write_m3u8(path: Path, entries: Iterable[PlaylistEntry], *, root: Path | None = None) -> None:
    """Write (or replace) a UTF-8 playlist atomically; it must lie inside the music folder."""
    base = music_root(root)
    target = _require_inside(base, Path(path))
    make_directories(target.parent, base)
    atomic_write_bytes(target, m3u8_text(target, entries).encode("utf-8"))
