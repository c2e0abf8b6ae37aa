"""P5 and P6 at toy sizes (`python -m bench P5 P6 --quick`): shape and counts, never timings.

They run the real `serve` and worker processes against the sandbox, in a subprocess as
`make bench` runs them.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SHAPE = {"benchmark", "name", "setup", "metric", "ours", "baseline", "bound", "ratio", "counts"}


def test_every_benchmark_module_imports_without_django_set_up() -> None:
    for name in ("p5_library", "p6_household", "served", "__main__"):
        assert importlib.import_module(f"bench.{name}") is not None


@pytest.mark.slow
@pytest.mark.integration
def test_quick_p5_and_p6_measure_the_job_pages_workers_and_load(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "P5", "P6", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert run.returncode == 0, run.stderr[-4000:]

    saved = json.loads(out.read_text())["benchmarks"]
    assert sorted(saved) == ["P5", "P6"]
    p5, p6 = saved["P5"], saved["P6"]
    assert set(p5) >= SHAPE and set(p6) >= SHAPE
    # P5: the big job holds every liked song, the small one fewer; both pages were read.
    assert p5["setup"]["small_items"] < p5["setup"]["items"] == p5["counts"]["items"]
    assert p5["ours"]["job_page"]["kb"] > 0 and p5["baseline"]["job_page"]["kb"] > 0
    assert p5["ours"]["worker_peak_rss_mb"] > 0
    assert p5["ours"]["progress_events"] > 0 and not p5["ours"]["progress_error"]
    # P6: both phases sent pages and opened the progress streams.
    assert p6["ours"]["requests"] > 0 and p6["baseline"]["requests"] > 0
    assert p6["ours"]["stream_events"] > 0
    assert p6["setup"]["page_clients"] == 4 and p6["setup"]["progress_streams"] == 2
    # P6: the workers' CPU in both phases, and what the two would ask of the machine together.
    assert p6["baseline"]["worker_cores_without_load"] > 0 and p6["ours"]["worker_cores"] > 0
    demand = p6["cpu_demand"]
    assert demand["cores"] == round(
        p6["baseline"]["web_cores"] + p6["baseline"]["worker_cores_without_load"], 2
    )
