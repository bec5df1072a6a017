"""Benchmark: loopback load tests of ``stackatlas serve`` (routes, mixed, slow clients).

Starts a live server (``stackatlas serve`` with its defaults: uvicorn, one process, compute
workers one per core at most 4, queue 8, header timeout 10 s) on 127.0.0.1 over a store built
by ``stackatlas run`` and ``stackatlas sync --offline`` (SEC facts from ``../shared/data/sec``
when present), computes each cached route once, then:

- **routes**: N concurrent workers GET one route back to back for S seconds: requests/s,
  p50 / p95 / p99, errors. Baseline: ``/healthz`` (no work behind it); each route's p95 / it.
- **mixed**: the same N workers, each request drawn at random: 20% POSTs (scenario runs of
  200 draws with a fresh seed, portfolio uploads), the rest ``/healthz`` and cached GETs.
  Targets: 0 errors other than deliberate 503 + Retry-After, ``/healthz`` p95 < 50 ms, cached
  GET p95 < 300 ms. Baseline in the same run: the same workers with no POSTs.
- **flood**: 100 clients POST scenario runs (200 draws, fresh seeds) back to back, no
  back-off, while one probe GETs ``/healthz`` and one a cached page every 50 ms. Baseline in
  the same run: the same probes on the idle server. (Before the compute pool, the issue
  measured ``/healthz`` at 9 s and cached pages at 7 s under this load.)
- **slow**: 2,000 clients that trickle a request head one byte every 2 s and reconnect when
  cut; meanwhile one probe GETs ``/healthz`` (and one a cached page) every 50 ms. Baseline:
  the same probes on the idle server.

The load generator shares the machine's cores with the server (and, on a shared machine, with
everyone else): the load average is printed with each run.

Run: .venv/bin/python benchmarks/bench_web.py [--only routes,mixed,flood,slow] [--clients 50]
     [--seconds 10] [--mixed-seconds 30] [--flood-clients 100] [--flood-seconds 30]
     [--slow-clients 2000] [--slow-seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from web_load import (  # benchmarks/web_load.py
    CACHED_GETS,
    Tally,
    mixed_load,
    probe,
    route_load,
    scenario_flood,
    summary,
    trickle,
)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
ROUTES = [
    ("/healthz", "baseline"),
    ("/api/pools", "API: profit pools JSON (141 kB)"),
    ("/api/companies/nvidia", "API: company profile"),
    ("/", "page: stack map"),
]
HEALTHZ_P95_MS, CACHED_P95_MS = 50.0, 300.0
SCENARIO = "taiwan-quake"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def _row(name: str, tally: Tally, seconds: float) -> str:
    s = summary(tally, seconds)
    ok, busy = tally.count("200"), tally.count("503")
    errors = tally.n - ok - busy
    return (
        f"{name:16s} {s['n']:7d} {s['rps']:7.1f} {ok:7d} {busy:7d} {errors:6d} "
        f"{s['p50']:8.1f} {s['p95']:8.1f} {s['p99']:8.1f} {s['max']:8.1f}"
    )


HEADER = (
    f"{'requests':16s} {'n':>7s} {'req/s':>7s} {'200':>7s} {'503':>7s} {'errors':>6s} "
    f"{'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}"
)


def routes_run(port: int, server: psutil.Process, clients: int, seconds: float) -> None:
    print(f"== routes: {clients} concurrent clients x {seconds:g} s per route; {_load_average()}")
    print(
        f"{'route':24s} {'requests':>8s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} "
        f"{'p99 ms':>8s} {'errors':>6s} {'p95/base':>8s} {'srv CPU':>7s} {'cli CPU':>7s}"
    )
    me = psutil.Process()
    baseline = None
    asyncio.run(route_load(port, "/healthz", clients, 2.0))  # warm-up, discarded
    for path, what in ROUTES:
        server.cpu_percent(), me.cpu_percent()
        tally, wall = asyncio.run(route_load(port, path, clients, seconds))
        srv, cli_cpu = server.cpu_percent(), me.cpu_percent()
        r = summary(tally, wall)
        baseline = baseline or r
        print(
            f"{path:24s} {r['n']:8d} {r['rps']:8.0f} {r['p50']:8.1f} {r['p95']:8.1f} "
            f"{r['p99']:8.1f} {tally.n - tally.count('200'):6d} "
            f"{r['p95'] / baseline['p95']:7.2f}x {srv:6.0f}% {cli_cpu:6.0f}%   {what}"
        )
    print(
        "CPU: % of one core (server: the uvicorn process; client: this load generator). "
        "Latencies are the client's, so they include waiting for a core.\n"
    )


def mixed_run(port: int, clients: int, seconds: float, post_share: float) -> bool:
    """The mixed run against its GET-only baseline; True when every target is met."""
    results = {}
    for share in (0.0, post_share):
        label = f"{share:.0%} POSTs"
        print(f"== mixed: {clients} clients x {seconds:g} s, {label}; {_load_average()}")
        tallies, wall = asyncio.run(mixed_load(port, clients, seconds, share))
        print(HEADER)
        for kind, tally in tallies.items():
            if tally.n:
                print(_row(kind, tally, wall))
        results[share] = tallies
        print()
    mixed, plain = results[post_share], results[0.0]
    health_p95 = mixed["healthz"].quantile_ms(95)
    cached_p95 = mixed["cached GET"].quantile_ms(95)
    errors = {
        kind: {s: n for s, n in t.statuses.items() if s not in {"200", "503"}}
        for kind, t in mixed.items()
    }
    errors = {k: v for k, v in errors.items() if v}
    get_503 = mixed["healthz"].count("503") + mixed["cached GET"].count("503")
    posts = mixed["POST scenario"].n + mixed["POST portfolio"].n
    busy = mixed["POST scenario"].count("503") + mixed["POST portfolio"].count("503")
    print(
        f"mixed vs GET-only p95: /healthz {health_p95:.1f} vs "
        f"{plain['healthz'].quantile_ms(95):.1f} ms "
        f"({health_p95 / plain['healthz'].quantile_ms(95):.2f}x), cached GET {cached_p95:.1f} vs "
        f"{plain['cached GET'].quantile_ms(95):.1f} ms "
        f"({cached_p95 / plain['cached GET'].quantile_ms(95):.2f}x); "
        f"POSTs answered 503 + Retry-After (pool full, deliberate): {busy} of {posts}"
    )
    checks = [
        (f"/healthz p95 {health_p95:.1f} ms < {HEALTHZ_P95_MS:g} ms", health_p95 < HEALTHZ_P95_MS),
        (f"cached GET p95 {cached_p95:.1f} ms < {CACHED_P95_MS:g} ms", cached_p95 < CACHED_P95_MS),
        (f"errors other than POST 503s: {errors or 0}, GET 503s: {get_503}", not errors),
    ]
    for text, ok in checks:
        print(f"  {'met ' if ok else 'MISSED'} {text}")
    print()
    return all(ok for _, ok in checks) and get_503 == 0


async def _probes(port: int, seconds: float) -> tuple[Tally, Tally]:
    """A monitoring probe on ``/healthz`` and one on a cached page, every 50 ms."""
    health, page = await asyncio.gather(
        probe(port, "/healthz", seconds), probe(port, "/api/pools", seconds)
    )
    return health, page


def _against(name: str, loaded: Tally, idle: Tally) -> str:
    a, b = loaded.quantile_ms, idle.quantile_ms
    return (
        f"{name} p50 {a(50):.1f} vs {b(50):.1f} ms ({a(50) / b(50):.2f}x), "
        f"p95 {a(95):.1f} vs {b(95):.1f} ms ({a(95) / b(95):.2f}x)"
    )


def flood_run(port: int, server: psutil.Process, clients: int, seconds: float) -> bool:
    """Probes on the idle server, then under ``clients`` back-to-back scenario POSTs; True
    when the probes met the targets with 200s only and the POSTs got only 200 / 503."""
    print(f"== flood: baseline, idle server, probes every 50 ms; {_load_average()}")
    idle_seconds = min(seconds, 10.0)
    idle_health, idle_page = asyncio.run(_probes(port, idle_seconds))
    print(HEADER)
    print(_row("healthz", idle_health, idle_seconds))
    print(_row("/api/pools", idle_page, idle_seconds))
    print(
        f"\n== flood: {clients} clients POST scenario runs ({SCENARIO}, 200 draws, fresh "
        f"seeds) back to back for {seconds:g} s, no back-off; {_load_average()}"
    )
    workers = server.children(recursive=True)
    for p in (server, *workers):
        p.cpu_percent()

    async def flooded() -> tuple[tuple[Tally, float], tuple[Tally, Tally]]:
        flood, probes = await asyncio.gather(
            scenario_flood(port, clients, seconds), _probes(port, seconds)
        )
        return flood, probes

    (posts, wall), (health, page) = asyncio.run(flooded())
    srv = server.cpu_percent()
    wrk = sum(p.cpu_percent() for p in workers if p.is_running())
    print(HEADER)
    print(_row("POST scenario", posts, wall))
    print(_row("healthz", health, seconds))
    print(_row("/api/pools", page, seconds))
    ran = posts.count("200")
    print(
        f"scenario runs finished: {ran} ({ran / wall:.1f}/s), answered 503 + Retry-After "
        f"(pool full, deliberate): {posts.count('503')}; CPU: event loop {srv:.0f}%, compute "
        f"workers {wrk:.0f}% (% of one core)"
    )
    print(_against("/healthz under flood vs idle:", health, idle_health))
    print(_against("cached page under flood vs idle:", page, idle_page))
    h95, c95 = health.quantile_ms(95), page.quantile_ms(95)
    errors = {s: n for s, n in posts.statuses.items() if s not in {"200", "503"}}
    checks = [
        (f"/healthz p95 {h95:.1f} ms < {HEALTHZ_P95_MS:g} ms", h95 < HEALTHZ_P95_MS),
        (f"cached page p95 {c95:.1f} ms < {CACHED_P95_MS:g} ms", c95 < CACHED_P95_MS),
        (
            f"probes all 200 ({health.n + page.n}), POST errors other than 503: {errors or 0}",
            health.count("200") == health.n and page.count("200") == page.n and not errors,
        ),
    ]
    for text, ok in checks:
        print(f"  {'met ' if ok else 'MISSED'} {text}")
    print()
    return all(ok for _, ok in checks)


def slow_client_run(
    port: int, server: psutil.Process, clients: int, seconds: float, interval: float
) -> bool:
    """/healthz and a cached page probed on the idle server, then under ``clients``
    trickling connections; True when every probe during the attack got 200."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < clients + 512:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, clients + 4096), hard))

    print(f"== slow clients: baseline, idle server, probes every 50 ms; {_load_average()}")
    idle_health, idle_page = asyncio.run(_probes(port, min(seconds, 10.0)))
    print(HEADER)
    print(_row("healthz", idle_health, 10.0))
    print(_row("/api/pools", idle_page, 10.0))

    ctx = multiprocessing.get_context("spawn")
    connected, cut, refused, failed = (ctx.Value("i", 0) for _ in range(4))
    ramp_limit = 120.0
    attacker = ctx.Process(
        target=trickle,
        args=(port, clients, interval, ramp_limit + seconds + 5, connected, cut, refused, failed),
        daemon=True,
    )
    start = time.monotonic()
    attacker.start()
    try:
        while connected.value < clients and time.monotonic() - start < ramp_limit:
            time.sleep(0.2)
        ramp = time.monotonic() - start
        print(
            f"\n== slow clients: {connected.value:,} trickling connections open after "
            f"{ramp:.1f} s (target {clients:,}; a byte every {interval:g} s, reconnect when "
            f"cut); {_load_average()}"
        )
        samples: list[int] = []
        fds: list[int] = []
        cut0, refused0 = cut.value, refused.value

        async def measured() -> tuple[Tally, Tally]:
            async def sample() -> None:
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    samples.append(connected.value)
                    fds.append(server.num_fds())
                    await asyncio.sleep(0.25)

            (health, page), _ = await asyncio.gather(_probes(port, seconds), sample())
            return health, page

        health, page = asyncio.run(measured())
        print(HEADER)
        print(_row("healthz", health, seconds))
        print(_row("/api/pools", page, seconds))
        print(
            f"trickling connections open during the probes: min {min(samples):,}, mean "
            f"{sum(samples) / len(samples):,.0f}, max {max(samples):,}; server descriptors "
            f"max {max(fds):,}; cut with 408 by the server: {cut.value - cut0:,} "
            f"({cut.value:,} in all), refused 503: {refused.value - refused0:,}, "
            f"connect failures: {failed.value:,}"
        )
        print(
            f"/healthz p95 under attack vs idle: {health.quantile_ms(95):.1f} vs "
            f"{idle_health.quantile_ms(95):.1f} ms "
            f"({health.quantile_ms(95) / idle_health.quantile_ms(95):.2f}x)\n"
        )
    finally:
        attacker.terminate()
        attacker.join(10)
    return health.count("200") == health.n and page.count("200") == page.n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="routes,mixed,flood,slow", help="comma list of runs")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0, help="per route (routes run)")
    parser.add_argument("--mixed-seconds", type=float, default=30.0)
    parser.add_argument("--post-share", type=float, default=0.2)
    parser.add_argument("--flood-clients", type=int, default=100)
    parser.add_argument("--flood-seconds", type=float, default=30.0)
    parser.add_argument("--slow-clients", type=int, default=2000)
    parser.add_argument("--slow-seconds", type=float, default=30.0)
    parser.add_argument("--trickle-interval", type=float, default=2.0)
    args = parser.parse_args()
    runs = {r.strip() for r in args.only.split(",")}
    home = tempfile.mkdtemp(prefix="stackatlas-bench-web-")
    env = {**os.environ, "STACKATLAS_HOME": home, "STACKATLAS_OFFLINE": "1"}
    cli = str(Path(sys.executable).parent / "stackatlas")
    subprocess.run([cli, "run", "--quiet"], env=env, check=True, capture_output=True)
    facts = "none"
    if (SHARED / "sec").is_dir():  # SEC facts into the store, as `stackatlas sync` does
        subprocess.run(
            [cli, "sync", "--offline"],
            check=True,
            capture_output=True,
            env={**env, "STACKATLAS_SEC_DIR": str(SHARED / "sec")},
        )
        facts = "store (sync --offline from ../shared/data/sec)"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [cli, "serve", "--port", str(port), "--no-warm"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # its own session, as a service runs: with Linux autogroup scheduling each session
        # gets a fair share of the CPU, so server and load generator do not split one share
        start_new_session=True,
    )
    ok = True
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        print(
            f"server: stackatlas serve (defaults), 127.0.0.1:{port}; SEC facts: {facts}; "
            f"{os.cpu_count()} CPUs shared with the load generator; {_load_average()}"
        )
        # the first request computes and caches each answer
        for path in dict.fromkeys([p for p, _ in ROUTES] + list(CACHED_GETS)):
            t0 = time.perf_counter()
            status = httpx.get(base + path, timeout=300).status_code
            print(f"cold {path:24s} {status}  {(time.perf_counter() - t0) * 1e3:8.1f} ms")
        print()
        server = psutil.Process(proc.pid)
        if "routes" in runs:
            routes_run(port, server, args.clients, args.seconds)
        if "mixed" in runs:
            ok &= mixed_run(port, args.clients, args.mixed_seconds, args.post_share)
        if "flood" in runs:
            ok &= flood_run(port, server, args.flood_clients, args.flood_seconds)
        if "slow" in runs:
            ok &= slow_client_run(
                port, server, args.slow_clients, args.slow_seconds, args.trickle_interval
            )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    print("all targets met" if ok else "SOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
