"""Scenario sweeps on the local engine: design, seeds, hand-checked rows, resume, sensitivity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest
from typer.testing import CliRunner

from stackatlas.atlas.loader import load_atlas
from stackatlas.cli.app import app
from stackatlas.errors import DataUnavailableError, ValidationError
from stackatlas.scenarios import run_scenario
from stackatlas.scenarios.sensitivity import sensitivity
from stackatlas.scenarios.sweep import SweepInterrupted, run_sweep
from stackatlas.scenarios.sweep_design import build_design, point_seed
from stackatlas.scenarios.sweep_result import read_sweep

FIXED = {"outage_quarters": 1.0, "recovery_quarters": 2.0}
GRID = ["capacity_loss=0.2:0.6:3"]


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


@pytest.fixture(scope="module")
def params():
    from stackatlas.scenarios import load_scenario

    return load_scenario("taiwan-quake").all_params()


def test_grid_points_and_seeds(params) -> None:
    design = build_design(params, grid=["capacity_loss=0.1:0.5:3", "outage_quarters=1:3:2"])
    points = design.points(seed=11)
    assert design.n_points == 6 and len(points) == 6
    # first axis slowest: (0.1, 1), (0.1, 3), (0.3, 1), ...
    assert points["capacity_loss"].tolist() == pytest.approx([0.1, 0.1, 0.3, 0.3, 0.5, 0.5])
    assert points["outage_quarters"].tolist() == [1, 3, 1, 3, 1, 3]
    assert points["seed"].tolist() == [point_seed(11, i) for i in range(6)]
    assert len(set(points["seed"])) == 6
    # a point's seed depends only on (root seed, index)
    assert point_seed(11, 4) == int(
        np.random.SeedSequence(11, spawn_key=(1, 4)).generate_state(1, np.uint32)[0]
    )


def test_lhs_is_stratified(params) -> None:
    design = build_design(params, lhs=10, vary=["capacity_loss=0.1:0.6", "outage_quarters=0:4"])
    points = design.points(seed=3)
    for name, (low, high) in {"capacity_loss": (0.1, 0.6), "outage_quarters": (0, 4)}.items():
        cells = np.floor((points[name] - low) / (high - low) * 10).astype(int)
        assert sorted(cells) == list(range(10))  # one point in each of the 10 strata
    assert points.equals(design.points(seed=3))
    default = build_design(params, lhs=4, scenario_params=["capacity_loss", "outage_quarters"])
    # scenario parameters default to their distribution's support (taiwan-quake.yaml)
    assert [(a.name, a.low, a.high) for a in default.axes] == [
        ("capacity_loss", 0.05, 0.8),
        ("outage_quarters", 0.5, 3.0),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"grid": ["capacity_los=0.1:0.5:3"]}, "did you mean: capacity_loss"),
        ({"grid": ["capacity_loss=0.0:0.5:3"]}, "leaves the parameter's range [0.01, 1]"),
        ({"grid": ["capacity_loss=0.1:0.5:1"]}, "steps must be 2 or more"),
        ({"grid": ["capacity_loss=0.5:0.1:3"]}, "low (0.5) must be below high (0.1)"),
        ({"grid": ["capacity_loss=0.1:x:3"]}, "not numbers"),
        ({"grid": ["solver_tolerance=0:0.001:2"]}, "numerical solver setting"),
        ({"grid": GRID, "lhs": 5}, "either --grid"),
        ({}, "either --grid"),
        ({"lhs": 1}, "at least 2 points"),
        ({"grid": ["capacity_loss=0.1:0.5:400", "outage_quarters=0:8:400"]}, "at most 100,000"),
    ],
)
def test_bad_designs_are_located(params, kwargs, message) -> None:
    with pytest.raises(ValidationError) as info:
        build_design(params, **kwargs)
    assert message in str(info.value)


def test_rows_are_hand_checked_and_reproduce_run(atlas, tmp_path: Path) -> None:
    result = run_sweep(
        "taiwan-quake", grid=GRID, draws=40, seed=5, overrides=FIXED, atlas=atlas,
        out=tmp_path / "s.parquet",
    )  # fmt: skip
    pts = result.points
    assert pts["param.capacity_loss"].tolist() == pytest.approx([0.2, 0.4, 0.6])
    # TSMC loses capacity_loss x (1 + 0.75 + 0.25) quarter-averages over 8 quarters
    # (taiwan-quake: outage 1 quarter, 2-quarter linear recovery, TSMC targeted in full)
    # = 25% x capacity_loss in every draw, so all three bands agree.
    for band in ("p5", "p50", "p95"):
        assert pts[f"company.tsmc.pct_{band}"].tolist() == pytest.approx([5.0, 10.0, 15.0])
    # 122.5 USD bn a year (atlas figure tsmc-sales-2025) / 4 x 2 x capacity_loss
    assert pts["company.tsmc.usd_p50"].tolist() == pytest.approx([12.25, 24.5, 36.75])
    # every row is one run_scenario with the point's seed: identical bands
    again = run_scenario(
        "taiwan-quake", atlas=atlas, overrides={**FIXED, "capacity_loss": 0.4}, draws=40,
        seed=int(pts["seed"][1]),
    )  # fmt: skip
    layers = again.layers.set_index("layer")
    for layer in ("chips", "cloud", "models"):
        for col in ("pct_p5", "pct_p50", "pct_p95", "usd_p95"):
            assert pts[f"layer.{layer}.{col}"][1] == layers.loc[layer, col]
    # unknown money stays NaN (energy has no baseline revenue in the atlas), never 0
    assert pts["layer.energy.usd_p50"].isna().all()
    # the Parquet file holds the same table and the design
    back = read_sweep(result.path)
    pd.testing.assert_frame_equal(back.points, pts)
    assert back.design["axes"][0]["steps"] == 3 and back.draws == 40 and back.seed == 5
    # larger capacity loss -> larger chips tail: the tornado says so
    row = result.tornado("layer:chips").iloc[0]
    assert row["parameter"] == "capacity_loss" and row["high"] > row["low"]
    assert row["first_order"] == pytest.approx(1.0)  # the only swept parameter
    # every % names its denominator and horizon: 8 quarters, the model.yaml default
    assert result.horizon_text == "8 quarters"
    assert (
        "baseline revenue over the same 8 quarters"
        in result.to_dict()["measures"]["<level>.<id>.pct_<band>"]
    )


@pytest.mark.parametrize(
    ("name", "axis", "fixed", "draws", "seed"),
    [
        ("taiwan-quake", "capacity_loss=0.05:0.8:2", {"outage_quarters": 0.5}, 10_000, 1),
        ("efficiency-shock", "demand_elasticity=0.5:1.6:2", {}, 30, 3),
    ],
)
def test_every_band_is_run_scenarios_bit_for_bit(
    atlas, tmp_path: Path, name, axis, fixed, draws, seed
) -> None:
    # a sweep point computes only its bands (sweep_point.PointRunner, set up once per chunk),
    # never through run_scenario: every layer and company band must still be exactly the value
    # run_scenario reports for the point's parameters and seed (NaN where money is unknown);
    # efficiency-shock above elasticity 1 has gains (negative losses), taiwan-quake none.
    # At 10,000 draws multi-threaded OpenBLAS rounded some layer bands differently in the last
    # bit (cloud p95 of taiwan-quake's first point here, seed 1): both paths run BLAS on one
    # thread (attribution.one_blas_thread), as Ray tasks do
    out = tmp_path / "s.pq"
    result = run_sweep(
        name, grid=[axis], overrides=fixed, draws=draws, seed=seed, atlas=atlas, out=out
    )
    param = axis.split("=")[0]
    pts = result.points
    checked = 0
    for i in range(len(pts)):
        run = run_scenario(
            name, atlas=atlas, overrides={**fixed, param: float(pts[f"param.{param}"][i])},
            draws=draws, seed=int(pts["seed"][i]),
        )  # fmt: skip
        for key, frame in (("layer", run.layers), ("company", run.companies)):
            frame = frame.set_index(key)
            for ident in frame.index:
                for col in ("pct_p5", "pct_p50", "pct_p95", "usd_p5", "usd_p50", "usd_p95"):
                    got, want = pts[f"{key}.{ident}.{col}"][i], frame.loc[ident, col]
                    assert got == want or (np.isnan(got) and np.isnan(want)), (key, ident, col)
                    checked += 1
    assert checked == len(pts) * 6 * (len(run.layers) + len(run.companies))
    assert len([c for c in pts.columns if c.startswith(("layer.", "company."))]) * 2 == checked
    if name == "efficiency-shock":  # the Jevons point gains: a negative tail is in the table
        assert (pts[[c for c in pts.columns if c.endswith("pct_p5")]] < 0).any().any()


def test_chunking_never_changes_results(atlas, tmp_path: Path) -> None:
    grid = ["capacity_loss=0.1:0.7:3", "outage_quarters=0.5:2.5:2"]
    runs = [
        run_sweep(
            "taiwan-quake", grid=grid, draws=30, seed=9, atlas=atlas, chunk_points=size,
            out=tmp_path / f"c{size}.parquet",
        ).points
        for size in (1, 4, 6)
    ]  # fmt: skip
    for other in runs[1:]:
        pd.testing.assert_frame_equal(runs[0], other, check_exact=True)
    assert runs[0]["layer.chips.pct_p95"].nunique() > 1


def test_ctrl_c_keeps_chunks_and_resumes(atlas, tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    calls: list[tuple[int, int]] = []

    def interrupt_after_two(done: int, total: int) -> None:
        calls.append((done, total))
        if done >= 2:
            raise KeyboardInterrupt

    kwargs = {"grid": GRID, "draws": 20, "seed": 1, "atlas": atlas, "out": out}
    with pytest.raises(SweepInterrupted) as info:
        run_sweep("taiwan-quake", chunk_points=1, on_chunk=interrupt_after_two, **kwargs)
    assert (info.value.done, info.value.total) == (2, 3)
    assert not out.exists() and len(list(info.value.parts.glob("*.parquet"))) == 2
    resumed: list[tuple[int, int]] = []
    result = run_sweep(
        "taiwan-quake", chunk_points=1, on_chunk=lambda d, t: resumed.append((d, t)), **kwargs
    )
    assert resumed == [(2, 3), (3, 3)]  # only the missing point ran
    assert not info.value.parts.exists()
    fresh = run_sweep("taiwan-quake", **{**kwargs, "out": tmp_path / "fresh.parquet"})
    pd.testing.assert_frame_equal(result.points, fresh.points, check_exact=True)
    # the finished sweep is read back, not recomputed; another seed is a different sweep
    again = run_sweep("taiwan-quake", on_chunk=lambda d, t: pytest.fail("recomputed"), **kwargs)
    assert again.reused and not fresh.reused
    pd.testing.assert_frame_equal(again.points, fresh.points, check_exact=True)
    other = run_sweep("taiwan-quake", **{**kwargs, "seed": 2})
    assert not other.reused and not other.points.equals(fresh.points)


def test_sweep_validation(atlas, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="both swept and set"):
        run_sweep("taiwan-quake", grid=GRID, overrides={"capacity_loss": 0.3}, atlas=atlas)
    with pytest.raises(ValidationError, match="draws must be between 1"):
        run_sweep("taiwan-quake", grid=GRID, draws=0, atlas=atlas)
    with pytest.raises(ValidationError, match="unknown engine 'spark'"):
        run_sweep("taiwan-quake", grid=GRID, engine="spark", atlas=atlas)
    with pytest.raises(DataUnavailableError, match="no sweep file"):
        read_sweep(tmp_path / "missing.parquet")


def test_sensitivity_by_hand() -> None:
    # 2 x 2 grid, y = a + b with a, b in {0, 1}: Var(y) = 0.5; E[y | a] = a + 0.5 has
    # variance 0.25, so S1(a) = S1(b) = 0.5; z = 3a has S1(a) = 1, S1(b) = 0.
    points = pd.DataFrame(
        {"param.a": [0.0, 0, 1, 1], "param.b": [0.0, 1, 0, 1], "y": [0.0, 1, 1, 2]}
    )
    points["z"] = 3 * points["param.a"]
    table = sensitivity(points, ["a", "b"], ["y", "z"], "grid").set_index(["output", "parameter"])
    assert table.loc[("y", "a"), "first_order"] == pytest.approx(0.5)
    assert table.loc[("y", "b"), "first_order"] == pytest.approx(0.5)
    assert table.loc[("z", "a"), "first_order"] == pytest.approx(1.0)
    assert table.loc[("z", "b"), "first_order"] == pytest.approx(0.0)
    # tornado ends: mean z at a = 0 is 0, at a = 1 is 3
    assert table.loc[("z", "a"), ["low", "high", "swing"]].tolist() == [0.0, 3.0, 3.0]


def test_sensitivity_binned_for_hypercube() -> None:
    rng = np.random.default_rng(0)
    x, w = rng.uniform(size=400), rng.uniform(size=400)
    points = pd.DataFrame({"param.x": x, "param.w": w, "y": x + 0.01 * w})
    table = sensitivity(points, ["x", "w"], ["y"], "lhs").set_index("parameter")
    # analytic S1 of x for y = x + 0.01 w, x, w ~ U(0,1): 1 / (1 + 1e-4) ~ 0.9999; binning into
    # 20 groups keeps 1 - 1/20^2 of a uniform's variance -> about 0.997
    assert table.loc["x", "first_order"] == pytest.approx(0.997, abs=0.003)
    assert table.loc["w", "first_order"] < 0.06


def test_cli_sweep_json_and_html(tmp_path: Path) -> None:
    html = tmp_path / "t.html"
    result = CliRunner().invoke(
        app,
        ["scenario", "sweep", "taiwan-quake", "--grid", "capacity_loss=0.2:0.6:3",
         "--set", "outage_quarters=1", "--set", "recovery_quarters=2", "--draws", "20",
         "--out", str(tmp_path / "c.parquet"), "--html", str(html), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = orjson.loads(result.stdout)
    assert payload["points_total"] == 3 and payload["total_draws"] == 60
    assert [p["company.tsmc.pct_p50"] for p in payload["points"]] == pytest.approx([5, 10, 15])
    assert payload["tornado"][0]["parameter"] == "capacity_loss"
    assert "capacity_loss (S1 1.00)" in html.read_text()
    assert payload["horizon"] == "8 quarters"
    text = CliRunner().invoke(
        app,
        ["scenario", "sweep", "taiwan-quake", "--grid", "capacity_loss=0.2:0.6:3",
         "--set", "horizon_quarters=4", "--draws", "5", "--out", str(tmp_path / "h.parquet")],
    ).stdout  # fmt: skip
    assert "share of baseline revenue over the same 4 quarters" in " ".join(text.split())


def test_cli_ray_without_extra_says_how_to_install(monkeypatch, tmp_path: Path) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    result = CliRunner().invoke(
        app,
        ["scenario", "sweep", "taiwan-quake", "--grid", "capacity_loss=0.2:0.6:2",
         "--draws", "5", "--engine", "ray", "--out", str(tmp_path / "x.parquet")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "pip install 'stackatlas[scale]'" in result.stderr
