"""CLI rendering details of ``pools`` / ``audit`` that the library tests do not see."""

from __future__ import annotations

from tests.builders import company, figure, fundamentals_frame, money_atlas, use_frames

M = 1_000_000


def test_audit_status_filter_still_states_the_totals(monkeypatch) -> None:
    """Regression: with ``--status`` the title counted only the rows shown (offline without SEC
    data ``--status match`` printed "0 match, 0 differ, 0 not checkable")."""
    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    # Nvidia FY2026 10-K: revenue 215,938 $M -> the 215.9 claim matches, 230 differs
    frames = (
        fundamentals_frame([("revenue", 2026, "FY", "2025-01-27", "2026-01-25", 215_938 * M)]),
        fundamentals_frame([]),
    )
    atlas = money_atlas(
        companies=[company("nvidia", 1045810)],
        memberships=[],
        figures=[
            figure("rev", "nvidia", "revenue", 215.9, "FY2026"),
            figure("bad", "nvidia", "revenue", 230, "FY2026"),
            figure("ms", "nvidia", "market_share", 92, "2025", unit="percent"),
        ],
    )
    use_frames(monkeypatch, atlas, {"nvidia": frames})
    monkeypatch.setattr("stackatlas.atlas.load_atlas", lambda *a, **k: atlas)
    out = CliRunner().invoke(app, ["audit", "--status", "match"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "Claims audit: 1 match, 0 differ, 0 not checkable" in out.stdout
    assert "all figures: 1 match, 1 differ, 1 not checkable" in out.stdout


def test_pools_table_names_the_periods_it_does_not_show(monkeypatch) -> None:
    """The table shows the latest calendar year; the other computed periods are named (the
    help promises 'the last 4 years and TTM' by default), and the margin basis is stated."""
    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    b = 1_000_000_000
    frame = fundamentals_frame(
        [
            ("operating_income", 2024, "FY", "2024-01-01", "2024-12-31", 40 * b),
            ("operating_income", 2025, "FY", "2025-01-01", "2025-12-31", 60 * b),
        ]
    )
    atlas = money_atlas()
    use_frames(monkeypatch, atlas, {"chipco": frame, "cloudco": frame})
    monkeypatch.setattr("stackatlas.atlas.load_atlas", lambda *a, **k: atlas)
    out = CliRunner().invoke(app, ["pools"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "Profit pools by layer, CY2025" in out.stdout
    assert "like-for-like panel CY2024-CY2025" in out.stdout
    assert "also computed: CY2024 (choose with --year" in out.stdout
    assert "over the companies with both inputs" in out.stdout
    one = CliRunner().invoke(app, ["pools", "--year", "2024"], env={"COLUMNS": "200"})
    assert one.exit_code == 0 and "also computed" not in one.stdout


def test_pools_without_sec_data_says_why_instead_of_an_empty_table() -> None:
    """Regression: on a fresh install (no sync, no STACKATLAS_SEC_DIR) ``pools`` printed an
    empty table with a blank period. It now says why and which years the atlas alone covers,
    and that hint works; the JSON carries the same note and the web section shows it."""
    import json

    from typer.testing import CliRunner

    from stackatlas.atlas import load_atlas
    from stackatlas.cli.app import app
    from stackatlas.web.sections import pools_section

    out = CliRunner().invoke(app, ["pools"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "Profit pools by" not in out.stdout  # no empty table
    assert "No atlas company has SEC money metrics yet" in out.stdout
    assert "run `stackatlas sync`" in out.stdout
    # the shipped atlas has sourced money figures (e.g. Amazon's 2024 capex) for CY2024
    assert "choose one with --year (e.g. --year 2024)" in out.stdout
    assert "companies without data (not counted, never zero)" in out.stdout
    data = json.loads(CliRunner().invoke(app, ["pools", "--json"]).stdout)
    assert data["cells"] == [] and data["years"] == []
    assert data["note"].startswith("No atlas company has SEC money metrics yet")
    hint = CliRunner().invoke(app, ["pools", "--year", "2024"], env={"COLUMNS": "200"})
    assert hint.exit_code == 0, hint.output
    assert "Profit pools by layer, CY2024" in hint.stdout
    assert "No atlas company has SEC money metrics" not in hint.stdout
    assert data["note"] in pools_section(load_atlas()).notes
