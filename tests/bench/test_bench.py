"""`python -m bench --quick`: every benchmark at toy sizes, checked for shape and counts only.

Timings are never asserted: they depend on the machine. The run happens in a subprocess, as
`make bench` runs it, because the benchmarks set up Django (and a database) of their own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.integration]

ROOT = Path(__file__).resolve().parent.parent.parent
SHAPE = {"benchmark", "name", "setup", "metric", "ours", "baseline", "bound", "ratio", "counts"}


def test_quick_run_prints_and_saves_every_benchmark(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "P1", "P2", "P3", "P4", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert run.returncode == 0, run.stderr[-4000:]

    printed = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert [result["benchmark"] for result in printed] == ["P1", "P2", "P3", "P4"]
    saved = json.loads(out.read_text())["benchmarks"]
    assert sorted(saved) == ["P1", "P2", "P3", "P4"]
    for result in printed:
        assert set(result) >= SHAPE, result.get("error", result)
        assert saved[result["benchmark"]]["ours"] == result["ours"]

    p1, p2, p3, p4 = (saved[name] for name in ("P1", "P2", "P3", "P4"))
    # P1: both sides read the whole library, with no more requests than the minimum.
    library = p1["setup"]["library"]
    assert p1["ours"]["read"]["liked"] == p1["baseline"]["read"]["liked"] == library["liked"]
    assert p1["ours"]["read"]["playlist_entries"] == p1["baseline"]["read"]["playlist_entries"]
    assert p1["ours"]["requests"] == p1["bound"]["requests"] == p1["baseline"]["requests"]
    assert 0 < p1["reread"]["requests"] < p1["ours"]["requests"]
    # P2: every track downloaded on both sides.
    tracks = p2["setup"]["tracks"]
    assert p2["ours"]["items"] == {"done": tracks}
    assert p2["baseline"]["done"] == tracks
    assert p2["counts"]["ours_requests_by_endpoint"]["POST /youtubei/v1/search"] >= tracks
    assert p2["counts"]["ours_youtube_requests"]["media"] >= tracks
    # P3: both servers sent a complete archive of every file.
    assert p3["counts"]["files"] == p3["counts"]["job_items"] > 0
    assert p3["ours"]["bytes"] > p3["setup"]["files_bytes"]
    assert p3["baseline"]["bytes"] > p3["setup"]["files_bytes"]
    # P4: a page costs the same number of queries whatever the library's size.
    assert p4["baseline"]["liked"] < p4["ours"]["liked"]
    assert p4["counts"]["queries_small"] == p4["counts"]["queries_large"] > 0
