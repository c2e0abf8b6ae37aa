"""What the fetch tests share: the stage called as the worker calls it, in a work folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from downloads.pipeline.fetch.options import FetchOptions
from downloads.pipeline.fetch.stage import FetchedAudio, fetch


def fetch_into(url: str, workdir: Path, **kwargs: Any) -> FetchedAudio:
    return fetch(url, options=kwargs.pop("options", FetchOptions()), workdir=workdir, **kwargs)
