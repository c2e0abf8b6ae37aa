"""`python -m bench [P1 ... P6] [--quick] [--out PATH] [P6 options]`: run benchmarks, save results.

Each benchmark prints one JSON object on stdout (progress goes to stderr) and the run is merged
into bench/results.json. `--quick` runs every benchmark at toy sizes (for the smoke test): its
figures mean nothing and it writes nowhere unless `--out` says where.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import emit, log, machine, write_results

RESULTS = Path(__file__).resolve().parent / "results.json"
NAMES = ("P1", "P2", "P3", "P4", "P5", "P6")

# Toy sizes for `--quick`; the full run uses each benchmark's defaults (the sizes).
QUICK: dict[str, dict[str, Any]] = {
    "P1": {"user_key": "ben", "latency": 0.005},
    "P2": {
        "tracks": 2,
        "latency": 0.01,
        "bandwidth": 2_000_000,
        "scale": "tiny",
        "governed_tracks": 3,
        "governed_per_hour": 7200,
    },
    "P3": {"total_bytes": 12 * 1024 * 1024, "rounds": 1},
    "P4": {"user_key": "ben", "small": 10, "requests": 3},
    "P5": {"user_key": "ben", "small": 10, "requests": 1, "seconds": 2.0, "warm": 0},
    "P6": {
        "user_key": "ben",
        "small": 10,
        "seconds": 2.0,
        "page_clients": 4,
        "streams": 2,
        "warm": 0,
    },
}


def _runner(name: str) -> Callable[..., dict[str, Any]]:
    # Imported only once Django is set up: the modules import models lazily, but keep it simple.
    if name == "P1":
        from bench import p1_library

        return p1_library.run
    if name == "P2":
        from bench import p2_pipeline

        return p2_pipeline.run
    if name == "P3":
        from bench import p3_zip

        return p3_zip.run
    if name == "P4":
        from bench import p4_pages

        return p4_pages.run
    if name == "P5":
        from bench import p5_library

        return p5_library.run
    from bench import p6_household

    return p6_household.run


def _sizes(name: str, args: argparse.Namespace) -> dict[str, Any]:
    sizes = dict(QUICK[name]) if args.quick else {}
    if name == "P6" and args.load_seconds is not None:
        sizes["seconds"] = args.load_seconds
    if name == "P6" and args.web_workers is not None:
        sizes["web_workers"] = args.web_workers
    if name == "P6" and args.streams is not None:
        sizes["streams"] = args.streams
    if name == "P6" and args.small_job_page:
        sizes["small_job_page"] = True
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("benchmarks", nargs="*", metavar="P1..P6", help="default: all six")
    parser.add_argument("--quick", action="store_true", help="toy sizes (smoke test)")
    parser.add_argument("--out", type=Path, help=f"results file (default {RESULTS.name})")
    parser.add_argument(
        "--load-seconds",
        type=float,
        help="P6: seconds of load with the job running (default 60; each baseline a third)",
    )
    parser.add_argument(
        "--web-workers", type=int, help="P6: uvicorn processes for the web (default WEB_WORKERS)"
    )
    parser.add_argument("--streams", type=int, help="P6: progress streams held open (default 10)")
    parser.add_argument(
        "--small-job-page",
        action="store_true",
        help="P6: clients open the 100-item job page (what a paginated job page would cost)",
    )
    args = parser.parse_args(argv)
    chosen = [name.upper() for name in args.benchmarks] or list(NAMES)
    unknown = [name for name in chosen if name not in NAMES]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(NAMES)}")
    chosen = [name for name in NAMES if name in chosen]  # P1 first: it needs an empty database
    out = args.out if args.out is not None else (None if args.quick else RESULTS)

    from bench.environment import Environment

    began = time.perf_counter()
    env = Environment.create()
    results: dict[str, Any] = {}
    failed = False
    try:
        for name in chosen:
            log(f"--- {name} ---")
            started, load_before = time.perf_counter(), os.getloadavg()[0]
            try:
                result = _runner(name)(env, **_sizes(name, args))
            except Exception as exc:
                traceback.print_exc()
                result = {"benchmark": name, "error": f"{type(exc).__name__}: {exc}"}
                failed = True
            result["run_seconds"] = round(time.perf_counter() - started, 1)
            # Other work on the machine skews timings: the 1-minute load, before and after.
            result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
            results[name] = result
            emit(result)
    finally:
        env.close()
    total = time.perf_counter() - began
    log(f"all done in {total:.0f} s")
    if out is not None:
        meta = {
            **machine(RESULTS.parent.parent),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "quick": args.quick,
            "last_run": chosen,
            "last_run_seconds": round(total, 1),
        }
        write_results(out, results, meta)
        log(f"results written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
