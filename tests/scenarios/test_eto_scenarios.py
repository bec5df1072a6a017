"""Scenarios that start at a CSET/ETO chip input: the join, its numbers and its errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from stackatlas.atlas import load_atlas
from stackatlas.cli.app import app
from stackatlas.errors import DataNotConfiguredError, ValidationError
from stackatlas.scenarios import build_network, load_scenario, run_scenario
from stackatlas.scenarios.eto_network import join_eto, needs_eto
from stackatlas.supplychain import load_eto

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "eto"
LINKS = "provider_id,provider_name,company,relation,source,note\n"


def _scenario(tmp_path: Path, targets: str, size: str = "0.5", extra: str = "") -> Path:
    path = tmp_path / "chip.yaml"
    path.write_text(
        "name: chip-test\n"
        "parameters:\n"
        "  cut: {default: 0.5, range: [0, 1], unit: fraction, description: d,\n"
        "        distribution: {kind: uniform, low: 0.2, high: 0.8}, basis: {assumption: test}}\n"
        "shocks:\n"
        "  - kind: supply\n"
        f"    targets: {targets}\n"
        f"    size: {size}\n"
        "    duration: 2\n"
        f"{extra}"
    )
    return path


@pytest.fixture
def atlas_mapped(tmp_path: Path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "eto_providers.csv").write_text(
        LINKS + "P901,Alpha Litho,asml,same,cset-eto-chip-dataset,fixture\n"
    )
    return load_atlas(overlay)


def test_shipped_chip_scenarios_need_the_dataset() -> None:
    for name in ("litho-export-stop", "japan-materials-curb"):
        assert needs_eto(load_scenario(name))
        with pytest.raises(DataNotConfiguredError, match="STACKATLAS_ETO_DIR"):
            run_scenario(name, atlas=load_atlas())
    assert not needs_eto(load_scenario("taiwan-quake"))
    result = CliRunner().invoke(app, ["scenario", "run", "litho-export-stop"])
    assert result.exit_code == 2 and "starts below the chips layer" in result.output


def test_flow_nodes_per_destination_and_the_rest_of_the_world(tmp_path: Path, atlas_mapped) -> None:
    spec = load_scenario(_scenario(tmp_path, "{inputs: [N20]}"))
    net = join_eto(
        build_network(atlas_mapped, fundamentals=False), atlas_mapped, spec, load_eto(FIXTURE)
    )
    nodes = net.extra["eto_nodes"]
    # tier-1 buyers of a fab tool: the atlas fabs (TSMC TW; Samsung, SK Hynix KR; Intel,
    # GlobalFoundries, Micron US) + ROW
    assert set(nodes["destination"]) == {"TW", "KR", "US", "ROW"}
    parts = dict(zip(nodes["destination"], nodes["part"], strict=True))
    assert parts["ROW"] == pytest.approx(0.5)  # coverage S2 = 0.5 (network.yaml)
    assert sum(parts.values()) == pytest.approx(1.0)
    edges = net.edges_frame()
    flow = edges[edges["origin"] == "eto:N20"]
    to_fabs = flow[flow["supplier"].str.startswith("eto:")]
    assert set(to_fabs["customer"]) >= {"tsmc", "samsung", "sk-hynix", "micron", "intel"}
    assert (to_fabs["input_share"] == 1.0).all()
    # exposure = tool exposure 0.15 x the buyer's weight in the output segments
    tsmc = to_fabs[to_fabs["customer"] == "tsmc"].iloc[0]
    assert tsmc["exposure"] == pytest.approx(0.15 * 0.9)  # TSMC foundry weight 0.9
    # ASML (mapped from P901, 100% of N20, its only most specific input) sells all of it
    from_asml = flow[flow["supplier"] == "asml"]
    assert len(from_asml) == 4 and (from_asml["input_share"] == 1.0).all()
    assert from_asml["revenue_share"].sum() == pytest.approx(1.0)  # weight 1 x sales 1
    # ... and its market-link edges give that revenue share up: nothing is counted twice
    rest = edges[(edges["supplier"] == "asml") & (edges["origin"] != "eto:N20")]
    assert rest["revenue_share"].sum() == pytest.approx(0.0, abs=1e-12)
    # the joined ETO edges are share-based (inferred); the atlas's explicit edges stay explicit
    assert set(flow["edge_kind"]) == {"inferred"}
    explicit = edges[edges["origin"].str.startswith("dependency:")]
    assert len(explicit) and set(explicit["edge_kind"]) == {"explicit"}


def test_flow_loss_is_the_shock_and_the_fabs_follow(tmp_path: Path, atlas_mapped) -> None:
    eto = load_eto(FIXTURE)
    small = run_scenario(
        _scenario(tmp_path, "{inputs: [EUV lithography tools]}", "0.2"), atlas=atlas_mapped, eto=eto
    )
    big = run_scenario(
        _scenario(tmp_path, "{inputs: [EUV lithography tools]}", "0.8"), atlas=atlas_mapped, eto=eto
    )
    rows = big.companies.set_index("company")
    # a flow node has no inputs of its own: its loss is the shock, 0.8 x 2 of 8 quarters
    assert rows.loc["eto:N20@TW", "revenue_at_risk_pct"] == pytest.approx(0.8 * 2 / 8 * 100)
    for fab in ("tsmc", "samsung", "sk-hynix"):
        assert rows.loc[fab, "revenue_at_risk_pct"] > 0
    assert rows.loc["asml", "revenue_at_risk_pct"] == pytest.approx(0.8 * 2 / 8 * 100, rel=1e-6)
    chips = lambda r: float(r.layers.set_index("layer").loc["chips", "revenue_at_risk_usd_bn"])  # noqa: E731
    assert chips(big) > chips(small) > 0
    assert "CSET / Emerging Technology Observatory" in " ".join(big.notes)


def test_countries_pick_destinations_and_supplier_countries_scale(tmp_path: Path) -> None:
    atlas, eto = load_atlas(), load_eto(FIXTURE)
    result = run_scenario(
        _scenario(tmp_path, "{inputs: [N71], countries: [TW], supplier_countries: [JPN]}", "1.0"),
        atlas=atlas,
        eto=eto,
    )
    rows = result.companies.set_index("company")
    # dicing tools: JPN 95% of the fixture's country shares -> flow loss 0.95 x 2 / 8
    assert rows.loc["eto:N71@TW", "revenue_at_risk_pct"] == pytest.approx(95 * 2 / 8)
    assert rows.loc["eto:N71@US", "revenue_at_risk_pct"] == 0.0  # Amkor's flow: not targeted
    assert rows.loc["eto:N71@ROW", "revenue_at_risk_pct"] == 0.0
    assert rows.loc["tsmc", "revenue_at_risk_pct"] > rows.loc["amkor", "revenue_at_risk_pct"]


def test_blank_supplier_share_and_unknown_input_are_located(tmp_path: Path) -> None:
    atlas, eto = load_atlas(), load_eto(FIXTURE)
    with pytest.raises(ValidationError) as info:
        run_scenario(
            _scenario(tmp_path, "{inputs: [N31], supplier_countries: [JPN]}"), atlas=atlas, eto=eto
        )
    (problem,) = info.value.problems
    assert (problem.line, problem.column) == (7, "shocks.0.targets.supplier_countries")
    assert "share of JPN in Photoresists is unknown" in problem.message
    with pytest.raises(ValidationError) as info:
        run_scenario(_scenario(tmp_path, "{inputs: [dicing tool]}"), atlas=atlas, eto=eto)
    (problem,) = info.value.problems
    assert problem.column == "shocks.0.targets.inputs.0" and "Dicing tools" in problem.message


def test_atlas_only_scenarios_do_not_change_with_the_dataset() -> None:
    atlas = load_atlas()
    plain = run_scenario("taiwan-quake", atlas=atlas)
    with_eto = run_scenario("taiwan-quake", atlas=atlas, eto=load_eto(FIXTURE))
    assert np.allclose(
        plain.layers["revenue_at_risk_pct"].fillna(-1),
        with_eto.layers["revenue_at_risk_pct"].fillna(-1),
    )


@pytest.mark.realdata
def test_litho_export_stop_on_the_real_dataset(shared_data: Path) -> None:
    eto = load_eto(shared_data / "eto")
    result = run_scenario("litho-export-stop", atlas=load_atlas(), eto=eto, draws=200, seed=3)
    rows = result.companies.set_index("company")
    # EUV: the Netherlands holds 100% (2025), stop_share 1 for 2 quarters + 2 recovering of 8
    assert rows.loc["eto:N20@TW", "revenue_at_risk_pct"] == pytest.approx((2 + 1) / 8 * 100)
    # i-line: NLD holds 31.2% (11.7 of 37.5), the rest is Japan (japan_joins = 0)
    assert rows.loc["eto:N106@TW", "revenue_at_risk_pct"] == pytest.approx(11.7, abs=0.05)
    assert rows.loc["asml", "revenue_at_risk_pct"] > 30
    for company in ("tsmc", "sk-hynix", "nvidia"):
        assert rows.loc[company, "revenue_at_risk_pct"] > 0
    chips = result.layers.set_index("layer").loc["chips"]
    assert chips["revenue_at_risk_usd_bn"] > 0
    assert chips["pct_p5"] <= chips["pct_p50"] <= chips["pct_p95"]


@pytest.mark.realdata
def test_japan_materials_curb_hits_korean_fabs(shared_data: Path) -> None:
    eto = load_eto(shared_data / "eto")
    result = run_scenario("japan-materials-curb", atlas=load_atlas(), eto=eto, draws=100, seed=1)
    rows = result.companies.set_index("company")
    flows = rows[rows.index.str.startswith("eto:")]
    moved = flows[flows["revenue_at_risk_pct"] > 0]
    assert set(moved.index) == {"eto:N31@KR", "eto:N92@KR", "eto:N91@KR"}
    assert (
        rows.loc["sk-hynix", "revenue_at_risk_pct"] > rows.loc["samsung", "revenue_at_risk_pct"] > 0
    )
    assert rows.loc["sk-hynix", "revenue_at_risk_pct"] > rows.loc["tsmc", "revenue_at_risk_pct"]
    assert rows.loc["nvidia", "revenue_at_risk_pct"] > 0  # HBM from SK Hynix
    assert result.layers.set_index("layer").loc["chips", "pct_p95"] > 0
