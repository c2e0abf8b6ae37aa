"""Cover images: real small JPEGs made by ffmpeg once per (colour, size), cached on disk.

URLs look like Spotify's (`/image/ab67616d0000b273<key>`): the prefix gives the size, the key
picks one of a few palettes, so any album or playlist gets a stable, real cover.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sandbox.ffmpeg import run_ffmpeg
from sandbox.http import Request, Response, json_response
from sandbox.shapes import IMAGE_SIZES

PALETTE = (
    ("1db954", "191414"),
    ("e91e63", "fce4ec"),
    ("3f51b5", "ffeb3b"),
    ("ff5722", "263238"),
    ("009688", "ffffff"),
    ("9c27b0", "00e5ff"),
    ("795548", "ffe0b2"),
    ("607d8b", "ff4081"),
    ("f44336", "212121"),
    ("4caf50", "f1f8e9"),
    ("2196f3", "0d47a1"),
    ("ffc107", "3e2723"),
)
SIZES = dict(IMAGE_SIZES)


class Images:
    def __init__(self, cache_dir: Path) -> None:
        self.dir = cache_dir / "images"
        self._lock = threading.Lock()

    def path_for(self, colour: int, size: int) -> Path:
        path = self.dir / f"cover-{colour}-{size}.jpg"
        with self._lock:
            if not path.exists():
                self.dir.mkdir(parents=True, exist_ok=True)
                background, box = PALETTE[colour]
                tmp = path.with_suffix(".tmp.jpg")
                run_ffmpeg(
                    "-f",
                    "lavfi",
                    "-i",
                    f"color=c=0x{background}:s={size}x{size}",
                    "-vf",
                    f"drawbox=x=iw/5:y=ih/5:w=iw*3/5:h=ih*3/5:color=0x{box}:t=fill",
                    "-frames:v",
                    "1",
                    "-q:v",
                    "5",
                    "-y",
                    str(tmp),
                )
                tmp.replace(path)
        return path

    def serve(self, request: Request) -> Response:
        name = request.params["name"]
        size = SIZES.get(name[:16])
        key = name[16:]
        if size is None or not key or any(c not in "0123456789abcdef" for c in key):
            return json_response({"error": {"status": 404, "message": "No such image"}}, 404)
        body = self.path_for(int(key, 16) % len(PALETTE), size).read_bytes()
        headers = {"Content-Type": "image/jpeg", "Cache-Control": "public, max-age=86400"}
        return Response(200, body, headers)
