"""The MCP server, exercised in-process with the SDK's own client: every tool listed and
called, known values checked, bad arguments answered as tool errors (never a crash)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp", reason="the MCP SDK comes with the dev and mcp extras")

from mcp import Client

from stackatlas.mcp_server import MAX_DRAWS, build_server

TOOLS = {
    "stack_map",
    "company_profile",
    "fundamentals",
    "profit_pools",
    "hyperscaler_capex",
    "coverage",
    "money_flows",
    "concentration",
    "signals",
    "audit_claims",
    "payback",
    "physical_stack",
    "chip_supply_chain",
    "list_scenarios",
    "run_scenario",
    "analyze_portfolio",
}


def _session(body: Callable[[Client], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with Client(build_server()) as client:
            return await body(client)

    return asyncio.run(main())


def _call(name: str, args: dict[str, Any]) -> Any:
    return _session(lambda client: client.call_tool(name, args))


def test_tools_are_listed_with_descriptions_that_state_units() -> None:
    listed = _session(lambda client: client.list_tools()).tools
    assert {t.name for t in listed} == TOOLS
    for tool in listed:
        assert tool.description and len(tool.description) > 60, tool.name
    by_name = {t.name: t.description for t in listed}
    assert "FISCAL" in by_name["fundamentals"] and "USD" in by_name["fundamentals"]
    assert "calendar year" in by_name["profit_pools"]
    assert "never zero" in by_name["money_flows"]


@pytest.mark.realdata
def test_fundamentals_nvidia_fy2026_revenue(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # NVIDIA 10-K FY2026 (ended 2026-01-25): revenue $215,938 million (shared data README)
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    result = _call("fundamentals", {"company": "NVDA", "metrics": ["revenue"], "years": 3})
    assert not result.is_error
    answer = result.structured_content
    rows = answer["result"]["rows"]
    fy2026 = next(r for r in rows if r["fiscal_year"] == 2026 and r["fiscal_period"] == "FY")
    assert fy2026["value"] == 215_938_000_000 and fy2026["evidence"] == "reported"
    assert fy2026["accession"] and fy2026["end"] == "2026-01-25"
    assert answer["evidence_legend"]["unresolved"].endswith("(never zero)")


@pytest.mark.realdata
def test_coverage_tool_matches_the_library(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    result = _call("coverage", {"layer": "chips", "year": 2024, "provider": "none"})
    assert not result.is_error, result.content
    doc = result.structured_content["result"]
    assert doc["years"] == ["CY2024"] and doc["layer"] == "chips"
    cells = {c["company"]: c["cells"] for c in doc["companies"]}
    tsmc = next(c for c in cells["tsmc"] if c["metric"] == "revenue")
    # TSMC 20-F 2024 (0001193125-25-083423): revenue US$88,268.0M, its convenience translation
    assert tsmc["value"] == pytest.approx(88_268.0e6) and tsmc["evidence"] == "reported"
    samsung = next(c for c in cells["samsung"] if c["metric"] == "revenue")
    assert samsung["status"] == "missing" and samsung["reason"] and samsung["fix"]
    from stackatlas import load_atlas
    from stackatlas.analysis.coverage_result import coverage
    from stackatlas.resolver import Resolver, default_providers

    atlas = load_atlas()
    direct = coverage(
        atlas,
        layer="chips",
        year=2024,
        resolver=Resolver(atlas, default_providers(atlas, None, ["none"])),
    )
    share = direct.layer_share("chips", 2024, "revenue")
    row = next(r for r in doc["layers"] if r["metric"] == "revenue" and r["year"] == 2024)
    assert row["companies_share"] == pytest.approx(share["companies_share"])
    assert row["missing"] == share["missing"]


def test_every_tool_answers_with_evidence_and_sources() -> None:
    calls = {
        "stack_map": {"layer": "chips"},
        "company_profile": {"name_or_ticker": "nvidia"},
        "profit_pools": {},
        "hyperscaler_capex": {},
        "coverage": {"layer": "models", "year": 2024, "provider": "none"},
        "money_flows": {},
        "concentration": {"market": "euv-lithography"},
        "signals": {},
        "audit_claims": {"status": "match"},
        "list_scenarios": {},
        "payback": {},
        "run_scenario": {"name": "taiwan-quake"},
        "analyze_portfolio": {
            "holdings": [{"ticker": "NVDA", "weight": 0.5}, {"ticker": "TSM", "weight": 0.5}]
        },
    }

    async def body(client: Client) -> dict[str, Any]:
        return {name: await client.call_tool(name, args) for name, args in calls.items()}

    results = _session(body)
    for name, result in results.items():
        assert not result.is_error, (name, result.content)
        answer = result.structured_content
        assert set(answer) == {"result", "units", "evidence_legend", "sources"}, name
    nvidia = results["company_profile"].structured_content
    share = next(s for s in nvidia["result"]["shares"] if s["market"] == "ai-accelerators")
    assert share["share"] == 0.92  # the article's 92% (MarsBit, 2026-03-16)
    assert "marsbit-2026-03-16" in {s["id"] for s in nvidia["sources"]}
    euv = results["concentration"].structured_content["result"]["concentration"]["markets"]
    assert euv[0]["hhi"] == pytest.approx(10_000)  # ASML sole EUV supplier
    portfolio = results["analyze_portfolio"].structured_content["result"]
    assert portfolio  # exposure computed without prices
    scenario = results["run_scenario"].structured_content["result"]
    assert scenario["scenario"] == "taiwan-quake" and scenario["evidence"] == "scenario"
    from stackatlas import load_atlas
    from stackatlas.scenarios import load_scenario, run_scenario

    direct = run_scenario(load_scenario("taiwan-quake"), atlas=load_atlas()).to_dict()
    by_layer = {r["layer"]: r for r in direct["layers"]}
    for row in scenario["layers"]:  # the same numbers as the library call
        for key, value in row.items():
            if isinstance(value, float):
                assert value == pytest.approx(by_layer[row["layer"]][key]), (row["layer"], key)


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("company_profile", {"name_or_ticker": "nvidiaa"}, "did you mean: nvidia"),
        ("run_scenario", {"name": "taiwan-quake", "draws": MAX_DRAWS + 1}, "draws must be"),
        ("run_scenario", {"name": "no-such-scenario"}, "no-such-scenario"),
        ("run_scenario", {"name": "taiwan-quake", "draws": "many"}, "draws"),
        ("run_scenario", {"name": "taiwan-quake", "edge_shares": "mid"}, "edge_shares must be"),
        ("run_scenario", {"name": "taiwan-quake", "edge_shares": "draw"}, "give draws > 0"),
        ("analyze_portfolio", {"holdings": []}, "holdings is empty"),
        ("analyze_portfolio", {"holdings": [{"ticker": "NVDA", "lots": 3}]}, "unknown holding"),
        ("fundamentals", {"company": "nvda", "years": 0}, "years must be 1-30"),
        ("stack_map", {"layer": "basement"}, "basement"),
        ("coverage", {"year": 2024, "provider": "bloomberg"}, "provider"),
        ("coverage", {"layer": "basement", "provider": "none"}, "basement"),
    ],
)
def test_bad_arguments_are_tool_errors(name: str, args: dict[str, Any], message: str) -> None:
    result = _call(name, args)
    assert result.is_error
    text = result.content[0].text
    assert message in text and "Traceback" not in text


def test_payback_reproduces_the_600b_anchor() -> None:
    """Sequoia's "AI's $600B question" (D. Cahn, 2024): $150B GPU run-rate x 2 x 2 = $600B."""
    answer = _call("payback", {}).structured_content
    assert answer["result"]["anchor"]["revenue_needed"] == pytest.approx(600.0)


def test_optional_datasets_say_how_to_get_them() -> None:
    for name, folder in (("physical_stack", "STACKATLAS_EPOCH_DIR"), ("chip_supply_chain", "")):
        result = _call(name, {})
        assert result.is_error and (
            folder in result.content[0].text or "ETO" in result.content[0].text
        )


@pytest.mark.realdata
def test_optional_datasets_with_the_shared_folders(shared_data: Path, monkeypatch) -> None:
    monkeypatch.setenv("STACKATLAS_EPOCH_DIR", str(shared_data / "epoch"))
    monkeypatch.setenv("STACKATLAS_ETO_DIR", str(shared_data / "eto"))
    infra = _call("physical_stack", {}).structured_content
    assert infra["result"]["as_of"] == "2025-10-15"
    chips = _call("chip_supply_chain", {"input": "EUV lithography tools"})
    assert not chips.is_error, chips.content
    assert "ASML" in str(chips.structured_content["result"])


def test_atlas_tables_are_resources() -> None:
    async def body(client: Client) -> tuple[Any, Any]:
        listed = await client.list_resources()
        return listed, await client.read_resource("stackatlas://atlas/shares")

    listed, shares = _session(body)
    uris = {str(r.uri) for r in listed.resources}
    assert {"stackatlas://atlas/companies", "stackatlas://atlas/flows"} <= uris
    text = shares.contents[0].text
    assert text.startswith("market,company,share") and "asml" in text
