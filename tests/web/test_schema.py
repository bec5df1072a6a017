"""Property-based API testing: schemathesis generates requests from the app's own OpenAPI
schema. No request may produce a server error (5xx); responses must match the documented
status codes, content types and response schemas. ``positive_data_acceptance`` is left out: a
schema-valid upload can still be a bad CSV (an empty file), which is rightly a 422."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from stackatlas.web.app import create_app

APP = create_app(
    store_path=Path(tempfile.gettempdir()) / "stackatlas-schema-absent.duckdb",
    eto_dir=Path(__file__).resolve().parents[1] / "fixtures" / "eto",  # /api/supplychain data
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_and_never_fails(case: schemathesis.Case) -> None:
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code < 500
