"""Issue 10: an undisclosed money amount is printed "not disclosed" - never "≥ 0.0" or a zero -
in every output: CLI (rich and --json), JSON API, web pages and the report."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from stackatlas.atlas import load_atlas
from stackatlas.cli.app import app

ZERO_BOUND = re.compile(r"≥\s*\$?0(?:\.0+)?(?![.\d])")
FLOW_COMMANDS = [
    ["flows"],
    ["flows", "--layers"],
    ["flows", "--segments"],
    ["flows", "--cycles"],
    ["flows", "--cycles", "--per-year"],
    ["flows", "--burn", "openai"],
    ["flows", "--period", "2026E", "--layers", "--per-year"],
    ["concentration"],
]


def _companies_with_flows() -> list[str]:
    atlas = load_atlas()
    ends = {f.source_node for f in atlas.flows} | {f.target_node for f in atlas.flows}
    members = {m for g in atlas.groups.values() for m in g.members if g.id in ends}
    return sorted((ends | members) & set(atlas.companies))


def _assert_no_zero_bound(text: str, where: str) -> None:
    hit = ZERO_BOUND.search(text)
    assert hit is None, f"{where}: {text[max(0, hit.start() - 80) : hit.end() + 40]!r}"


def _walk_json(value: object, where: str) -> None:
    """A lower bound of 0 (``known`` 0 beside an unknown ``mid``) never reaches JSON."""
    if isinstance(value, dict):
        if "mid" in value and value.get("mid") is None and "known" in value:
            assert value["known"] is None or value["known"] > 0, (where, value)
        for item in value.values():
            _walk_json(item, where)
    elif isinstance(value, list):
        for item in value:
            _walk_json(item, where)


@pytest.mark.parametrize("args", FLOW_COMMANDS, ids=" ".join)
def test_cli_never_prints_an_undisclosed_amount_as_zero(args: list[str]) -> None:
    runner = CliRunner()
    rich = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert rich.exit_code == 0, rich.output
    _assert_no_zero_bound(rich.output, " ".join(args))
    if args[0] == "flows":
        as_json = runner.invoke(app, [*args, "--json"])
        assert as_json.exit_code == 0, as_json.output
        _walk_json(json.loads(as_json.output), " ".join(args))


def test_cli_default_flows_say_not_disclosed_for_every_amountless_flow() -> None:
    atlas = load_atlas()
    result = CliRunner().invoke(app, ["flows"], env={"COLUMNS": "250"})
    amountless = [f for f in atlas.flows if f.amount is None and f.low is None]
    assert amountless and result.output.count("not disclosed") >= len(
        {(f.source_node, f.target_node) for f in amountless}
    )


def test_company_views_never_print_zero_or_na_for_an_undisclosed_flow() -> None:
    runner = CliRunner()
    for cid in _companies_with_flows():
        rich = runner.invoke(app, ["company", cid], env={"COLUMNS": "200"})
        assert rich.exit_code == 0, rich.output
        _assert_no_zero_bound(rich.output, f"company {cid}")
        money = rich.output.split("Figures")[0]
        assert "n/a" not in money, cid


def test_api_pages_and_report_never_show_a_zero_bound(client) -> None:
    from stackatlas.web.report import report_html

    body = client.get("/api/flows").json()
    _walk_json(body, "/api/flows")
    assert any(e["mid"] is None for e in body["edges"])  # undisclosed flows are still there
    pages = ["/flows"] + [f"/companies/{cid}" for cid in _companies_with_flows()]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_no_zero_bound(response.text, path)
    for cid in _companies_with_flows():
        _walk_json(client.get(f"/api/companies/{cid}").json(), cid)
    flows_page = client.get("/flows").text
    assert "not disclosed" in flows_page
    _assert_no_zero_bound(report_html(), "report")
