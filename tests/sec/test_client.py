"""SEC client against httpx.MockTransport: identity, retries, errors, cache, offline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from stackatlas.errors import (
    DataUnavailableError,
    NotFoundError,
    RateLimitedError,
    SecAccessError,
)
from stackatlas.sec.cache import SecCache
from stackatlas.sec.client import (
    RateLimiter,
    SecClient,
    configured_rate,
    resolve_user_agent,
    shared_rate_limiter,
)

URL = "https://data.sec.gov/api/xbrl/companyfacts/CIK0000000101.json"
UA = "Jane Analyst jane@example.com"


@pytest.fixture
def body(fixtures: Path) -> bytes:
    return (fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes()


class Script:
    """A MockTransport handler answering from a list of responses and recording requests."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_client(
    script: Callable, tmp_path: Path, sleeps: Sleeps | None = None, **kwargs
) -> SecClient:
    return SecClient(
        user_agent=UA,
        transport=httpx.MockTransport(script),
        offline=False,
        cache=SecCache(tmp_path / "cache"),
        limiter=RateLimiter(10, sleep=Sleeps()),
        sleep=sleeps if sleeps is not None else Sleeps(),
        jitter=lambda: 0.0,
        **kwargs,
    )


def test_success_sends_identity_and_caches(tmp_path: Path, body: bytes) -> None:
    script = Script(httpx.Response(200, content=body, headers={"ETag": '"v1"'}))
    with make_client(script, tmp_path) as client:
        resp = client.get_json(URL)
    assert resp.source == "network" and resp.doc["cik"] == 101
    assert script.requests[0].headers["User-Agent"] == UA
    entry = SecCache(tmp_path / "cache").get(URL)
    assert entry is not None and entry.body == body and entry.etag == '"v1"'


def test_429_then_success_respects_retry_after(tmp_path: Path, body: bytes) -> None:
    sleeps = Sleeps()
    script = Script(
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(429),
        httpx.Response(200, content=body),
    )
    with make_client(script, tmp_path, sleeps, backoff=0.5) as client:
        resp = client.get_json(URL)
    assert resp.doc["entityName"] == "TINY DEVICES INC"
    # first wait = Retry-After (3 s); second = backoff 0.5 * 2**1 with zero jitter
    assert sleeps == [3.0, 1.0]
    assert len(script.requests) == 3


def test_repeated_5xx_gives_up_after_bounded_attempts(tmp_path: Path) -> None:
    sleeps = Sleeps()
    script = Script(httpx.Response(503))
    with (
        make_client(script, tmp_path, sleeps, max_attempts=4, backoff=0.5) as client,
        pytest.raises(SecAccessError, match=r"gave up after 4 attempt\(s\).*HTTP 503") as info,
    ):
        client.get_json(URL, what="companyfacts for CIK 0000000101")
    assert not isinstance(info.value, RateLimitedError)
    assert "companyfacts for CIK 0000000101" in str(info.value)
    assert sleeps == [0.5, 1.0, 2.0]  # exponential, jitter 0, none after the last attempt
    assert len(script.requests) == 4


def test_total_wait_budget_bounds_retries(tmp_path: Path) -> None:
    sleeps = Sleeps()
    script = Script(httpx.Response(429, headers={"Retry-After": "100"}))
    with (
        make_client(script, tmp_path, sleeps, max_wait=30) as client,
        pytest.raises(RateLimitedError, match="exceed the 30s budget"),
    ):
        client.get_json(URL)
    assert sleeps == [] and len(script.requests) == 1


def test_jitter_spreads_backoff(tmp_path: Path) -> None:
    client = make_client(Script(httpx.Response(200)), tmp_path, backoff=1.0)
    client._jitter = lambda: 1.0
    assert client._backoff(1) == 1.5 and client._backoff(3) == 6.0


def test_timeouts_are_retried(tmp_path: Path, body: bytes) -> None:
    script = Script(httpx.ReadTimeout("slow"), httpx.Response(200, content=body))
    with make_client(script, tmp_path) as client:
        assert client.get_json(URL).source == "network"
    assert len(script.requests) == 2


def test_403_explains_block(tmp_path: Path) -> None:
    script = Script(httpx.Response(403, text="Request Rate Threshold Exceeded"))
    with make_client(script, tmp_path) as client, pytest.raises(SecAccessError) as info:
        client.get_json(URL)
    text = str(info.value)
    assert "HTTP 403" in text and "10 requests/s" in text and "STACKATLAS_SEC_USER_AGENT" in text
    assert len(script.requests) == 1  # a block is not retried


def test_404_is_not_found(tmp_path: Path) -> None:
    script = Script(httpx.Response(404))
    with make_client(script, tmp_path) as client, pytest.raises(NotFoundError, match="HTTP 404"):
        client.get_json(URL, what="companyfacts for CIK 0000000101")


@pytest.mark.parametrize("bad", [b'{"cik": 101, "facts": {"us-ga', b"", b"<html>busy</html>"])
def test_truncated_or_non_json_body_is_an_error_and_never_cached(
    tmp_path: Path, bad: bytes
) -> None:
    script = Script(httpx.Response(200, content=bad))
    with make_client(script, tmp_path) as client, pytest.raises(SecAccessError, match=URL):
        client.get_json(URL)
    assert SecCache(tmp_path / "cache").get(URL) is None
    assert not list((tmp_path / "cache").rglob("*.json"))


def test_cache_intact_after_failed_refresh(tmp_path: Path, body: bytes) -> None:
    cache = SecCache(tmp_path / "cache")
    cache.put(URL, body, etag='"v1"')
    script = Script(httpx.Response(200, content=body[: len(body) // 2]))  # truncated
    with make_client(script, tmp_path) as client:
        with pytest.raises(SecAccessError, match="not valid JSON"):
            client.get_json(URL)
        assert cache.get(URL).body == body
        stale = client.get_json(URL, allow_stale=True)
    assert stale.source == "cache" and stale.body == body
    assert "refresh failed" in stale.note


def test_304_serves_cached_body_after_conditional_request(tmp_path: Path, body: bytes) -> None:
    cache = SecCache(tmp_path / "cache")
    cache.put(URL, body, etag='"v1"', last_modified="Wed, 21 Oct 2026 07:28:00 GMT")
    script = Script(httpx.Response(304))
    with make_client(script, tmp_path) as client:
        resp = client.get_json(URL)
    assert resp.source == "cache" and resp.body == body and resp.note == "304 not modified"
    sent = script.requests[0].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Wed, 21 Oct 2026 07:28:00 GMT"


def test_offline_reads_cache_only(tmp_path: Path, body: bytes) -> None:
    def no_network(request: httpx.Request) -> httpx.Response:
        raise AssertionError("offline client touched the network")

    cache = SecCache(tmp_path / "cache")
    client = SecClient(transport=httpx.MockTransport(no_network), offline=True, cache=cache)
    with pytest.raises(DataUnavailableError, match="offline and not in the SEC cache"):
        client.get_json(URL)
    cache.put(URL, body)
    assert client.get_json(URL).doc["cik"] == 101


def test_offline_follows_environment(tmp_path: Path) -> None:
    # conftest sets STACKATLAS_OFFLINE=1 for every test
    assert SecClient(cache=SecCache(tmp_path)).offline is True


def test_missing_user_agent_fails_before_any_request(tmp_path: Path) -> None:
    script = Script(httpx.Response(200, content=b"{}"))
    client = SecClient(
        transport=httpx.MockTransport(script), offline=False, cache=SecCache(tmp_path)
    )
    with pytest.raises(SecAccessError, match="STACKATLAS_SEC_USER_AGENT"):
        client.get_json(URL)
    assert script.requests == []


def test_user_agent_from_env_and_config_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(SecAccessError, match="no SEC User-Agent"):
        resolve_user_agent()
    home = Path(__import__("os").environ["STACKATLAS_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        '[sec]\nuser_agent = "Cfg Person cfg@example.org"\nrate_limit = 50\n'
    )
    assert resolve_user_agent() == "Cfg Person cfg@example.org"
    assert configured_rate() == 10.0  # capped at SEC's limit
    monkeypatch.setenv("STACKATLAS_SEC_USER_AGENT", UA)
    assert resolve_user_agent() == UA
    monkeypatch.setenv("STACKATLAS_SEC_USER_AGENT", "stackatlas")
    with pytest.raises(SecAccessError, match="must be 'Name email@domain'"):
        resolve_user_agent()


def test_rate_limiter_spaces_requests() -> None:
    now = [0.0]
    waits = Sleeps()

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(8, clock=lambda: now[0], sleep=sleep)
    for _ in range(9):
        limiter.acquire()
    # burst of 1, then one request every 1/8 s: 8 waits of 0.125 s, 1.0 s in total
    assert waits == pytest.approx([0.125] * 8)
    assert now[0] == pytest.approx(1.0)
    assert RateLimiter(25).rate == 10.0


def test_shared_limiter_is_one_per_process() -> None:
    assert shared_rate_limiter() is shared_rate_limiter()


def test_rate_limiter_is_shared_safely_across_threads() -> None:
    import threading
    import time

    limiter = RateLimiter(10)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(2):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 6 requests at 10/s with a burst of 1: the last may go no earlier than 0.5 s after start
    assert len(stamps) == 6
    assert max(stamps) - start >= 0.5 - 0.01


def test_retry_after_forms() -> None:
    from stackatlas.sec.client import _retry_after

    assert _retry_after("7") == 7.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past
    assert _retry_after("soon") is None and _retry_after(None) is None


def test_cache_intact_after_repeated_5xx(tmp_path: Path, body: bytes) -> None:
    cache = SecCache(tmp_path / "cache")
    cache.put(URL, body, etag='"v1"')
    with make_client(Script(httpx.Response(502)), tmp_path, max_attempts=3) as client:
        with pytest.raises(SecAccessError, match="HTTP 502"):
            client.get_json(URL)
        assert cache.get(URL).body == body
        assert client.get_json(URL, allow_stale=True).body == body
