"""P6's page clients and progress streams, in a process of their own.

The bench process also runs the sandbox, which serves the workers' searches and media (its
bandwidth shaping is Python on the same event loop and interpreter lock): a client timed there
would count the sandbox's turns as the server's. Here the clients have an interpreter and a loop
of their own, as people's browsers do. `python -m bench.p6_clients SPEC.json` reads what to load
(`LoadSpec`) and prints one JSON line: every page's time as the client saw it, the time the web
process reported for it (`Server-Timing: app`, when the served app sends it), the progress
streams' bytes and events, how late this process's loop woke (`loop_lag`: a figure near the
page times would mean the clients measure themselves) and its CPU seconds.

People don't click at the same millisecond: the clients' first requests are spread over the
first think time, each client starting at a different page.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import ssl
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

PAGE_TIMEOUT = 30.0
LAG_PROBE_S = 0.05
# httpx builds an SSL context for every client unless given one, some 25 ms of CPU each: fifty
# clients starting within the first second would block this loop for most of it.
SSL_CONTEXT = ssl.create_default_context()


@dataclass(frozen=True)
class LoadSpec:
    base: str
    cookies: dict[str, str]
    paths: list[str]
    events: str  # the progress stream's path
    seconds: float
    clients: int
    streams: int
    think: float


@dataclass
class Load:
    """What the clients saw in one phase."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_runq: list[float] = field(default_factory=list)
    server_db: list[float] = field(default_factory=list)
    by_process: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    stream_bytes: int = 0
    stream_events: int = 0
    loop_lag: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0
    seconds: float = 0.0  # from the first client's start to the last one's end

    def record(
        self,
        path: str,
        seconds: float,
        ok: bool,
        server: dict[str, float] | None = None,
        process: str = "",
    ) -> None:
        if not ok:
            self.errors[path] += 1
            return
        self.times[path].append(seconds)
        if process:
            self.by_process[process] += 1
        if server and "app" in server:
            self.server[path].append(server["app"])
        if server and "cpu" in server:
            self.server_cpu[path].append(server["cpu"])
        if server and "runq" in server:
            self.server_runq.append(server["runq"])
        if server and "db" in server:
            self.server_db.append(server["db"])

    def summary(self) -> dict[str, Any]:
        seconds = self.seconds
        every = [t for times in self.times.values() for t in times]
        done = len(every) + sum(self.errors.values())
        server = [t for times in self.server.values() for t in times]
        cpu = sorted(self.server_cpu.items())
        return {
            **percentiles(every),
            "requests": done,
            "requests_per_s": round(done / seconds, 1),
            "errors": sum(self.errors.values()),
            "errors_by_page": dict(self.errors),
            "by_page": {path: percentiles(times) for path, times in sorted(self.times.items())},
            "server": percentiles(server),
            "server_by_page": {path: percentiles(t) for path, t in sorted(self.server.items())},
            "server_cpu_ms_mean_by_page": {
                path: round(1000 * sum(t) / len(t), 1) for path, t in cpu
            },
            "server_waiting_for_cpu": percentiles(self.server_runq),
            "server_in_database": percentiles(self.server_db),
            # How evenly the web processes shared the pages, busiest first.
            "requests_by_process": sorted(self.by_process.values(), reverse=True),
            "client_loop_lag": percentiles(self.loop_lag),
            "client_cpu_seconds": round(self.cpu_seconds, 2),
            "stream_events": self.stream_events,
            "stream_bytes": self.stream_bytes,
        }

    def dump(self) -> dict[str, Any]:
        return {k: dict(v) if isinstance(v, defaultdict) else v for k, v in asdict(self).items()}

    @classmethod
    def load(cls, raw: dict[str, Any]) -> Load:
        made = cls()
        for name in ("times", "server", "server_cpu", "errors", "by_process"):
            getattr(made, name).update(raw[name])
        for name in ("stream_bytes", "stream_events", "loop_lag", "cpu_seconds", "seconds"):
            setattr(made, name, raw[name])
        made.server_runq, made.server_db = raw["server_runq"], raw["server_db"]
        return made


def percentiles(times: list[float]) -> dict[str, Any]:
    if not times:
        return {"p50_ms": None, "p99_ms": None, "max_ms": None, "n": 0}
    ordered = sorted(times)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)

    return {"p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": at(1.0), "n": len(ordered)}


def server_seconds(response: httpx.Response) -> dict[str, float]:
    """`Server-Timing: app;dur=12.3, cpu;dur=4.5` (milliseconds) in seconds, when sent."""
    figures = {}
    for metric in response.headers.get("server-timing", "").split(","):
        name, _, params = metric.strip().partition(";")
        if params.startswith("dur="):
            figures[name] = float(params[4:]) / 1000
    return figures


def answering_process(response: httpx.Response) -> str:
    """The pid the web process that answered names in its `Server-Timing`, when it does."""
    _, found, rest = response.headers.get("server-timing", "").partition('pid;desc="')
    return rest.partition('"')[0] if found else ""


async def _browse(spec: LoadSpec, paths: list[str], until: float, load: Load) -> None:
    async with _client(spec) as client:
        turn = 0
        while time.monotonic() < until:
            path = paths[turn % len(paths)]
            turn += 1
            began = time.perf_counter()
            server, process = None, ""
            try:
                response = await client.get(path)
                ok = response.status_code == 200
                server, process = server_seconds(response), answering_process(response)
            except httpx.HTTPError:
                ok = False
            load.record(path, time.perf_counter() - began, ok, server, process)
            await asyncio.sleep(spec.think)


async def _watch(spec: LoadSpec, until: float, load: Load) -> None:
    async with _client(spec) as client:
        while time.monotonic() < until:
            try:
                async with asyncio.timeout(until - time.monotonic()):
                    async with client.stream("GET", spec.events) as response:
                        if response.status_code != 200:
                            load.record(spec.events, 0.0, False)
                            await asyncio.sleep(1)
                            continue
                        async for chunk in response.aiter_raw():
                            load.stream_bytes += len(chunk)
                            load.stream_events += chunk.count(b"\n\n")
            except TimeoutError:
                return
            except httpx.HTTPError:
                load.record(spec.events, 0.0, False)


def _client(spec: LoadSpec) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=spec.base, cookies=spec.cookies, timeout=PAGE_TIMEOUT, verify=SSL_CONTEXT
    )


async def _lag_probe(until: float, load: Load) -> None:
    """How late the loop wakes from a short sleep: this process's own delay on every time."""
    while time.monotonic() < until:
        began = time.perf_counter()
        await asyncio.sleep(LAG_PROBE_S)
        load.loop_lag.append(max(0.0, time.perf_counter() - began - LAG_PROBE_S))


async def _staggered(delay: float, work: Any) -> None:
    await asyncio.sleep(delay)
    await work


async def load_run(spec: LoadSpec) -> Load:
    load = Load()
    cpu, began = _cpu_seconds(), time.perf_counter()
    until = time.monotonic() + spec.seconds
    paths = spec.paths
    tasks = [
        # Clients start spread over one think time and at different pages, as people would.
        _staggered(
            i * spec.think / max(1, spec.clients),
            _browse(spec, paths[i % len(paths) :] + paths[: i % len(paths)], until, load),
        )
        for i in range(spec.clients)
    ] + [_watch(spec, until, load) for _ in range(spec.streams)]
    await asyncio.gather(_lag_probe(until, load), *tasks)
    load.cpu_seconds = _cpu_seconds() - cpu
    load.seconds = time.perf_counter() - began
    return load


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.p6_clients")
    parser.add_argument("spec", type=Path, help="a JSON LoadSpec")
    args = parser.parse_args(argv)
    spec = LoadSpec(**json.loads(args.spec.read_text()))
    load = asyncio.run(load_run(spec))
    print(json.dumps(load.dump()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
