"""Slow and greedy clients against a live ``stackatlas serve``: request heads and bodies that
trickle in are cut off with 408, connections are capped, /healthz keeps answering (issue 11)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

HEADER_TIMEOUT, BODY_TIMEOUT, MAX_CONNECTIONS = 1.0, 2.0, 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real server (uvicorn, one process worker) with short timeouts and a small cap."""
    home = tmp_path_factory.mktemp("serve-home")
    port = _free_port()
    cli = Path(sys.executable).parent / "stackatlas"
    args = [str(cli), "serve", "--port", str(port), "--no-warm", "--workers", "1"]
    args += ["--header-timeout", str(HEADER_TIMEOUT), "--body-timeout", str(BODY_TIMEOUT)]
    args += ["--max-connections", str(MAX_CONNECTIONS)]
    env = {**os.environ, "STACKATLAS_HOME": str(home), "STACKATLAS_OFFLINE": "1"}
    log = home / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            pytest.fail(f"server did not start: {log.read_text()[-4000:]}")
        yield base, port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _read_until_closed(sock: socket.socket, limit: float, drip: bytes = b"") -> tuple[float, bytes]:
    """Read until the server closes; send ``drip`` every 0.3 s meanwhile. (seconds, bytes)."""
    sock.settimeout(0.3)
    start, data = time.monotonic(), b""
    while time.monotonic() - start < limit:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            if drip:
                try:
                    sock.sendall(drip)
                except OSError:
                    break
            continue
        if not chunk:
            break
        data += chunk
    return time.monotonic() - start, data


@pytest.mark.parametrize(
    ("first", "drip", "limit"),
    [
        (b"", b"", HEADER_TIMEOUT),  # connects, sends nothing
        (b"GET / HTTP/1.1\r\n", b"X", HEADER_TIMEOUT),  # headers one byte at a time
        (
            b"POST /api/portfolio HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-length: 5000\r\n"
            b"content-type: multipart/form-data; boundary=b\r\n\r\n--b\r\n",
            b"a",
            BODY_TIMEOUT,
        ),  # body one byte at a time
    ],
    ids=["silent", "header-trickle", "body-trickle"],
)
def test_trickling_request_is_cut_off(
    server: tuple[str, int], first: bytes, drip: bytes, limit: float
) -> None:
    with socket.create_connection(("127.0.0.1", server[1])) as sock:
        sock.sendall(first)
        seconds, data = _read_until_closed(sock, limit + 15, drip)
    assert data.startswith(b"HTTP/1.1 408 Request Timeout"), data[:200]
    assert limit - 0.2 <= seconds < limit + 5


def test_keep_alive_then_a_slow_second_request(server: tuple[str, int]) -> None:
    with socket.create_connection(("127.0.0.1", server[1])) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.settimeout(5)
        first = b""
        while not first.endswith(b'{"status":"ok"}'):
            first += sock.recv(4096)
        assert first.startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET / HTTP/1.1\r\nHo")  # the next request's head starts, then stalls
        seconds, data = _read_until_closed(sock, 15)
    assert data.startswith(b"HTTP/1.1 408"), data[:100]
    assert seconds < HEADER_TIMEOUT + 5


def test_connection_cap_and_healthz_under_trickling_clients(server: tuple[str, int]) -> None:
    """100 trickling clients (below the cap of 120) do not stop /healthz; connections past
    the cap get 503 at once instead of using up descriptors."""
    base, port = server
    held = []
    try:
        for _ in range(100):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"GET / HTTP/1.1\r\n")
            held.append(sock)
        start = time.monotonic()
        assert httpx.get(base + "/healthz", timeout=5).status_code == 200
        assert time.monotonic() - start < 2
        for _ in range(40):  # pushes past 120 open connections
            held.append(socket.create_connection(("127.0.0.1", port)))
        refused = 0
        for sock in held[100:]:
            sock.settimeout(3)
            with contextlib.suppress(TimeoutError):
                refused += sock.recv(64).startswith(b"HTTP/1.1 503")
        assert refused >= 19  # at least the connections beyond the cap (120 - 100 held + 1)
    finally:
        for sock in held:
            sock.close()
    # the held connections were cut at the header timeout; the server answers normally
    time.sleep(HEADER_TIMEOUT + 0.5)
    assert httpx.get(base + "/healthz", timeout=5).status_code == 200


def test_oversized_unfinished_header_is_refused(server: tuple[str, int]) -> None:
    """A request head still incomplete past 16 KB (h11's limit) is answered 400 at once,
    without waiting for the header timeout."""
    with socket.create_connection(("127.0.0.1", server[1])) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20_000)
        seconds, data = _read_until_closed(sock, 10)
    assert seconds < HEADER_TIMEOUT
    assert data.startswith(b"HTTP/1.1 400"), data[:100]


def test_workers_end_with_the_server(tmp_path: Path) -> None:
    """Compute worker processes never outlive the server, even a SIGKILLed one."""
    import psutil

    port = _free_port()
    cli = Path(sys.executable).parent / "stackatlas"
    env = {**os.environ, "STACKATLAS_HOME": str(tmp_path), "STACKATLAS_OFFLINE": "1"}
    proc = subprocess.Popen(
        [str(cli), "serve", "--port", str(port), "--no-warm", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        workers = [
            c for c in psutil.Process(proc.pid).children() if "spawn_main" in " ".join(c.cmdline())
        ]
        assert len(workers) == 2
        # below the event loop's priority; a worker lowers itself in its initializer, which may
        # still be running when /healthz first answers (the warm-up can land on one worker)
        niced = time.monotonic() + 60
        while not all(w.nice() >= 5 for w in workers) and time.monotonic() < niced:
            time.sleep(0.2)
        assert all(w.nice() >= 5 for w in workers)
        proc.kill()
        proc.wait(10)
        _, alive = psutil.wait_procs(workers, timeout=30)  # a loaded machine starves nice 5
        assert not alive
    finally:
        if proc.poll() is None:
            proc.kill()
