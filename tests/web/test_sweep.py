"""The sweep API (bounded) and page: hand-checked TSMC bands, limits, errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

BODY = {
    "grid": ["capacity_loss=0.2:0.6:3"],
    "overrides": {"outage_quarters": 1, "recovery_quarters": 2},
    "draws": 20,
    "companies": ["tsmc"],
}


def test_sweep_api_rows_and_tornado(client: TestClient) -> None:
    response = client.post("/api/scenarios/taiwan-quake/sweep", json=BODY)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["points_total"] == 3 and data["total_draws"] == 60
    # TSMC: 25% x capacity_loss in every draw (1-quarter outage, 2-quarter ramp, 8 quarters)
    assert [p["company.tsmc.pct_p95"] for p in data["points"]] == pytest.approx([5, 10, 15])
    assert not any(k.startswith("company.nvidia") for k in data["points"][0])  # not asked for
    assert data["tornado"][0]["parameter"] == "capacity_loss"
    assert data["tornado"][0]["first_order"] == pytest.approx(1.0)
    assert data["points"][0]["layer.energy.usd_p50"] is None  # unknown, never 0
    assert data["horizon"] == "8 quarters"  # the model default: every % and USD is over it
    assert "over the same 8 quarters" in data["measures"]["<level>.<id>.pct_<band>"]


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"grid": ["capacity_loss=0.1:0.9:20", "outage_quarters=0:8:20"]}, 422, "at most 200"),
        ({"grid": ["capacity_loss=0.1:0.9:50"], "draws": 1000}, 422, "20,000 draws"),
        ({"grid": ["capacity_loss=0.0:0.9:3"]}, 422, "leaves the parameter's range"),
        ({"draws": 10}, 422, "either --grid"),
        ({**BODY, "companies": ["tsmcc"]}, 404, "tsmc"),
        ({"lhs": 1000}, 422, "less than or equal to 200"),
    ],
)
def test_sweep_api_bounds(client: TestClient, body: dict, status: int, needle: str) -> None:
    response = client.post("/api/scenarios/taiwan-quake/sweep", json=body)
    assert response.status_code == status
    assert needle in response.text


def test_sweep_page(client: TestClient) -> None:
    empty = client.get("/sweeps")
    assert empty.status_code == 200 and 'id="sweep-run"' in empty.text
    page = client.get(
        "/sweeps",
        params={"name": "taiwan-quake", "grid": "capacity_loss=0.2:0.6:3\noutage_quarters=1:2:2",
                "draws": "20", "target": "layer:chips"},
    )  # fmt: skip
    assert page.status_code == 200
    assert "fig-sweep-tornado" in page.text and "What moves the tail" in page.text
    assert "layer.chips.pct_p95" in page.text
    measures = page.text[page.text.index('id="sweep-measures"') :]
    assert "baseline revenue over the same 8 quarters</b>" in measures[:300]
    bad = client.get("/sweeps", params={"name": "taiwan-quake", "grid": "nope=1:2:3"})
    assert bad.status_code == 422 and "unknown parameter" in bad.text
