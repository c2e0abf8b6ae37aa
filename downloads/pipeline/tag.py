"""Write `TrackTags` into MP3 (ID3v2.4), M4A (MP4 atoms) and Ogg Opus/Vorbis (Vorbis comments).

Every container gets the same fields under the names players look for (Picard's conventions):
the main artist field holds one display string, a separate ARTISTS field holds each artist.
Existing tags are dropped first, so nothing the source upload carried survives.
`read_tags` reads all of it back, for tests and for telling apart files that share a path.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import mutagen
import mutagen.flac
import mutagen.id3
import mutagen.mp4
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from downloads.pipeline import lyrics_tags
from downloads.pipeline.errors import TagError
from downloads.pipeline.metadata import TrackTags

if TYPE_CHECKING:
    from downloads.pipeline.lyrics import Lyrics

# mutagen ships py.typed but leaves its constructors unannotated, which strict mypy rejects at every
# call: its frame and atom classes are reached through these Any-typed module names instead.
id3: Any = mutagen.id3
mp4: Any = mutagen.mp4
flac: Any = mutagen.flac

FRONT_COVER = 3  # the picture type "Cover (front)" shared by ID3 APIC and FLAC/Vorbis pictures
_FREEFORM = "----:com.apple.iTunes:"


class ReadTags(TypedDict):
    title: str | None
    artist: str | None
    artists: tuple[str, ...]
    album_artist: str | None
    album: str | None
    track_number: int | None
    track_total: int | None
    disc_number: int | None
    disc_total: int | None
    release_date: str | None
    isrc: str | None
    explicit: bool | None
    spotify_url: str | None
    source_url: str | None
    match_score: float | None
    cover: bytes | None


def write_tags(
    path: Path, tags: TrackTags, cover: bytes | None = None, lyrics: Lyrics | None = None
) -> None:
    """Replace every tag in `path` with `tags` (and the JPEG `cover`, and `lyrics` as the
    lyrics stage embeds them). Blocking: run in a thread."""
    audio = _open(path)
    if isinstance(audio, MP3):
        _write_id3(path, tags, cover, lyrics)
    elif isinstance(audio, MP4):
        _write_mp4(audio, tags, cover, lyrics)
    else:
        _write_vorbis(audio, tags, cover, lyrics)


def read_tags(path: Path) -> ReadTags:
    """Every field `write_tags` writes, read back from the file."""
    audio = _open(path)
    if isinstance(audio, MP3):
        return _read_id3(audio.tags if audio.tags is not None else id3.ID3())
    if isinstance(audio, MP4):
        return _read_mp4(audio.tags or {})
    return _read_vorbis(audio.tags or {})


def spotify_track_id(path: Path) -> str | None:
    """The Spotify track a tagged file belongs to, or None when it carries no Spotify URL."""
    try:
        url = read_tags(path)["spotify_url"]
    except (TagError, OSError):
        return None
    return url.rstrip("/").rsplit("/", 1)[-1] if url else None


def _open(path: Path) -> Any:
    try:
        audio = mutagen.File(path)
    except mutagen.MutagenError as exc:
        raise TagError(f"cannot read {path.name}: {exc}") from exc
    if not isinstance(audio, MP3 | MP4 | OggOpus | OggVorbis):
        raise TagError(f"cannot tag {path.name}: not an MP3, M4A, Opus or Vorbis file")
    return audio


def _pair(number: int | None, total: int | None) -> str | None:
    if number is None:
        return None
    return f"{number}/{total}" if total else str(number)


def _advisory(explicit: bool | None) -> str | None:
    # iTunes' advisory values: 1 explicit, 0 none given. Spotify's False means "not explicit",
    # which is not the same as iTunes' 2 ("clean version of an explicit track").
    return None if explicit is None else ("1" if explicit else "0")


def _score(score: float | None) -> str | None:
    return None if score is None else f"{score:.4f}"


# ---- ID3 (mp3) -------------------------------------------------------------------------------


def _write_id3(path: Path, tags: TrackTags, cover: bytes | None, lyrics: Lyrics | None) -> None:
    frames = id3.ID3()
    text_frames: list[tuple[type[Any], str | None]] = [
        (id3.TIT2, tags.title),
        (id3.TPE1, tags.artist),
        (id3.TPE2, tags.album_artist),
        (id3.TALB, tags.album),
        (id3.TRCK, _pair(tags.track_number, tags.track_total)),
        (id3.TPOS, _pair(tags.disc_number, tags.disc_total)),
        (id3.TDRC, tags.release_date),
        (id3.TSRC, tags.isrc),
    ]
    for frame, value in text_frames:
        if value:
            frames.add(frame(encoding=3, text=[value]))
    if tags.artists:
        frames.add(id3.TXXX(encoding=3, desc="ARTISTS", text=list(tags.artists)))
    for desc, value in _extra_fields(tags).items():
        frames.add(id3.TXXX(encoding=3, desc=desc, text=[value]))
    if tags.spotify_url:
        frames.add(id3.WOAF(url=tags.spotify_url))
    if tags.source_url:
        frames.add(id3.WOAS(url=tags.source_url))
    if cover:
        frames.add(
            id3.APIC(encoding=3, mime="image/jpeg", type=FRONT_COVER, desc="Cover", data=cover)
        )
    if lyrics is not None:
        lyrics_tags.id3_add(frames, lyrics.plain, lyrics.synced)
    # v1=0 strips any ID3v1 tag: it cannot hold anything but Latin-1 and would go stale.
    frames.save(path, v1=0, v2_version=4)


def _extra_fields(tags: TrackTags) -> dict[str, str]:
    """Fields no container has a standard slot for, written as free-form text everywhere."""
    fields = {"ITUNESADVISORY": _advisory(tags.explicit), "MATCH_SCORE": _score(tags.match_score)}
    return {key: value for key, value in fields.items() if value is not None}


def _id3_text(frames: Any, key: str) -> str | None:
    frame = frames.get(key)
    return str(frame.text[0]) if frame is not None and frame.text else None


def _read_id3(frames: Any) -> ReadTags:
    artists = frames.get("TXXX:ARTISTS")
    woaf, woas = frames.getall("WOAF"), frames.getall("WOAS")
    pictures = frames.getall("APIC")
    track = _split_pair(_id3_text(frames, "TRCK"))
    disc = _split_pair(_id3_text(frames, "TPOS"))
    return ReadTags(
        title=_id3_text(frames, "TIT2"),
        artist=_id3_text(frames, "TPE1"),
        artists=tuple(str(name) for name in artists.text) if artists else (),
        album_artist=_id3_text(frames, "TPE2"),
        album=_id3_text(frames, "TALB"),
        track_number=track[0],
        track_total=track[1],
        disc_number=disc[0],
        disc_total=disc[1],
        release_date=_id3_text(frames, "TDRC"),
        isrc=_id3_text(frames, "TSRC"),
        explicit=_parse_advisory(_id3_text(frames, "TXXX:ITUNESADVISORY")),
        spotify_url=woaf[0].url if woaf else None,
        source_url=woas[0].url if woas else None,
        match_score=_parse_score(_id3_text(frames, "TXXX:MATCH_SCORE")),
        cover=bytes(pictures[0].data) if pictures else None,
    )


def _split_pair(value: str | None) -> tuple[int | None, int | None]:
    if not value:
        return None, None
    number, _, total = value.partition("/")
    return _to_int(number), _to_int(total)


def _to_int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _parse_advisory(value: str | None) -> bool | None:
    return None if value is None else value.strip() == "1"


def _parse_score(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


# ---- MP4 (m4a) -------------------------------------------------------------------------------


def _write_mp4(audio: Any, tags: TrackTags, cover: bytes | None, lyrics: Lyrics | None) -> None:
    if audio.tags is None:
        audio.add_tags()
    audio.tags.clear()
    values: dict[str, Any] = {
        "\xa9nam": tags.title,
        "\xa9ART": tags.artist,
        "aART": tags.album_artist,
        "\xa9alb": tags.album,
        "\xa9day": tags.release_date,
    }
    for key, value in values.items():
        if value:
            audio.tags[key] = [value]
    if tags.track_number is not None:
        audio.tags["trkn"] = [(tags.track_number, tags.track_total or 0)]
    if tags.disc_number is not None:
        audio.tags["disk"] = [(tags.disc_number, tags.disc_total or 0)]
    if tags.explicit is not None:
        audio.tags["rtng"] = [1 if tags.explicit else 0]
    for name, texts in _mp4_freeform(tags).items():
        audio.tags[_FREEFORM + name] = [mp4.MP4FreeForm(text.encode()) for text in texts]
    if cover:
        audio.tags["covr"] = [mp4.MP4Cover(cover, imageformat=mp4.MP4Cover.FORMAT_JPEG)]
    if lyrics is not None:
        lyrics_tags.mp4_add(audio.tags, lyrics.plain, lyrics.synced)
    audio.save()


def _mp4_freeform(tags: TrackTags) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {"ARTISTS": list(tags.artists)}
    single = {
        "ISRC": tags.isrc,
        "SPOTIFY_URL": tags.spotify_url,
        "SOURCE_URL": tags.source_url,
        "MATCH_SCORE": _score(tags.match_score),
    }
    fields.update({key: [value] for key, value in single.items() if value})
    return {key: texts for key, texts in fields.items() if texts}


def _mp4_text(tags: Any, key: str) -> str | None:
    values = tags.get(key)
    return str(values[0]) if values else None


def _mp4_free(tags: Any, name: str) -> list[str]:
    return [bytes(value).decode("utf-8", "replace") for value in tags.get(_FREEFORM + name, [])]


def _read_mp4(tags: Any) -> ReadTags:
    track = (tags.get("trkn") or [(None, None)])[0]
    disc = (tags.get("disk") or [(None, None)])[0]
    rating = tags.get("rtng")
    covers = tags.get("covr")
    return ReadTags(
        title=_mp4_text(tags, "\xa9nam"),
        artist=_mp4_text(tags, "\xa9ART"),
        artists=tuple(_mp4_free(tags, "ARTISTS")),
        album_artist=_mp4_text(tags, "aART"),
        album=_mp4_text(tags, "\xa9alb"),
        track_number=track[0],
        track_total=track[1] or None,
        disc_number=disc[0],
        disc_total=disc[1] or None,
        release_date=_mp4_text(tags, "\xa9day"),
        isrc=next(iter(_mp4_free(tags, "ISRC")), None),
        explicit=None if not rating else rating[0] == 1,
        spotify_url=next(iter(_mp4_free(tags, "SPOTIFY_URL")), None),
        source_url=next(iter(_mp4_free(tags, "SOURCE_URL")), None),
        match_score=_parse_score(next(iter(_mp4_free(tags, "MATCH_SCORE")), None)),
        cover=bytes(covers[0]) if covers else None,
    )


# ---- Vorbis comments (Ogg Opus / Ogg Vorbis) --------------------------------------------------


def _vorbis_fields(tags: TrackTags) -> dict[str, list[str]]:
    single: dict[str, str | int | None] = {
        "TITLE": tags.title,
        "ARTIST": tags.artist,
        "ALBUMARTIST": tags.album_artist,
        "ALBUM": tags.album,
        "TRACKNUMBER": tags.track_number,
        "TRACKTOTAL": tags.track_total,
        "DISCNUMBER": tags.disc_number,
        "DISCTOTAL": tags.disc_total,
        "DATE": tags.release_date,
        "ISRC": tags.isrc,
        "SPOTIFY_URL": tags.spotify_url,
        "SOURCE_URL": tags.source_url,
        **_extra_fields(tags),
    }
    fields = {key: [str(value)] for key, value in single.items() if value not in (None, "")}
    if tags.artists:
        fields["ARTISTS"] = list(tags.artists)
    return fields


def _picture_block(cover: bytes) -> str:
    # Ogg has no picture atom: the FLAC picture block, base64-encoded, is the agreed convention.
    picture = flac.Picture()
    picture.type = FRONT_COVER
    picture.mime = "image/jpeg"
    picture.desc = "Cover"
    picture.data = cover
    return base64.b64encode(picture.write()).decode("ascii")


def _write_vorbis(audio: Any, tags: TrackTags, cover: bytes | None, lyrics: Lyrics | None) -> None:
    if audio.tags is None:
        audio.add_tags()
    audio.tags.clear()
    for key, values in _vorbis_fields(tags).items():
        audio.tags[key] = values
    if cover:
        audio.tags["METADATA_BLOCK_PICTURE"] = [_picture_block(cover)]
    if lyrics is not None:
        lyrics_tags.vorbis_add(audio.tags, lyrics.plain, lyrics.synced)
    audio.save()


def _vorbis_text(tags: Any, key: str) -> str | None:
    values = tags.get(key)
    return str(values[0]) if values else None


def _read_picture(tags: Any) -> bytes | None:
    blocks = tags.get("METADATA_BLOCK_PICTURE")
    if not blocks:
        return None
    return bytes(flac.Picture(base64.b64decode(blocks[0])).data)


def _read_vorbis(tags: Any) -> ReadTags:
    return ReadTags(
        title=_vorbis_text(tags, "TITLE"),
        artist=_vorbis_text(tags, "ARTIST"),
        artists=tuple(tags.get("ARTISTS") or ()),
        album_artist=_vorbis_text(tags, "ALBUMARTIST"),
        album=_vorbis_text(tags, "ALBUM"),
        track_number=_to_int(_vorbis_text(tags, "TRACKNUMBER")),
        track_total=_to_int(_vorbis_text(tags, "TRACKTOTAL")),
        disc_number=_to_int(_vorbis_text(tags, "DISCNUMBER")),
        disc_total=_to_int(_vorbis_text(tags, "DISCTOTAL")),
        release_date=_vorbis_text(tags, "DATE"),
        isrc=_vorbis_text(tags, "ISRC"),
        explicit=_parse_advisory(_vorbis_text(tags, "ITUNESADVISORY")),
        spotify_url=_vorbis_text(tags, "SPOTIFY_URL"),
        source_url=_vorbis_text(tags, "SOURCE_URL"),
        match_score=_parse_score(_vorbis_text(tags, "MATCH_SCORE")),
        cover=_read_picture(tags),
    )
