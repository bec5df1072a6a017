"""HTML pages: every page renders with charts and sources, forms, errors, security headers and
escaping of hostile atlas text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stackatlas.web.app import create_app

PAGES = [
    "/",
    "/flows",
    "/pools",
    "/capex",
    "/coverage",
    "/concentration",
    "/infra",
    "/signals",
    "/audit",
    "/scenarios",
    "/companies",
    "/companies/nvidia",
    "/portfolio",
    "/sources",
    "/api-docs",
]
CHARTED = {"/": 1, "/flows": 2, "/concentration": 1, "/scenarios": 3}  # no SEC data here
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", re.I)


def chart_blocks(html: str) -> dict[str, dict]:
    """figure id -> parsed figure JSON, for every chart div with its data block."""
    ids = re.findall(r'<div class="chart" data-figure="([^"]+)"', html)
    out = {}
    for fid in ids:
        m = re.search(
            rf'<script type="application/json" id="{re.escape(fid)}">(.*?)</script>', html, re.S
        )
        assert m, f"no data block for {fid}"
        out[fid] = json.loads(m.group(1))
    return out


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_with_nav_sources_and_charts(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text[:500]
    html = r.text
    assert "<nav>" in html and 'href="/flows"' in html and 'href="/sources"' in html
    assert '<script src="/static/plotly.min.js"></script>' in html
    assert not INLINE_SCRIPT.search(html), "inline script would break the CSP"
    charts = chart_blocks(html)
    assert len(charts) >= CHARTED.get(path, 0)
    for fig in charts.values():
        assert fig["data"], "a chart without traces"
    if path not in ("/companies", "/portfolio", "/sources", "/api-docs"):
        assert "Sources behind these numbers" in html
        assert 'href="/sources#src-' in html


def test_sec_pages_without_facts_say_so_instead_of_drawing_zeros(client: TestClient) -> None:
    html = client.get("/pools").text
    assert "nothing to draw (no SEC fundamentals available" in html
    assert not chart_blocks(html)


def test_capex_without_sec_facts_draws_only_the_sourced_filing_figures(
    client: TestClient,
) -> None:
    """Without companyfacts or filings the resolver's last source is the atlas: its figures
    taken from the 10-Ks (Amazon 2024 capex 82,999 $M ...) are drawn; no bar is a zero."""
    charts = chart_blocks(client.get("/capex").text)
    capex = next(t for fig in charts.values() for t in fig["data"] if t.get("name") == "capex")
    bars = dict(zip(zip(*capex["x"], strict=True), capex["y"], strict=True))
    assert bars[("amazon", "2024")] == pytest.approx(82.999)
    assert bars[("alphabet", "2025")] == pytest.approx(91.447)
    assert all(v for v in bars.values())


def test_api_docs_page_lists_every_api_route(client: TestClient) -> None:
    html = client.get("/api-docs").text
    for path in client.get("/openapi.json").json()["paths"]:
        assert f"<code>{path}</code>" in html
    assert client.get("/docs").status_code == 404  # Swagger UI would need a CDN + inline JS


def test_every_source_link_has_a_target(client: TestClient) -> None:
    from stackatlas import load_atlas

    known = set(load_atlas().sources)
    linked: set[str] = set()
    for path in PAGES:
        linked |= set(re.findall(r'href="/sources#src-([^"]+)"', client.get(path).text))
    assert linked and linked <= known, sorted(linked - known)


def test_sources_page_has_an_anchor_per_source(client: TestClient) -> None:
    from stackatlas import load_atlas

    html = client.get("/sources").text
    for sid in load_atlas().sources:
        assert f'id="src-{sid}"' in html


def test_company_page_unknown_is_404_with_suggestion_links(client: TestClient) -> None:
    r = client.get("/companies/nvdia")
    assert r.status_code == 404
    assert 'href="/companies/nvidia"' in r.text and "no company matches" in r.text


def test_company_page_without_sec_data_says_so(client: TestClient) -> None:
    html = client.get("/companies/nvidia").text
    assert "Fundamentals unavailable" in html and "STACKATLAS_SEC_DIR" in html
    html = client.get("/companies/openai").text
    assert "Not an SEC filer" in html


def test_scenario_form_posts_and_rerenders(client: TestClient) -> None:
    r = client.post(
        "/scenarios",
        data={"name": "taiwan-quake", "param-capacity_loss": "0.25", "draws": "40", "seed": "3"},
    )
    assert r.status_code == 200
    assert 'name="param-capacity_loss" value="0.25"' in r.text
    assert "40 Monte Carlo draws (seed 3)" in r.text
    assert len(chart_blocks(r.text)) == 3


def test_scenario_form_bad_value_is_422_with_message(client: TestClient) -> None:
    r = client.post("/scenarios", data={"name": "taiwan-quake", "param-capacity_loss": "7"})
    assert r.status_code == 422
    assert "outside its range" in r.text and 'id="scenario-run"' in r.text
    r = client.post("/scenarios", data={"name": "taiwan-quake", "draws": "many"})
    assert r.status_code == 422 and "not a whole number" in r.text
    r = client.get("/scenarios?name=nope")
    assert r.status_code == 404 and "unknown scenario" in r.text


def test_portfolio_page_upload(client: TestClient, web_fixtures: Path) -> None:
    files = {"file": ("w.csv", (web_fixtures / "weights.csv").read_bytes(), "text/csv")}
    r = client.post("/portfolio", files=files, data={"profile": "aggressive"})
    assert r.status_code == 200, r.text[:300]
    assert "Exposure by layer" in r.text and "ZZZZ" in r.text
    assert "fig-exposure" in chart_blocks(r.text)
    r = client.post("/portfolio", files={"file": ("x.csv", b"foo\n1\n", "text/csv")})
    assert r.status_code == 422 and "no ticker column" in r.text


@pytest.mark.parametrize(
    "path", ["/", "/api/layers", "/static/app.js", "/healthz", "/api/companies/nope"]
)
def test_security_headers(client: TestClient, path: str) -> None:
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_plotly_js_served_locally(client: TestClient) -> None:
    r = client.get("/static/plotly.min.js")
    assert r.status_code == 200 and len(r.content) > 1_000_000
    assert r.headers["content-type"].startswith("application/javascript")


HOSTILE = '<script>alert("x")</script>&<b>'


@pytest.fixture
def hostile_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "companies.csv").write_text(
        "id,name,ticker,exchange,other_tickers,cik,country,listed,parent,aliases,description\n"
        f'evil-co,"{HOSTILE.replace(chr(34), chr(34) * 2)}",EVIL,NYSE,,,US,true,,,'
        f'"desc {HOSTILE.replace(chr(34), chr(34) * 2)}"\n',
        encoding="utf-8",
    )
    (overlay / "memberships.csv").write_text(
        "company,segment,weight,as_of,source,basis,note\n"
        "evil-co,design-gpu,0.5,2026-01-01,marsbit-2026-03-16,estimate,\n",
        encoding="utf-8",
    )
    (overlay / "upstream_exemptions.csv").write_text(  # a chip designer needs an edge or this
        "company,reason,source\nevil-co,test company,marsbit-2026-03-16\n", encoding="utf-8"
    )
    return TestClient(create_app(store_path=tmp_path / "absent.duckdb", atlas_overlay=overlay))


def test_hostile_atlas_text_is_escaped(hostile_client: TestClient) -> None:
    for path in ("/", "/companies", "/companies/evil-co"):
        html = hostile_client.get(path).text
        assert '<script>alert("x")' not in html, path
        assert "alert" in html, path  # the name is shown, escaped
    html = hostile_client.get("/companies/evil-co").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&lt;b&gt;" in html
    assert "<title>&lt;script&gt;alert(" in html
    blocks = chart_blocks(hostile_client.get("/").text)
    labels = blocks["fig-map-weight"]["data"][0]["labels"]  # no revenue: only weight-sized
    assert HOSTILE in labels  # the figure data round-trips; only its embedding is escaped
    raw = hostile_client.get("/").text
    assert "\\u003cscript\\u003ealert" in raw
    api = hostile_client.get("/api/companies/evil-co")
    assert api.json()["company"]["name"] == HOSTILE
    assert api.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("name", ["taiwan-quake", "power-crunch", "ai-revenue-shortfall"])
def test_scenario_form_defaults_round_trip_unchanged(client: TestClient, name: str) -> None:
    """Submitting the form as shown changes nothing (no parameter marked changed, so no
    distribution is dropped) — the shown defaults must parse back to the exact floats."""
    html = client.get(f"/scenarios?name={name}").text
    fields = dict(re.findall(r'name="(param-[^"]+)" value="([^"]*)"', html))
    assert fields
    r = client.post("/scenarios", data={"name": name, **fields, "draws": "0", "seed": "0"})
    assert r.status_code == 200
    assert '<tr class="hot">' not in r.text


def test_hostile_upload_name_is_escaped_in_the_error(client: TestClient) -> None:
    name = "<img src=x onerror=alert(1)>.csv"
    r = client.post("/portfolio", files={"file": (name, b"ticker,weight\nNVDA,abc\n")})
    assert r.status_code == 422
    assert "<img src=x" not in r.text
    assert "&lt;img src=x onerror=alert(1)&gt;.csv:2 [weight]: not a number" in r.text


def test_audit_page_prints_year_claims_as_years(client: TestClient) -> None:
    """Regression: the shipped OpenAI cash-flow claim (2029.5, range 2029-2030) showed as
    "2,029.5 year"; it reads 2029-2030 now, as in the atlas."""
    html = client.get("/audit").text
    row = re.search(r"<tr><td[^>]*>[^<]*</td><td>openai-cash-flow-positive</td>.*?</tr>", html)
    assert row, "no audit row for openai-cash-flow-positive"
    assert '<td class="n">2029-2030</td>' in row.group(0)
    assert "2,029" not in html


def test_scenario_page_names_horizon_gains_and_solver_settings(client: TestClient) -> None:
    """Issue 18: every % names its denominator and horizon, money uses the same horizon,
    gains are labelled and explained, solver settings sit in an advanced section, and the
    three charts have distinct titles."""
    html = client.get("/scenarios?name=taiwan-quake").text
    form = html[html.index('id="scenario-run"') : html.index("</form>")]
    params = form[form.index('id="scenario-params"') : form.index('id="model-params"')]
    assert 'name="param-capacity_loss"' in params and "solver" not in params
    advanced = form[form.index('id="solver-settings"') :]
    assert "Advanced: solver settings" in advanced
    assert 'name="param-solver_max_iterations"' in advanced
    assert 'name="param-solver_tolerance"' in advanced
    assert "share of <b>baseline revenue over the same 8 quarters</b>" in html
    assert "revenue at risk, USD bn (8 quarters)" in html and "% of baseline (8 quarters)" in html
    assert 'id="scenario-gains"' not in html  # the quake helps no one
    titles = [block["layout"]["title"]["text"] for block in chart_blocks(html).values()]
    assert len(titles) == len(set(titles)) == 3
    path = html[html.index('id="scenario-path"') :]
    assert "tsmc</a> → <a" in path and "explicit" in path
    gains = client.post(
        "/scenarios",
        data={"name": "efficiency-shock", "param-demand_elasticity": "1.6"},
    ).text
    assert 'id="scenario-gains"' in gains and "Jevons paradox" in gains
    assert ">gain " in gains


def test_scenario_form_runs_the_network_at_edge_bounds(client: TestClient) -> None:
    """The edge-share sensitivity sits in its own advanced section, apart from the scenario's
    parameters; at the low bounds AMD loses 4.81% (0.8 of its wafers from TSMC, not 0.9)."""
    html = client.get("/scenarios?name=taiwan-quake").text
    form = html[html.index('id="scenario-run"') : html.index("</form>")]
    params = form[form.index('id="scenario-params"') : form.index('id="model-params"')]
    assert 'name="edges"' not in params
    network = form[form.index('id="network-shares"') :]
    assert 'name="edges"' in network and '<option value="point" selected>' in network
    assert 'id="scenario-edge-shares"' not in html
    low = client.post("/scenarios", data={"name": "taiwan-quake", "edges": "low"}).text
    assert '<option value="low" selected>' in low
    assert "run at their <b>low</b> shares" in low
    amd = low[low.index('href="/companies/amd"') :]
    assert "4.81%" in amd[:400]
    bad = client.post("/scenarios", data={"name": "taiwan-quake", "edges": "mid"})
    assert bad.status_code == 422 and "expected one of point, low, high" in bad.text


def test_scenario_form_draws_the_edges(client: TestClient) -> None:
    """'draw' gives each Monte Carlo draw edge shares from their ranges; it needs draws."""
    html = client.get("/scenarios?name=taiwan-quake").text
    assert '<option value="draw">drawn from their ranges (needs draws)</option>' in html
    drawn = client.post(
        "/scenarios", data={"name": "taiwan-quake", "edges": "draw", "draws": "40"}
    ).text
    assert '<option value="draw" selected>' in drawn
    assert "shares <b>drawn from their low-high ranges</b>" in drawn
    assert "55 explicit edges with a low-high range" in drawn
    bad = client.post("/scenarios", data={"name": "taiwan-quake", "edges": "draw"})
    assert bad.status_code == 422 and "give draws &gt; 0" in bad.text


def test_company_page_lists_sourced_edges(client: TestClient) -> None:
    html = client.get("/companies/apple").text
    edges = html[html.index("Suppliers of Apple") :]
    assert "TSMC</a>" in edges[:600] and "explicit" in edges[:800]
    assert "Apple designs its own processors" in edges
    assert 'href="/sources#src-aapl-10k-fy2024"' in edges
    html = client.get("/companies/nvidia").text
    assert "Customers of Nvidia" in html and "inferred" in html


def test_pools_page_offers_the_full_view_and_rejects_other_views(client: TestClient) -> None:
    panel = client.get("/pools").text
    assert 'href="/pools?view=full"' in panel
    full = client.get("/pools?view=full")
    assert full.status_code == 200 and 'href="/pools">like-for-like panel' in full.text
    bad = client.get("/pools?view=cloudy")
    assert bad.status_code == 422 and "view must be" in bad.text


def test_map_is_sized_in_dollars_with_a_weight_toggle(client: TestClient) -> None:
    html = client.get("/").text
    charts = chart_blocks(html)
    assert list(charts)[:2] == ["fig-map", "fig-map-weight"]
    assert 'href="/?sizing=weight"' in html
    weight = client.get("/?sizing=weight").text
    assert next(iter(chart_blocks(weight))) == "fig-map-weight"
    assert 'href="/">Size in dollars' in weight
    assert client.get("/?sizing=height").status_code == 422
