"""CLI: map / company / sources / validate / sql / run through Typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackatlas.cli.app import app
from stackatlas.store import Store

runner = CliRunner()

SHARES_HEADER = "market,company,share,low,high,as_of,source,kind,note"


def run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})


def test_map_json_and_layer_filter() -> None:
    result = run("map", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [x["id"] for x in data["layers"]] == [
        "energy",
        "chips",
        "cloud",
        "models",
        "applications",
    ]
    one = json.loads(run("map", "--layer", "chips", "--json").stdout)
    gpu = next(s for s in one["layers"][0]["segments"] if s["id"] == "design-gpu")
    nvidia = next(c for c in gpu["companies"] if c["id"] == "nvidia")
    assert nvidia["key_share"]["market"] == "ai-accelerators"
    assert nvidia["key_share"]["share"] == 0.92


def test_map_rich_and_unknown_layer() -> None:
    result = run("map", "--layer", "chips")
    assert result.exit_code == 0
    assert "2. Chips  level 2: boss fight" in result.stdout
    assert re.search(r"\(NVDA\)  weight \d\.\d\d  92% of AI accelerators", result.stdout)
    bad = run("map", "--layer", "chipz")
    assert bad.exit_code == 2
    assert "unknown layer 'chipz'" in bad.output and "did you mean: chips" in bad.output
    assert "Traceback" not in bad.output


def test_company_json_nvidia() -> None:
    result = run("company", "nvidia", "--json")
    assert result.exit_code == 0, result.output
    p = json.loads(result.stdout)
    assert p["company"]["ticker"] == "NVDA"
    assert ("chips", "design-gpu") in [(m["layer"], m["segment"]) for m in p["memberships"]]
    assert {"market": "ai-accelerators", "share": 0.92} in [
        {"market": s["market"], "share": s["share"]} for s in p["shares"]
    ]
    revenue = next(
        f
        for f in p["figures"]
        if f["metric"] == "revenue"
        and f["period"] == "FY2026"
        and f["source"] == "marsbit-2026-03-16"
    )
    assert revenue["value"] == 215.9 and revenue["unit"] == "usd_billion"
    assert "marsbit-2026-03-16" in [s["id"] for s in p["sources"]]


@pytest.mark.parametrize(
    ("company", "source"),
    [
        ("apple", "aapl-10k-fy2024"),
        ("amd", "amd-10k-2024"),
        ("qualcomm", "qcom-10k-fy2024"),
        ("broadcom", "avgo-10k-fy2024"),
        ("mediatek", "mediatek-ar-2024"),
    ],
)
def test_company_json_traces_the_quake_to_a_sourced_tsmc_edge(company: str, source: str) -> None:
    """Issue 18 done-when: each designer the taiwan-quake hits has an explicit TSMC edge with
    shares, ranges, evidence and its source in `company --json`."""
    p = json.loads(run("company", company, "--json").stdout)
    edge = next(e for e in p["upstream"] if e["supplier"] == "tsmc" and e["group"] == "foundry")
    assert edge["edge_kind"] == "explicit" and source in edge["sources"]
    assert edge["input_low"] <= edge["input_share"] <= edge["input_high"]
    assert edge["revenue_low"] <= edge["revenue_share"] <= edge["revenue_high"]
    assert edge["evidence"] and edge["note"]
    assert source in [s["id"] for s in p["sources"]]
    tsmc = json.loads(run("company", "tsmc", "--json").stdout)
    assert company in {e["customer"] for e in tsmc["downstream"] if e["edge_kind"] == "explicit"}


def test_company_by_ticker_and_miss() -> None:
    result = run("company", "tsm")
    assert result.exit_code == 0 and "[tsmc]  TSM (NYSE)" in result.stdout
    miss = run("company", "nvidai")
    assert miss.exit_code == 2
    assert "no company matches 'nvidai'" in miss.output and "nvidia" in miss.output


def test_sources() -> None:
    data = json.loads(run("sources", "--json").stdout)
    article = next(s for s in data["sources"] if s["id"] == "marsbit-2026-03-16")
    assert article["kind"] == "article" and article["cited_by"] > 20
    assert "marsbit-2026-03-16" in run("sources").stdout


def test_validate_shipped_passes() -> None:
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert "atlas is valid" in result.stdout
    data = json.loads(run("validate", "--json").stdout)
    assert data["ok"] is True and data["summary"]["tables"]["layers"] == 5


def test_validate_broken_overlay_lists_every_problem(tmp_path: Path) -> None:
    overlay = tmp_path / "ov"
    overlay.mkdir()
    (overlay / "shares.csv").write_text(
        f"{SHARES_HEADER}\n"
        "ai-accelerators,nvidia,0.92,,,2026-02-30,marsbit-2026-03-16,actual,\n"
        "ai-accelerators,nobody,0.01,,,2026-01-01,marsbit-2026-03-16,actual,\n"
    )
    result = run("validate", "--atlas-overlay", str(overlay))
    assert result.exit_code == 2
    assert "2 problem(s)" in result.output
    assert (
        f"{overlay}/shares.csv:2 [as_of]: bad date '2026-02-30' (expected YYYY-MM-DD)"
        in result.output
    )
    assert f"{overlay}/shares.csv:3 [company]: unknown company 'nobody'" in result.output
    data = json.loads(
        run("validate", "--json", env={"STACKATLAS_ATLAS_OVERLAY": str(overlay)}).stdout
    )
    assert data["ok"] is False
    assert {
        "file": f"{overlay}/shares.csv",
        "line": 3,
        "column": "company",
        "message": "unknown company 'nobody'",
    } in data["problems"]


def test_overlay_env_var_reaches_company(tmp_path: Path) -> None:
    overlay = tmp_path / "ov"
    overlay.mkdir()
    (overlay / "shares.csv").write_text(
        f"{SHARES_HEADER}\nai-accelerators,nvidia,0.80,0.75,0.85,2026-06-30,"
        "marsbit-2026-03-16,estimate,what-if\n"
    )
    p = json.loads(
        run("company", "nvidia", "--json", env={"STACKATLAS_ATLAS_OVERLAY": str(overlay)}).stdout
    )
    share = next(s for s in p["shares"] if s["market"] == "ai-accelerators")
    assert (share["share"], share["low"], share["high"]) == (0.80, 0.75, 0.85)


def test_markup_in_overlay_names_prints_as_written(tmp_path: Path) -> None:
    """Regression: an overlay company named 'Nvidia [/b]' crashed `company openai` (a
    counterparty) with rich's MarkupError; table cells are now plain text."""
    overlay = tmp_path / "ov"
    overlay.mkdir()
    header = "id,name,ticker,exchange,other_tickers,cik,country,listed,parent,aliases,description"
    (overlay / "companies.csv").write_text(
        f"{header}\nnvidia,Nvidia [/b],NVDA,NASDAQ,,1045810,US,true,,NVIDIA,GPUs [red]x\n"
    )
    env = {"STACKATLAS_ATLAS_OVERLAY": str(overlay)}
    for args in (
        ("company", "openai"),
        ("company", "nvidia"),
        ("map", "--layer", "chips"),
        ("sources",),
        ("run", "--quiet", "--no-report"),
    ):
        result = run(*args, env=env)
        assert result.exit_code == 0, (args, result.output)
    assert "Nvidia [/b]" in run("company", "openai", env=env).stdout


def test_sql_outputs() -> None:
    sql = "SELECT id, ticker FROM atlas_companies WHERE id IN ('nvidia', 'tsmc') ORDER BY id"
    table = run("sql", sql)
    assert table.exit_code == 0, table.output
    assert "NVDA" in table.stdout and "2 row(s)" in table.stdout
    assert json.loads(run("sql", sql, "--json").stdout) == [
        {"id": "nvidia", "ticker": "NVDA"},
        {"id": "tsmc", "ticker": "TSM"},
    ]
    rows = list(csv.reader(io.StringIO(run("sql", sql, "--csv", "-").stdout)))
    assert rows == [["id", "ticker"], ["nvidia", "NVDA"], ["tsmc", "TSM"]]
    # DATE columns are days in JSON (were '2026-03-16T00:00:00.000'); timestamps keep the time
    dated = run(
        "sql",
        "SELECT as_of, TIMESTAMP '2026-01-02 03:04:05' AS t, NULL::DATE AS n "
        "FROM atlas_shares WHERE market = 'ai-accelerators' AND company = 'nvidia'",
        "--json",
    )
    assert json.loads(dated.stdout) == [
        {"as_of": "2026-03-16", "t": "2026-01-02T03:04:05.000", "n": None}
    ]


@pytest.mark.parametrize(
    "sql",
    [
        "DROP TABLE atlas_companies",
        "INSERT INTO atlas_groups VALUES ('x', 'x', ['nvidia'], NULL)",
        "COPY atlas_companies TO 'leak.csv'",
    ],
)
def test_sql_refuses_writes(sql: str) -> None:
    result = run("sql", sql)
    assert result.exit_code == 1
    assert "only read-only queries are allowed" in result.output
    with Store(read_only=True) as store:
        assert store.query("SELECT count(*) AS n FROM atlas_companies")["n"][0] > 60


def test_run_builds_store_then_is_up_to_date(_isolated_home: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    first = run("run", "--report", str(report))
    assert first.exit_code == 0, first.output
    assert "loaded into" in first.stdout and "1. Energy" in first.stdout
    assert (_isolated_home / "stackatlas.duckdb").exists()
    assert report.stat().st_size > 1_000_000  # self-contained: plotly.js is inlined
    second = json.loads(run("run", "--json", "--no-report").stdout)
    assert second["atlas_loaded"] is False and second["report"] is None
    assert second["sync"] is None and "SEC cache holds no companyfacts" in second["sync_skipped"]
    assert [x["layer"] for x in second["summary"]["layers"]] == [
        "energy",
        "chips",
        "cloud",
        "models",
        "applications",
    ]
    with Store(read_only=True) as store:
        assert store.get_meta("atlas_version") == second["atlas_version"]


def test_every_atlas_command_has_help() -> None:
    for command in ("map", "company", "sources", "validate", "sql", "run"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "--atlas-overlay" in result.stdout
