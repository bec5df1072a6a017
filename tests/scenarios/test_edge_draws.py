"""Monte Carlo over the explicit edges' shares (``edge_shares="draw"``)."""

from __future__ import annotations

import numpy as np
import pytest

from stackatlas.errors import ValidationError
from stackatlas.scenarios import load_scenario, run_scenario
from stackatlas.scenarios.edge_draws import EdgeDraws, draw_edge_shares
from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.propagate import propagate
from stackatlas.scenarios.run import network_for


@pytest.fixture(scope="module")
def atlas():
    from stackatlas.atlas.loader import load_atlas

    return load_atlas()


def _net(explicit_share: float, other_share: float = 0.3) -> SupplyNetwork:
    """fab -> chip (explicit, foundry) and other -> chip (inferred, same group)."""
    return SupplyNetwork.from_edges(
        ["fab", "other", "chip"],
        ["fab", "other"],
        ["chip", "chip"],
        [explicit_share, other_share],
        [0.5, 0.2],
        group=["foundry", "foundry"],
        kind=np.array(["explicit", "inferred"], dtype=object),
    )


def test_draws_stay_in_range_and_others_make_room() -> None:
    """Explicit 0.7 (0.6-0.9) beside an inferred 0.3 in the same (customer, group): each draw
    lies in [0.6, 0.9], the triangular mean is (0.6 + 0.7 + 0.9) / 3 = 0.7333, and the inferred
    edge shrinks to 1 - drawn whenever the draw leaves less than 0.3 of room. (The bound
    networks are as build_network makes them: the inferred edge already made room, 0.1 at
    the high bound.)"""
    point, low, high = _net(0.7), _net(0.6), _net(0.9, 0.1)
    d = draw_edge_shares(point, low, high, 20_000, seed=5)
    fab, other = d.input_share
    assert fab.min() >= 0.6 and fab.max() <= 0.9
    assert fab.mean() == pytest.approx(0.7333, abs=0.003)
    assert np.allclose(other, np.minimum(0.3, 1.0 - fab))
    assert np.all(d.input_share.sum(axis=0) <= 1.0 + 1e-12)
    assert d.varied == 1
    # revenue shares: this edge has no range in these networks, so it keeps its point share
    assert np.all(d.revenue_share[0] == 0.5) and np.all(d.revenue_share[1] == 0.2)
    again = draw_edge_shares(point, low, high, 20_000, seed=5)
    assert np.array_equal(again.input_share, d.input_share)  # seeded
    other_seed = draw_edge_shares(point, low, high, 20_000, seed=6).input_share[0]
    assert not np.array_equal(other_seed, fab)


def test_point_shares_per_draw_reproduce_the_network_run(atlas) -> None:
    """The per-draw operators equal the sparse matrices when every draw holds the point
    shares: taiwan-quake over the shipped network, every quarter, company and draw."""
    from stackatlas.scenarios.run import model_values
    from stackatlas.scenarios.shocks import shock_arrays

    spec = load_scenario("taiwan-quake")
    net = network_for(atlas)
    values = {k: p.default for k, p in spec.all_params().items()}
    draws = 3
    arrays = shock_arrays(spec.shocks, net, atlas, values, 8, draws)
    args = (net, arrays["supply"], arrays["demand"], arrays["purchases"], model_values(values))
    shares = EdgeDraws(
        np.repeat(net.input_share[:, None], draws, axis=1),
        np.repeat(net.revenue_share[:, None], draws, axis=1),
        0,
    )
    plain, per_draw = propagate(*args), propagate(*args, shares=shares)
    assert plain.output_loss.any()
    assert np.allclose(per_draw.output_loss, plain.output_loss, rtol=0, atol=1e-12)
    assert np.allclose(per_draw.order_cut, plain.order_cut, rtol=0, atol=1e-12)


def test_taiwan_quake_bands_carry_the_network_uncertainty(atlas) -> None:
    """With every parameter fixed, a point-share Monte Carlo has no spread; drawing the edges
    spreads AMD, Apple and Nvidia within their low / high runs (AMD 4.8125% / 6.3125%, see
    test_atlas_runs.py::test_edge_ranges_as_a_sensitivity), and TSMC (a supplier that loses
    its own capacity) does not move. The central run keeps the point shares."""
    spec = load_scenario("taiwan-quake")
    fixed = {k: p.default for k, p in spec.all_params().items()}
    runs = {
        k: run_scenario(spec, atlas=atlas, draws=300, seed=11, overrides=fixed, edge_shares=k)
        for k in ("point", "draw")
    }
    bounds = {k: run_scenario(spec, atlas=atlas, edge_shares=k) for k in ("low", "high")}
    rows = {k: r.companies.set_index("company") for k, r in {**runs, **bounds}.items()}
    point, drawn = rows["point"], rows["draw"]
    assert point.loc["amd", "pct_p5"] == point.loc["amd", "pct_p95"] == pytest.approx(5.5625)
    assert drawn.loc["amd", "revenue_at_risk_pct"] == pytest.approx(5.5625)  # central run
    for cid in ("amd", "apple", "nvidia", "qualcomm"):
        low = rows["low"].loc[cid, "revenue_at_risk_pct"]
        high = rows["high"].loc[cid, "revenue_at_risk_pct"]
        p5, p95 = drawn.loc[cid, "pct_p5"], drawn.loc[cid, "pct_p95"]
        assert min(low, high) - 1e-9 <= p5 < p95 <= max(low, high) + 1e-9, cid
    assert drawn.loc["tsmc", "pct_p5"] == drawn.loc["tsmc", "pct_p95"] == pytest.approx(7.5)
    assert runs["draw"].to_dict()["edge_shares"] == "draw"
    assert any("55 explicit edges with a low-high range" in n for n in runs["draw"].notes)


def test_parameter_draws_are_unchanged_by_edge_draws(atlas) -> None:
    """The edge draws use their own stream, so the parameter draws of a seed are unchanged:
    TSMC's loss (its own capacity) depends on no edge share and keeps identical bands."""
    runs = [
        run_scenario("taiwan-quake", atlas=atlas, draws=200, seed=4, edge_shares=k)
        for k in ("point", "draw")
    ]
    a, b = (r.companies.set_index("company") for r in runs)
    # TSMC's own loss does not depend on any edge share: identical bands
    assert (
        a.loc["tsmc", ["pct_p5", "pct_p50", "pct_p95"]].tolist()
        == b.loc["tsmc", ["pct_p5", "pct_p50", "pct_p95"]].tolist()
    )
    assert a.loc["amd", "pct_p50"] != b.loc["amd", "pct_p50"]


def test_draw_needs_draws() -> None:
    with pytest.raises(ValidationError, match="give draws > 0"):
        run_scenario("taiwan-quake", edge_shares="draw")
    with pytest.raises(ValidationError, match="expected one of: point, low, high, draw"):
        run_scenario("taiwan-quake", edge_shares="mid")


def test_cli_says_the_edges_are_drawn() -> None:
    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    runner = CliRunner()
    args = ["scenario", "run", "taiwan-quake", "--edges", "draw", "--draws", "40"]
    out = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "drawn from their low-high ranges in each Monte Carlo draw" in out.stdout
    bad = runner.invoke(app, ["scenario", "run", "taiwan-quake", "--edges", "draw"])
    assert bad.exit_code != 0 and "give draws > 0" in bad.output
