"""JSON API: every route, typed shapes, hand-checked values from the atlas files, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stackatlas import load_atlas

GET_ROUTES = [
    "/api/layers",
    "/api/companies",
    "/api/companies/nvidia",
    "/api/sources",
    "/api/flows",
    "/api/pools",
    "/api/capex",
    "/api/concentration",
    "/api/signals",
    "/api/audit",
    "/api/scenarios",
]


@pytest.mark.parametrize("path", GET_ROUTES)
def test_get_routes_answer_json(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()


def test_layers_in_stack_order(client: TestClient) -> None:
    body = client.get("/api/layers").json()
    assert [layer["id"] for layer in body["layers"]] == [
        "energy",
        "chips",
        "cloud",
        "models",
        "applications",
    ]
    gpu = next(s for s in body["layers"][1]["segments"] if s["id"] == "design-gpu")
    nvidia = next(c for c in gpu["companies"] if c["id"] == "nvidia")
    # memberships.csv: nvidia,design-gpu,0.91 (article: Data Center is 91% of revenue)
    assert nvidia["weight"] == pytest.approx(0.91)


def test_companies_list_and_lookup_by_ticker(client: TestClient) -> None:
    body = client.get("/api/companies").json()
    assert len(body["companies"]) == len(load_atlas().companies)
    nvidia = next(c for c in body["companies"] if c["id"] == "nvidia")
    assert nvidia["ticker"] == "NVDA" and "chips" in nvidia["layers"]
    one = client.get("/api/companies/NVDA").json()
    assert one["company"]["id"] == "nvidia"
    assert any(s["id"] == "marsbit-2026-03-16" for s in one["sources"])


def test_unknown_company_is_404_with_suggestions(client: TestClient) -> None:
    r = client.get("/api/companies/nvdia")
    assert r.status_code == 404
    body = r.json()
    assert body["error"] == "not_found"
    assert "nvdia" in body["detail"] and "nvidia" in body["suggestions"]


def test_flows_carry_atlas_amounts_and_cycles(client: TestClient) -> None:
    body = client.get("/api/flows").json()
    edge = next(e for e in body["edges"] if e["id"] == "msft-openai-investment")
    # flows.csv: microsoft -> openai equity_investment 13 (USD bn), source msft-10q-q3fy2026
    assert (edge["source"], edge["target"], edge["mid"]) == ("microsoft", "openai", 13.0)
    assert edge["source_id"] == "msft-10q-q3fy2026"
    assert any(set(c["nodes"]) == {"openai", "microsoft"} for c in body["cycles"])


def test_concentration_euv_is_a_monopoly(client: TestClient) -> None:
    body = client.get("/api/concentration").json()
    euv = next(m for m in body["markets"] if m["market"] == "euv-lithography")
    # shares.csv: asml 1.0 of euv-lithography -> HHI = 100^2 = 10,000
    assert euv["hhi"] == pytest.approx(10_000)
    assert body["chokepoints"][0]["company"] == "asml"


def test_scenarios_list(client: TestClient) -> None:
    names = [s["name"] for s in client.get("/api/scenarios").json()["scenarios"]]
    assert {"taiwan-quake", "capex-pullback", "power-crunch"} <= set(names)
    assert "model" not in names


def test_scenario_run_seeded_and_overridden(client: TestClient) -> None:
    url = "/api/scenarios/taiwan-quake/run"
    base = client.post(url).json()
    assert base["draws"] == 0 and base["layers"][0]["layer"] == "energy"
    a = client.post(url, json={"draws": 50, "seed": 7}).json()
    b = client.post(url, json={"draws": 50, "seed": 7}).json()
    c = client.post(url, json={"draws": 50, "seed": 8}).json()
    assert a["layers"] == b["layers"] and a["layers"] != c["layers"]
    half = client.post(url, json={"overrides": {"capacity_loss": 0.1}}).json()
    chips = next(row for row in half["layers"] if row["layer"] == "chips")
    chips_base = next(row for row in base["layers"] if row["layer"] == "chips")
    assert 0 < chips["revenue_at_risk_usd_bn"] < chips_base["revenue_at_risk_usd_bn"]
    changed = next(p for p in half["parameters"] if p["name"] == "capacity_loss")
    assert changed["value"] == 0.1 and changed["changed"] is True
    # the point values say what run they are (they can sit far from the draws' median)
    assert base["point_basis"] == "default parameters" and base["bands_basis"] is None
    assert a["bands_basis"].startswith("50 Monte Carlo draws")
    assert half["point_basis"] == "default parameters with overrides: capacity_loss=0.1"
    # every % names its denominator and horizon; money is summed over the same quarters
    assert base["horizon_quarters"] == 8 and base["gains_note"] is None
    assert "same 8 quarters" in base["measures"]["revenue_at_risk_pct"]
    assert chips_base["baseline_horizon_usd_bn"] == pytest.approx(
        chips_base["annual_revenue_usd_bn"] * 2
    )


def test_scenario_run_at_edge_bounds(client: TestClient) -> None:
    """edge_shares runs the explicit edges at their bounds: AMD takes 0.9 (0.8-1.0) of its
    wafers from TSMC, so 4.8125% / 5.5625% / 6.3125% of its 8-quarter baseline (hand-checked
    in tests/scenarios/test_atlas_runs.py::test_edge_ranges_as_a_sensitivity)."""
    url = "/api/scenarios/taiwan-quake/run"
    amd = {}
    for shares in ("low", "point", "high"):
        body = client.post(url, json={"edge_shares": shares}).json()
        assert body["edge_shares"] == shares
        amd[shares] = next(c for c in body["companies"] if c["company"] == "amd")
    pct = {k: v["revenue_at_risk_pct"] for k, v in amd.items()}
    assert pct == pytest.approx({"low": 4.8125, "point": 5.5625, "high": 6.3125})


def test_scenario_run_with_drawn_edges(client: TestClient) -> None:
    """edge_shares 'draw': the central run keeps the point shares (AMD 5.5625%), the draws
    spread the bands; without draws it is a 422 naming the field."""
    url = "/api/scenarios/taiwan-quake/run"
    body = client.post(url, json={"edge_shares": "draw", "draws": 60, "seed": 1}).json()
    assert body["edge_shares"] == "draw"
    amd = next(c for c in body["companies"] if c["company"] == "amd")
    assert amd["revenue_at_risk_pct"] == pytest.approx(5.5625)
    assert amd["pct_p5"] < amd["pct_p95"]
    assert any("explicit edges with a low-high range" in n for n in body["notes"])
    bad = client.post(url, json={"edge_shares": "draw"})
    assert bad.status_code == 422 and "give draws > 0" in bad.text


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"overrides": {"capacity_loss": 5}}, "outside its range"),
        ({"overrides": {"capacity_lost": 0.5}}, "unknown parameter"),
        ({"draws": 5001}, "less than or equal to 5000"),
        ({"draws": -1}, "greater than or equal to 0"),
        ({"overrides": {"capacity_loss": "lots"}}, "capacity_loss"),
        ({"overrides": {"capacity_loss": {"kind": "uniform", "low": 0.5, "high": 0.2}}}, "low"),
        ({"surprise": 1}, "surprise"),
        ({"edge_shares": "mid"}, "edge_shares"),
    ],
)
def test_bad_scenario_parameters_are_422(client: TestClient, body: dict, needle: str) -> None:
    r = client.post("/api/scenarios/taiwan-quake/run", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid_input"
    assert needle in r.text
    assert "--set" not in r.text  # the library's CLI label is renamed for the API


@pytest.mark.parametrize(
    "name", ["taiwan-quak", "model", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fhosts.yaml"]
)
def test_unknown_or_path_scenario_is_404(client: TestClient, name: str) -> None:
    r = client.post(f"/api/scenarios/{name}/run")
    assert r.status_code == 404
    if name == "taiwan-quak":
        assert "taiwan-quake" in r.json()["suggestions"]


def test_portfolio_upload_weights(client: TestClient, web_fixtures: Path) -> None:
    files = {"file": ("w.csv", (web_fixtures / "weights.csv").read_bytes(), "text/csv")}
    r = client.post("/api/portfolio", files=files, data={"profile": "balanced"})
    assert r.status_code == 200, r.text
    body = r.json()
    weights = {h["ticker"]: h["weight"] for h in body["holdings"]}
    assert weights == pytest.approx({"NVDA": 0.5, "MSFT": 0.3, "ZZZZ": 0.2})
    assert [u["ticker"] for u in body["unknown"]] == ["ZZZZ"]
    assert body["unmapped_share"] >= 0.2 - 1e-9
    assert body["risk"] is None  # no prices on this server: risk skipped with a note
    assert any("market risk skipped" in n for n in body["notes"])


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"foo;bar\n1;2\n", "no ticker column"),
        (b"ticker,weight\nNVDA,abc\n", "bad.csv:2 [weight]: not a number"),
        (b"", "empty"),
        (b"ticker,weight\n\xff\xfeNVDA,1\n", "UTF-8"),
        (b"ticker,colour\nNVDA,red\n", "missing amount column"),
    ],
)
def test_malformed_csv_is_422(client: TestClient, content: bytes, needle: str) -> None:
    r = client.post("/api/portfolio", files={"file": ("bad.csv", content, "text/csv")})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "invalid_input"
    assert needle in body["detail"] or any(needle in str(p) for p in body["problems"])


def test_portfolio_bad_profile_and_missing_file(client: TestClient, web_fixtures: Path) -> None:
    files = {"file": ("w.csv", (web_fixtures / "weights.csv").read_bytes(), "text/csv")}
    r = client.post("/api/portfolio", files=files, data={"profile": "yolo"})
    assert r.status_code == 422 and "unknown profile" in r.json()["detail"]
    r = client.post("/api/portfolio", data={"profile": "balanced"})
    assert r.status_code == 422 and "file" in r.json()["detail"]


def test_oversized_upload_is_413(client: TestClient) -> None:
    big = b"ticker,weight\n" + b"NVDA,0.1\n" * 120_000  # ~1.1 MB
    r = client.post("/api/portfolio", files={"file": ("big.csv", big, "text/csv")})
    assert r.status_code == 413
    assert r.json()["error"] == "payload_too_large"


def test_openapi_schema_is_typed(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for route in GET_ROUTES:
        key = route.replace("/nvidia", "/{company_id}")
        assert key in paths, key
    pools = paths["/api/pools"]["get"]["responses"]["200"]["content"]["application/json"]
    assert pools["schema"]["$ref"].endswith("/PoolsResponse")
    assert "ScenarioRunRequest" in schema["components"]["schemas"]
    assert "/" not in paths  # pages are not part of the API schema


def test_shares_without_prices_is_503_with_reason(client: TestClient) -> None:
    content = b"Symbol,Quantity\nNVDA,10\nMSFT,5\n"
    r = client.post("/api/portfolio", files={"file": ("s.csv", content, "text/csv")})
    assert r.status_code == 503
    assert r.json()["error"] == "data_unavailable" and "price" in r.json()["detail"]


def test_store_held_by_a_writer_is_503_not_500(tmp_path: Path) -> None:
    from stackatlas.store import Store
    from stackatlas.web.app import create_app

    path = tmp_path / "busy.duckdb"
    with Store(path) as writer:
        writer.set_meta("k", "v")  # a read-write connection holds the file
        with TestClient(create_app(store_path=path)) as c:
            r = c.get("/api/pools")
            page = c.get("/pools")
    assert r.status_code == 503 and "store is busy" in r.json()["detail"]
    assert page.status_code == 503 and "store is busy" in page.text


def test_api_pools_view_and_grouping(client) -> None:
    body = client.get("/api/pools").json()
    assert body["view"] == "panel" and "panels" in body and "changes" in body
    full = client.get("/api/pools", params={"view": "full", "by": "segment"}).json()
    assert full["view"] == "full" and full["by"] == "segment"
    assert client.get("/api/pools", params={"view": "cloudy"}).status_code == 422
