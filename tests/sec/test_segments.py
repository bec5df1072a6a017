"""Segment revenue with shares: the hand-written fixture, the store table, and the shared real
filings (segment values checked by hand in each document's ix:nonFraction elements)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from stackatlas.errors import ValidationError
from stackatlas.sec.ixbrl import parse_ixbrl
from stackatlas.sec.segments import (
    SEGMENT_SCHEMA,
    TABLE,
    company_segments,
    filed_from_name,
    filing_segments,
    ingest_filing,
    load_segments,
    member_label,
    segment_revenue,
    segments_by_cik,
    segments_from_dir,
)
from stackatlas.store import Store


def _one(
    frame: pd.DataFrame, member: str, end: str, months: int = 12, metric: str = "revenue"
) -> pd.Series:
    hit = frame[
        (frame["member"] == member)
        & (frame["end"] == date.fromisoformat(end))
        & (frame["months"] == months)
        & (frame["metric"] == metric)
    ]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_member_labels() -> None:
    assert member_label("nvda:DataCenterMember") == "Data Center"
    assert member_label("amzn:AmazonWebServicesSegmentMember") == "Amazon Web Services"
    assert member_label("nvda:OEMAndOtherMember") == "OEM And Other"
    assert filed_from_name("nvda-10-k-2025-02-26.html") == "2025-02-26"
    assert filed_from_name("amzn-20221231_htm.xml") is None


def test_fixture_segments_and_shares(fixtures) -> None:
    rows = segment_revenue(parse_ixbrl(fixtures / "ixbrl" / "exco-10-k-2025-02-14.html"))
    assert list(rows.columns) == SEGMENT_SCHEMA.names
    total = _one(rows, "", "2024-12-31")
    assert total["axis"] == "total" and total["value"] == 1_234_500_000.0
    assert total["fiscal_year"] == 2024 and total["fiscal_period"] == "FY"
    cloud = _one(rows, "exco:CloudSegmentMember", "2024-12-31")
    assert cloud["axis"] == "segment" and cloud["label"] == "Cloud"
    assert cloud["share"] == pytest.approx(234.5 / 1234.5)  # 18.9955 %
    ads = _one(rows, "exco:AdsSegmentMember", "2024-12-31")
    assert ads["share"] == pytest.approx(1000 / 1234.5)
    # a product-axis member reported under us-gaap:Revenues still gets the total's share
    dc = _one(rows, "exco:DataCenterMember", "2024-12-31")
    assert dc["axis"] == "product" and dc["concept"] == "Revenues"
    assert dc["share"] == pytest.approx(200 / 1234.5)
    prior = _one(rows, "exco:CloudSegmentMember", "2023-12-31")
    assert prior["fiscal_year"] == 2023 and prior["share"] == pytest.approx(0.15)
    assert _one(rows, "", "2024-12-31", months=3)["fiscal_period"] == "Q4"
    assert "exco:VideoMember" not in set(rows["member"])  # segment x product: left out
    income = segment_revenue(
        parse_ixbrl(fixtures / "ixbrl" / "exco-10-k-2025-02-14.html"), metric="operating_income"
    )
    loss = _one(income, "exco:AdsSegmentMember", "2024-12-31", metric="operating_income")
    assert loss["value"] == -12e6 and loss["share"] == pytest.approx(-12 / 300)


def test_ingest_replaces_one_accession(fixtures, tmp_path) -> None:
    path = fixtures / "ixbrl" / "exco-10-k-2025-02-14.html"
    with Store(tmp_path / "s.duckdb") as store:
        assert load_segments(store) is None
        n = ingest_filing(store, path, accession="0001234567-25-000001")
        assert n == 9  # 7 revenue rows + 2 operating-income rows
        other = ingest_filing(store, fixtures / "ixbrl" / "exco-20241231_htm.xml")
        assert other == 2
        again = ingest_filing(store, path, accession="0001234567-25-000001")
        stored = load_segments(store, 1234567)
        assert again == n and len(stored) == n + other
        assert set(stored["filed"].dropna()) == {date(2025, 2, 14)}  # from the file name
        # a document that fails to parse changes nothing
        bad = tmp_path / "exco-10-k-2025-02-14.html"
        bad.write_text(path.read_text().replace('contextRef="c-q4"', 'contextRef="nope"'))
        with pytest.raises(ValidationError):
            ingest_filing(store, bad, accession="0001234567-25-000001")
        assert store.query(f"SELECT count(*) AS n FROM {TABLE}")["n"][0] == n + other


def test_segments_by_cik_store_before_folder(fixtures, tmp_path, monkeypatch) -> None:
    """One pass for every company gives what ``company_segments`` gives one at a time: the
    store's rows for a CIK it holds, else the filings folder's."""
    filings = tmp_path / "sec" / "filings"
    filings.mkdir(parents=True)
    (filings / "exco-20241231_htm.xml").write_bytes(
        (fixtures / "ixbrl" / "exco-20241231_htm.xml").read_bytes()
    )
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(tmp_path / "sec"))
    assert set(segments_by_cik(None)) == {1234567}
    assert len(segments_by_cik(None)[1234567]) == 2  # the folder's document
    with Store(tmp_path / "s.duckdb") as store:
        ingest_filing(store, fixtures / "ixbrl" / "exco-10-k-2025-02-14.html")
        rows = segments_by_cik(store)[1234567]
        assert len(rows) == 9 and list(rows.index) == list(range(9))  # the store's rows win
        pd.testing.assert_frame_equal(rows, company_segments(1234567, store))


def test_segments_from_dir(fixtures, tmp_path) -> None:
    rows = segments_from_dir(fixtures / "ixbrl")
    assert set(rows["accession"]) == {"doc:exco-20241231", "doc:exco-20241231_htm.xml"}
    assert segments_from_dir(fixtures / "missing").empty
    # an unreadable document is left out and named; the readable ones still count
    (tmp_path / "good.xml").write_bytes((fixtures / "ixbrl" / "exco-20241231_htm.xml").read_bytes())
    (tmp_path / "bad.html").write_text("<html><body>")
    (tmp_path / "notes.txt").write_text("not a filing")
    mixed = segments_from_dir(tmp_path)
    assert set(mixed["accession"]) == {"doc:good.xml"} and len(mixed) == 2
    assert len(mixed.attrs["skipped"]) == 1 and mixed.attrs["skipped"][0].startswith("bad.html")


@pytest.mark.realdata
def test_real_nvidia_data_center_share(shared_data) -> None:
    from stackatlas.atlas import load_atlas

    rows = filing_segments(
        shared_data / "sec" / "filings" / "nvda-10-k-2025-02-26.html", atlas=load_atlas()
    )
    # FY2025 10-K: Data Center 115,186 of 130,497 $M = 88.27 % (atlas nvda-fy2025-dc-share-10k)
    dc = _one(rows, "nvda:DataCenterMember", "2025-01-26")
    assert dc["value"] == 115_186e6 and dc["total"] == 130_497e6
    assert dc["share"] == pytest.approx(0.88267, abs=1e-5)
    assert dc["fiscal_year"] == 2025 and dc["fiscal_period"] == "FY"
    assert dc["accession"] == "0001045810-25-000023"  # atlas source nvda-10k-fy2025
    assert dc["filed"] == date(2025, 2, 26)
    # segments: Compute & Networking 116,193 + Graphics 14,304 = 130,497
    seg = rows[
        (rows["axis"] == "segment")
        & (rows["end"] == date(2025, 1, 26))
        & (rows["metric"] == "revenue")
    ]
    assert seg["value"].sum() == 130_497e6 and len(seg) == 2


@pytest.mark.realdata
def test_real_nvidia_10q_quarter_labels(shared_data) -> None:
    rows = filing_segments(shared_data / "sec" / "filings" / "nvda-10-q-2025-08-27.html")
    # quarter ended 2025-07-27 is Q2 FY2026: Data Center 41,096 of 46,743 $M (87.92 %)
    q2 = _one(rows, "nvda:DataCenterMember", "2025-07-27", months=3)
    assert (q2["fiscal_year"], q2["fiscal_period"]) == (2026, "Q2")
    assert q2["value"] == 41_096e6 and q2["share"] == pytest.approx(41_096 / 46_743)
    prior = _one(rows, "nvda:DataCenterMember", "2024-07-28", months=3)
    assert (prior["fiscal_year"], prior["fiscal_period"]) == (2025, "Q2")
    assert prior["value"] == 26_272e6
    ytd = _one(rows, "nvda:DataCenterMember", "2025-07-27", months=6)
    assert ytd["fiscal_period"] == "6M" and ytd["value"] == 80_208e6


@pytest.mark.realdata
def test_real_cloud_segments(shared_data) -> None:
    folder = shared_data / "sec" / "filings"
    googl = filing_segments(folder / "googl-10-k-2025-02-05.html")
    cloud = _one(googl, "goog:GoogleCloudMember", "2024-12-31")
    assert cloud["value"] == 43_229e6 and cloud["total"] == 350_018e6  # 12.35 %
    amzn = filing_segments(folder / "amzn-10-k-2025-02-07.html")
    aws = _one(amzn, "amzn:AmazonWebServicesSegmentMember", "2024-12-31")
    assert aws["value"] == 107_556e6 and aws["total"] == 637_959e6
    assert aws["share"] == pytest.approx(0.1686, abs=5e-5)  # atlas membership weight
    aws_oi = _one(
        amzn, "amzn:AmazonWebServicesSegmentMember", "2024-12-31", metric="operating_income"
    )
    assert aws_oi["value"] == 39_834e6 and aws_oi["total"] == 68_593e6
    meta = filing_segments(folder / "meta-10-k-2025-01-30.html")
    assert _one(meta, "meta:RealityLabsMember", "2024-12-31")["value"] == 2_146e6
    crm = filing_segments(folder / "crm-10-k-2025-03-05.html")  # FY2025 ends 2025-01-31
    total = _one(crm, "", "2025-01-31")
    assert total["value"] == 37_895e6 and total["fiscal_year"] == 2025


def _cli():
    import typer

    from stackatlas.cli.segments_cmds import register

    app = typer.Typer()
    register(app)
    app.callback()(lambda: None)  # keep "segments" as a named sub-command
    return app


def test_cli_segments_json_and_store(fixtures) -> None:
    import json

    from typer.testing import CliRunner

    from stackatlas.sec.segment_view import COLUMNS as SEGMENTS_JSON_KEYS

    runner = CliRunner()
    path = fixtures / "ixbrl" / "exco-10-k-2025-02-14.html"
    out = runner.invoke(_cli(), ["segments", str(path), "--json", "--store"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["cik"] == 1234567 and body["filed"] == "2025-02-14"
    assert body["accession"] == "doc:exco-20241231" and body["form"] == "10-K"
    # latest period end only (2024-12-31): FY total, Ads, Cloud, Data Center and the Q4 total
    assert all(set(r) == set(SEGMENTS_JSON_KEYS) for r in body["rows"])
    cloud = [r for r in body["rows"] if r["member"] == "exco:CloudSegmentMember"]
    assert cloud == [{**cloud[0], "value": 234.5e6, "share": pytest.approx(234.5 / 1234.5)}]
    assert {r["end"] for r in body["rows"]} == {"2024-12-31"} and len(body["rows"]) == 5
    every = json.loads(
        runner.invoke(
            _cli(), ["segments", str(path), "--json", "--all-periods", "--metric", "all"]
        ).stdout
    )
    assert len(every["rows"]) == 9
    with Store(read_only=True) as store:  # --store wrote the isolated home's store
        assert len(load_segments(store, 1234567)) == 9
    text = runner.invoke(_cli(), ["segments", str(path)])
    assert text.exit_code == 0 and "Cloud" in text.stdout and "19.0%" in text.stdout
    bad = runner.invoke(_cli(), ["segments", str(path), "--metric", "ebitda"])
    assert bad.exit_code == 2 and "ebitda" in bad.output and "Traceback" not in bad.output
    missing = runner.invoke(_cli(), ["segments", str(fixtures / "nope.html")])
    assert missing.exit_code == 2 and "nope.html" in missing.output


@pytest.mark.realdata
def test_company_facts_from_filings_shape_and_cache(shared_data) -> None:
    from stackatlas.sec.filings import company_facts_from_filings, read_document

    folder = shared_data / "sec" / "filings"
    facts, skipped = company_facts_from_filings(folder, 1108524)  # Salesforce
    assert skipped == []
    assert set(facts["fy"]) == {2025} and set(facts["fp"]) == {"FY"}
    assert (facts["cik"] == 1108524).all()
    revenue = facts[
        (facts["concept"] == "RevenueFromContractWithCustomerExcludingAssessedTax")
        & (facts["end"].astype(str) == "2025-01-31")
        & (facts["start"].astype(str) == "2024-02-01")
    ]
    assert revenue["value"].tolist() == [37_895e6]  # no dimensional (segment) rows kept
    path = folder / "crm-10-k-2025-03-05.html"
    assert read_document(path) is read_document(path)  # parsed once per file version
