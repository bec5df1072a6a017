"""FastAPI application factory: read-only JSON API and HTML pages over the library.

Around the routes, outermost first: security headers; the Host check (when the server is
bound to loopback or given an allow-list); ``/healthz`` answered at once, before any routing;
the Origin check (CSRF); the request-body size limit. CPU-heavy routes run on the bounded
``ComputePool`` (``app.state.compute``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from stackatlas.errors import StackAtlasError
from stackatlas.web.responses import error_headers, error_payload, error_status
from stackatlas.web.security import (
    BodySizeLimitMiddleware,
    HostCheckMiddleware,
    OriginCheckMiddleware,
    SecurityHeadersMiddleware,
)

DEFAULT_MAX_UPLOAD = 1_000_000  # bytes
DEFAULT_COMPUTE_QUEUE = 8  # CPU-heavy requests waiting beyond the running ones
STATIC_DIR = Path(__file__).parent / "static"


def create_app(
    store_path: Path | None = None,
    atlas_overlay: Path | None = None,
    *,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD,
    prices_dir: Path | None = None,
    eto_dir: Path | None = None,
    compute_workers: int = 2,
    compute_queue: int = DEFAULT_COMPUTE_QUEUE,
    compute_processes: bool = False,
    allowed_hosts: Iterable[str] | None = None,
) -> FastAPI:
    """Build the web app. ``store_path`` defaults to the configured store (opened read-only;
    without it the analyses read ``STACKATLAS_SEC_DIR``); ``prices_dir`` is a folder of price
    CSVs for portfolio uploads (else the store's price cache); ``eto_dir`` is the CSET/ETO
    chip supply-chain folder (else STACKATLAS_ETO_DIR / config.toml; the /supplychain views
    answer 503 with how to get the data when none is set). CPU-heavy requests run on
    ``compute_workers`` threads (processes with ``compute_processes``) with
    ``compute_queue`` more waiting; beyond that they get 503 + Retry-After.
    ``allowed_hosts``: Host header names answered (None: any; see
    ``security.allowed_hosts_for``)."""
    from stackatlas.charts.theme import plotly_js
    from stackatlas.web import api, pages
    from stackatlas.web.compute import ComputePool
    from stackatlas.web.state import WebData

    data = WebData(store_path, atlas_overlay, prices_dir, eto_dir=eto_dir, state_ttl=1.0)
    pool = ComputePool(
        data, workers=compute_workers, queue=compute_queue, processes=compute_processes
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import asyncio

        await asyncio.to_thread(pool.start)
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(
        title="stackatlas",
        description="The five-layer AI stack as data (read-only API).",
        version=_version(),
        docs_url=None,  # Swagger UI / ReDoc need a CDN and inline script (CSP): see /api-docs
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store_path = store_path
    app.state.atlas_overlay = atlas_overlay
    app.state.data = data
    app.state.compute = pool
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_upload_bytes)
    app.add_middleware(OriginCheckMiddleware)
    app.add_middleware(HealthzMiddleware)
    if allowed_hosts is not None:
        app.add_middleware(HostCheckMiddleware, allowed=frozenset(allowed_hosts))
    app.add_middleware(SecurityHeadersMiddleware)
    _add_error_handlers(app)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_script() -> Response:
        return Response(
            plotly_js(),
            media_type="application/javascript",
            headers={"cache-control": "public, max-age=86400"},
        )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:  # normally answered by HealthzMiddleware
        return {"status": "ok"}

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


WARM_PATHS = (
    "/api/pools",
    "/pools",
    "/",
    "/flows",
    "/capex",
    "/coverage",
    "/concentration",
    "/infra",
    "/signals",
    "/audit",
    "/scenarios",
    "/supplychain",
    "/api/layers",
    "/api/flows",
    "/api/capex",
    "/api/concentration",
    "/api/signals",
    "/api/audit",
    "/api/scenarios",
    "/api/supplychain",
)


def warm_up(
    base_url: str, paths: tuple[str, ...] = WARM_PATHS, wait: float = 30.0, client: Any = None
) -> int:
    """Fetch ``paths`` from a starting server so the first visitors find the cache warm
    (profit pools take seconds cold). Returns how many answered 200; never raises.
    ``client``: anything with ``get(url)`` (default: a new ``httpx.Client``)."""
    import time

    import httpx

    own = client is None
    client = client or httpx.Client(timeout=120)
    try:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                if client.get(f"{base_url}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        ok = 0
        for path in paths:
            try:
                ok += client.get(base_url + path).status_code == 200
            except httpx.HTTPError:
                continue
        return ok
    finally:
        if own:
            client.close()


def _version() -> str:
    from stackatlas._version import __version__

    return __version__


class HealthzMiddleware:
    """``GET /healthz`` answered before routing, on the event loop: it never waits for a
    worker, a lock or the store, so it shows whether the server itself is up."""

    BODY = b'{"status":"ok"}'

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == "/healthz"
            and scope["method"] in {"GET", "HEAD"}
        ):
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(self.BODY)).encode()),
                (b"cache-control", b"no-store"),
            ]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            body = b"" if scope["method"] == "HEAD" else self.BODY
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StackAtlasError)
    async def library_error(_: Request, exc: StackAtlasError) -> JSONResponse:
        return JSONResponse(
            error_payload(exc), status_code=error_status(exc), headers=error_headers(exc)
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "file": "request",
                "line": None,
                "field": ".".join(str(p) for p in e.get("loc", ())),
                "message": e.get("msg", "invalid"),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return JSONResponse(
            {"error": "invalid_input", "detail": detail, "problems": problems}, status_code=422
        )
