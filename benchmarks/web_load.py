"""Load generators for ``bench_web.py``: closed-loop route load, the mixed run (cached reads
with scenario / portfolio POSTs in between), a flood of scenario runs and trickling slow
clients.

Each generator records what it saw; ``bench_web.py`` prints the figures. Latency is measured
from just before a request is sent to its full answer, on the client, so it includes the
client's own queueing on the shared cores (kept small by ``Connection``, a minimal client).
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from dataclasses import dataclass, field
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PORTFOLIO_CSV = REPO / "examples" / "portfolio.csv"
CACHED_GETS = ("/", "/api/pools", "/api/companies/nvidia", "/pools", "/api/layers")
SCENARIO = "taiwan-quake"
SCENARIO_DRAWS = 200  # the case: scenario runs of 200 draws


@dataclass
class Tally:
    """Latencies (s) and statuses of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    def add(self, seconds: float, status: str) -> None:
        self.latencies.append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def quantile_ms(self, q: int) -> float:
        """The q-th percentile in ms (nan without samples)."""
        if len(self.latencies) < 2:
            return self.latencies[0] * 1e3 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1e3

    def count(self, *statuses: str) -> int:
        return sum(self.statuses.get(s, 0) for s in statuses)

    @property
    def n(self) -> int:
        return len(self.latencies)


def summary(tally: Tally, seconds: float) -> dict[str, float]:
    return {
        "n": tally.n,
        "rps": tally.n / seconds,
        "p50": tally.quantile_ms(50),
        "p95": tally.quantile_ms(95),
        "p99": tally.quantile_ms(99),
        "max": max(tally.latencies, default=float("nan")) * 1e3,
    }


class Connection:
    """A minimal HTTP/1.1 keep-alive client over one asyncio stream: requests are pre-encoded
    bytes, answers are read by Content-Length (or chunks). A load generator built on httpx
    spends ~2-9 ms of CPU per request on this machine (more with more clients), 10-20x what the
    server spends on a cached answer, so it measured itself; this one costs a fraction of a
    millisecond (``bench_web.py`` prints the figure)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes = b"", content_type: str = ""
    ) -> tuple[int, dict[str, str], bytes]:
        """(status, lower-case headers, body); the connection is reopened when needed."""
        if self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self._reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
        if body or method == "POST":
            head += f"Content-Length: {len(body)}\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        self._writer.write(head.encode() + b"\r\n" + body)
        try:
            raw = await self._reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {}
            for line in lines[1:]:
                if line:
                    key, _, value = line.partition(":")
                    headers[key.strip().lower()] = value.strip()
            if "content-length" in headers:
                payload = await self._reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding") == "chunked":
                payload = await self._chunks()
            else:
                payload = await self._reader.read()
            if headers.get("connection") == "close":
                self.close()
            return status, headers, payload
        except BaseException:
            self.close()
            raise

    async def _chunks(self) -> bytes:
        assert self._reader is not None
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await self._reader.readexactly(size + 2))
            if size == 0:
                return b"".join(parts)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _timed(
    conn: Connection, method: str, path: str, body: bytes = b"", content_type: str = ""
) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        status_code, headers, _ = await conn.request(method, path, body, content_type)
        status = str(status_code)
        if status == "503" and "retry-after" not in headers:
            status = "503-no-retry-after"
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
        status = type(exc).__name__
    return time.perf_counter() - start, status


def multipart(
    name: str, filename: str, content: bytes, boundary: str = "stackatlas-bench"
) -> bytes:
    """A multipart/form-data body with one file field."""
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


async def route_load(port: int, path: str, clients: int, seconds: float) -> tuple[Tally, float]:
    """``clients`` workers GET ``path`` back to back for ``seconds``; (tally, wall seconds)."""
    tally = Tally()
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        conn = Connection(port)
        while time.perf_counter() < deadline:
            tally.add(*await _timed(conn, "GET", path))
        conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return tally, time.perf_counter() - start


async def mixed_load(
    port: int, clients: int, seconds: float, post_share: float, seed: int = 1
) -> tuple[dict[str, Tally], float]:
    """``clients`` workers for ``seconds``, each request drawn at random: ``post_share`` POSTs
    (half a scenario run of 200 draws with a fresh seed, so never a cached answer; half a
    portfolio upload of ``examples/portfolio.csv``), the rest split 1:3 between ``/healthz`` and
    cached GETs (pages and API answers computed once before the run). A 503 is answered at
    once and the worker goes on (no back-off: the harshest client). Tallies by kind."""
    tallies = {k: Tally() for k in ("healthz", "cached GET", "POST scenario", "POST portfolio")}
    upload = multipart("file", "portfolio.csv", PORTFOLIO_CSV.read_bytes())
    upload_type = "multipart/form-data; boundary=stackatlas-bench"
    deadline = time.perf_counter() + seconds
    rng = random.Random(seed)

    async def worker() -> None:
        conn = Connection(port)
        while time.perf_counter() < deadline:
            draw = rng.random()
            if draw < post_share / 2:
                run = json.dumps({"draws": SCENARIO_DRAWS, "seed": rng.randrange(1, 2**32)})
                path = f"/api/scenarios/{SCENARIO}/run"
                result = await _timed(conn, "POST", path, run.encode(), "application/json")
                tallies["POST scenario"].add(*result)
            elif draw < post_share:
                result = await _timed(conn, "POST", "/api/portfolio", upload, upload_type)
                tallies["POST portfolio"].add(*result)
            elif draw < post_share + (1 - post_share) / 4:
                tallies["healthz"].add(*await _timed(conn, "GET", "/healthz"))
            else:
                tallies["cached GET"].add(*await _timed(conn, "GET", rng.choice(CACHED_GETS)))
        conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return tallies, time.perf_counter() - start


async def scenario_flood(
    port: int, clients: int, seconds: float, seed: int = 2
) -> tuple[Tally, float]:
    """``clients`` workers POST scenario runs of 200 draws with a fresh seed (never a cached
    answer) back to back for ``seconds``; a 503 is answered at once and the worker posts again
    (no back-off: the harshest client). (tally, wall seconds)."""
    tally = Tally()
    rng = random.Random(seed)
    path = f"/api/scenarios/{SCENARIO}/run"
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        conn = Connection(port)
        while time.perf_counter() < deadline:
            run = json.dumps({"draws": SCENARIO_DRAWS, "seed": rng.randrange(1, 2**32)})
            tally.add(*await _timed(conn, "POST", path, run.encode(), "application/json"))
        conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return tally, time.perf_counter() - start


async def probe(port: int, path: str, seconds: float, every: float = 0.05) -> Tally:
    """One client GETs ``path`` every ``every`` seconds for ``seconds`` (a monitoring probe)."""
    tally = Tally()
    deadline = time.perf_counter() + seconds
    conn = Connection(port)
    while time.perf_counter() < deadline:
        tally.add(*await _timed(conn, "GET", path))
        await asyncio.sleep(every)
    conn.close()
    return tally


# ---- trickling clients (run in their own process: see bench_web.slow_client_run) ----------
def trickle(
    port: int,
    clients: int,
    interval: float,
    stop_after: float,
    connected: Synchronized,
    cut: Synchronized,
    refused: Synchronized,
    failed: Synchronized,
) -> None:
    """``clients`` connections that each send a request head one byte every ``interval``
    seconds and never finish it; a connection the server cuts (408) or refuses (503) is opened
    again at once, as an attacker would. ``connected`` counts the open ones."""
    asyncio.run(_trickle(port, clients, interval, stop_after, connected, cut, refused, failed))


async def _trickle(
    port: int,
    clients: int,
    interval: float,
    stop_after: float,
    connected: Synchronized,
    cut: Synchronized,
    refused: Synchronized,
    failed: Synchronized,
) -> None:
    stop_at = time.monotonic() + stop_after

    async def one(delay: float) -> None:
        await asyncio.sleep(delay)  # spread the opening (and so the server's cuts) over time
        while time.monotonic() < stop_at:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                with failed.get_lock():
                    failed.value += 1
                await asyncio.sleep(0.5)
                continue
            with connected.get_lock():
                connected.value += 1
            try:
                writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                answer = b""
                while time.monotonic() < stop_at:
                    try:
                        chunk = await asyncio.wait_for(reader.read(256), timeout=interval)
                    except TimeoutError:
                        writer.write(b"a")
                        continue
                    if not chunk:
                        break
                    answer += chunk
                counter = cut if answer.startswith(b"HTTP/1.1 408") else refused
                if answer.startswith((b"HTTP/1.1 408", b"HTTP/1.1 503")):
                    with counter.get_lock():
                        counter.value += 1
            except OSError:
                pass
            finally:
                with connected.get_lock():
                    connected.value -= 1
                writer.close()

    spread = min(interval * 4, 8.0)
    await asyncio.gather(*(one(spread * i / clients) for i in range(clients)))
