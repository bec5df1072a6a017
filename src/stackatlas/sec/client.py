"""The one owner of stackatlas' contact with SEC EDGAR: identity, rate limit, retries, cache.

- Identity: SEC requires a declared ``User-Agent`` ("Name email@domain"). It comes from
  ``STACKATLAS_SEC_USER_AGENT`` or ``[sec] user_agent`` in ``$STACKATLAS_HOME/config.toml``;
  without one a network request fails with ``SecAccessError`` (never an invented identity).
- Rate: one process-wide token bucket (default 8 requests/s, never above SEC's 10), shared by
  every client and thread.
- Retries: 429, 5xx and timeouts / connection errors are retried with exponential backoff and
  jitter, honouring ``Retry-After``; bounded by attempts AND the total time spent on the URL
  (requests and waits together, ``max_wait``), and by an optional overall ``deadline``. After
  ``max_no_answer`` attempts in a row without any HTTP answer (DNS, connect, read timeouts)
  the client stops trying and says SEC is unreachable.
- Errors: 403 -> ``SecAccessError`` (blocked: rate or User-Agent), 404 -> ``NotFoundError``,
  a body that is not JSON, or not the expected document (the caller's ``check``, e.g.
  ``{"message": "Service maintenance"}`` instead of companyfacts) -> ``SecAccessError``
  naming the URL; the cache is never touched.
- Cache: valid documents are cached with their ETag / Last-Modified and refreshed with a
  conditional request (304 -> cached body). A cached copy that fails the check is quarantined
  first, so its validators are never sent and a 304 cannot keep it. Offline (``offline=True``
  or STACKATLAS_OFFLINE=1) reads only the cache and raises ``DataUnavailableError`` on a
  miss.

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
from dataclasses import dataclass, replace
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
from stackatlas.sec.cache import SecCache

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


Check = Callable[[Any], str | None]
"""A document check: the decoded JSON -> None when it is the expected document, else why not."""


class SecClient:
    """HTTP access to SEC EDGAR. Use as a context manager or call ``close()``.

    Time is bounded three ways: ``timeout`` per request (connect ``connect_timeout``); all
    attempts at one URL, requests and waits together, within ``max_wait`` seconds; and an
    optional ``deadline`` (a ``clock()`` time) for everything, e.g. one sync. After
    ``max_no_answer`` attempts in a row got no HTTP answer at all (DNS, connect or read
    failures), the client stops trying: ``unreachable`` says why and every later request
    fails at once (``allow_stale`` still serves the cache).
    """

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
        clock: Callable[[], float] = time.monotonic,
        max_attempts: int = 5,
        max_wait: float = 60.0,
        backoff: float = 0.5,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_no_answer: int = 4,
    ) -> None:
        self.offline = config.offline() if offline is None else offline
        self.cache = cache if cache is not None else SecCache()
        self._user_agent = user_agent
        self._transport = transport
        self._limiter = limiter
        self._sleep, self._jitter, self.clock = sleep, jitter, clock
        self.max_attempts, self.max_wait, self.backoff = max_attempts, max_wait, backoff
        self.timeout, self.connect_timeout = timeout, connect_timeout
        self.max_no_answer = max_no_answer
        self.deadline: float | None = None  # a clock() time after which nothing is fetched
        self.unreachable: str | None = None  # why the client stopped trying, once it has
        self.deadline_hit = False  # a request was cut short or skipped by ``deadline``
        self._no_answer = 0
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
                timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout),
                follow_redirects=True,
                headers={
                    "User-Agent": resolve_user_agent(self._user_agent),
                    "Accept-Encoding": "gzip, deflate",
                    "Accept": "application/json",
                },
            )
        return self._http

    def get_json(
        self,
        url: str,
        *,
        what: str | None = None,
        allow_stale: bool = False,
        check: Check | None = None,
    ) -> SecResponse:
        """GET a JSON document: cache-only when offline, else a (conditional) request.

        ``check`` validates the document (a 200 that fails it is an error, never cached, and
        a cached copy that fails it is quarantined). With ``allow_stale`` a failed refresh
        falls back to the cached copy (``note`` says so).
        """
        what = what or url
        cached, validators = self._cached(url, what, check)
        if self.offline:
            if cached is None:
                raise DataUnavailableError(
                    f"{what}: offline and not in the SEC cache ({url}); run `stackatlas sync` "
                    "online first or set STACKATLAS_SEC_DIR"
                )
            return _with_note(cached, "offline: served from cache")
        try:
            return self._fetch(url, what, cached, validators, check)
        except (SecAccessError, NotFoundError) as exc:
            if allow_stale and cached is not None and not isinstance(exc, NotFoundError):
                reason = str(exc).removeprefix(f"{what}: ")
                return _with_note(cached, f"refresh failed ({reason}); served from cache")
            raise

    def _cached(
        self, url: str, what: str, check: Check | None
    ) -> tuple[SecResponse | None, dict[str, str]]:
        """The cached copy if it is a valid document, and its conditional-request headers; a
        corrupt copy is quarantined (so no validator of it is ever sent)."""
        entry = self.cache.get(url)
        if entry is None:
            return None, {}
        try:
            doc = orjson.loads(entry.body)
        except orjson.JSONDecodeError:
            problem: str | None = "body is not valid JSON"
        else:
            problem = _problem(doc, check)
        if problem is not None:
            self.cache.quarantine(url, f"{what}: {problem}")
            return None, {}
        response = SecResponse(entry.url, entry.body, doc, "cache", _when(entry.stored_at))
        return response, entry.conditional_headers()

    def _remaining(self, started: float) -> float:
        """Seconds left for this URL: its own budget and the overall deadline."""
        left = self.max_wait - (self.clock() - started)
        if self.deadline is not None:
            left = min(left, self.deadline - self.clock())
        return left

    def _fetch(
        self,
        url: str,
        what: str,
        cached: SecResponse | None,
        headers: dict[str, str],
        check: Check | None,
    ) -> SecResponse:
        if self.unreachable is not None:
            raise SecAccessError(f"{what}: not attempted (SEC EDGAR unreachable)")
        if self.deadline is not None and self.clock() >= self.deadline:
            self.deadline_hit = True
            raise SecAccessError(f"{what}: not attempted (the time allowed for this run is up)")
        limiter = self._limiter or shared_rate_limiter()
        started = self.clock()
        failure, status, attempts = "", 0, 0
        for attempt in range(1, self.max_attempts + 1):
            left = self._remaining(started)
            if left <= 0:
                failure += "; " if failure else ""
                if self.deadline is not None and self.clock() >= self.deadline:
                    self.deadline_hit = True
                    failure += "the time allowed for this run is up"
                else:
                    failure += f"the {self.max_wait:g}s budget for this URL is spent"
                break
            limiter.acquire()
            attempts = attempt
            retry_after: float | None = None
            try:
                resp, body = self._request(url, headers, left)
            except httpx.TimeoutException as exc:
                failure, status = f"timed out ({type(exc).__name__})", 0
                self._no_response(failure)
            except httpx.TransportError as exc:
                failure, status = f"connection failed ({exc})", 0
                self._no_response(failure)
            else:
                self._no_answer = 0
                status = resp.status_code
                if status == 304 and cached is not None:
                    return _with_note(cached, "304 not modified")
                if status == 200:
                    return self._accept(url, what, resp, body, check)
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
            if attempt == self.max_attempts or self.unreachable is not None:
                break
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            if delay >= self._remaining(started):
                if self.deadline is not None and self.clock() + delay >= self.deadline:
                    self.deadline_hit = True
                    failure += f"; a {delay:.1f}s wait would pass the time allowed for this run"
                else:
                    failure += (
                        f"; next wait {delay:.1f}s would exceed the {self.max_wait:g}s budget"
                    )
                break
            self._sleep(delay)
        elapsed = self.clock() - started
        message = (
            f"{what}: gave up after {attempts} attempt(s) in {elapsed:.1f}s ({failure}) for {url}"
        )
        raise RateLimitedError(message) if status == 429 else SecAccessError(message)

    def _request(
        self, url: str, headers: dict[str, str], left: float
    ) -> tuple[httpx.Response, bytes]:
        """One GET, streamed so the whole exchange stops once ``left`` seconds have passed
        (a server trickling bytes resets a read timeout but not this)."""
        timeout = httpx.Timeout(min(self.timeout, left), connect=min(self.connect_timeout, left))
        stop = self.clock() + left
        with self.http.stream("GET", url, headers=headers, timeout=timeout) as resp:
            chunks = []
            for chunk in resp.iter_bytes():
                chunks.append(chunk)
                if self.clock() > stop:
                    raise httpx.ReadTimeout(f"the answer took longer than {left:.0f}s")
            return resp, b"".join(chunks)

    def _no_response(self, failure: str) -> None:
        self._no_answer += 1
        if self._no_answer >= self.max_no_answer and self.unreachable is None:
            self.unreachable = (
                f"SEC EDGAR unreachable: {self._no_answer} attempts in a row got no answer "
                f"(last: {failure}); check the network, or run offline (STACKATLAS_OFFLINE=1) "
                "to use the cache"
            )

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: base * 2^(n-1) * [1, 1.5)."""
        return self.backoff * 2 ** (attempt - 1) * (1.0 + 0.5 * self._jitter())

    def _accept(
        self, url: str, what: str, resp: httpx.Response, body: bytes, check: Check | None
    ) -> SecResponse:
        if not body:
            raise SecAccessError(f"{what}: SEC sent an empty body for {url}")
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise SecAccessError(
                f"{what}: SEC sent a body that is not valid JSON (truncated?) for {url}: {exc}"
            ) from exc
        problem = _problem(doc, check)
        if problem is not None:  # e.g. {"message": "Service maintenance"}: never cached
            raise SecAccessError(f"{what}: SEC sent {problem} for {url}: {_excerpt(body)}")
        note = ""
        try:
            self.cache.put(
                url,
                body,
                etag=resp.headers.get("ETag"),
                last_modified=resp.headers.get("Last-Modified"),
            )
        except OSError as exc:  # the document is good; only the cache could not keep it
            note = f"not cached ({exc})"
        return SecResponse(url, body, doc, "network", datetime.now(UTC), note)


def _problem(doc: Any, check: Check | None) -> str | None:
    if not isinstance(doc, dict | list):
        return "JSON that is not an object"
    return check(doc) if check is not None else None


def _excerpt(body: bytes, limit: int = 120) -> str:
    text = body[:limit].decode("utf-8", "replace")
    return repr(text + ("..." if len(body) > limit else ""))


def _when(stored_at: str) -> datetime:
    try:
        return datetime.fromisoformat(stored_at)
    except ValueError:
        return datetime.now(UTC)


def _with_note(cached: SecResponse, note: str) -> SecResponse:
    return replace(cached, note=note)


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
