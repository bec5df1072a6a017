"""CLI rendering details of ``pools`` / ``audit`` that the library tests do not see."""

from __future__ import annotations

from money_atlas import company, figure, fundamentals_frame, mini_atlas

M = 1_000_000


def test_audit_status_filter_still_states_the_totals(monkeypatch) -> None:
    """Regression: with ``--status`` the title counted only the rows shown (offline without SEC
    data ``--status match`` printed "0 match, 0 differ, 0 not checkable")."""
    from typer.testing import CliRunner

    from stackatlas.analysis import metric_inputs
    from stackatlas.cli.app import app

    # Nvidia FY2026 10-K: revenue 215,938 $M -> the 215.9 claim matches, 230 differs
    frames = (fundamentals_frame([("revenue", 2026, "FY", "2025-01-27", "2026-01-25",
                                   215_938 * M)]), fundamentals_frame([]))
    atlas = mini_atlas(companies=[company("nvidia", 1045810)], memberships=[],
                       figures=[figure("rev", "nvidia", "revenue", 215.9, "FY2026"),
                                figure("bad", "nvidia", "revenue", 230, "FY2026"),
                                figure("ms", "nvidia", "market_share", 92, "2025",
                                       unit="percent")])
    monkeypatch.setattr(metric_inputs, "_company_frames", lambda cik, store: frames)
    monkeypatch.setattr("stackatlas.atlas.load_atlas", lambda *a, **k: atlas)
    out = CliRunner().invoke(app, ["audit", "--status", "match"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "Claims audit: 1 match, 0 differ, 0 not checkable" in out.stdout
    assert "all figures: 1 match, 1 differ, 1 not checkable" in out.stdout
