"""Building the supply network from a small hand-made atlas."""

from __future__ import annotations

import numpy as np
import pytest

from stackatlas.atlas.models import Dependency
from stackatlas.scenarios import build_network, run_scenario
from stackatlas.scenarios.params import ModelConfig, model_config
from tests.builders import scenario_atlas


def _model() -> ModelConfig:
    base = model_config()
    links = [
        {
            "market": "foundry",
            "customers": ["design-gpu"],
            "group": "foundry",
            "coverage": 0.5,
            "basis": "test",
        },
        {
            "segments": ["design-gpu"],
            "customers": ["hyperscalers"],
            "group": "gpus",
            "coverage": 1.0,
            "basis": "test",
        },
    ]
    return ModelConfig(base.params, {**base.network, "links": links}, base.calibration)


def test_edges_from_market_shares_memberships_and_flows() -> None:
    net = build_network(scenario_atlas(), _model())
    edges = net.edges_frame().set_index(["supplier", "customer"])
    # market link: input share = market share; revenue share = supplier exposure x coverage x
    # buyer share, buyers sized by membership weight x revenue: gpu1 300, gpu2 0.5 x 100 = 50
    assert edges.loc[("fab1", "gpu1"), "input_share"] == pytest.approx(0.8)
    assert edges.loc[("fab1", "gpu1"), "revenue_share"] == pytest.approx(1.0 * 0.5 * 300 / 350)
    assert edges.loc[("fab2", "gpu2"), "revenue_share"] == pytest.approx(0.5 * 0.5 * 50 / 350)
    assert edges.loc[("fab2", "gpu2"), "exposure"] == pytest.approx(0.5)
    # segment link: gpu shares by weight x revenue (300 vs 50); the capex flow (30 of gpu1's
    # 300) replaces gpu1's revenue share, the equity investment is ignored
    assert edges.loc[("gpu2", "cloud1"), "input_share"] == pytest.approx(50 / 350)
    assert edges.loc[("gpu1", "cloud1"), "revenue_share"] == pytest.approx(30 / 300)
    assert edges.loc[("gpu1", "cloud1"), "origin"] == "flow:f1"
    assert edges.loc[("gpu1", "cloud1"), "exposure"] == pytest.approx(0.4)
    assert set(net.group_names) == {"foundry", "gpus"}
    np.testing.assert_allclose(net.revenue, [100, 40, 300, 100, 500])
    assert net.margin[net.index["gpu1"]] == pytest.approx(0.6)
    assert np.isnan(net.margin[net.index["fab1"]])
    assert list(net.layer) == ["chips", "chips", "chips", "chips", "cloud"]


def test_dependency_overrides_and_adds_edges() -> None:
    deps = [
        Dependency(
            supplier="fab1", customer="gpu1", input_share=1.0, revenue_share=0.3, source="s"
        ),
        Dependency(
            supplier="fab2", customer="cloud1", input_share=0.1, revenue_share=0.05, source="s"
        ),
    ]
    edges = (
        build_network(scenario_atlas(deps), _model())
        .edges_frame()
        .set_index(["supplier", "customer"])
    )
    assert edges.loc[("fab1", "gpu1"), ["input_share", "revenue_share"]].tolist() == [1.0, 0.3]
    assert edges.loc[("fab1", "gpu1"), "group"] == "foundry"  # keeps the derived group
    # the explicit 1.0 leaves no room for fab2 in gpu1's foundry input (gpu2 keeps 0.2)
    assert edges.loc[("fab2", "gpu1"), "input_share"] == 0.0
    assert edges.loc[("fab2", "gpu2"), "input_share"] == pytest.approx(0.2)
    assert edges.loc[("fab2", "cloud1"), "group"] == "foundry"  # new edge: supplier segment
    assert edges.loc[("fab2", "cloud1"), "origin"] == "dependency:s"


def test_run_on_small_atlas_aggregates_segments_and_layers(tmp_path) -> None:
    from stackatlas.scenarios.run import _NETWORKS

    _NETWORKS.clear()
    path = tmp_path / "fab.yaml"
    path.write_text("""name: fab-outage
model: {substitution_headroom: 0.0, inventory_quarters: 0.0, horizon_quarters: 2}
shocks:
  - {kind: supply, targets: {companies: [fab1]}, exposure: full, size: 0.5, duration: 1}
""")
    atlas = scenario_atlas()
    result = run_scenario(path, atlas=atlas, network=build_network(atlas, _model()))
    companies = result.companies.set_index("company")
    # gpu1: 0.8 x 0.5 = 0.40 of its foundry input lost in quarter 1, exposure 1
    assert companies.loc["gpu1", "peak_quarter_loss_pct"] == pytest.approx(40)
    # gpu2: exposure 0.5 -> 0.5 x 0.40
    assert companies.loc["gpu2", "peak_quarter_loss_pct"] == pytest.approx(20)
    segs = result.segments.set_index("segment")
    # foundry segment: fab1 100 (weight 1) + fab2 40 (weight 0.5 -> all of it to foundry) a
    # year; over the 2-quarter horizon 70
    assert segs.loc["foundry", "annual_revenue_usd_bn"] == pytest.approx(140)
    assert segs.loc["foundry", "baseline_horizon_usd_bn"] == pytest.approx(70)
    # fab1 loses 25 x 0.5; fab2 loses orders: its revenue shares from gpu1 / gpu2 are
    # 0.5 x 0.5 x (300 / 350) and 0.5 x 0.5 x (50 / 350), times their losses 0.4 / 0.2
    fab2 = 0.25 * (300 / 350 * 0.4 + 50 / 350 * 0.2)
    assert segs.loc["foundry", "revenue_at_risk_usd_bn"] == pytest.approx(25 * 0.5 + 10 * fab2)
    layers = result.layers.set_index("layer")
    assert layers.loc["chips", "revenue_at_risk_usd_bn"] == pytest.approx(
        companies.loc[["fab1", "fab2", "gpu1", "gpu2"], "revenue_at_risk_usd_bn"].sum()
    )
    # gpu1 margin 60% from the atlas, others use the contribution_margin default (0.5)
    assert companies.loc["gpu1", "op_profit_at_risk_usd_bn"] == pytest.approx(
        0.6 * companies.loc["gpu1", "revenue_at_risk_usd_bn"]
    )


def test_explicit_baseline_table(fixtures) -> None:
    from stackatlas.atlas.loader import load_atlas
    from stackatlas.errors import ValidationError
    from stackatlas.scenarios.baseline import read_baseline

    atlas = load_atlas()
    result = run_scenario(
        "taiwan-quake", atlas=atlas, baseline=fixtures / "scenarios" / "baseline.csv"
    )
    companies = result.companies.set_index("company")
    # TSMC baseline 100 instead of the atlas's 122.5: 100 / 4 x (0.3 + 0.225 + 0.075)
    assert companies.loc["tsmc", "revenue_at_risk_usd_bn"] == pytest.approx(15.0)
    assert companies.loc["tsmc", "op_profit_at_risk_usd_bn"] == pytest.approx(15.0 * 0.6)
    assert companies.loc["coreweave", "evidence"] == "scenario"  # had no atlas revenue
    with pytest.raises(ValidationError) as info:
        read_baseline(fixtures / "scenarios" / "bad-baseline.csv", set(atlas.companies))
    found = {(p.line, p.column) for p in info.value.problems}
    assert found == {(2, "revenue_usd_bn"), (3, "company"), (4, "contribution_margin")}


def test_overlay_dependencies_reach_the_network(tmp_path) -> None:
    """Users add or override edges with dependencies.csv in an atlas overlay (the key is
    supplier, customer and group); an old-style row without ranges is refused by name."""
    from stackatlas.atlas.loader import load_atlas
    from stackatlas.errors import AtlasValidationError

    header = (
        "supplier,customer,group,input_share,input_low,input_high,input_basis,revenue_share,"
        "revenue_low,revenue_high,revenue_basis,source,note\n"
    )
    (tmp_path / "dependencies.csv").write_text(
        header + "sk-hynix,nvidia,memory,0.5,0.4,0.6,estimate,0.4,0.3,0.5,estimate,"
        "stackatlas-editors-2026,test edge\n"
    )
    edges = (
        build_network(load_atlas(tmp_path))
        .edges_frame()
        .set_index(["supplier", "customer", "group"])
    )
    row = edges.loc[("sk-hynix", "nvidia", "memory")]
    assert (row["input_share"], row["revenue_share"]) == (0.5, 0.4)
    assert row["origin"] == "dependency:stackatlas-editors-2026"
    assert edges.loc[("tsmc", "nvidia", "foundry"), "input_share"] == 1.0  # shipped edge
    # explicit shares that overflow are an atlas error, not silently rescaled
    (tmp_path / "dependencies.csv").write_text(
        header + "sk-hynix,nvidia,memory,0.9,0.8,1,estimate,0.2,0.1,0.3,estimate,"
        "stackatlas-editors-2026,test edge\n"
    )
    with pytest.raises(AtlasValidationError) as info:
        load_atlas(tmp_path)
    (problem,) = info.value.problems  # reported at the group's last row, naming every row
    assert problem.column == "input_share"
    assert "explicit input shares of customer/group 'nvidia/memory' sum to 1.3" in problem.message
    assert f"sk-hynix 0.9 ({tmp_path / 'dependencies.csv'}:2)" in problem.message
    (tmp_path / "dependencies.csv").write_text(
        "supplier,customer,input_share,revenue_share,source,note\n"
        "sk-hynix,nvidia,0.5,0.4,stackatlas-editors-2026,test edge\n"
    )
    with pytest.raises(AtlasValidationError) as info:
        load_atlas(tmp_path)
    assert {(p.line, p.column) for p in info.value.problems} == {
        (2, "input_low"),
        (2, "revenue_low"),
    }


@pytest.mark.realdata
def test_fundamentals_fill_revenue_from_sec_facts(shared_data, monkeypatch) -> None:
    """Snowflake has no revenue figure in the atlas; its FY2025 10-K (fiscal year ended
    2025-01-31, accession 0001640147-25-000052) reports revenue 3,626,396 $K and gross profit
    2,411,723 $K (companyfacts CIK0001640147)."""
    from stackatlas.atlas.loader import load_atlas

    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    atlas = load_atlas()
    net = build_network(atlas)
    i = net.index["snowflake"]
    assert net.revenue[i] == pytest.approx(3.626396)
    assert net.margin[i] == pytest.approx(2411.723 / 3626.396)
    assert net.revenue_basis[i] == "sec:0001640147-25-000052"
    # atlas figures keep precedence (Nvidia FY2026 from the atlas, not recomputed)
    assert net.revenue[net.index["nvidia"]] == pytest.approx(215.938)
    off = build_network(atlas, fundamentals=False)
    assert np.isnan(off.revenue[off.index["snowflake"]])
