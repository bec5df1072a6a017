"""FastAPI application factory: read-only JSON API and HTML pages over the library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from stackatlas.errors import (
    DataUnavailableError,
    NotFoundError,
    StackAtlasError,
    ValidationError,
)
from stackatlas.web.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware

DEFAULT_MAX_UPLOAD = 1_000_000  # bytes
STATIC_DIR = Path(__file__).parent / "static"


def create_app(
    store_path: Path | None = None,
    atlas_overlay: Path | None = None,
    *,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD,
    prices_dir: Path | None = None,
    eto_dir: Path | None = None,
) -> FastAPI:
    """Build the web app. ``store_path`` defaults to the configured store (opened read-only;
    without it the analyses read ``STACKATLAS_SEC_DIR``); ``prices_dir`` is a folder of price
    CSVs for portfolio uploads (else the store's price cache); ``eto_dir`` is the CSET/ETO
    chip supply-chain folder (else STACKATLAS_ETO_DIR / config.toml; the /supplychain views
    answer 503 with how to get the data when none is set)."""
    from stackatlas.charts.theme import plotly_js
    from stackatlas.web import api, pages
    from stackatlas.web.state import WebData

    app = FastAPI(
        title="stackatlas",
        description="The five-layer AI stack as data (read-only API).",
        version=_version(),
        docs_url=None,  # Swagger UI / ReDoc need a CDN and inline script (CSP): see /api-docs
        redoc_url=None,
    )
    app.state.store_path = store_path
    app.state.atlas_overlay = atlas_overlay
    app.state.data = WebData(store_path, atlas_overlay, prices_dir, eto_dir=eto_dir)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_upload_bytes)
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
    def healthz() -> dict[str, str]:
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


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFoundError)
    async def not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse(
            {"error": "not_found", "detail": str(exc), "suggestions": exc.suggestions},
            status_code=404,
        )

    @app.exception_handler(ValidationError)
    async def invalid(_: Request, exc: ValidationError) -> JSONResponse:
        problems = [
            {"file": p.file, "line": p.line, "field": p.column, "message": p.message}
            for p in exc.problems
        ]
        return JSONResponse(
            {"error": "invalid_input", "detail": str(exc), "problems": problems}, status_code=422
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

    @app.exception_handler(DataUnavailableError)
    async def unavailable(_: Request, exc: DataUnavailableError) -> JSONResponse:
        return JSONResponse({"error": "data_unavailable", "detail": str(exc)}, status_code=503)

    @app.exception_handler(StackAtlasError)
    async def other(_: Request, exc: StackAtlasError) -> JSONResponse:
        return JSONResponse({"error": "error", "detail": str(exc)}, status_code=500)
