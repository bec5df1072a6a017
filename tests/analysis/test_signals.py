"""Signals: thresholds flip status, measures on hand-built inputs, snapshots and --since."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from stackatlas.analysis import signals as sig_mod
from stackatlas.analysis.capex import capex_rows
from stackatlas.analysis.signal_defs import SignalDef, load_signal_definitions
from stackatlas.analysis.signal_history import record_snapshot
from stackatlas.analysis.signals import SignalContext, evaluate, evaluate_signals, status_of
from stackatlas.atlas.models import Group
from stackatlas.errors import ValidationError
from stackatlas.store.store import Store
from tests.builders import company, figure, money_atlas

B = 1e9
CAPEX_OCF = SignalDef(
    id="capex-ocf",
    name="capex/OCF",
    measure="group_capex_to_ocf",
    params={"group": "g", "period": "TTM"},
    direction="above",
    watch=0.75,
    alert=0.90,
)


def _atlas():
    return money_atlas(
        companies=[company("a", 1), company("b", 2), company("lab", None)],
        memberships=[],
        groups=[Group(id="g", name="g", members=["a", "b"])],
        figures=[
            figure("lab-rev-24", "lab", "revenue", 4.0, "2024"),
            figure("lab-burn-24", "lab", "cash_burn", 5.0, "2024"),
            figure("lab-rev-25", "lab", "revenue", 13.0, "2025"),
            figure("lab-burn-25", "lab", "cash_burn", 9.0, "2025"),
        ],
    )


def _rows(ttm_capex_b: float) -> pd.DataFrame:
    # a: capex 2025 30, OCF 50; b: 20 / 50 -> 2025 ratio 0.5. TTM: a capex varies, OCF 50 + 50.
    data = [
        ("a", "capex", "2025", 30 * B),
        ("a", "operating_cash_flow", "2025", 50 * B),
        ("b", "capex", "2025", 20 * B),
        ("b", "operating_cash_flow", "2025", 50 * B),
        ("a", "capex", "TTM", ttm_capex_b * B),
        ("a", "operating_cash_flow", "TTM", 50 * B),
        ("b", "capex", "TTM", 40 * B),
        ("b", "operating_cash_flow", "TTM", 50 * B),
    ]
    frame = pd.DataFrame(data, columns=["company_id", "metric", "period", "value"])
    frame["evidence"] = "reported"
    return capex_rows(frame, {"g": ["a", "b"]})


def _use_rows(monkeypatch, rows: pd.DataFrame) -> None:
    monkeypatch.setattr(SignalContext, "capex_rows", property(lambda self: rows))


def test_status_thresholds_both_directions() -> None:
    assert status_of(0.74, CAPEX_OCF) == "ok"
    assert status_of(0.75, CAPEX_OCF) == "watch"
    assert status_of(0.90, CAPEX_OCF) == "alert"
    assert status_of(None, CAPEX_OCF) == "unresolved"
    below = CAPEX_OCF.model_copy(update={"direction": "below", "watch": 10.0, "alert": 0.0})
    assert status_of(12.0, below) == "ok"
    assert status_of(5.0, below) == "watch"
    assert status_of(-0.1, below) == "alert"


def test_capex_signal_flips_when_input_crosses_threshold(monkeypatch) -> None:
    _use_rows(monkeypatch, _rows(ttm_capex_b=40))
    row = evaluate(_atlas(), definitions=[CAPEX_OCF]).iloc[0]
    # TTM: (40 + 40) / (50 + 50) = 0.80 -> watch; previous = calendar 2025: 50 / 100 = 0.5
    assert row["value"] == pytest.approx(0.80) and row["status"] == "watch"
    assert row["previous"] == pytest.approx(0.50) and row["previous_status"] == "ok"
    assert row["evidence"] == "derived"
    _use_rows(monkeypatch, _rows(ttm_capex_b=52))
    row = evaluate(_atlas(), definitions=[CAPEX_OCF]).iloc[0]
    assert row["value"] == pytest.approx(0.92) and row["status"] == "alert"  # (52 + 40) / 100


def test_min_fcf_and_lab_burn(monkeypatch) -> None:
    _use_rows(monkeypatch, _rows(ttm_capex_b=52))
    fcf = SignalDef(
        id="fcf",
        name="fcf",
        measure="min_free_cash_flow",
        params={"group": "g"},
        direction="below",
        watch=10,
        alert=0,
    )
    burn = SignalDef(
        id="burn",
        name="burn",
        measure="lab_burn_to_revenue",
        params={"lab": "lab"},
        direction="above",
        watch=0.5,
        alert=1.0,
    )
    rows = evaluate(_atlas(), definitions=[fcf, burn]).set_index("id")
    # TTM FCF: a 50 - 52 = -2 (lowest), b 50 - 40 = 10 -> alert
    assert rows.loc["fcf", "value"] == pytest.approx(-2.0)
    assert rows.loc["fcf", "status"] == "alert" and rows.loc["fcf", "data"]["company"] == "a"
    # burn / revenue: 2025 9 / 13 = 0.692 (watch); 2024 5 / 4 = 1.25
    assert rows.loc["burn", "value"] == pytest.approx(9 / 13)
    assert rows.loc["burn", "status"] == "watch"
    assert rows.loc["burn", "previous"] == pytest.approx(1.25)
    assert rows.loc["burn", "evidence"] == "estimated"


def test_missing_data_is_unresolved(monkeypatch) -> None:
    empty = _rows(40).iloc[0:0]
    _use_rows(monkeypatch, empty)
    row = evaluate(_atlas(), definitions=[CAPEX_OCF]).iloc[0]
    assert row["value"] is None and row["status"] == "unresolved" and row["symbol"] == "?"


def test_gross_margin_drawdown(monkeypatch) -> None:
    quarters = pd.DataFrame(
        [
            (m, p, v)
            for p, rev, gp in [("2025Q1", 100, 75), ("2025Q2", 100, 72), ("2025Q3", 100, 68)]
            for m, v in (("revenue", rev), ("gross_profit", gp))
        ],
        columns=["metric", "period", "value"],
    )
    monkeypatch.setattr(SignalContext, "quarters", lambda self, company: quarters)
    dd = SignalDef(
        id="dd",
        name="dd",
        measure="gross_margin_drawdown",
        params={"company": "x"},
        direction="above",
        watch=3,
        alert=5,
    )
    row = evaluate(_atlas(), definitions=[dd]).iloc[0]
    # peak 75% (2025Q1), now 68% -> 7 points (alert); one quarter earlier 75 - 72 = 3 (watch)
    assert row["value"] == pytest.approx(7.0) and row["status"] == "alert"
    assert row["previous"] == pytest.approx(3.0) and row["previous_status"] == "watch"


def test_snapshot_and_changes_since_last_sync(monkeypatch, tmp_path) -> None:
    store = Store(tmp_path / "s.duckdb")
    atlas = _atlas()
    _use_rows(monkeypatch, _rows(ttm_capex_b=40))
    written = record_snapshot(
        store, atlas, sync_id="sync-1", definitions=[CAPEX_OCF], taken_at=datetime(2026, 5, 1, 12)
    )
    assert written["value"].iloc[0] == pytest.approx(0.80)
    # the next sync brings new data that crosses the alert threshold
    store.set_meta("last_sync_id", "sync-2")
    _use_rows(monkeypatch, _rows(ttm_capex_b=52))
    report = evaluate_signals(atlas, store=store, since="last-sync", definitions=[CAPEX_OCF])
    row = report.rows.iloc[0]
    assert report.baseline_sync == "sync-1"
    assert row["since_value"] == pytest.approx(0.80) and row["since_status"] == "watch"
    assert row["status"] == "alert" and row["changed"] is True
    from rich.console import Console  # regression: '[changed]' was eaten as rich markup

    console = Console(width=220, record=True)
    console.print(report)
    assert "80.0% (watch) [changed]" in console.export_text()
    # recording sync-2, then asking again compares with sync-1 (the previous sync), not itself
    record_snapshot(store, atlas, definitions=[CAPEX_OCF], taken_at=datetime(2026, 5, 2))
    again = evaluate_signals(atlas, store=store, since="last-sync", definitions=[CAPEX_OCF])
    assert again.baseline_sync == "sync-1"
    by_date = evaluate_signals(atlas, store=store, since="2026-05-02", definitions=[CAPEX_OCF])
    assert by_date.baseline_sync == "sync-2" and by_date.rows.iloc[0]["changed"] is False
    assert (
        evaluate_signals(
            atlas, store=store, since="2026-04-01", definitions=[CAPEX_OCF]
        ).baseline_sync
        is None
    )
    with pytest.raises(ValidationError):
        evaluate_signals(atlas, store=store, since="yesterday", definitions=[CAPEX_OCF])
    assert len(store.query("SELECT * FROM metric_snapshots")) == 2
    store.close()


def test_shipped_definitions_and_user_file(tmp_path) -> None:
    shipped = {s.id: s for s in load_signal_definitions()}
    assert shipped["hyperscaler-capex-to-ocf"].alert == pytest.approx(0.90)
    assert set(s.measure for s in shipped.values()) == set(sig_mod.MEASURES)
    user = tmp_path / "mine.yaml"
    user.write_text(
        "signals:\n"
        "  - id: hyperscaler-capex-to-ocf\n    name: stricter\n"
        "    measure: group_capex_to_ocf\n    params: {group: big4-hyperscalers}\n"
        "    direction: above\n    watch: 0.6\n    alert: 0.8\n"
    )
    merged = {s.id: s for s in load_signal_definitions(user)}
    assert merged["hyperscaler-capex-to-ocf"].alert == pytest.approx(0.8)
    assert len(merged) == len(shipped)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "signals:\n  - id: ok-one\n    name: x\n    measure: nope\n"
        "    direction: above\n    watch: 1\n    alert: 2\n"
        "  - id: two\n    name: y\n    measure: revenue_gap\n    direction: up\n"
        "    watch: 1\n    alert: 2\n"
    )
    with pytest.raises(ValidationError) as err:
        load_signal_definitions(bad)
    problems = err.value.problems
    assert (problems[0].line, problems[0].column) == (2, "measure")
    assert (problems[1].line, problems[1].column) == (8, "direction")


def test_current_sync_id_from_sync_log(tmp_path) -> None:
    from stackatlas.analysis.signal_history import current_sync_id

    store = Store(tmp_path / "s.duckdb")
    assert current_sync_id(store) is None
    log = pd.DataFrame(
        {
            "cik": [1, 2],
            "status": ["ok", "failed"],
            "fetched_at": pd.to_datetime(["2026-05-01 10:00", "2026-05-02 09:00"]),
        }
    )
    store.replace_rows("sec_sync_log", log)
    assert current_sync_id(store) == "sec@2026-05-01T10:00:00"  # the failed fetch is ignored
    store.set_meta("last_sync_id", "explicit")
    assert current_sync_id(store) == "explicit"
    store.close()


def test_cli_signals_json_and_record(monkeypatch, tmp_path) -> None:
    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    _use_rows(monkeypatch, _rows(ttm_capex_b=40))
    monkeypatch.setattr("stackatlas.atlas.load_atlas", lambda *a, **k: _atlas())
    defs = tmp_path / "only.yaml"
    defs.write_text(
        "signals:\n  - id: capex-ocf\n    name: c\n    measure: group_capex_to_ocf\n"
        "    params: {group: g}\n    direction: above\n    watch: 0.75\n"
        "    alert: 0.9\n"
    )
    runner = CliRunner()
    out = runner.invoke(app, ["signals", "--record", "--file", str(defs), "--json"])
    assert out.exit_code == 0, out.output
    import json

    body = json.loads(out.stdout)
    store = Store(read_only=True)
    assert "capex-ocf" in set(store.query("SELECT signal_id FROM metric_snapshots")["signal_id"])
    store.close()
    mine = next(s for s in body["signals"] if s["id"] == "capex-ocf")
    assert mine["value"] == pytest.approx(0.80) and mine["status"] == "watch"
    bad = runner.invoke(app, ["signals", "--since", "yesterday"])
    assert bad.exit_code == 2 and "last-sync" in bad.output


@pytest.mark.realdata
def test_nvidia_gross_margin_drawdown_on_shared_files(shared_data, monkeypatch) -> None:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    atlas = money_atlas(companies=[company("nvidia", 1045810)], memberships=[])
    dd = SignalDef(
        id="dd",
        name="dd",
        measure="gross_margin_drawdown",
        params={"company": "nvidia", "lookback_quarters": 12},
        direction="above",
        watch=3,
        alert=5,
    )
    row = evaluate(atlas, definitions=[dd]).iloc[0]
    # peak: Q1 FY2025 (Feb-Apr 2024, 10-Q filed 2024-05-29) 20,406 / 26,044 = 78.35%;
    # now: Q1 FY2027 (Feb-Apr 2026, 10-Q filed 2026-05-20) 61,157 / 81,615 = 74.93%
    peak, now = 20_406 / 26_044, 61_157 / 81_615
    assert row["value"] == pytest.approx((peak - now) * 100)  # 3.42 points -> watch
    assert row["status"] == "watch" and row["period"] == "2026Q1"
    assert row["data"]["peak_quarter"] == "2024Q1"
    # one quarter earlier: Q4 FY2026 = FY - Q1..Q3: 51,093 / 68,127 = 75.00%
    assert row["previous"] == pytest.approx((peak - 51_093 / 68_127) * 100)


def test_revenue_gap_compares_the_same_companies_in_both_years(monkeypatch) -> None:
    """Regression: a partial group sum grew when a member's data started (b has 2025 only), so
    capex growth was overstated. Then the gap needed the same members in both years and went
    unresolved once a member's data stopped (Amazon's filings end in CY2024); now it compares
    the companies with capex in both years and names the one left out."""
    data = [
        ("a", "capex", "2024", 20 * B),
        ("a", "operating_cash_flow", "2024", 50 * B),
        ("a", "capex", "2025", 30 * B),
        ("a", "operating_cash_flow", "2025", 50 * B),
        ("b", "capex", "2025", 20 * B),
        ("b", "operating_cash_flow", "2025", 50 * B),
    ]
    frame = pd.DataFrame(data, columns=["company_id", "metric", "period", "value"])
    frame["evidence"] = "reported"
    gap = SignalDef(
        id="gap",
        name="gap",
        measure="revenue_gap",
        params={"group": "g", "labs": ["lab"]},
        direction="above",
        watch=0.0,
        alert=50.0,
        unit="points",
    )
    _use_rows(monkeypatch, capex_rows(frame, {"g": ["a", "b"]}))
    row = evaluate(_atlas(), definitions=[gap]).iloc[0]
    # a alone in both years: capex 20 -> 30 = +50% (not 20 -> 50 = +150% with b's start);
    # lab revenue 4 -> 13 = +225%: gap 50 - 225 = -175 points
    assert row["value"] == pytest.approx(-175.0)
    assert "capex of a, CY2024 and CY2025" in row["note"]
    assert "left out, data in one year only: b" in row["note"]
    assert row["data"]["members"] == ["a"] and row["data"]["left_out"] == ["b"]
    frame = frame[frame["company_id"] == "b"]  # no company in both years: unresolved
    _use_rows(monkeypatch, capex_rows(frame, {"g": ["a", "b"]}))
    row = evaluate(_atlas(), definitions=[gap]).iloc[0]
    assert row["value"] is None and "same companies in both" in row["note"]


def test_money_signals_show_their_unit(monkeypatch) -> None:
    """The table printed the lowest FCF as a bare '-2.0'; money signals carry '$...B'."""
    from rich.console import Console

    _use_rows(monkeypatch, _rows(ttm_capex_b=52))
    fcf = SignalDef(
        id="fcf",
        name="fcf",
        measure="min_free_cash_flow",
        params={"group": "g"},
        direction="below",
        watch=10,
        alert=0,
        unit="usd_billion",
    )
    report = evaluate_signals(_atlas(), definitions=[fcf])
    console = Console(width=200, record=True)
    console.print(report)
    text = console.export_text()
    assert "-$2.0B" in text and "$10.0B / $0.0B" in text  # TTM FCF of a: 50 - 52


def test_debt_financed_capex_states_its_inputs(monkeypatch) -> None:
    """The reading mixed two groups with no note; it now names both inputs and keeps the
    article's 'over $400B' as a floor. 400 / 675 = 59.3% (atlas figures, estimated)."""
    _use_rows(monkeypatch, _rows(40).iloc[0:0])
    debt = figure("debt-26", "g", "debt_issuance", 400, "2026", subject_type="group").model_copy(
        update={"low": 400.0}
    )
    capex = figure("capex-26", "g", "capex", 675, "2026", subject_type="group")
    atlas = money_atlas(
        companies=[company("a", 1), company("b", 2)],
        memberships=[],
        groups=[Group(id="g", name="g", members=["a", "b"])],
        figures=[debt, capex],
    )
    sig = SignalDef(
        id="debt",
        name="debt",
        measure="debt_financed_capex_share",
        params={"group": "g", "debt_group": "g"},
        direction="above",
        watch=0.3,
        alert=0.5,
    )
    row = evaluate(atlas, definitions=[sig]).iloc[0]
    assert row["value"] == pytest.approx(400 / 675) and row["status"] == "alert"
    assert row["note"] == "over $400B debt (g) / $675B capex (g, atlas)"


# ---- hostile signal files (issue 11) --------------------------------------------------------
def test_hostile_signal_files_are_located_errors(tmp_path: Path) -> None:
    from stackatlas.analysis.signal_defs import load_signal_definitions

    latin = tmp_path / "latin.yaml"
    latin.write_bytes("signals:\n  - id: x\n    name: Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ValidationError, match=r"latin.yaml:3: not UTF-8"):
        load_signal_definitions(latin)
    deep = tmp_path / "deep.yaml"
    deep.write_text("signals: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"deep.yaml:1: invalid YAML: nested more"):
        load_signal_definitions(deep)
    laughs = tmp_path / "laughs.yaml"
    laughs.write_text("x: &x [1, 2]\nsignals: [*x, *x]\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="repeats a list or mapping"):
        load_signal_definitions(laughs)


def test_openai_burn_to_revenue_uses_revenue_never_arr() -> None:
    """Issue 10: the signal divided the 2025 burn by the year-end ARR (9 / 20 = 45%, 'ok')
    while `economics` has 2025 revenue 13 ((6 + 20) / 2, the ARR ramp): 9 / 13 = 69.2%."""
    from stackatlas.atlas import load_atlas

    (definition,) = [d for d in load_signal_definitions() if d.id == "openai-burn-to-revenue"]
    row = evaluate(load_atlas(), definitions=[definition]).iloc[0]
    assert row["value"] == pytest.approx(9 / 13)
    assert row["status"] == "watch"  # above the 0.5 watch line, below the 1.0 alert
    assert row["period"] == "2025"  # the 2026 burn (17) is a projection
    assert "estimated: mean of start and end ARR" in row["note"] and "not ARR" in row["note"]


def test_revenue_gap_uses_lab_revenue_not_arr(monkeypatch) -> None:
    # capex 100 -> 150 (+50%); the lab files ARR only (2 -> 6 -> 20): no revenue, unresolved
    atlas = money_atlas(
        companies=[company("a", 1), company("lab", None)],
        memberships=[],
        groups=[Group(id="g", name="g", members=["a"])],
        figures=[
            figure(f"lab-arr-{y}", "lab", "annualized_revenue", v, str(y))
            for y, v in ((2023, 2.0), (2024, 6.0), (2025, 20.0))
        ],
    )
    rows = capex_rows(
        pd.DataFrame(
            [("a", "capex", "2024", 100 * B), ("a", "capex", "2025", 150 * B)],
            columns=["company_id", "metric", "period", "value"],
        ).assign(evidence="reported"),
        {"g": ["a"]},
    )
    monkeypatch.setattr(SignalContext, "capex_rows", rows)
    reading = sig_mod.revenue_gap(SignalContext(atlas), "g", ["lab"])
    assert reading.value is None and reading.evidence == "unresolved"
