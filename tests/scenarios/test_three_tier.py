"""Hand-computed three-tier example: foundry -> chip designer -> cloud.

Network (annual revenue, USD bn): foundry 100, designer 200, cloud 400.
Edges: foundry -> designer input share 1.0, revenue share 0.5;
       designer -> cloud input share 0.8, revenue share 0.4.
Model (fixture three-tier.yaml): substitution rate 0.5, headroom 0.1, inventory 0.05 quarters,
pass-through 1, contribution margin 0.5. Shock: foundry loses 40% for quarters 1-2.

Quarter 1 (no shortfall before, switching effectiveness 1 - 0.5 = 0.5, absorbs 0.05):
  designer: gross 1.0 x 0.4 = 0.40; - 0.05 absorbed = 0.35; - 0.05 inventory = 0.30
  cloud:    gross 0.8 x 0.30 = 0.24; - 0.05 = 0.19; - 0.05 inventory = 0.14
Quarter 2 (effectiveness 1 - 0.5^2 = 0.75, absorbs 0.075; inventories used up):
  designer: 0.40 - 0.075 = 0.325;  cloud: 0.8 x 0.325 - 0.075 = 0.185
Demand side never binds: foundry loses 0.5 x 0.30 = 0.15 of orders < its 0.40 capacity loss;
designer loses 0.4 x 0.14 = 0.056 < 0.30.
Revenue at risk (quarterly revenue = annual / 4):
  foundry 25 x (0.4 + 0.4) = 20; designer 50 x (0.30 + 0.325) = 31.25;
  cloud 100 x (0.14 + 0.185) = 32.5.
"""

from __future__ import annotations

import numpy as np
import pytest

from stackatlas.scenarios import SupplyNetwork, load_scenario, run_scenario


@pytest.fixture
def network() -> SupplyNetwork:
    return SupplyNetwork.from_edges(
        ["foundry", "designer", "cloud"],
        ["foundry", "designer"],
        ["designer", "cloud"],
        input_share=[1.0, 0.8],
        revenue_share=[0.5, 0.4],
        revenue=[100, 200, 400],
    )


def test_three_tier_exact_numbers(fixtures, network) -> None:
    spec = load_scenario(fixtures / "scenarios" / "three-tier.yaml")
    result = run_scenario(spec, network=network)
    q = result.quarterly[result.quarterly["level"] == "company"]
    path = {
        cid: part.sort_values("quarter")["revenue_at_risk_pct"].to_numpy() / 100
        for cid, part in q.groupby("id")
    }
    np.testing.assert_allclose(path["foundry"], [0.4, 0.4, 0, 0], atol=1e-12)
    np.testing.assert_allclose(path["designer"], [0.30, 0.325, 0, 0], atol=1e-12)
    np.testing.assert_allclose(path["cloud"], [0.14, 0.185, 0, 0], atol=1e-12)

    cloud_q = q[q["id"] == "cloud"].sort_values("quarter")["op_profit_at_risk_usd_bn"]
    np.testing.assert_allclose(cloud_q, [0.5 * 14, 0.5 * 18.5, 0, 0])  # margin 0.5
    companies = result.companies.set_index("company")
    np.testing.assert_allclose(
        companies.loc[["foundry", "designer", "cloud"], "revenue_at_risk_usd_bn"], [20, 31.25, 32.5]
    )
    # contribution margin 0.5 -> operating profit at risk is half the revenue at risk
    np.testing.assert_allclose(companies.loc["cloud", "op_profit_at_risk_usd_bn"], 16.25)
    # cumulative share of horizon revenue: cloud 32.5 / (100 x 4 quarters)
    assert companies.loc["cloud", "revenue_at_risk_pct"] == pytest.approx(8.125)
    assert (companies["evidence"] == "scenario").all()


def test_three_tier_shock_path(fixtures, network) -> None:
    result = run_scenario(
        load_scenario(fixtures / "scenarios" / "three-tier.yaml"), network=network
    )
    edges = result.edges.set_index(["supplier", "customer", "channel"])["carried_usd_bn"]
    # supply: input share x summed supplier capacity loss x customer quarterly revenue
    assert edges[("foundry", "designer", "supply")] == pytest.approx(1.0 * 0.8 * 50)
    assert edges[("designer", "cloud", "supply")] == pytest.approx(0.8 * 0.625 * 100)
    # demand: revenue share x summed customer order cut x supplier quarterly revenue
    assert edges[("foundry", "designer", "demand")] == pytest.approx(0.5 * 0.625 * 25)
    assert edges[("designer", "cloud", "demand")] == pytest.approx(0.4 * 0.325 * 50)
    assert result.edges["carried_usd_bn"].iloc[0] == pytest.approx(50)  # largest first


def test_three_tier_monte_carlo_is_seeded(fixtures, network) -> None:
    spec = load_scenario(fixtures / "scenarios" / "three-tier.yaml")
    a = run_scenario(spec, network=network, draws=300, seed=7)
    b = run_scenario(spec, network=network, draws=300, seed=7)
    c = run_scenario(spec, network=network, draws=300, seed=8)
    cols = ["usd_p5", "usd_p50", "usd_p95"]
    np.testing.assert_array_equal(a.companies[cols], b.companies[cols])
    assert not np.array_equal(a.companies[cols], c.companies[cols])
    foundry = a.companies.set_index("company").loc["foundry"]
    # foundry loss = 25 x 2 x loss with loss ~ U(0.2, 0.6): p5 ~ 50 x 0.22, p95 ~ 50 x 0.58
    assert foundry["usd_p5"] == pytest.approx(11, abs=0.8)
    assert foundry["usd_p95"] == pytest.approx(29, abs=0.8)
    assert foundry["usd_p5"] <= foundry["usd_p50"] <= foundry["usd_p95"]
