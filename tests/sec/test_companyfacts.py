"""companyfacts parsing: exact rows from a hand-written fixture, malformed documents, real files
checked against an independent row-by-row reference parser, and a property test."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import orjson
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackatlas.errors import ValidationError
from stackatlas.sec.companyfacts import (
    FACTS_SCHEMA,
    facts_cik,
    parse_companyfacts,
    read_companyfacts,
)


def reference_rows(doc: dict) -> list[dict]:
    """Naive per-fact reference normalizer (deliberately the slow obvious way)."""
    rows = []

    def day(value):
        return dt.date.fromisoformat(value) if value else None

    for taxonomy, concepts in (doc.get("facts") or {}).items():
        for concept, body in concepts.items():
            for unit, facts in body["units"].items():
                for f in facts:
                    rows.append(
                        {
                            "cik": int(doc["cik"]),
                            "taxonomy": taxonomy,
                            "concept": concept,
                            "unit": unit,
                            "start": day(f.get("start")),
                            "end": day(f["end"]),
                            "value": float(f["val"]),
                            "accession": f["accn"],
                            "fy": f.get("fy"),
                            "fp": f.get("fp"),
                            "form": f["form"],
                            "filed": day(f["filed"]),
                            "frame": f.get("frame"),
                        }
                    )
    return rows


def test_fixture_rows_exact(fixtures: Path) -> None:
    table = read_companyfacts(fixtures / "sec" / "companyfacts" / "CIK0000000101.json")
    assert table.schema.equals(FACTS_SCHEMA, check_metadata=False)
    # 1 dei fact + 4 Revenues + 1 Assets (the empty unit list adds nothing): counted by hand.
    assert table.num_rows == 6
    assert facts_cik(table) == 101
    assert table.schema.metadata[b"entity_name"] == b"TINY DEVICES INC"
    rows = table.to_pylist()
    assert rows[0] == {
        "cik": 101,
        "taxonomy": "dei",
        "concept": "EntityCommonStockSharesOutstanding",
        "unit": "shares",
        "start": None,
        "end": dt.date(2025, 2, 20),
        "value": 2450000.0,
        "accession": "0000000101-25-000004",
        "fy": 2025,
        "fp": "FY",
        "form": "10-K",
        "filed": dt.date(2025, 3, 1),
        "frame": "CY2025Q1I",
    }
    restated = [r for r in rows if r["end"] == dt.date(2024, 1, 28)]
    assert [(r["value"], r["accession"], r["frame"]) for r in restated] == [
        (1200000000.0, "0000000101-24-000003", "CY2023"),
        (1180000000.0, "0000000101-25-000004", None),
    ]
    assert rows[4]["value"] == 420000000.5
    assert rows[5]["concept"] == "Assets" and rows[5]["start"] is None


def test_text_bytes_and_dict_inputs_agree(fixtures: Path) -> None:
    raw = (fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes()
    a = parse_companyfacts(raw)
    assert a.equals(parse_companyfacts(raw.decode()))
    assert a.equals(parse_companyfacts(orjson.loads(raw)))


def _doc(facts: list[dict], concept: str = "Revenues") -> dict:
    return {"cik": 7, "entityName": "X", "facts": {"us-gaap": {concept: {"units": {"USD": facts}}}}}


GOOD = {
    "start": "2024-01-01",
    "end": "2024-12-31",
    "val": 5,
    "accn": "a-1",
    "fy": 2024,
    "fp": "FY",
    "form": "10-K",
    "filed": "2025-02-01",
}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty document"),
        (b'{"cik": 7, "facts": {"us-gaap": {"Rev', "invalid JSON"),
        (b"[1, 2]", "top-level JSON value is not an object"),
        (b'{"facts": {}}', "no valid 'cik'"),
        (b'{"cik": "abc", "facts": {}}', "no valid 'cik'"),
        # regression (issue 11): overflowed numpy's int64 deep in the table assembly
        (b'{"cik": 1000000000000000000000000000000, "facts": {}}', "is not a SEC CIK"),
        (b'{"cik": -5, "facts": {}}', "'cik' -5 is not a SEC CIK"),
        (b'{"cik": 12345678901, "facts": {}}', "'cik' 12345678901 is not a SEC CIK"),
        (b'{"cik": 7, "facts": 3}', "'facts' is not an object"),
        (
            b'{"cik": 7, "facts": {"us-gaap": {"Revenues": {"label": "x"}}}}',
            "us-gaap:Revenues has no 'units' object",
        ),
        (
            b'{"cik": 7, "facts": {"us-gaap": {"Revenues": {"units": {"USD": 5}}}}}',
            r"us-gaap:Revenues \[USD\] is not a list",
        ),
    ],
)
def test_malformed_documents(data: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        parse_companyfacts(data, origin="doc.json")
    assert str(info.value).startswith("doc.json: ")


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        ({**GOOD, "val": "lots"}, r"malformed facts in us-gaap:Debt \[USD\]"),
        ({k: v for k, v in GOOD.items() if k != "end"}, r"us-gaap:Debt \[USD\] has no 'end'"),
        ({k: v for k, v in GOOD.items() if k != "accn"}, "has no 'accn'"),
        ({**GOOD, "end": "2024-13-01"}, r"bad 'end' date '2024-13-01' in us-gaap:Debt \[USD\]"),
        ({**GOOD, "filed": "01/02/2025"}, "bad 'filed' date"),
        # regression (issue 11): overflowed pandas' nanosecond timestamps in sec metrics
        (
            {**GOOD, "end": "9999-12-31"},
            r"a fact in us-gaap:Debt \[USD\] has 'end' date 9999-12-31, outside 1900-2200",
        ),
        ({**GOOD, "start": "0001-01-01"}, "has 'start' date 0001-01-01"),
    ],
)
def test_malformed_facts_name_the_concept(fact: dict, message: str) -> None:
    doc = _doc([GOOD])
    doc["facts"]["us-gaap"]["Debt"] = {"units": {"USD": [GOOD, fact]}}
    with pytest.raises(ValidationError, match=message):
        parse_companyfacts(orjson.dumps(doc), origin="doc.json")


def test_integer_beyond_int64_is_kept_as_float() -> None:
    # Arrow's one-shot conversion refuses Python ints >= 2**63; the fallback coerces them.
    table = parse_companyfacts(_doc([{**GOOD, "val": 10**20}, GOOD]))
    assert table.column("value").to_pylist() == [1e20, 5.0]


def test_no_facts_gives_empty_table_that_knows_its_cik() -> None:
    table = parse_companyfacts(b'{"cik": 42, "entityName": "Shell Co", "facts": []}')
    assert table.num_rows == 0 and facts_cik(table) == 42
    assert table.schema.equals(FACTS_SCHEMA, check_metadata=False)


def test_unreadable_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"missing\.json: cannot read"):
        read_companyfacts(tmp_path / "missing.json")


_date = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat)
_fact = st.fixed_dictionaries(
    {
        "end": _date,
        "val": st.one_of(
            st.integers(-(10**15), 10**15), st.floats(allow_nan=False, allow_infinity=False)
        ),
        "accn": st.text("0123456789-", min_size=1, max_size=20),
        "form": st.sampled_from(["10-K", "10-Q", "8-K", "DEF 14A", "20-F"]),
        "filed": _date,
    },
    optional={
        "start": _date,
        "fy": st.integers(1990, 2030),
        "fp": st.sampled_from(["FY", "Q1", "Q2", "Q3"]),
        "frame": st.text(min_size=1, max_size=10),
    },
)
_units = st.dictionaries(
    st.sampled_from(["USD", "shares", "EUR", "USD/shares"]), st.lists(_fact, max_size=4), max_size=3
)
_concepts = st.dictionaries(
    st.from_regex(r"[A-Z][A-Za-z]{0,12}", fullmatch=True),
    st.fixed_dictionaries({"units": _units}),
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(
    cik=st.integers(1, 9_999_999_999),
    taxonomies=st.dictionaries(
        st.sampled_from(["us-gaap", "dei", "ifrs-full", "srt"]), _concepts, max_size=3
    ),
)
def test_matches_reference_parser(cik: int, taxonomies: dict) -> None:
    doc = {"cik": cik, "entityName": "P", "facts": taxonomies}
    table = parse_companyfacts(json.dumps(doc).encode())
    assert table.to_pylist() == reference_rows(doc)


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("name", "rows"),
    [
        # row counts: sum of the lengths of every units list in the file (json + a loop, by hand)
        ("CIK0001045810.json", 26903),
        ("CIK0001652044.json", 20324),
        ("CIK0001640147.json", 8163),
        ("CIK0000789019.json", 589),
        ("CIK0001326801.json", 487),
    ],
)
def test_real_files_match_reference(shared_data: Path, name: str, rows: int) -> None:
    path = shared_data / "sec" / "companyfacts" / name
    table = read_companyfacts(path)
    assert table.num_rows == rows
    expected = pa.Table.from_pylist(
        reference_rows(json.loads(path.read_bytes())), schema=FACTS_SCHEMA
    )
    assert table.equals(expected)


@pytest.mark.realdata
def test_nvidia_fy2026_revenue_fact(shared_data: Path) -> None:
    table = read_companyfacts(shared_data / "sec" / "companyfacts" / "CIK0001045810.json")
    rows = [
        r
        for r in table.to_pylist()
        if r["concept"] == "Revenues"
        and r["start"] == dt.date(2025, 1, 27)
        and r["end"] == dt.date(2026, 1, 25)
    ]
    # NVIDIA 10-K for FY2026 (ended 2026-01-25): revenue $215,938 million (shared data README).
    assert rows and {r["value"] for r in rows} == {215_938_000_000.0}
