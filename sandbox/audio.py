"""Candidate audio: a sine tone per candidate, made by ffmpeg on first request and cached.

A file is a few seconds of encoded tone looped by stream copy up to the candidate's duration,
so a 4-minute file costs a fraction of a second. The tone survives remuxing, re-tagging and
transcoding, so `identify` can name the candidate a downloaded file came from.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Iterable
from pathlib import Path

from sandbox.candidates import parse_id, tone_hz
from sandbox.ffmpeg import run_ffmpeg

CHUNK_SECONDS = 6
CONTENT_TYPES = {"webm": "audio/webm", "m4a": "audio/mp4"}
MUXERS = {"webm": "webm", "m4a": "ipod"}
ENCODERS: dict[str, dict[str, tuple[str, ...]]] = {
    "tiny": {
        "webm": ("-ar", "48000", "-ac", "1", "-c:a", "libopus", "-b:a", "12k"),
        "m4a": ("-ar", "16000", "-ac", "1", "-c:a", "aac", "-b:a", "16k"),
    },
    "real": {
        "webm": ("-ar", "48000", "-ac", "2", "-c:a", "libopus", "-b:a", "160k", "-vbr", "off"),
        "m4a": ("-ar", "44100", "-ac", "2", "-c:a", "aac", "-b:a", "160k"),
    },
}
SAMPLE_RATE = 8000  # for identification: tones live between 300 and 3500 Hz


class AudioCache:
    def __init__(self, cache_dir: Path) -> None:
        self.dir = cache_dir / "media"
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def files(self) -> list[Path]:
        """Every finished candidate file on disk (loop chunks excluded)."""
        if not self.dir.exists():
            return []
        return sorted(
            p for p in self.dir.glob("*/*.*") if p.parent.name != "chunks" and ".tmp" not in p.name
        )

    def path(self, candidate_id: str, ext: str, scale: str) -> Path | None:
        """The audio file for a candidate, made on first use; None for an unknown id."""
        parsed = parse_id(candidate_id)
        if parsed is None or ext not in CONTENT_TYPES or scale not in ENCODERS:
            return None
        slot, seconds = parsed
        path = self.dir / scale / f"{candidate_id}.{ext}"
        with self._lock(str(path)):
            if not path.exists():
                chunk = self._chunk(slot, ext, scale)
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.stem}.tmp.{ext}")
                run_ffmpeg(
                    "-stream_loop",
                    "-1",
                    "-i",
                    str(chunk),
                    "-t",
                    str(seconds),
                    "-c",
                    "copy",
                    "-map_metadata",
                    "-1",
                    "-f",
                    MUXERS[ext],
                    "-y",
                    str(tmp),
                )
                tmp.replace(path)
        return path

    def _chunk(self, slot: int, ext: str, scale: str) -> Path:
        chunk = self.dir / "chunks" / f"{scale}-{slot}.{ext}"
        with self._lock(str(chunk)):
            if not chunk.exists():
                chunk.parent.mkdir(parents=True, exist_ok=True)
                tmp = chunk.with_name(f"{chunk.stem}.tmp.{ext}")
                source = f"sine=frequency={tone_hz(slot)}:duration={CHUNK_SECONDS}"
                run_ffmpeg(
                    "-f",
                    "lavfi",
                    "-i",
                    source,
                    "-af",
                    "volume=0.5",
                    *ENCODERS[scale][ext],
                    "-f",
                    MUXERS[ext],
                    "-y",
                    str(tmp),
                )
                tmp.replace(chunk)
        return chunk


def decode_stretch(path: Path, start: float = 0.5, seconds: float = 1.5) -> array[int]:
    """A short stretch of mono 8 kHz samples, whatever the container or codec."""
    raw = run_ffmpeg(
        "-ss",
        str(start),
        "-t",
        str(seconds),
        "-i",
        str(path),
        "-vn",
        "-ac",
        "1",
        "-ar",
        str(SAMPLE_RATE),
        "-f",
        "s16le",
        "-",
        capture=True,
    )
    samples = array("h")
    samples.frombytes(raw[: len(raw) // 2 * 2])
    return samples


def goertzel(samples: array[int], frequency: float) -> float:
    """Share of the stretch's energy at `frequency` (about 1.0 for a pure tone there)."""
    n = len(samples)
    energy = sum(s * s for s in samples)
    if n == 0 or energy == 0:
        return 0.0
    coeff = 2 * math.cos(2 * math.pi * frequency / SAMPLE_RATE)
    prev = prev2 = 0.0
    for sample in samples:
        prev, prev2 = sample + coeff * prev - prev2, prev
    power = prev * prev + prev2 * prev2 - coeff * prev * prev2
    return 2 * power / (n * energy)


def identify(path: Path, candidate_ids: Iterable[str]) -> str | None:
    """Which of these candidates the file was downloaded from, or None if none fits."""
    samples = decode_stretch(Path(path))
    if len(samples) < SAMPLE_RATE // 4:
        samples = decode_stretch(Path(path), start=0.0)
    scores = {}
    for candidate_id in candidate_ids:
        parsed = parse_id(candidate_id)
        if parsed is not None:
            scores[candidate_id] = goertzel(samples, tone_hz(parsed[0]))
    if not scores:
        return None
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] > 0.5 else None
