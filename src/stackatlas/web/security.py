"""Security middleware: response headers, a request-body size limit, the Host check against
DNS rebinding and the Origin check against cross-site request forgery."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
"""plotly.js sets inline styles on its SVG, hence style-src 'unsafe-inline'; scripts stay
external."""

SECURITY_HEADERS = {
    b"content-security-policy": CSP.encode(),
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" even on
    # the app's own form posts, which the CSRF check could then not tell from a forged one
    b"referrer-policy": b"same-origin",
    b"cross-origin-opener-policy": b"same-origin",
}


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in SECURITY_HEADERS
                ]
                headers.extend(SECURITY_HEADERS.items())
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimitMiddleware:
    """Rejects request bodies over ``max_bytes`` with 413, checked before any parsing.

    Both a declared Content-Length and the streamed byte count are enforced.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._reject(send)
                return
        received = 0
        too_big = False

        async def limited_receive() -> Message:
            nonlocal received, too_big
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_big = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        body = (
            b'{"error":"payload_too_large","detail":"request body exceeds '
            + str(self.max_bytes).encode()
            + b' bytes"}'
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(value: str) -> str:
    """The host part of a Host header or an origin's netloc, lower-case, without the port
    (``[::1]:8000`` -> ``::1``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def allowed_hosts_for(bind: str, extra: list[str] | tuple[str, ...] = ()) -> frozenset[str] | None:
    """Host names a server bound to ``bind`` answers to: on a loopback address the loopback
    names plus ``extra`` (DNS rebinding cannot reach it under another name); on any other
    address only ``extra`` when given, else every name (None)."""
    names = {host_name(h) for h in extra if h.strip()}
    bind_name = host_name(bind) if bind.startswith("[") else bind.strip().lower()
    if bind_name in LOOPBACK_NAMES or bind_name.startswith("127."):
        return frozenset(LOOPBACK_NAMES | {bind_name} | names)
    if names:  # loopback names stay allowed: rebinding cannot use them against us
        return frozenset(names | LOOPBACK_NAMES | {bind_name})
    return None


class HostCheckMiddleware:
    """Answers 400 to a request whose Host header is not one of ``allowed`` (case-insensitive,
    any port). ``*.example.org`` allows the subdomains of example.org."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.exact = frozenset(h for h in allowed if not h.startswith("*."))
        self.suffixes = tuple(h[1:] for h in allowed if h.startswith("*."))

    def allows(self, host: str) -> bool:
        name = host_name(host)
        return name in self.exact or (bool(name) and name.endswith(self.suffixes or ("\0",)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = _header(scope, b"host")
            if not self.allows(host):
                detail = (
                    f"this server does not answer to host {host_name(host)!r} (DNS rebinding "
                    "guard; add names with stackatlas serve --allow-host)"
                )
                await _send_json(send, 400, {"error": "invalid_host", "detail": detail})
                return
        await self.app(scope, receive, send)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class OriginCheckMiddleware:
    """CSRF protection for every form and upload: a state-changing request (POST ...) that a
    browser marks as coming from another site is refused with 403 before the app sees it.

    Browsers say where a request comes from: ``Sec-Fetch-Site`` (all current browsers) must
    be ``same-origin`` or ``none`` (typed by the user); without it, ``Origin`` (sent with every
    cross-origin POST, ``null`` from sandboxed or privacy-restricted pages) must name this
    server: its host and port equal to the Host header, which ``HostCheckMiddleware`` already
    vetted (the scheme is not compared, so the app works behind a TLS-terminating proxy).
    Clients that send neither header (curl, scripts, the Python API) are not browsers and
    cannot carry a forged form.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            reason = self.refusal(scope)
            if reason:
                await _send_json(send, 403, {"error": "forbidden", "detail": reason})
                return
        await self.app(scope, receive, send)

    @staticmethod
    def refusal(scope: Scope) -> str:
        """Why this unsafe request looks cross-site ('' when it does not)."""
        site = _header(scope, b"sec-fetch-site").lower()
        if site:
            if site in {"same-origin", "none"}:
                return ""
            return f"cross-site form or upload refused (Sec-Fetch-Site: {site})"
        origin = _header(scope, b"origin")
        if not origin:
            return ""
        host = _header(scope, b"host").lower()
        scheme, _, netloc = origin.lower().partition("://")
        default = {"http": ":80", "https": ":443"}.get(scheme, "")
        if netloc and (netloc == host or netloc + default == host or netloc == host + default):
            return ""
        return f"cross-origin form or upload refused (Origin {origin} is not this server)"


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


async def _send_json(send: Send, status: int, payload: dict[str, str]) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
