"""SEC unreachable or misbehaving: a sync ends quickly with a clear message, and the retry
budget counts the whole time spent on a URL, not only the sleeps (issue 11)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from stackatlas.atlas import load_atlas
from stackatlas.cli.app import app
from stackatlas.errors import SecAccessError
from stackatlas.sec.cache import SecCache
from stackatlas.sec.client import RateLimiter, SecClient
from stackatlas.sec.endpoints import COMPANYFACTS_URL
from stackatlas.sec.sync import sync_companies
from stackatlas.store import Store

UA = "Jane Analyst jane@example.com"


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def _no_dns(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)


def test_offline_with_user_agent_70_companies_end_fast(atlas, tmp_path: Path) -> None:
    """Real sleeps and clock: the client gives up on SEC after 4 attempts without an answer
    and every other company fails at once (was: 665 s for 70 companies)."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return _no_dns(request)

    client = SecClient(
        user_agent=UA,
        transport=httpx.MockTransport(handler),
        offline=False,
        cache=SecCache(tmp_path / "cache"),
        limiter=RateLimiter(10),
    )
    start = time.monotonic()
    with Store(tmp_path / "s.duckdb") as store:
        report = sync_companies(atlas, "all", store=store, progress=False, client=client)
    elapsed = time.monotonic() - start
    assert elapsed < 30, elapsed
    assert len(report.rows) == 70 and report.counts == {"failed": 70}
    assert len(seen) == 4  # the first company's 4 attempts; nobody else was tried
    assert "Name or service not known" in report.rows[0].reason
    assert all("not attempted (SEC EDGAR unreachable)" in r.reason for r in report.rows[1:])
    assert report.stopped.startswith("SEC EDGAR unreachable: 4 attempts in a row got no answer")
    assert "STACKATLAS_OFFLINE=1" in report.stopped
    assert report.to_dict()["stopped"] == report.stopped


def test_unreachable_sync_serves_what_the_cache_holds(
    atlas, tmp_path: Path, fixtures: Path
) -> None:
    doc = orjson.loads((fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes())
    cache = SecCache(tmp_path / "cache")
    amd = atlas.find_company("amd").cik
    cache.put(COMPANYFACTS_URL.format(cik10=f"{amd:010d}"), orjson.dumps({**doc, "cik": amd}))
    client = SecClient(
        user_agent=UA,
        transport=httpx.MockTransport(_no_dns),
        offline=False,
        cache=cache,
        limiter=RateLimiter(10, sleep=lambda s: None),
        sleep=lambda s: None,
    )
    with Store(tmp_path / "s.duckdb") as store:
        report = sync_companies(atlas, "nvda,amd", store=store, progress=False, client=client)
    rows = {r.company: r for r in report.rows}
    assert rows["nvidia"].status == "failed"
    assert (rows["amd"].status, rows["amd"].facts) == ("cached", 6)
    assert "served from cache" in rows["amd"].reason


def test_cli_sync_without_network_says_why(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The real command (real backoff sleeps, ~5 s), with the real httpx transport failing DNS
    for every host."""

    def no_dns(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", no_dns)
    monkeypatch.setenv("STACKATLAS_OFFLINE", "0")
    monkeypatch.setenv("STACKATLAS_SEC_USER_AGENT", UA)
    result = CliRunner().invoke(app, ["sync", "--companies", "nvda,amd,msft", "--json"])
    assert result.exit_code == 0, result.output
    payload = orjson.loads(result.stdout)
    assert payload["counts"] == {"failed": 3}
    assert payload["stopped"].startswith("SEC EDGAR unreachable")
    assert "Temporary failure in name resolution" in payload["stopped"]


# ---- a real TCP server that misbehaves -----------------------------------------------------
def _serve(behaviour: str) -> Iterator[str]:
    """A loopback server that accepts connections and then never answers ("silent") or sends
    headers and one body byte every 0.2 s forever ("trickle"). Yields its base URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    conns: list[socket.socket] = []

    def handle(conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            if behaviour == "trickle":
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 100000000\r\n\r\n")
                while not stop.wait(0.2):
                    conn.sendall(b" ")
            else:
                stop.wait()
        except OSError:
            pass

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conns.append(conn)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        for conn in conns:
            conn.close()
        listener.close()


@pytest.fixture(params=["silent", "trickle"])
def bad_host(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _serve(request.param)


def test_budget_counts_the_whole_time_at_one_url(bad_host: str, tmp_path: Path) -> None:
    """5 attempts x 2 s read timeout + backoff would be ~17 s (and a trickling answer never
    times out at all); the 4 s budget for the URL stops it at ~4 s."""
    client = SecClient(
        user_agent=UA,
        offline=False,
        cache=SecCache(tmp_path / "cache"),
        limiter=RateLimiter(10),
        timeout=2.0,
        max_wait=4.0,
        max_no_answer=99,
    )
    start = time.monotonic()
    with client, pytest.raises(SecAccessError, match=r"gave up after \d attempt\(s\) in [45]\."):
        client.get_json(f"{bad_host}/api/xbrl/companyfacts/CIK0000000101.json")
    assert time.monotonic() - start < 8
    assert SecCache(tmp_path / "cache").get(f"{bad_host}/x") is None


def test_silent_host_trips_the_breaker_across_urls(tmp_path: Path) -> None:
    """A host that accepts TCP and never answers: after 4 timed-out attempts (two URLs) the
    client stops; the third URL is not attempted at all."""
    for base in _serve("silent"):
        client = SecClient(
            user_agent=UA,
            offline=False,
            cache=SecCache(tmp_path / "cache"),
            limiter=RateLimiter(10),
            timeout=1.0,
            max_wait=2.5,
        )
        start = time.monotonic()
        with client:
            for n in range(3):
                with pytest.raises(SecAccessError):
                    client.get_json(f"{base}/doc{n}.json")
        assert time.monotonic() - start < 10
        assert client.unreachable is not None and "timed out" in client.unreachable


def test_deadline_bounds_a_whole_sync(atlas, tmp_path: Path, fixtures: Path) -> None:
    """Each request takes 100 s on a fake clock; a 300 s deadline lets 3 companies through
    and the rest are 'not attempted'; the report says the deadline stopped it."""
    doc = orjson.loads((fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes())
    now = [0.0]

    def slow(request: httpx.Request) -> httpx.Response:
        now[0] += 100.0
        cik = int(str(request.url).rsplit("CIK", 1)[1].removesuffix(".json"))
        return httpx.Response(200, content=orjson.dumps({**doc, "cik": cik}))

    client = SecClient(
        user_agent=UA,
        transport=httpx.MockTransport(slow),
        offline=False,
        cache=SecCache(tmp_path / "cache"),
        limiter=RateLimiter(10, sleep=lambda s: None),
        clock=lambda: now[0],
        max_wait=1000,
    )
    with Store(tmp_path / "s.duckdb") as store:
        report = sync_companies(
            atlas,
            "nvda,amd,msft,googl,amzn",
            store=store,
            progress=False,
            client=client,
            deadline=300,
        )
    assert [r.status for r in report.rows] == ["fetched"] * 3 + ["failed"] * 2
    assert all("time allowed for this run is up" in r.reason for r in report.rows[3:])
    assert report.stopped.startswith("the sync deadline of 300 s passed")
    assert client.deadline is None  # the client's own setting is restored
    assert now[0] == 300  # nothing was requested after the deadline


def test_request_past_the_deadline_is_cut_short(tmp_path: Path, fixtures: Path) -> None:
    body = (fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes()
    now = [0.0]

    def slow(request: httpx.Request) -> httpx.Response:
        now[0] += 100.0
        return httpx.Response(200, content=body)

    client = SecClient(
        user_agent=UA,
        transport=httpx.MockTransport(slow),
        offline=False,
        cache=SecCache(tmp_path / "cache"),
        limiter=RateLimiter(10, sleep=lambda s: None),
        sleep=lambda s: None,
        clock=lambda: now[0],
        max_wait=1000,
    )
    client.deadline = 50.0
    with pytest.raises(
        SecAccessError,
        match=r"timed out \(ReadTimeout\); a 0\.\ds wait would pass the time allowed",
    ):
        client.get_json(COMPANYFACTS_URL.format(cik10="0000000101"))
    assert client.deadline_hit
    assert SecCache(tmp_path / "cache").get(COMPANYFACTS_URL.format(cik10="0000000101")) is None
