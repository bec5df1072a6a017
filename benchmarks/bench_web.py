"""Benchmark: bounded loopback load test of ``stackatlas serve``.

Starts a live server (uvicorn, one process) on 127.0.0.1 over a store built by
``stackatlas run`` and ``stackatlas sync --offline`` (SEC facts from ``../shared/data/sec``
when present), warms each route once,
then drives it with N concurrent httpx.AsyncClient workers for S seconds: requests/s,
p50 / p95 / p99 latency and errors. Baseline in the same run: ``/healthz`` (no work behind it),
so the ratios show what a route costs above the server's own floor. Target: p95 < 200 ms for
the API routes with a warm store.

Run: .venv/bin/python benchmarks/bench_web.py [--clients 50] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
ROUTES = [
    ("/healthz", "baseline"),
    ("/api/pools", "API: profit pools JSON (141 kB)"),
    ("/api/companies/nvidia", "API: company profile"),
    ("/", "page: stack map"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _load(url: str, clients: int, seconds: float) -> dict[str, float]:
    """``clients`` workers, each with its own keep-alive connection (one shared httpx pool of
    50 connections costs more CPU in the client than the server spends answering)."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=1), timeout=30) as client:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    r = await client.get(url)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                errors += not ok

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    wall = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "n": len(latencies),
        "rps": len(latencies) / wall,
        "p50": q[49] * 1e3,
        "p95": q[94] * 1e3,
        "p99": q[98] * 1e3,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
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
    )
    try:
        for _ in range(150):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        print(
            f"server: uvicorn, 1 process, 127.0.0.1:{port}; SEC facts: {facts}; "
            f"{os.cpu_count()} CPUs shared with the load generator"
        )
        print(f"load: {args.clients} concurrent clients x {args.seconds:g} s per route\n")
        for path, _ in ROUTES:  # warm: the first request computes and caches the result
            t0 = time.perf_counter()
            status = httpx.get(base + path, timeout=120).status_code
            print(f"cold {path:24s} {status}  {(time.perf_counter() - t0) * 1e3:8.1f} ms")
        print()
        header = (
            f"{'route':24s} {'requests':>8s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} "
            f"{'p99 ms':>8s} {'errors':>6s} {'p95/base':>8s} {'srv CPU':>7s} "
            f"{'cli CPU':>7s}"
        )
        print(header)
        baseline = None
        server, me = psutil.Process(proc.pid), psutil.Process()
        asyncio.run(_load(base + "/healthz", args.clients, 2.0))  # warm-up, discarded
        for path, what in ROUTES:
            server.cpu_percent(), me.cpu_percent()
            r = asyncio.run(_load(base + path, args.clients, args.seconds))
            srv, cli_cpu = server.cpu_percent(), me.cpu_percent()
            baseline = baseline or r
            print(
                f"{path:24s} {r['n']:8d} {r['rps']:8.0f} {r['p50']:8.1f} {r['p95']:8.1f} "
                f"{r['p99']:8.1f} {r['errors']:6d} {r['p95'] / baseline['p95']:7.2f}x "
                f"{srv:6.0f}% {cli_cpu:6.0f}%   {what}"
            )
        print(
            "\nCPU: % of one core; the load generator (httpx) needs more CPU than the server, "
            "so latencies include client-side queueing on the shared cores."
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
