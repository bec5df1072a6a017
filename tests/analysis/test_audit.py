"""Claims audit: tolerance rules, hand-built frames, and the shared Nvidia / Alphabet files."""

from __future__ import annotations

import pytest

from stackatlas.analysis.audit import audit_claims, audit_figure, parse_period, tolerance
from stackatlas.atlas.models import Group
from tests.builders import (
    company,
    figure,
    frames_resolver,
    fundamentals_frame,
    money_atlas,
    use_frames,
)

M = 1e6


def _nvda_like():
    # Nvidia FY2026 10-K / 10-Qs ($M): revenue 215,938, gross profit 153,463;
    # Q4 = FY - Q1..Q3: revenue 68,127, gross profit 51,093 (74.997%). FY2025 revenue 130,497.
    annual = fundamentals_frame(
        [
            ("revenue", 2026, "FY", "2025-01-27", "2026-01-25", 215_938 * M),
            ("gross_profit", 2026, "FY", "2025-01-27", "2026-01-25", 153_463 * M),
            ("revenue", 2025, "FY", "2024-01-29", "2025-01-26", 130_497 * M),
        ]
    )
    quarterly = fundamentals_frame(
        [
            ("revenue", 2026, "Q4", "2025-10-27", "2026-01-25", 68_127 * M),
            ("gross_profit", 2026, "Q4", "2025-10-27", "2026-01-25", 51_093 * M),
        ]
    )
    return annual, quarterly


def test_parse_period_and_tolerance() -> None:
    assert parse_period("FY2026") == ("fiscal", 2026, "FY")
    assert parse_period("Q4 FY2026") == ("fiscal", 2026, "Q4")
    assert parse_period("2025") == ("calendar", 2025, "FY")
    assert parse_period("2026E") is None and parse_period("2023-2025") is None
    assert tolerance(figure("f", "x", "revenue", 215.9, "FY2026")) == pytest.approx(0.05)
    assert tolerance(figure("f", "x", "gross_margin", 75, "FY2026")) == pytest.approx(0.5)
    near = figure("f", "x", "gross_margin", 75, "FY2026").model_copy(
        update={"quote": "Nvidia's gross margin is near 75%."}
    )
    assert tolerance(near) == pytest.approx(1.0)


def test_revenue_claim_matches_within_rounding() -> None:
    row = audit_figure(figure("rev", "nvidia", "revenue", 215.9, "FY2026"), _nvda_like())
    assert row["status"] == "match" and row["computed"] == pytest.approx(215.938)
    assert row["evidence"] == "reported"
    off = audit_figure(figure("rev", "nvidia", "revenue", 216.5, "FY2026"), _nvda_like())
    assert off["status"] == "differs" and off["claimed"] == 216.5  # the claim is kept as is


def test_full_year_gross_margin_claim_differs_with_reason() -> None:
    row = audit_figure(
        figure("gm", "nvidia", "gross_margin", 75, "FY2026", unit="percent"), _nvda_like()
    )
    # 153,463 / 215,938 = 71.068%
    assert row["status"] == "differs"
    assert row["computed"] == pytest.approx(71.068, abs=1e-3)
    assert row["evidence"] == "derived"
    assert "Q4 FY2026" in row["reason"]  # 51,093 / 68,127 = 74.997% matches the quarter
    quarter = audit_figure(
        figure("gm", "nvidia", "gross_margin", 75, "Q4 FY2026", unit="percent"), _nvda_like()
    )
    assert quarter["status"] == "match"
    growth = audit_figure(
        figure("g", "nvidia", "revenue_growth_yoy", 65, "FY2026", unit="percent"), _nvda_like()
    )
    assert growth["computed"] == pytest.approx((215_938 / 130_497 - 1) * 100)  # 65.47%
    assert growth["status"] == "match"


def test_not_checkable_reasons() -> None:
    seg = audit_figure(
        figure("dc", "nvidia", "data_center_revenue_share", 91, "Q4 FY2026", unit="percent"),
        _nvda_like(),
    )
    assert seg["status"] == "not checkable" and "segment" in seg["reason"]
    assert seg["computed"] is None
    none = audit_figure(figure("r", "openai", "revenue", 13, "2025"), None, "no CIK")
    assert none["status"] == "not checkable" and none["reason"] == "no CIK"
    future = audit_figure(
        figure("r", "nvidia", "revenue", 300, "FY2027", kind="projection"), _nvda_like()
    )
    assert future["status"] == "not checkable" and "projection" in future["reason"]


@pytest.mark.realdata
def test_audit_on_shared_sec_files(shared_data, monkeypatch) -> None:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    atlas = money_atlas(
        companies=[
            company("nvidia", 1045810),
            company("alphabet", 1652044),
            company("amazon", 1018724),
            company("openai", None),
        ],
        memberships=[],
        groups=[Group(id="big", name="b", members=["alphabet", "amazon"])],
        figures=[
            figure("nvda-rev", "nvidia", "revenue", 215.9, "FY2026", kind="actual"),
            figure("nvda-gm-fy", "nvidia", "gross_margin", 75, "FY2026", unit="percent"),
            figure(
                "nvda-dc", "nvidia", "data_center_revenue_share", 91, "Q4 FY2026", unit="percent"
            ),
            figure("goog-capex", "alphabet", "capex", 91_447, "2025", unit="usd_million"),
            figure("amzn-rev", "amazon", "revenue", 637_959, "FY2024", unit="usd_million"),
            figure("grp", "big", "capex_to_ocf", 65, "2025", unit="percent", subject_type="group"),
            figure("openai-burn", "openai", "cash_burn", 9, "2025"),
        ],
    )
    report = audit_claims(atlas)
    rows = report.rows.set_index("figure")
    assert rows.loc["nvda-rev", "status"] == "match"
    assert rows.loc["nvda-rev", "computed"] == pytest.approx(215.938)
    assert rows.loc["nvda-gm-fy", "status"] == "differs"
    assert rows.loc["nvda-gm-fy", "computed"] == pytest.approx(153_463 / 215_938 * 100)
    assert "Q4 FY2026" in rows.loc["nvda-gm-fy", "reason"]
    assert rows.loc["nvda-dc", "status"] == "not checkable"
    assert rows.loc["goog-capex", "status"] == "match"  # calendar 2025 = Alphabet FY2025
    # no Amazon companyfacts are shared: the claim is checked against the 10-K document
    # itself (amzn-10-k-2025-02-07.html: total net sales 2024 = 637,959 $M)
    assert rows.loc["amzn-rev", "status"] == "match"
    assert rows.loc["amzn-rev", "computed"] == pytest.approx(637_959)
    assert "inline-XBRL filing at hand" in rows.loc["amzn-rev", "basis"]
    # the group needs Amazon's calendar 2025, which no shared filing covers yet
    assert "no CY2025 values" in rows.loc["grp", "reason"]
    assert "amazon" in rows.loc["grp", "reason"]
    assert rows.loc["openai-burn", "status"] == "not checkable"
    assert report.counts() == {"match": 3, "differs": 1, "not checkable": 3}
    assert report.to_dict()["figures"][0]["claimed"] == pytest.approx(215.9)


def test_cli_audit_json_and_status_filter(monkeypatch) -> None:
    import json

    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    atlas = money_atlas(
        companies=[company("nvidia", 1045810)],
        memberships=[],
        figures=[
            figure("rev", "nvidia", "revenue", 215.9, "FY2026"),
            figure("gm", "nvidia", "gross_margin", 75, "FY2026", unit="percent"),
        ],
    )
    use_frames(monkeypatch, atlas, {"nvidia": _nvda_like()})
    monkeypatch.setattr("stackatlas.atlas.load_atlas", lambda *a, **k: atlas)
    runner = CliRunner()
    out = runner.invoke(app, ["audit", "--json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["counts"] == {"match": 1, "differs": 1}
    only = runner.invoke(app, ["audit", "--status", "differs", "--json"])
    assert [f["figure"] for f in json.loads(only.stdout)["figures"]] == ["gm"]
    assert runner.invoke(app, ["audit", "--status", "maybe"]).exit_code == 2


def test_group_claim_recomputed_from_all_members() -> None:
    frames = {  # Alphabet and Meta 2025 10-Ks ($M): capex and operating cash flow
        "alphabet": fundamentals_frame(
            [
                ("capex", 2025, "FY", "2025-01-01", "2025-12-31", 91_447 * M),
                ("operating_cash_flow", 2025, "FY", "2025-01-01", "2025-12-31", 164_713 * M),
            ]
        ),
        "meta": fundamentals_frame(
            [
                ("capex", 2025, "FY", "2025-01-01", "2025-12-31", 69_691 * M),
                ("operating_cash_flow", 2025, "FY", "2025-01-01", "2025-12-31", 115_800 * M),
            ]
        ),
    }
    atlas = money_atlas(
        companies=[company("alphabet", 1652044), company("meta", 1326801)],
        memberships=[],
        groups=[Group(id="pair", name="p", members=["alphabet", "meta"])],
        figures=[
            figure(
                "close", "pair", "capex_to_ocf", 57, "2025", unit="percent", subject_type="group"
            ),
            figure(
                "high", "pair", "capex_to_ocf", 65, "2025", unit="percent", subject_type="group"
            ),
            figure("capex", "pair", "capex", 161.1, "2025", subject_type="group"),
        ],
    )
    rows = audit_claims(atlas, resolver=frames_resolver(atlas, frames)).rows.set_index("figure")
    # (91,447 + 69,691) / (164,713 + 115,800) = 161,138 / 280,513 = 57.44%
    assert rows.loc["close", "computed"] == pytest.approx(161_138 / 280_513 * 100)
    assert rows.loc["close", "status"] == "match"
    assert rows.loc["high", "status"] == "differs"
    assert "57.44" in rows.loc["high", "reason"] and "members" in rows.loc["high", "reason"]
    assert rows.loc["capex", "status"] == "match"  # 161.138 within ±0.05 of 161.1


def _segment_rows():
    """NVIDIA-like segment rows in the store's shape ($M): FY2025 Data Center 115,186 of
    130,497 (10-K); Q2 FY2026 41,096 of 46,743 and Q2 FY2025 26,272 of 30,040 (10-Q)."""
    from datetime import date

    import pyarrow as pa

    from stackatlas.sec.segments import SEGMENT_SCHEMA

    def row(fy, fp, start, end, months, value, total, acc):
        return {
            "cik": 1045810,
            "accession": acc,
            "form": "10-K" if fp == "FY" else "10-Q",
            "filed": None,
            "metric": "revenue",
            "concept": "Revenues",
            "axis": "product",
            "member": "nvda:DataCenterMember",
            "label": "Data Center",
            "fiscal_year": fy,
            "fiscal_period": fp,
            "start": date.fromisoformat(start),
            "end": date.fromisoformat(end),
            "months": months,
            "value": value * M,
            "total": total * M,
            "share": value / total,
            "decimals": -6,
        }

    rows = [
        row(2025, "FY", "2024-01-29", "2025-01-26", 12, 115_186, 130_497, "a-10k"),
        row(2026, "Q2", "2025-04-28", "2025-07-27", 3, 41_096, 46_743, "a-10q"),
        row(2025, "Q2", "2024-04-29", "2024-07-28", 3, 26_272, 30_040, "a-10q"),
    ]
    return pa.Table.from_pylist(rows, schema=SEGMENT_SCHEMA)


def test_segment_claims_from_store(tmp_path) -> None:
    from stackatlas.sec.segments import TABLE
    from stackatlas.store import Store

    atlas = money_atlas(
        companies=[company("nvidia", 1045810), company("amazon", 1018724)],
        memberships=[],
        figures=[
            figure("share", "nvidia", "data_center_revenue_share", 88.27, "FY2025", unit="percent"),
            figure("rev", "nvidia", "data_center_revenue", 41_096, "Q2 FY2026", unit="usd_million"),
            figure(
                "growth",
                "nvidia",
                "data_center_revenue_growth_yoy",
                56,
                "Q2 FY2026",
                unit="percent",
            ),
            figure("q4", "nvidia", "data_center_revenue_share", 91, "Q4 FY2026", unit="percent"),
            figure(
                "wrong-period",
                "nvidia",
                "data_center_revenue_share",
                87.9,
                "FY2025",
                unit="percent",
            ),
            figure("aws", "amazon", "cloud_revenue", 107_556, "FY2024", unit="usd_million"),
        ],
    )
    with Store(tmp_path / "s.duckdb") as store:
        store.replace_rows(TABLE, _segment_rows())
        rows = audit_claims(atlas, store=store).rows.set_index("figure")
    # 115,186 / 130,497 = 88.267 %, within ±0.005 of 88.27
    assert rows.loc["share", "status"] == "match"
    assert rows.loc["share", "computed"] == pytest.approx(88.2672, abs=1e-4)
    assert rows.loc["share", "evidence"] == "derived" and "a-10k" in rows.loc["share", "basis"]
    assert rows.loc["rev", "status"] == "match" and rows.loc["rev", "evidence"] == "reported"
    # 41,096 / 26,272 - 1 = 56.425 %: within ±0.5 of the claimed 56
    assert rows.loc["growth", "computed"] == pytest.approx(56.4251, abs=1e-4)
    assert rows.loc["growth", "status"] == "match"
    assert rows.loc["q4", "status"] == "not checkable"
    assert "Q4 FY2026" in rows.loc["q4", "reason"] and "FY2025" in rows.loc["q4", "reason"]
    # 87.9 % is the Q2 FY2026 share (41,096 / 46,743 = 87.92 %), not the full year's
    assert rows.loc["wrong-period", "status"] == "differs"
    assert "Q2 FY2026" in rows.loc["wrong-period", "reason"]
    assert rows.loc["aws", "status"] == "not checkable"  # no Amazon rows in this store
    assert "segment" in rows.loc["aws", "reason"]


@pytest.mark.realdata
def test_segment_claims_from_shared_filings(shared_data, monkeypatch) -> None:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    atlas = money_atlas(
        companies=[
            company("nvidia", 1045810),
            company("alphabet", 1652044),
            company("amazon", 1018724),
            company("openai", None),
        ],
        memberships=[],
        figures=[
            figure(
                "dc-share", "nvidia", "data_center_revenue_share", 91, "Q4 FY2026", unit="percent"
            ),
            figure("dc-q4", "nvidia", "data_center_revenue", 62.3, "Q4 FY2026"),
            figure(
                "dc-fy25", "nvidia", "data_center_revenue_share", 88.27, "FY2025", unit="percent"
            ),
            figure(
                "dc-fy25-91", "nvidia", "data_center_revenue_share", 91, "FY2025", unit="percent"
            ),
            figure("gcloud", "alphabet", "cloud_revenue", 43_229, "FY2024", unit="usd_million"),
            figure("aws", "amazon", "cloud_revenue", 107.6, "2024"),
            figure(
                "aws-oi", "amazon", "cloud_operating_income", 39_834, "FY2024", unit="usd_million"
            ),
            figure("lab", "openai", "cloud_revenue", 1, "2025"),
        ],
    )
    rows = audit_claims(atlas).rows.set_index("figure")
    # the shared filings end at Q2 FY2026 (10-Q) and FY2025 (10-K): Q4 FY2026 is not covered
    for fid in ("dc-share", "dc-q4"):
        assert rows.loc[fid, "status"] == "not checkable"
        assert "Q4 FY2026" in rows.loc[fid, "reason"] and "Q2 FY2026" in rows.loc[fid, "reason"]
    # NVIDIA 10-K FY2025: Data Center 115,186 / 130,497 = 88.27 %; 91 % differs from it
    assert rows.loc["dc-fy25", "status"] == "match"
    assert rows.loc["dc-fy25-91", "status"] == "differs"
    assert rows.loc["dc-fy25-91", "computed"] == pytest.approx(88.267, abs=1e-3)
    # this mini atlas has no filing source for the document, so it is named by its title
    assert "doc:nvda-20250126" in rows.loc["dc-fy25", "basis"]
    assert rows.loc["gcloud", "status"] == "match"  # Google Cloud 43,229 $M
    assert rows.loc["aws", "status"] == "match"  # calendar 2024: AWS 107,556 $M = 107.6 $B
    assert rows.loc["aws-oi", "computed"] == pytest.approx(39_834)
    assert rows.loc["lab", "reason"] == "not an SEC filer (no CIK)"


@pytest.mark.realdata
def test_membership_weights_checked_against_filings(shared_data, monkeypatch) -> None:
    from datetime import date

    from stackatlas.atlas.models import Membership

    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))

    def member(cid, seg, weight, as_of, basis="actual"):
        return Membership(
            company=cid,
            segment=seg,
            weight=weight,
            as_of=date.fromisoformat(as_of),
            source="src",
            basis=basis,
        )

    atlas = money_atlas(
        companies=[
            company("nvidia", 1045810),
            company("amazon", 1018724),
            company("alphabet", 1652044),
        ],
        memberships=[
            member("amazon", "hyperscalers", 0.1686, "2024-12-31"),
            member("amazon", "consumer-platforms", 0.8314, "2024-12-31"),
            member("alphabet", "hyperscalers", 0.13, "2024-12-31"),
            member("nvidia", "design-gpu", 0.91, "2026-01-25"),
            member("nvidia", "design-gpu", 0.5, "2025-01-26", basis="estimate"),
        ],
    )
    rows = audit_claims(atlas).rows.set_index("figure")
    # Amazon 2024 10-K: AWS 107,556 / 637,959 = 16.859 %; (387,497 + 142,906) / 637,959 = 83.141 %
    assert rows.loc["membership:amazon/hyperscalers", "status"] == "match"
    assert rows.loc["membership:amazon/hyperscalers", "computed"] == pytest.approx(
        16.8594, abs=1e-4
    )
    assert rows.loc["membership:amazon/consumer-platforms", "status"] == "match"
    # Google Cloud 43,229 / 350,018 = 12.35 %, not 13 %
    assert rows.loc["membership:alphabet/hyperscalers", "status"] == "differs"
    assert rows.loc["membership:alphabet/hyperscalers", "computed"] == pytest.approx(
        12.3505, abs=1e-4
    )
    nvda = rows.loc["membership:nvidia/design-gpu"]
    assert nvda["status"] == "not checkable" and "2026-01-25" in nvda["reason"]
    assert len(rows) == 4  # the estimated weight is not audited


@pytest.mark.realdata
def test_an_unreadable_facts_file_marks_its_figures_not_checkable(
    shared_data, tmp_path, monkeypatch
) -> None:
    """Regression: one truncated companyfacts file in STACKATLAS_SEC_DIR made the whole audit
    fail; now that company's figures (and groups needing it) are "not checkable" with the
    reason, and every other company is still audited."""
    facts = tmp_path / "sec" / "companyfacts"
    facts.mkdir(parents=True)
    (facts / "CIK0001045810.json").write_bytes(  # NVIDIA's file cut off after 5,000 bytes
        (shared_data / "sec/companyfacts/CIK0001045810.json").read_bytes()[:5000]
    )
    (facts / "CIK0001652044.json").symlink_to(shared_data / "sec/companyfacts/CIK0001652044.json")
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(tmp_path / "sec"))
    atlas = money_atlas(
        companies=[company("nvidia", 1045810), company("alphabet", 1652044)],
        memberships=[],
        groups=[Group(id="pair", name="p", members=["alphabet", "nvidia"])],
        figures=[
            figure("nvda-rev", "nvidia", "revenue", 215.9, "FY2026"),
            figure("goog-capex", "alphabet", "capex", 91_447, "2025", unit="usd_million"),
            figure("pair-capex", "pair", "capex", 100, "2025", subject_type="group"),
        ],
    )
    report = audit_claims(atlas)
    rows = report.rows.set_index("figure")
    assert rows.loc["goog-capex", "status"] == "match"  # Alphabet 2025 10-K: 91,447 $M
    for fid in ("nvda-rev", "pair-capex"):
        assert rows.loc[fid, "status"] == "not checkable"
        assert "unreadable SEC facts" in rows.loc[fid, "reason"]
        assert "CIK0001045810.json" in rows.loc[fid, "reason"]
    assert report.not_covered["nvidia"].startswith("unreadable SEC facts")


def test_year_claims_print_as_years(monkeypatch) -> None:
    """Regression: a year range claim printed as "2,029.5 year"; now as stated: 2029-2030."""
    from rich.console import Console

    atlas = money_atlas(
        companies=[company("labco", None)],
        memberships=[],
        figures=[
            figure(
                "cf",
                "labco",
                "first_positive_cash_flow_year",
                2029.5,
                "2029-2030",
                unit="year",
                low=2029,
                high=2030,
            ),
            figure("one", "labco", "first_positive_cash_flow_year", 2030, "2030", unit="year"),
        ],
    )
    report = audit_claims(atlas)
    console = Console(width=200, record=True)
    console.print(report)
    text = console.export_text()
    assert "2029-2030" in text.split("cf", 1)[1].split("\n")[0]  # the claimed column
    assert "2,029" not in text and "2,030" not in text and "2030 " in text
    assert report.to_dict()["figures"][0]["low"] == 2029


@pytest.mark.realdata
def test_unreadable_filings_are_named_in_segment_reasons(
    shared_data, tmp_path, monkeypatch
) -> None:
    """A filing that cannot be parsed is left out of the segment audit, and the "not checkable"
    reason names it (the period it would have covered is otherwise silently missing)."""
    filings = tmp_path / "sec" / "filings"
    filings.mkdir(parents=True)
    (filings / "nvda-10-k-2025-02-26.html").symlink_to(
        shared_data / "sec/filings/nvda-10-k-2025-02-26.html"
    )
    (filings / "nvda-10-q-2025-08-27.html").write_bytes(  # the 10-Q cut off mid-document
        (shared_data / "sec/filings/nvda-10-q-2025-08-27.html").read_bytes()[:20000]
    )
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(tmp_path / "sec"))
    atlas = money_atlas(
        companies=[company("nvidia", 1045810)],
        memberships=[],
        figures=[
            figure(
                "dc-q2", "nvidia", "data_center_revenue", 41_096, "Q2 FY2026", unit="usd_million"
            ),
            figure(
                "dc-fy25", "nvidia", "data_center_revenue_share", 88.27, "FY2025", unit="percent"
            ),
        ],
    )
    rows = audit_claims(atlas).rows.set_index("figure")
    assert rows.loc["dc-fy25", "status"] == "match"  # 10-K FY2025: 115,186 / 130,497
    assert rows.loc["dc-q2", "status"] == "not checkable"
    assert "unreadable filing(s) left out: nvda-10-q-2025-08-27.html" in rows.loc["dc-q2", "reason"]


def test_status_filter_keeps_the_totals() -> None:
    import pandas as pd

    from stackatlas.analysis.audit import AuditReport
    from stackatlas.errors import ValidationError

    rows = pd.DataFrame({"figure": ["a", "b", "c"], "status": ["match", "differs", "match"]})
    report = AuditReport(rows)
    only = report.only("match")
    assert list(only.rows["figure"]) == ["a", "c"] and only.status == "match"
    assert only.counts() == {"match": 2} and only.totals == {"match": 2, "differs": 1}
    assert report.only(None) is report
    assert report.only("not-checkable").rows.empty
    with pytest.raises(ValidationError, match="must be match, differs or not-checkable"):
        audit_claims(money_atlas(companies=[], memberships=[], figures=[]), status="maybe")
