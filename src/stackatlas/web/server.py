"""Running the web app: uvicorn with request read timeouts and a connection cap.

uvicorn's h11 protocol closes idle keep-alive connections, but a request that is still
arriving has no time limit: a client sending its headers, or its body, one byte every few
seconds holds a connection (and a file descriptor) for as long as it likes, and ~21,000 such
clients exhaust the process's descriptors so that nothing, ``/healthz`` included, is answered.
``GuardedH11Protocol`` adds what is missing:

- the request head (line + headers) must arrive within ``header_timeout`` seconds of the
  connection opening or of the request's first byte, the body within ``body_timeout`` seconds
  of the head; past that the server answers 408 and closes the connection;
- at most ``max_connections`` connections are open; one more is answered 503 and closed at
  once, so descriptors are never exhausted (the default leaves 1,024 of the process's
  descriptor limit for everything else, and raises the soft limit to the hard one first).

Header size is bounded by h11 (16 KB: 400 beyond); body size by the app (413 past 1 MB).
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

DESCRIPTOR_RESERVE = 1024  # descriptors kept free for files, the store, workers, logs


@dataclass(frozen=True)
class ServerLimits:
    """Time and connection limits of ``stackatlas serve``."""

    header_timeout: float = 10.0  # seconds for a request line + headers
    body_timeout: float = 30.0  # seconds for a request body after its headers
    keep_alive: float = 5.0  # seconds an idle keep-alive connection stays open
    max_connections: int | None = None  # None: from the descriptor limit (see module doc)

    def connections(self) -> int:
        """``max_connections``, or what the descriptor limit allows (at least 64)."""
        if self.max_connections is not None:
            return self.max_connections
        return max(64, min(raise_descriptor_limit() - DESCRIPTOR_RESERVE, 16_384))


def raise_descriptor_limit() -> int:
    """Raise this process's soft RLIMIT_NOFILE to its hard limit; return the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65_536)
    if target > soft:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    return soft


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus request read timeouts and a connection cap."""

    header_timeout: ClassVar[float] = 10.0
    body_timeout: ClassVar[float] = 30.0
    max_connections: ClassVar[int] = 4096
    counters: ClassVar[dict[str, int]] = {"head_timeouts": 0, "body_timeouts": 0, "refused": 0}

    _timer: asyncio.TimerHandle | None = None
    _phase: str = ""  # "head" or "body" while a request is arriving under a deadline

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            self.counters["refused"] += 1
            self._answer_and_close(503, "Service Unavailable", "too many connections")
            return
        self._arm("head")

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._track()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._track()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # ---- deadlines -------------------------------------------------------------------------
    def _track(self) -> None:
        """Set the deadline that fits where the current request is."""
        if self.transport.is_closing():
            self._disarm()
            return
        state = self.conn.their_state
        if state is h11.IDLE:
            # a new request head has started arriving (an idle keep-alive is uvicorn's job)
            if self._phase != "head" and self.conn.trailing_data[0]:
                self._arm("head")
        elif state is h11.SEND_BODY:
            if self._phase != "body":
                self._arm("body")
        else:
            self._disarm()

    def _arm(self, phase: str) -> None:
        self._disarm()
        seconds = self.header_timeout if phase == "head" else self.body_timeout
        self._phase = phase
        self._timer = self.loop.call_later(seconds, self._expired, phase)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._phase = None, ""

    def _expired(self, phase: str) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        self.counters[f"{phase}_timeouts"] += 1
        answering = self.cycle is not None and self.cycle.response_started
        if self.conn.our_state is h11.IDLE or (
            self.conn.our_state is h11.SEND_RESPONSE and not answering
        ):
            seconds = self.header_timeout if phase == "head" else self.body_timeout
            what = "headers" if phase == "head" else "body"
            self._answer_and_close(
                408, "Request Timeout", f"request {what} not received within {seconds:g} s"
            )
        else:
            self.transport.close()
        if self.cycle is not None:
            self.cycle.disconnected = True
            self.cycle.message_event.set()

    def _answer_and_close(self, status: int, reason: str, message: str) -> None:
        body = message.encode()
        head = (
            f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n"
            + ("retry-after: 5\r\n" if status == 503 else "")
            + "\r\n"
        )
        self.transport.write(head.encode() + body)
        self.transport.close()


def protocol_class(limits: ServerLimits) -> type[GuardedH11Protocol]:
    """A ``GuardedH11Protocol`` subclass carrying ``limits`` (uvicorn builds one per
    connection from the class it is given)."""
    return type(
        "StackatlasH11Protocol",
        (GuardedH11Protocol,),
        {
            "header_timeout": limits.header_timeout,
            "body_timeout": limits.body_timeout,
            "max_connections": limits.connections(),
            "counters": {"head_timeouts": 0, "body_timeouts": 0, "refused": 0},
        },
    )


def run(app: Any, host: str, port: int, limits: ServerLimits) -> None:
    """Serve ``app`` on ``host:port`` until interrupted (one process)."""
    import uvicorn

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol_class(limits),
        timeout_keep_alive=int(max(1, limits.keep_alive)),
        backlog=4096,
        log_level="warning",
        access_log=False,
    )
    uvicorn.Server(config).run()
