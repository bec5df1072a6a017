"""Hyperscaler capex tracker: hand-built inputs, group totals, claims, and the shared SEC files."""

from __future__ import annotations

import pandas as pd
import pytest

from stackatlas.analysis.capex import AiShare, ai_share_from_atlas, capex_rows, hyperscaler_capex
from stackatlas.atlas.models import Group
from stackatlas.errors import ValidationError
from tests.builders import company, figure, money_atlas

B = 1e9
GROUPS = {"big4-hyperscalers": ["amazon", "microsoft", "alphabet", "meta"]}


def _metrics(with_amazon: bool) -> pd.DataFrame:
    # Alphabet 2025 10-K: capex 91,447, OCF 164,713 ($M); Meta 2025 10-K: 69,691 / 115,800.
    rows = [
        ("alphabet", "capex", "2025", 91_447e6, "reported"),
        ("alphabet", "operating_cash_flow", "2025", 164_713e6, "reported"),
        ("meta", "capex", "2025", 69_691e6, "reported"),
        ("meta", "operating_cash_flow", "2025", 115_800e6, "reported"),
        ("microsoft", "capex", "2025", 83_094e6, "derived"),
        ("microsoft", "operating_cash_flow", "2025", 160_506e6, "derived"),
    ]
    if with_amazon:  # invented round numbers, only to exercise the complete-group path
        rows += [
            ("amazon", "capex", "2025", 100 * B, "reported"),
            ("amazon", "operating_cash_flow", "2025", 120 * B, "reported"),
        ]
    return pd.DataFrame(rows, columns=["company_id", "metric", "period", "value", "evidence"])


def _row(rows: pd.DataFrame, entity: str, period: str = "2025") -> pd.Series:
    hit = rows[(rows["entity"] == entity) & (rows["period"] == period)]
    assert len(hit) == 1, (entity, period)
    return hit.iloc[0]


def test_company_rows_capex_to_ocf_and_fcf() -> None:
    rows = capex_rows(_metrics(False), GROUPS, AiShare(0.75, "fig"))
    goog = _row(rows, "alphabet")
    assert goog["capex_to_ocf"] == pytest.approx(91_447 / 164_713)  # 0.5552
    assert goog["capex_to_ocf"] == pytest.approx(0.5552, abs=5e-5)
    assert goog["free_cash_flow"] == pytest.approx(73.266)  # 164,713 - 91,447
    assert goog["evidence"] == "derived" and goog["symbol"] == "◐"
    assert goog["ai_capex_est"] == pytest.approx(91.447 * 0.75)
    assert goog["ai_evidence"] == "estimated"


def test_group_total_unresolved_when_a_member_is_missing() -> None:
    rows = capex_rows(_metrics(False), GROUPS)
    group = _row(rows, "big4-hyperscalers")
    assert group["capex"] is None and group["capex_to_ocf"] is None
    assert group["evidence"] == "unresolved" and group["missing"] == ["amazon"]
    partial = _row(rows, "big4-hyperscalers (partial)")
    # 91,447 + 69,691 + 83,094 = 244,232 ; 164,713 + 115,800 + 160,506 = 441,019
    assert partial["capex"] == pytest.approx(244.232)
    assert partial["capex_to_ocf"] == pytest.approx(244_232 / 441_019)
    assert partial["ai_capex_est"] is None  # no AI share given -> unresolved, not zero
    assert partial["ai_evidence"] == "unresolved"


def test_group_total_when_complete() -> None:
    rows = capex_rows(_metrics(True), GROUPS)
    group = _row(rows, "big4-hyperscalers")
    assert group["capex"] == pytest.approx(344.232)
    assert group["capex_to_ocf"] == pytest.approx(344_232 / 561_019)
    assert group["evidence"] == "derived" and group["missing"] == []


def test_ai_share_from_explicit_figure_or_ratio() -> None:
    share = money_atlas(
        figures=[
            figure(
                "ai",
                "big4-hyperscalers",
                "capex_ai_share",
                75,
                "2026E",
                unit="percent",
                subject_type="group",
            )
        ]
    )
    assert ai_share_from_atlas(share).value == pytest.approx(0.75)
    ratio = money_atlas(
        figures=[
            figure("c", "big4-hyperscalers", "capex", 600, "2026", subject_type="group"),
            figure("a", "big4-hyperscalers", "capex_ai", 450, "2026", subject_type="group"),
        ]
    )
    assert ai_share_from_atlas(ratio).value == pytest.approx(0.75)
    assert ai_share_from_atlas(money_atlas()) is None


def test_bad_period_is_rejected() -> None:
    with pytest.raises(ValidationError):
        hyperscaler_capex(money_atlas(), period="weekly")


@pytest.mark.realdata
def test_real_tracker_and_claims(shared_data, monkeypatch) -> None:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    members = ["amazon", "microsoft", "alphabet", "meta"]
    atlas = money_atlas(
        companies=[
            company("amazon", 1018724),
            company("microsoft", 789019),
            company("alphabet", 1652044),
            company("meta", 1326801),
        ],
        memberships=[],
        groups=[
            Group(id="big4-hyperscalers", name="b", members=members),
            Group(id="hyperscalers", name="h", members=members),
        ],
        figures=[
            figure(
                "hyperscaler-capex-ocf-2025",
                "hyperscalers",
                "capex_to_ocf",
                65,
                "2025",
                unit="percent",
                subject_type="group",
            )
        ],
    )
    tracker = hyperscaler_capex(atlas)
    # no Amazon companyfacts in the shared folder: its 10-K (amzn-10-k-2025-02-07.html) gives
    # calendar 2024 - purchases of property and equipment 82,999 $M, operating cash flow
    # 115,877 $M - and nothing for 2025
    amzn = tracker.row("amazon", "2024")
    assert amzn["capex"] == pytest.approx(82.999) and amzn["capex_evidence"] == "reported"
    assert amzn["free_cash_flow"] == pytest.approx(115.877 - 82.999)
    assert "FY2024 (2024-01-01..2024-12-31) is CY2024" in amzn["basis"]
    assert tracker.row("big4-hyperscalers", "2024")["capex"] == pytest.approx(
        82.999 + 52.535 + 55.582 + 37.256, abs=0.05
    )
    goog = tracker.row("alphabet", "2025")
    assert goog["capex_to_ocf"] == pytest.approx(0.5552, abs=5e-5)  # 91,447 / 164,713
    meta = tracker.row("meta", "2025")
    assert meta["capex_to_ocf"] == pytest.approx(69_691 / 115_800)
    msft = tracker.row("microsoft", "2025")  # calendar 2025 from four fiscal quarters
    assert msft["capex"] == pytest.approx(83.094)
    assert msft["operating_cash_flow"] == pytest.approx(160.506)
    assert tracker.row("big4-hyperscalers", "2025")["capex"] is None
    claim = tracker.claims.set_index("figure").loc["hyperscaler-capex-ocf-2025"]
    assert claim["claimed"] == pytest.approx(0.65)
    assert claim["computed"] == pytest.approx(244_232 / 441_019, abs=1e-5)
    assert "missing amazon" in claim["comparison"]
    # 65% claimed vs 55.38% computed: the gap is stated in percentage points, not as 0.0962
    assert "below the claim by 9.6 points" in claim["comparison"]
    quarterly = hyperscaler_capex(atlas, period="quarterly")
    # Microsoft Oct-Dec 2025 (FY2026 Q2 10-Q): capex 29,876
    assert quarterly.row("microsoft", "2025Q4")["capex"] == pytest.approx(29.876)
    # Microsoft Apr-Jun 2025 = FY2025 10-K minus nine-month 10-Q: 64,551 - 47,472 = 17,079
    assert quarterly.row("microsoft", "2025Q2")["capex"] == pytest.approx(17.079)


def test_capex_chart_and_cli(monkeypatch) -> None:
    import json

    from typer.testing import CliRunner

    from stackatlas.charts.money import capex_ocf_chart
    from stackatlas.cli.app import app
    from tests.builders import frames_resolver, fundamentals_frame, use_frames

    members = ["alphabet", "meta"]
    atlas = money_atlas(
        companies=[company("alphabet", 1652044), company("meta", 1326801)],
        memberships=[],
        groups=[Group(id="big4-hyperscalers", name="b", members=members)],
        figures=[
            figure(
                "share",
                "big4-hyperscalers",
                "capex_ai_share",
                75,
                "2026",
                unit="percent",
                subject_type="group",
            )
        ],
    )
    frames = {  # Alphabet and Meta 2025 10-Ks ($M)
        "alphabet": fundamentals_frame(
            [
                ("capex", 2025, "FY", "2025-01-01", "2025-12-31", 91_447e6),
                ("operating_cash_flow", 2025, "FY", "2025-01-01", "2025-12-31", 164_713e6),
            ]
        ),
        "meta": fundamentals_frame(
            [
                ("capex", 2025, "FY", "2025-01-01", "2025-12-31", 69_691e6),
                ("operating_cash_flow", 2025, "FY", "2025-01-01", "2025-12-31", 115_800e6),
            ]
        ),
    }
    tracker = hyperscaler_capex(atlas, resolver=frames_resolver(atlas, frames))
    group = tracker.row("big4-hyperscalers", "2025")
    assert group["capex"] == pytest.approx(161.138)  # 91,447 + 69,691
    assert group["capex_to_ocf"] == pytest.approx(161_138 / 280_513)
    assert group["ai_capex_est"] == pytest.approx(161.138 * 0.75)
    fig = capex_ocf_chart(tracker)
    names = [t.name for t in fig.data]
    assert names[:2] == ["capex", "operating cash flow"]
    assert "AI capex (estimated, 75% share)" in names
    monkeypatch.setattr("stackatlas.atlas.load_atlas", lambda *a, **k: atlas)
    use_frames(monkeypatch, atlas, frames)
    out = CliRunner().invoke(app, ["capex", "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)["rows"]
    assert any(r["entity"] == "meta" and r["capex"] == pytest.approx(69.691) for r in rows)
    assert CliRunner().invoke(app, ["capex", "--period", "weekly"]).exit_code == 2


def test_claim_kind_is_printed_not_eaten_as_markup() -> None:
    """Regression: the claimed text ends in '[projection]' / '[actual]', which rich took for a
    style tag, so the table never showed whether a claim was a projection."""
    from rich.console import Console

    from stackatlas.atlas.models import FigureKind

    atlas = money_atlas(
        figures=[
            figure(
                "big4-capex-2026", "big4-hyperscalers", "capex", 675, "2026", subject_type="group"
            ).model_copy(update={"low": 650.0, "high": 700.0, "kind": FigureKind.PROJECTION})
        ]
    )
    tracker = hyperscaler_capex(atlas)
    console = Console(width=250, record=True)
    console.print(tracker)
    assert "675 (650-700) usd_billion, 2026 [projection]" in console.export_text()
