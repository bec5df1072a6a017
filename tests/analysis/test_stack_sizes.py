"""The stack map in dollars: segment revenue where reported, else revenue x weight (lighter)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from stackatlas.analysis.stack_sizes import stack_dollars
from stackatlas.atlas.views import stack_map
from stackatlas.charts.atlas import stack_map_figure
from stackatlas.sec.segments import member_label
from tests.builders import frames_resolver, fundamentals_frame, money_atlas, use_frames

B = 1e9


def _dollars():
    atlas = money_atlas()
    frames = {
        "chipco": fundamentals_frame(
            [
                ("revenue", 2024, "FY", "2024-01-01", "2024-12-31", 90 * B),
                ("revenue", 2025, "FY", "2025-01-01", "2025-12-31", 100 * B),
            ]
        ),
        "cloudco": fundamentals_frame(
            [("revenue", 2024, "FY", "2024-01-01", "2024-12-31", 200 * B)]
        ),
    }
    return atlas, stack_dollars(atlas, resolver=frames_resolver(atlas, frames))


def _cloudco_segments() -> pd.DataFrame:
    """cloudco's FY2024 filing: an AWS-like segment of 90 of its 200 bn revenue."""
    return pd.DataFrame(
        [
            {
                "cik": 2,
                "accession": "acc-cloud",
                "form": "10-K",
                "filed": date(2025, 2, 7),
                "metric": "revenue",
                "concept": "x",
                "axis": "segment",
                "member": "cc:AmazonWebServicesSegmentMember",
                "label": member_label("cc:AmazonWebServicesSegmentMember"),
                "fiscal_year": 2024,
                "fiscal_period": "FY",
                "start": date(2024, 1, 1),
                "end": date(2024, 12, 31),
                "months": 12,
                "value": 90 * B,
                "total": 200 * B,
                "share": 0.45,
                "decimals": -6,
            }
        ]
    )


def test_each_company_is_sized_by_its_latest_revenue_in_each_segment() -> None:
    _, dollars = _dollars()
    chip = dollars.get("design-gpu", "chipco")
    assert chip["value"] == pytest.approx(100 * B) and chip["period"] == "2025"
    assert chip["evidence"] == "reported" and chip["rule"] == "whole company"
    cloud = dollars.get("hyperscalers", "cloudco")  # 0.4 x 200, an estimate
    assert cloud["value"] == pytest.approx(80 * B) and cloud["evidence"] == "estimated"
    assert dollars.get("consumer-platforms", "cloudco")["value"] == pytest.approx(100 * B)
    assert dollars.unsized == ["gridco", "labco"]


def test_dollar_map_sizes_slices_in_dollars_and_lightens_estimates() -> None:
    atlas, dollars = _dollars()
    fig = stack_map_figure(stack_map(atlas), dollars)
    sun = fig.data[0]
    value = dict(zip(sun.ids, sun.values, strict=True))
    color = dict(zip(sun.ids, sun.marker.colors, strict=True))
    assert value["chips/design-gpu/chipco"] == pytest.approx(100.0)
    assert value["cloud/hyperscalers/cloudco"] == pytest.approx(80.0)
    assert value["chips"] == pytest.approx(100.0)  # a layer = the sum of its companies
    assert color["cloud/hyperscalers/cloudco"].startswith("rgba(")  # estimated: lighter
    assert not color["chips/design-gpu/chipco"].startswith("rgba(")
    assert "energy" not in value  # no revenue: not drawn, and said so
    assert "2 companies without revenue data" in fig.layout.title.text
    weight = stack_map_figure(stack_map(atlas)).data[0]
    assert dict(zip(weight.ids, weight.values, strict=True))["cloud/hyperscalers/cloudco"] == (
        pytest.approx(0.4)
    )


@pytest.mark.realdata
def test_real_map_uses_the_filings_segments(shared_data, monkeypatch) -> None:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    from stackatlas.atlas import load_atlas

    atlas = load_atlas()
    dollars = stack_dollars(atlas)
    aws = dollars.get("hyperscalers", "amazon")  # Amazon 10-K FY2024: AWS net sales 107,556 $M
    assert aws["value"] == pytest.approx(107_556e6) and aws["period"] == "2024"
    assert aws["evidence"] == "reported" and aws["rule"] == "segment reported"
    retail = dollars.get("consumer-platforms", "amazon")  # North America 387,497 + Intl 142,906
    assert retail["value"] == pytest.approx(530_403e6) and retail["evidence"] == "derived"
    # NVIDIA FY2026 (CY2025) revenue 215,938 $M; no FY2026 segment figures at hand, so the
    # 10-Q's six-month Compute & Networking share: (39,589 + 41,331) / (44,062 + 46,743)
    nvidia = dollars.get("design-gpu", "nvidia")
    share = (39_589 + 41_331) / (44_062 + 46_743)
    assert nvidia["value"] == pytest.approx(215_938e6 * share, rel=1e-4)
    assert nvidia["evidence"] == "estimated" and nvidia["rule"] == "nearest segment share"
    assert not any(
        r["evidence"] == "reported" and r["rule"] in ("atlas weight", "nearest segment share")
        for r in dollars.rows.to_dict("records")
    )
    fig = stack_map_figure(stack_map(atlas), dollars)
    value = dict(zip(fig.data[0].ids, fig.data[0].values, strict=True))
    assert value["chips/design-gpu/nvidia"] / value["chips"] > 0.35  # not a sliver any more
    assert "energy" not in value and "models" not in value  # no revenue: named, not drawn
    assert "no revenue data at all: Models, Energy" in fig.layout.title.text


def test_a_reported_segment_sizes_the_slice_and_the_layer_totals_say_what_is_estimated() -> None:
    atlas = money_atlas()
    frames = {
        "chipco": fundamentals_frame(
            [("revenue", 2025, "FY", "2025-01-01", "2025-12-31", 100 * B)]
        ),
        "cloudco": fundamentals_frame(
            [("revenue", 2024, "FY", "2024-01-01", "2024-12-31", 200 * B)]
        ),
    }
    resolver = frames_resolver(atlas, frames, segments={"cloudco": _cloudco_segments()})
    dollars = stack_dollars(atlas, resolver=resolver)
    cloud = dollars.get("hyperscalers", "cloudco")  # the filing's segment, not 0.4 x 200 = 80
    assert cloud["value"] == pytest.approx(90 * B) and cloud["evidence"] == "reported"
    assert cloud["rule"] == "segment reported" and "acc-cloud" in cloud["basis"]
    # the filing has no consumer-platforms segment: atlas weight 0.5 x 200 = 100 (estimated)
    retail = dollars.get("consumer-platforms", "cloudco")
    assert retail["value"] == pytest.approx(100 * B) and retail["evidence"] == "estimated"
    totals = dollars.layer_totals().set_index("layer")
    assert totals.loc["cloud", "usd"] == pytest.approx(90 * B)
    assert totals.loc["cloud", "estimated_usd"] == pytest.approx(0.0)
    assert totals.loc["applications", "estimated_usd"] == pytest.approx(100 * B)
    assert totals.loc["chips", "usd"] == pytest.approx(100 * B)
    assert pd.isna(totals.loc["energy", "usd"])  # unknown, not zero
    assert totals.loc["energy", ["companies_sized", "companies"]].tolist() == [0, 1]
    assert list(totals.index) == ["applications", "models", "cloud", "chips", "energy"]
    chips = dollars.for_layer("chips")
    assert chips.rows["company_id"].tolist() == ["chipco"] and chips.unsized == []


def test_cli_map_dollars_prints_sizes_and_json(monkeypatch, tmp_path) -> None:
    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    atlas = money_atlas()
    frame = fundamentals_frame([("revenue", 2024, "FY", "2024-01-01", "2024-12-31", 200 * B)])
    use_frames(monkeypatch, atlas, {"cloudco": frame})
    monkeypatch.setattr("stackatlas.atlas.load_atlas", lambda *a, **k: atlas)
    runner = CliRunner()
    out = runner.invoke(app, ["map", "--dollars"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "The stack in dollars" in out.stdout
    assert "CY2024 │   80.0 │ atlas weight" in out.stdout  # 0.4 x 200
    assert "no revenue data" in out.stdout  # chips, models, energy: unknown, not 0
    data = json.loads(runner.invoke(app, ["map", "--dollars", "--layer", "cloud", "--json"]).stdout)
    assert [(r["company_id"], r["value"]) for r in data["rows"]] == [("cloudco", 80 * B)]
    assert data["layers"] == [
        {
            "layer": "cloud",
            "usd": 80 * B,
            "estimated_usd": 80 * B,
            "companies_sized": 1,
            "companies": 1,
        }
    ]
    target = tmp_path / "map.csv"
    written = runner.invoke(app, ["map", "--dollars", "--csv", str(target)])
    assert written.exit_code == 0, written.output
    # the rows (applications first: 0.5 x 200, then cloud 0.4 x 200), the other tables beside
    assert pd.read_csv(target)["value"].tolist() == [100 * B, 80 * B]
    layers = pd.read_csv(tmp_path / "map.layers.csv").set_index("layer")
    assert pd.isna(layers.loc["energy", "usd"]) and layers.loc["cloud", "companies_sized"] == 1
    assert pd.read_csv(tmp_path / "map.unsized.csv")["company_id"].tolist() == [
        "chipco",
        "gridco",
        "labco",
    ]
