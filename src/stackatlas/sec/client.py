"""The one owner of stackatlas' contact with SEC EDGAR: identity, rate limit, retries, cache.

- Identity: SEC requires a declared ``User-Agent`` ("Name email@domain"). It comes from
  ``STACKATLAS_SEC_USER_AGENT`` or ``[sec] user_agent`` in ``$STACKATLAS_HOME/config.toml``;
  without one a network request fails with ``SecAccessError`` (never an invented identity).
- Rate: one process-wide token bucket (default 8 requests/s, never above SEC's 10), shared by
  every client and thread.
- Retries: 429, 5xx and timeouts / connection errors are retried with exponential backoff and
  jitter, honouring ``Retry-After``; bounded by attempts AND total waiting time.
- Errors: 403 -> ``SecAccessError`` (blocked: rate or User-Agent), 404 -> ``NotFoundError``,
  a body that is not JSON -> ``SecAccessError`` naming the URL; the cache is never touched.
- Cache: valid JSON bodies are cached with their ETag / Last-Modified and refreshed with a
  conditional request (304 -> cached body). Offline (``offline=True`` or STACKATLAS_OFFLINE=1)
  reads only the cache and raises ``DataUnavailableError`` on a miss.

The HTTP transport and the sleep / clock / random functions are injectable, so tests run
against ``httpx.MockTransport`` without waiting.
"""

from __future__ import annotations

import email.utils
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
import orjson

from stackatlas import config
from stackatlas.errors import (
    DataUnavailableError,
    NotFoundError,
    RateLimitedError,
    SecAccessError,
)
from stackatlas.sec.cache import CacheEntry, SecCache

DEFAULT_RATE = 8.0
MAX_RATE = 10.0  # SEC's published fair-access limit (requests per second)
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
Source = Literal["network", "cache", "dir"]

UA_HELP = (
    "SEC EDGAR requires a User-Agent naming you and a contact email. Set it with\n"
    '  export STACKATLAS_SEC_USER_AGENT="Your Name you@example.com"\n'
    "or put this line in $STACKATLAS_HOME/config.toml:\n"
    '  sec.user_agent = "Your Name you@example.com"'
)


def _file_settings() -> dict[str, Any]:
    """The ``[sec]`` table of ``$STACKATLAS_HOME/config.toml`` (empty when absent; a file that
    is not TOML is a ValidationError naming its line)."""
    return config.config_table("sec")


def resolve_user_agent(explicit: str | None = None) -> str:
    """The declared SEC identity; ``SecAccessError`` with instructions when none is set."""
    value = explicit or config.sec_user_agent() or str(_file_settings().get("user_agent") or "")
    value = value.strip()
    if not value:
        raise SecAccessError(f"no SEC User-Agent configured.\n{UA_HELP}")
    if "@" not in value or " " not in value:
        raise SecAccessError(f"SEC User-Agent {value!r} must be 'Name email@domain'.\n{UA_HELP}")
    return value


def configured_rate() -> float:
    """Requests per second from STACKATLAS_SEC_RATE or config.toml, default 8, capped at 10."""
    raw = os.environ.get("STACKATLAS_SEC_RATE") or _file_settings().get("rate_limit")
    try:
        rate = float(raw) if raw else DEFAULT_RATE
    except (TypeError, ValueError):
        raise SecAccessError(f"SEC rate limit {raw!r} is not a number") from None
    return max(0.1, min(rate, MAX_RATE))


class RateLimiter:
    """Thread-safe token bucket: ``acquire()`` blocks until a request may be sent."""

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        *,
        burst: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = max(0.1, min(float(rate), MAX_RATE))
        self.burst = burst
        self._clock, self._sleep = clock, sleep
        self._tokens = burst
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping as needed; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1.0  # reserve now; a negative balance is paid by waiting
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


_shared_limiter: RateLimiter | None = None
_shared_lock = threading.Lock()


def shared_rate_limiter() -> RateLimiter:
    """The process-wide limiter every ``SecClient`` uses unless given another."""
    global _shared_limiter
    with _shared_lock:
        if _shared_limiter is None:
            _shared_limiter = RateLimiter(configured_rate())
        return _shared_limiter


@dataclass(frozen=True)
class SecResponse:
    """A JSON document from SEC (or the cache), with where it came from."""

    url: str
    body: bytes
    doc: Any  # the decoded JSON
    source: Source
    fetched_at: datetime
    note: str = ""  # e.g. "304 not modified" or "refresh failed: ..., served from cache"


class SecClient:
    """HTTP access to SEC EDGAR. Use as a context manager or call ``close()``."""

    def __init__(
        self,
        *,
        user_agent: str | None = None,
        transport: httpx.BaseTransport | None = None,
        cache: SecCache | None = None,
        offline: bool | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        max_attempts: int = 5,
        max_wait: float = 60.0,
        backoff: float = 0.5,
        timeout: float = 30.0,
    ) -> None:
        self.offline = config.offline() if offline is None else offline
        self.cache = cache if cache is not None else SecCache()
        self._user_agent = user_agent
        self._transport = transport
        self._limiter = limiter
        self._sleep, self._jitter = sleep, jitter
        self.max_attempts, self.max_wait, self.backoff = max_attempts, max_wait, backoff
        self.timeout = timeout
        self._http: httpx.Client | None = None

    def __enter__(self) -> SecClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    @property
    def http(self) -> httpx.Client:
        """The httpx client, created on first network use (needs the User-Agent)."""
        if self._http is None:
            self._http = httpx.Client(
                transport=self._transport,
                timeout=self.timeout,
                follow_redirects=True,
                headers={
                    "User-Agent": resolve_user_agent(self._user_agent),
                    "Accept-Encoding": "gzip, deflate",
                    "Accept": "application/json",
                },
            )
        return self._http

    def get_json(
        self, url: str, *, what: str | None = None, allow_stale: bool = False
    ) -> SecResponse:
        """GET a JSON document: cache-only when offline, else a (conditional) request.

        With ``allow_stale`` a failed refresh falls back to the cached copy (``note`` says so).
        """
        what = what or url
        cached = self.cache.get(url)
        if self.offline:
            if cached is None:
                raise DataUnavailableError(
                    f"{what}: offline and not in the SEC cache ({url}); run `stackatlas sync` "
                    "online first or set STACKATLAS_SEC_DIR"
                )
            return _from_cache(cached, "offline: served from cache")
        try:
            return self._fetch(url, what, cached)
        except (SecAccessError, NotFoundError) as exc:
            if allow_stale and cached is not None and not isinstance(exc, NotFoundError):
                return _from_cache(cached, f"refresh failed ({exc}); served from cache")
            raise

    def _fetch(self, url: str, what: str, cached: CacheEntry | None) -> SecResponse:
        headers = cached.conditional_headers() if cached is not None else {}
        limiter = self._limiter or shared_rate_limiter()
        waited, failure, status = 0.0, "", 0
        for attempt in range(1, self.max_attempts + 1):
            limiter.acquire()
            retry_after: float | None = None
            try:
                resp = self.http.get(url, headers=headers)
            except httpx.TimeoutException as exc:
                failure, status = f"timed out ({type(exc).__name__})", 0
            except httpx.TransportError as exc:
                failure, status = f"connection failed ({exc})", 0
            else:
                status = resp.status_code
                if status == 304 and cached is not None:
                    return _from_cache(cached, "304 not modified")
                if status == 200:
                    return self._accept(url, what, resp)
                if status == 403:
                    raise SecAccessError(
                        f"{what}: SEC EDGAR refused the request (HTTP 403 for {url}). SEC blocks "
                        f"clients that exceed {MAX_RATE:g} requests/s or send no valid "
                        f"User-Agent; wait ~10 minutes and check the identity.\n{UA_HELP}"
                    )
                if status == 404:
                    raise NotFoundError(f"{what}: SEC has no such document (HTTP 404 for {url})")
                if status not in RETRY_STATUS:
                    raise SecAccessError(f"{what}: unexpected HTTP {status} for {url}")
                failure = f"HTTP {status}"
                retry_after = _retry_after(resp.headers.get("Retry-After"))
            if attempt == self.max_attempts:
                break
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            if waited + delay > self.max_wait:
                failure += f"; next wait {delay:.1f}s would exceed the {self.max_wait:g}s budget"
                break
            self._sleep(delay)
            waited += delay
        message = (
            f"{what}: gave up after {attempt} attempt(s) and {waited:.1f}s of waiting "
            f"({failure}) for {url}"
        )
        raise RateLimitedError(message) if status == 429 else SecAccessError(message)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: base * 2^(n-1) * [1, 1.5)."""
        return self.backoff * 2 ** (attempt - 1) * (1.0 + 0.5 * self._jitter())

    def _accept(self, url: str, what: str, resp: httpx.Response) -> SecResponse:
        body = resp.content
        if not body:
            raise SecAccessError(f"{what}: SEC sent an empty body for {url}")
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise SecAccessError(
                f"{what}: SEC sent a body that is not valid JSON (truncated?) for {url}: {exc}"
            ) from exc
        if not isinstance(doc, dict | list):
            raise SecAccessError(f"{what}: SEC sent JSON that is not an object for {url}")
        self.cache.put(
            url,
            body,
            etag=resp.headers.get("ETag"),
            last_modified=resp.headers.get("Last-Modified"),
        )
        return SecResponse(url, body, doc, "network", datetime.now(UTC))


def _from_cache(entry: CacheEntry, note: str) -> SecResponse:
    stored = datetime.fromisoformat(entry.stored_at) if entry.stored_at else datetime.now(UTC)
    return SecResponse(entry.url, entry.body, orjson.loads(entry.body), "cache", stored, note)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
