"""Layer / segment exposure, HHI and chokepoints on the miniature atlas (values by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackatlas.atlas.atlas import Atlas
from stackatlas.portfolio import exposure as ex
from stackatlas.portfolio.holdings import holding_values, read_holdings
from stackatlas.portfolio.resolve import Position, build_positions, resolve_holdings


def _positions(atlas: Atlas, path: Path) -> list[Position]:
    hf = read_holdings(path)
    weights, _ = holding_values(hf)
    positions, _ = build_positions(atlas, resolve_holdings(atlas, hf.holdings), weights, {})
    return positions


def test_three_holding_layer_exposure(atlas: Atlas, fixtures: Path) -> None:
    # NVDA 5000, TSM 3000, CEG 2000 -> weights 0.5 / 0.3 / 0.2.
    # chips  = 0.5 * 0.9 (nvidia design-gpu) + 0.3 * 1.0 (tsmc foundry) = 0.75
    # energy = 0.2 * 0.8 (constellation ipp)                            = 0.16
    # unclassified = 0.5 * 0.1 + 0.2 * 0.2                              = 0.09
    layers = ex.layer_exposure(
        atlas, _positions(atlas, fixtures / "portfolio" / "three_holdings.csv")
    ).set_index("layer")
    assert layers.loc["chips", "exposure"] == pytest.approx(0.75)
    assert layers.loc["energy", "exposure"] == pytest.approx(0.16)
    assert layers.loc["cloud", "exposure"] == 0
    assert layers.loc["unclassified", "exposure"] == pytest.approx(0.09)
    assert layers.loc["unmapped", "exposure"] == 0
    assert layers["exposure"].sum() == pytest.approx(1.0)
    # share of stack exposure: 0.75 / 0.91 and 0.16 / 0.91
    assert layers.loc["chips", "stack_share"] == pytest.approx(0.75 / 0.91)
    assert layers.loc["energy", "stack_share"] == pytest.approx(0.16 / 0.91)
    assert list(layers.index[:5]) == ["energy", "chips", "cloud", "models", "applications"]
    assert layers.loc["chips", "level_name"] == "boss fight"


def test_segment_exposure_splits_a_company(atlas: Atlas, write_csv) -> None:
    # 100% Microsoft: hyperscalers 0.4, enterprise-software 0.5, unclassified 0.1
    pos = _positions(atlas, write_csv("ticker,weight\nMSFT,1\n"))
    seg = ex.segment_exposure(atlas, pos).set_index("segment")
    assert seg.loc["hyperscalers", "exposure"] == pytest.approx(0.4)
    assert seg.loc["enterprise-software", "layer"] == "applications"
    assert seg.loc["enterprise-software", "evidence"] == "estimated"


def test_hhi_and_top_names(atlas: Atlas, fixtures: Path) -> None:
    pos = _positions(atlas, fixtures / "portfolio" / "three_holdings.csv")
    assert ex.hhi(pos) == pytest.approx(0.5**2 + 0.3**2 + 0.2**2)  # 0.38
    top = ex.top_names(atlas, pos)
    assert list(top["name"]) == ["NVIDIA", "TSMC", "Constellation Energy"]
    assert list(top["primary_layer"]) == ["chips", "chips", "energy"]


def test_chokepoint_exposure(atlas: Atlas, fixtures: Path) -> None:
    pos = _positions(atlas, fixtures / "portfolio" / "three_holdings.csv")
    cp = ex.chokepoint_exposure(atlas, pos).set_index("company")
    # TSMC: held directly 0.3; NVIDIA (0.5) depends on it via dependencies -> 0.8
    assert cp.loc["tsmc", "direct"] == pytest.approx(0.3)
    assert cp.loc["tsmc", "downstream"] == pytest.approx(0.5)
    assert cp.loc["tsmc", "sentence"] == "80% of this portfolio depends on TSMC (foundry 70%)"
    # ASML -> TSMC -> NVIDIA (two steps): 0.3 + 0.5, none held directly
    assert cp.loc["asml", "exposure"] == pytest.approx(0.8)
    assert cp.loc["asml", "holders"] == ["NVIDIA", "TSMC"]
    # NVIDIA: only itself is held (Constellation is not downstream)
    assert cp.loc["nvidia", "exposure"] == pytest.approx(0.5)


def test_chokepoint_follows_group_purchase_flows(atlas: Atlas, write_csv) -> None:
    # Alphabet buys from NVIDIA (flow from group 'hyperscalers-g'), NVIDIA depends on TSMC
    pos = _positions(atlas, write_csv("ticker,weight\nGOOG,0.6\nCEG,0.4\n"))
    cp = ex.chokepoint_exposure(atlas, pos).set_index("company")
    assert cp.loc["tsmc", "exposure"] == pytest.approx(0.6)
    # ASML -> TSMC -> NVIDIA -> Alphabet is exactly MAX_DEPTH (3) steps: still counted
    assert cp.loc["asml", "exposure"] == pytest.approx(0.6)


def test_chokepoint_depth_limit(atlas: Atlas, write_csv) -> None:
    pos = _positions(atlas, write_csv("ticker,weight\nGOOG,0.6\nCEG,0.4\n"))
    cp = ex.chokepoint_exposure(atlas, pos, depth=2).set_index("company")
    assert cp.loc["asml", "exposure"] == 0.0  # 3 steps away, limit 2
    assert cp.loc["tsmc", "exposure"] == pytest.approx(0.6)
