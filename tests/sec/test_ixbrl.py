"""Inline-XBRL / XBRL-instance parsing: a hand-written fixture with exact values, bad input, and
the shared real filings (values checked by hand in the documents' ix:nonFraction elements)."""

from __future__ import annotations

from datetime import date

import pytest

from stackatlas.errors import ValidationError
from stackatlas.sec.ixbrl import IXBRL_SCHEMA, parse_ixbrl, parse_number

SEG = "us-gaap:StatementBusinessSegmentsAxis="
REV = "RevenueFromContractWithCustomerExcludingAssessedTax"


def _rows(table, concept, dims="", start=None, end=None):
    df = table.to_pandas()
    hit = df[(df["concept"] == concept) & (df["dimensions"] == dims)]
    if start is not None:
        hit = hit[hit["start"] == date.fromisoformat(start)]
    if end is not None:
        hit = hit[hit["end"] == date.fromisoformat(end)]
    return hit


def test_parse_number_formats() -> None:
    assert parse_number("1,234.5", "ixt:num-dot-decimal") == pytest.approx(1234.5)
    assert str(parse_number("1.234,5", "ixt:num-comma-decimal")) == "1234.5"
    assert parse_number("\u2014", "ixt:fixed-zero") == 0
    assert parse_number("three", "ixt-sec:numwordsen") == 3
    assert parse_number("No", "ixt-sec:numwordsen") == 0
    assert parse_number("twenty-five", "ixt-sec:numwordsen") == 25
    assert parse_number("one hundred and five", "ixt-sec:numwordsen") == 105
    assert parse_number("two thousand three hundred", "ixt-sec:numwordsen") == 2300
    with pytest.raises(ValueError, match="not understood"):
        parse_number("several", "ixt-sec:numwordsen")
    with pytest.raises(ValueError, match="unsupported"):
        parse_number("1/25", "ixt:date-month-day")
    with pytest.raises(ValueError, match="no digits"):
        parse_number("n/a", "ixt:num-dot-decimal")


def test_inline_fixture_exact_values(fixtures) -> None:
    table = parse_ixbrl(
        fixtures / "ixbrl" / "exco-10-k-2025-02-14.html",
        accession="0001234567-25-000001",
        filed="2025-02-14",
    )
    assert table.schema.equals(IXBRL_SCHEMA)
    df = table.to_pandas()
    assert set(df["cik"]) == {1234567} and set(df["form"]) == {"10-K"}
    assert set(df["accession"]) == {"0001234567-25-000001"}
    assert set(df["filed"]) == {date(2025, 2, 14)}
    # 1,234.5 at scale 6 = 1,234,500,000, shown three times (twice at scale 6, once as 1.2345
    # at scale 9 through an equivalent context): one row, the most precise decimals (-5) kept
    total = _rows(table, REV, start="2024-01-01", end="2024-12-31")
    assert len(total) == 1
    assert total.iloc[0]["value"] == 1_234_500_000.0 and total.iloc[0]["decimals"] == -5
    assert total.iloc[0]["taxonomy"] == "us-gaap" and total.iloc[0]["unit"] == "USD"
    cloud = _rows(table, REV, f"{SEG}exco:CloudSegmentMember", end="2024-12-31")
    assert cloud["value"].tolist() == [234_500_000.0]
    # sign="-" negates; two members are sorted by axis whatever their order in the document
    loss = _rows(
        table,
        "OperatingIncomeLoss",
        f"srt:ConsolidationItemsAxis=us-gaap:OperatingSegmentsMember;{SEG}exco:AdsSegmentMember",
    )
    assert loss["value"].tolist() == [-12_000_000.0]
    assert _rows(table, "PaymentsForRepurchaseOfCommonStock")["value"].tolist() == [0.0]
    cash = _rows(table, "CashAndCashEquivalentsAtCarryingValue")
    assert cash["start"].tolist() == [None] and cash["end"].tolist() == [date(2024, 12, 31)]
    assert cash["value"].tolist() == [500_000_000.0]
    eps = _rows(table, "EarningsPerShareBasic")
    assert eps["unit"].tolist() == ["USD/shares"] and eps["value"].tolist() == [1.23]
    segments = _rows(table, "NumberOfOperatingSegments")
    assert segments["value"].tolist() == [2.0] and segments["decimals"].isna().all()  # INF
    assert "OtherNonoperatingIncomeExpense" not in set(df["concept"])  # xsi:nil skipped
    assert len(df) == 14
    meta = table.schema.metadata
    assert meta[b"DocumentFiscalYearFocus"] == b"2024" and meta[b"DocumentType"] == b"10-K"


def test_default_accession_names_the_document(fixtures) -> None:
    table = parse_ixbrl(fixtures / "ixbrl" / "exco-10-k-2025-02-14.html")
    assert set(table.column("accession").to_pylist()) == {"doc:exco-20241231"}
    assert set(table.column("filed").to_pylist()) == {None}


def test_plain_instance_matches_inline(fixtures) -> None:
    table = parse_ixbrl(fixtures / "ixbrl" / "exco-20241231_htm.xml")
    df = table.to_pandas()
    assert len(df) == 4 and set(df["form"]) == {"10-K"}
    assert _rows(table, REV, end="2024-12-31")["value"].tolist() == [1_234_500_000.0]
    assert _rows(table, REV, f"{SEG}exco:CloudSegmentMember")["value"].tolist() == [234.5e6]
    assert _rows(table, "NetIncomeLoss")["value"].tolist() == [-45e6]
    assert _rows(table, "CashAndCashEquivalentsAtCarryingValue")["start"].tolist() == [None]


def test_bad_documents_name_file_and_line(fixtures, tmp_path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><p>unclosed</body></html>")
    with pytest.raises(ValidationError) as err:
        parse_ixbrl(broken)
    assert err.value.problems[0].file == "broken.html" and err.value.problems[0].line == 1
    text = (fixtures / "ixbrl" / "exco-10-k-2025-02-14.html").read_text()
    bad = text.replace('contextRef="c-q4"', 'contextRef="c-missing"').replace(
        ">500</ix:nonFraction>", ">n/a</ix:nonFraction>"
    )
    with pytest.raises(ValidationError) as err:
        parse_ixbrl(bad.encode())
    found = {(p.column, p.message) for p in err.value.problems}
    assert ("us-gaap:" + REV, "unknown contextRef 'c-missing'") in found
    assert any(c == "us-gaap:CashAndCashEquivalentsAtCarryingValue" for c, _ in found)
    assert all(p.line for p in err.value.problems)
    with pytest.raises(ValidationError, match="cannot read"):
        parse_ixbrl(tmp_path / "absent.html")


@pytest.mark.realdata
def test_real_nvidia_10k(shared_data) -> None:
    table = parse_ixbrl(shared_data / "sec" / "filings" / "nvda-10-k-2025-02-26.html")
    df = table.to_pandas()
    assert set(df["cik"]) == {1045810} and set(df["form"]) == {"10-K"}
    # FY2025 (2024-01-29..2025-01-26): Revenues 130,497 $M total; Data Center 115,186 $M
    # (ix:nonFraction f-1314, context c-240, srt:ProductOrServiceAxis=nvda:DataCenterMember)
    total = _rows(table, "Revenues", start="2024-01-29", end="2025-01-26")
    assert total["value"].tolist() == [130_497e6]
    dc = _rows(
        table, "Revenues", "srt:ProductOrServiceAxis=nvda:DataCenterMember", end="2025-01-26"
    )
    assert dc["value"].tolist() == [115_186e6] and dc["decimals"].tolist() == [-6]
    # identical facts are stored once
    key = ["concept", "unit", "start", "end", "dimensions", "value"]
    assert not df.duplicated(key).any()


@pytest.mark.realdata
def test_real_amazon_instance_and_inline(shared_data) -> None:
    xml = parse_ixbrl(shared_data / "sec" / "filings" / "amzn-20221231_htm.xml")
    # Amazon 2022 10-K instance: total net sales 513,983 $M; AWS segment 80,096 $M
    assert _rows(xml, REV, end="2022-12-31")["value"].tolist() == [513_983e6]
    aws = _rows(xml, REV, f"{SEG}amzn:AmazonWebServicesSegmentMember", end="2022-12-31")
    assert aws["value"].tolist() == [80_096e6]
    html = parse_ixbrl(shared_data / "sec" / "filings" / "amzn-10-k-2025-02-07.html")
    # the 2024 10-K repeats 2022 as a comparative: same value from both documents
    again = _rows(html, REV, f"{SEG}amzn:AmazonWebServicesSegmentMember", end="2022-12-31")
    assert again["value"].tolist() == [80_096e6]
    assert _rows(html, REV, end="2024-12-31")["value"].tolist() == [637_959e6]


_DOC = """<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL"
 xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:us-gaap="http://fasb.org/us-gaap/2024">
<body><ix:header><ix:resources>
<xbrli:context id="c"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">42</xbrli:identifier>
</xbrli:entity><xbrli:period><xbrli:startDate>2024-01-01</xbrli:startDate>
<xbrli:endDate>2024-12-31</xbrli:endDate></xbrli:period></xbrli:context>
<xbrli:unit id="usd"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>
</ix:resources></ix:header>{facts}</body></html>"""


def test_property_displayed_number_scale_and_sign() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.integers(0, 10**9), st.integers(0, 2), st.sampled_from([0, 3, 6]), st.booleans()
            ),
            min_size=1,
            max_size=6,
            unique_by=lambda t: t[0],
        )
    )
    def check(facts) -> None:
        # value shown with thousands separators and `places` decimals, e.g. 1,234.56
        body, expected = [], {}
        for i, (raw, places, scale, negative) in enumerate(facts):
            shown = f"{raw / 10**places:,.{places}f}"
            sign = ' sign="-"' if negative else ""
            body.append(
                f'<ix:nonFraction name="us-gaap:C{i}" contextRef="c" unitRef="usd" '
                f'decimals="0" scale="{scale}" format="ixt:num-dot-decimal"{sign}>'
                f"{shown}</ix:nonFraction>"
            )
            expected[f"C{i}"] = (-1 if negative else 1) * raw * 10**scale / 10**places
        table = parse_ixbrl(_DOC.format(facts="".join(body)).encode())
        got = dict(
            zip(table.column("concept").to_pylist(), table.column("value").to_pylist(), strict=True)
        )
        assert got == pytest.approx(expected, rel=1e-12)

    check()


def test_bad_period_dates_and_scales_are_located(fixtures) -> None:
    """Regression (issue 11, found by tests/hostile/test_fuzz.py): a period date broken by a
    line break raised ValueError from date.fromisoformat; a non-numeric scale raised too."""
    text = (fixtures / "ixbrl" / "exco-10-k-2025-02-14.html").read_text()
    broken = text.replace("<xbrli:endDate>2024-12-31<", "<xbrli:endDate>2024-\n12-3<", 1)
    with pytest.raises(ValidationError) as err:
        parse_ixbrl(broken.encode())
    assert all(p.line and "Invalid isoformat string" in p.message for p in err.value.problems)
    scaled = text.replace('scale="6"', 'scale="six"', 1)
    assert scaled != text
    with pytest.raises(ValidationError, match="invalid literal for int"):
        parse_ixbrl(scaled.encode())
    huge = text.replace('scale="6"', 'scale="400"', 1)
    with pytest.raises(ValidationError, match="is not a finite number"):
        parse_ixbrl(huge.encode())
