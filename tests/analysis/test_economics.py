"""Model-lab economics: the shipped OpenAI inputs reproduce the article's path.

Article (marsbit-2026-03-16, section II): ARR $2B (end 2023) -> $6B (2024) -> $20B (2025);
cash burn ~$9B in 2025 and ~$17B projected for 2026; inference $8.4B (2025) -> $14.1B (2026);
"positive cash flow until 2029 or 2030".
"""

from __future__ import annotations

import pytest

from stackatlas.analysis.economics import available_labs, load_lab, project_lab, sensitivity
from stackatlas.errors import NotFoundError, ValidationError


@pytest.fixture(scope="module")
def openai():
    return project_lab("openai")


def test_reproduces_article_figures_within_rounding(openai):
    assert openai.value("arr", 2023) == 2 and openai.value("arr", 2024) == 6
    assert openai.value("arr", 2025) == 20
    assert openai.value("burn", 2025) == pytest.approx(9, abs=0.5)
    assert openai.value("burn", 2026) == pytest.approx(17, abs=0.5)
    assert openai.value("inference", 2025) == pytest.approx(8.4, abs=0.05)
    assert openai.value("inference", 2026) == pytest.approx(14.1, abs=0.05)
    assert 2029 <= openai.breakeven_year <= 2030
    assert openai.checks["within_rounding"].all()


def test_revenue_is_mean_of_arr_and_costs_add_up(openai):
    # 2025 revenue = (6 + 20) / 2 = 13; 2026 = (20 + 40) / 2 = 30 with ARR doubling (assumption)
    assert openai.value("revenue", 2025) == pytest.approx(13)
    assert openai.value("revenue", 2026) == pytest.approx(30)
    # 2025: other opex 0.30 * 13 = 3.9; training = 13 + 9 - 8.4 - 3.9 = 9.7
    assert openai.value("training", 2025) == pytest.approx(9.7)
    assert openai.value("inference_share", 2025) == pytest.approx(8.4 / 13)
    # 2027: inference share 14.1/30 * 0.9; training 23.9 * 2.18 (training_growth_2027 = 1.18)
    assert openai.value("inference", 2027) == pytest.approx(14.1 / 30 * 0.9 * 58)
    assert openai.value("training", 2027) == pytest.approx((30 + 17 - 14.1 - 9.0) * 2.18)
    wide = openai.wide()
    total = wide["inference"] + wide["training"] + wide["other_opex"]
    assert (total - wide["revenue"]).dropna().round(9).equals(wide["burn"].dropna().round(9))


def test_evidence_marks_article_vs_assumption(openai):
    ev = openai.table.set_index(["year", "metric"])["evidence"]
    assert ev[(2025, "revenue")] == "estimated"  # article ARR only
    assert ev[(2025, "burn")] == "estimated"  # the article's anchor
    assert ev[(2026, "inference")] == "estimated"
    assert ev[(2026, "revenue")] == "scenario"  # needs the growth_2026 assumption
    assert ev[(2025, "training")] == "scenario"  # residual after the assumed other opex
    assert ev[(2030, "cash_flow")] == "scenario"
    assert str(openai.breakeven_evidence) == "scenario"


def test_overrides_change_path_and_become_scenario():
    slow = project_lab("openai", overrides={"growth_2027": 0.3, "growth_2028": 0.2})
    assert slow.breakeven_year is None or slow.breakeven_year > 2030
    assert slow.value("arr", 2027) == pytest.approx(40 * 1.3)
    boosted = project_lab("openai", overrides={"arr_2025": 25})
    assert boosted.value("revenue", 2025) == pytest.approx(15.5)
    ev = boosted.table.set_index(["year", "metric"])["evidence"]
    assert ev[(2025, "revenue")] == "scenario"  # overridden article input
    inputs = boosted.inputs.set_index("key")
    assert inputs.loc["arr_2025", "basis"] == "override"


def test_share_override_for_a_projection_year():
    p = project_lab("openai", overrides={"training_share_2029": 0.2})
    assert p.value("training", 2029) == pytest.approx(0.2 * p.value("revenue", 2029))
    assert p.breakeven_year == 2029


def test_a_later_anchor_only_pins_its_own_year():
    base = project_lab("openai")
    pinned = project_lab("openai", overrides={"burn_2030": 0.0})
    assert pinned.value("burn", 2030) == pytest.approx(0)
    assert pinned.value("inference", 2028) == pytest.approx(base.value("inference", 2028))
    # 2030 is now an anchor year: shares carry over from 2029, training is the residual
    assert pinned.value("inference_share", 2030) == pytest.approx(
        pinned.value("inference_share", 2029)
    )
    assert pinned.breakeven_year == 2030
    assert pinned.table.set_index(["year", "metric"])["evidence"][(2030, "burn")] == "scenario"


def test_bad_overrides_are_named():
    with pytest.raises(ValidationError, match="growth_2207"):
        load_lab("openai", {"growth_2207": 0.5})
    with pytest.raises(ValidationError, match="did you mean"):
        load_lab("openai", {"other_opex_shares": 0.2})
    with pytest.raises(ValidationError, match="above -1"):
        load_lab("openai", {"growth_2027": -1.5})
    with pytest.raises(ValidationError, match="must not be negative"):
        load_lab("openai", {"inference_share_2028": -0.1})
    with pytest.raises(ValidationError, match="below 1"):
        load_lab("openai", {"inference_share_decline": 1.0})
    shrinking = project_lab("openai", {"training_growth_2029": -0.2, "burn_2032": -50})
    assert shrinking.value("training", 2029) == pytest.approx(
        shrinking.value("training", 2028) * 0.8
    )
    assert shrinking.value("cash_flow", 2032) == pytest.approx(50)
    with pytest.raises(ValidationError, match="negative training"):
        project_lab("openai", {"burn_2025": 1.0, "other_opex_share": 0.9})
    with pytest.raises(NotFoundError):
        load_lab("nolab")
    assert "openai" in available_labs()


def test_every_shipped_input_documents_its_basis():
    spec = load_lab("openai")
    for item in spec.inputs.values():
        assert item.basis in {"article", "assumption"}
        if item.basis == "article":
            assert item.source in spec.sources and item.quote
        else:
            assert item.note, item.key


def test_sensitivity_grid_monotone():
    sens = sensitivity("openai")
    table = sens.table
    assert table.loc[1.0, 1.0] == project_lab("openai").breakeven_year
    # more growth never delays breakeven; more cost never brings it forward (None = never)
    as_year = table.fillna(9999).astype(int)
    assert (as_year.diff(axis=0).iloc[1:] <= 0).all().all()
    assert (as_year.diff(axis=1).iloc[:, 1:] >= 0).all().all()
    assert sens.to_dict()["breakeven_year"][0][0] is None  # half growth: not by 2032


# ---- CLI (thin layer: parse -> one library call -> render) --------------------------------
def _run(*args: str):
    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    return CliRunner().invoke(app, list(args))


def test_cli_economics_json_and_overrides():
    import json

    result = _run(
        "economics",
        "--json",
        "--set",
        "growth_2027=0.3",
        "--set",
        "growth_2028=0.2",
        "--sensitivity",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    path = {(r["year"], r["metric"]): r for r in payload["path"]}
    assert path[(2027, "arr")]["value"] == pytest.approx(52)  # 40 * 1.3
    assert path[(2027, "arr")]["evidence"] == "scenario"
    assert path[(2025, "burn")]["value"] == pytest.approx(9)
    assert payload["sensitivity"]["evidence"] == "scenario"
    assert len(payload["sensitivity"]["breakeven_year"]) == 5


def test_cli_economics_rich_and_bad_input():
    ok = _run("economics", "--inputs")
    assert ok.exit_code == 0 and "breakeven year" in ok.output and "2030" in ok.output
    assert "training_growth_2027" in ok.output  # the inputs table names every override key
    bad = _run("economics", "--set", "growth_2027")
    assert bad.exit_code == 2 and "KEY=NUMBER" in bad.output
    unknown = _run("economics", "--set", "grow_2027=0.5")
    assert unknown.exit_code == 2 and "unknown input" in unknown.output
    missing = _run("economics", "--lab", "nolab")
    assert missing.exit_code == 2 and "openai" in missing.output


def test_lab_cash_chart(openai):
    from stackatlas.charts.money import lab_cash_chart

    fig = lab_cash_chart(openai)
    revenue, cost, cash = fig.data
    assert list(revenue.x) == [str(y) for y in range(2025, 2033)]
    assert list(cash.y)[:2] == pytest.approx([-9, -17])
    assert list(cost.y)[:2] == pytest.approx([13 + 9, 30 + 17])  # revenue + burn
    assert list(revenue.marker.pattern.shape)[:3] == ["", "", "/"]  # 2025-26 article anchors
    assert fig.layout.shapes[0].x0 == 5  # 2030 is the sixth year shown
