"""CLI commands (thin layer) and plotly charts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackatlas.charts.scenarios import fan_chart, impact_by_layer, write_html
from stackatlas.cli.app import app
from stackatlas.errors import ValidationError
from stackatlas.scenarios import run_scenario

runner = CliRunner()


def test_list_and_show() -> None:
    out = runner.invoke(app, ["scenario", "list", "--json"])
    assert out.exit_code == 0, out.output
    assert {r["name"] for r in json.loads(out.stdout)} >= {"taiwan-quake", "power-crunch"}
    out = runner.invoke(app, ["scenario", "show", "taiwan-quake"])
    assert out.exit_code == 0 and "capacity_loss" in out.stdout
    out = runner.invoke(app, ["scenario", "show", "power-crunch", "--json"])
    spec = json.loads(out.stdout)
    assert spec["parameters"]["planned_power_growth"]["basis"]["url"].startswith("https://")


def test_run_json_with_overrides_and_draws() -> None:
    out = runner.invoke(
        app,
        [
            "scenario",
            "run",
            "taiwan-quake",
            "--set",
            "capacity_loss=0.5",
            "--set",
            "outage_quarters=2",
            "--draws",
            "50",
            "--seed",
            "1",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    params = {p["name"]: p for p in payload["parameters"]}
    assert params["capacity_loss"]["value"] == 0.5 and params["capacity_loss"]["changed"]
    tsmc = next(c for c in payload["companies"] if c["company"] == "tsmc")
    # 50% for 2 quarters, then 2 recovery quarters at 0.75 / 0.25: (2 + 1) x 0.5 / 8
    assert tsmc["revenue_at_risk_pct"] == pytest.approx(100 * 0.5 * 3 / 8)
    assert payload["draws"] == 50 and "pct_p95" in payload["layers"][0]


def test_run_rich_and_html(tmp_path: Path) -> None:
    html = tmp_path / "quake.html"
    out = runner.invoke(app, ["scenario", "run", "capex-pullback", "--html", str(html)])
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.replace("│", " ").split())  # rich wraps long lines in a panel
    assert "revenue at risk by layer over 8 quarters" in text
    assert "%: share of baseline revenue over the same 8 quarters" in text
    page = html.read_text()
    assert page.count("plotly") > 2
    assert "USD bn summed over 8 quarters" not in page  # the HTML file has the % chart
    assert "% of baseline revenue over the same 8 quarters" in page


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--set", "capex_cut=0.95"], "[capex_cut]: capex_cut = 0.95 is outside its range"),
        (["--set", "capx_cut=0.1"], "did you mean: capex_cut"),
        (["--set", "capex_cut"], "expected param=value"),
        (["--set", "capex_cut=beta(1,2)"], "cannot read value"),
    ],
)
def test_run_bad_input_exits_2_without_traceback(args: list[str], needle: str) -> None:
    out = runner.invoke(app, ["scenario", "run", "capex-pullback", *args])
    assert out.exit_code == 2
    assert needle in out.output
    assert "Traceback" not in out.output


def test_show_validates_targets(fixtures: Path) -> None:
    out = runner.invoke(
        app, ["scenario", "show", str(fixtures / "scenarios" / "unknown-company.yaml")]
    )
    assert out.exit_code == 2
    assert "unknown-company.yaml:7 [shocks.0.targets.companies.1]" in out.output


def test_unknown_scenario_exit_code() -> None:
    out = runner.invoke(app, ["scenario", "show", "taiwan-quak"])
    assert out.exit_code == 2 and "taiwan-quake" in out.output


def test_charts_have_bands() -> None:
    result = run_scenario("taiwan-quake", draws=100, seed=2)
    bar = impact_by_layer(result)
    assert list(bar.data[0].x) == ["energy", "chips", "cloud", "models", "applications"]
    assert bar.data[0].error_y.array is not None
    fan = fan_chart(result)
    fills = [t for t in fan.data if t.fill == "tonexty"]
    assert fills and len(fan.data[-1].x) == 8
    single = fan_chart(run_scenario("taiwan-quake"), level="company", ids=["tsmc", "nvidia"])
    assert sorted(t.name for t in single.data) == ["nvidia", "tsmc"]


def test_write_html_is_atomic(tmp_path: Path) -> None:
    path = write_html(run_scenario("power-crunch"), tmp_path / "p.html")
    assert path.exists() and not list(tmp_path.glob("*.tmp"))


def test_write_html_is_shareable_and_keeps_the_old_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chart file is written through the one atomic writer (``outputs.write_output`` over
    ``_io.atomic_write``): readable by others (0o644, not mkstemp's 0o600), and a failed write
    leaves the old page and says so in one located line (issue 11: no traceback)."""
    import os
    import stat

    result = run_scenario("power-crunch")
    path = write_html(result, tmp_path / "p.html")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    old = path.read_text(encoding="utf-8")

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ValidationError, match="cannot write the chart page: disk full"):
        write_html(result, path)
    assert path.read_text(encoding="utf-8") == old
    assert [p.name for p in tmp_path.iterdir()] == ["p.html"]
