"""Library errors as HTTP answers: one mapping for the JSON API, the pages and the jobs.

NotFoundError 404 (with suggestions), ValidationError 422 (with located problems),
DataUnavailableError 503, BusyError 503 + Retry-After, any other StackAtlasError 500.
"""

from __future__ import annotations

from typing import Any

import orjson

from stackatlas.errors import (
    BusyError,
    DataUnavailableError,
    NotFoundError,
    StackAtlasError,
    ValidationError,
)


def error_status(exc: StackAtlasError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ValidationError):
        return 422
    if isinstance(exc, DataUnavailableError | BusyError):
        return 503
    return 500


def error_headers(exc: StackAtlasError) -> dict[str, str]:
    return {"Retry-After": str(exc.retry_after)} if isinstance(exc, BusyError) else {}


def error_payload(exc: StackAtlasError) -> dict[str, Any]:
    """The JSON error body (``ErrorBody`` in the OpenAPI schema)."""
    if isinstance(exc, NotFoundError):
        return {"error": "not_found", "detail": str(exc), "suggestions": exc.suggestions}
    if isinstance(exc, ValidationError):
        problems = [
            {"file": p.file, "line": p.line, "field": p.column, "message": p.message}
            for p in exc.problems
        ]
        return {"error": "invalid_input", "detail": str(exc), "problems": problems}
    if isinstance(exc, BusyError):
        return {"error": "busy", "detail": str(exc)}
    if isinstance(exc, DataUnavailableError):
        return {"error": "data_unavailable", "detail": str(exc)}
    return {"error": "error", "detail": str(exc)}


def error_json(exc: StackAtlasError) -> bytes:
    return orjson.dumps(error_payload(exc))


def error_block(exc: StackAtlasError) -> dict[str, Any]:
    """The error box an HTML page shows (``page.html``'s ``error``)."""
    if isinstance(exc, NotFoundError):
        return {
            "title": "Not found",
            "detail": str(exc),
            "problems": [],
            "suggestions": exc.suggestions,
        }
    if isinstance(exc, ValidationError):
        return {
            "title": "Invalid input",
            "detail": "Please correct the input:",
            "problems": [str(p) for p in exc.problems],
            "suggestions": [],
        }
    title = {503: "Busy" if isinstance(exc, BusyError) else "Data unavailable"}.get(
        error_status(exc), "Error"
    )
    return {"title": title, "detail": str(exc), "problems": [], "suggestions": []}
