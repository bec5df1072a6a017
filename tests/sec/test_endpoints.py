"""Endpoints: URLs, typed results, SEC_DIR reads, the real frames and ticker files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import orjson
import pytest

from stackatlas.errors import DataUnavailableError, NotFoundError, SecAccessError, ValidationError
from stackatlas.sec import endpoints
from stackatlas.sec.cache import SecCache
from stackatlas.sec.client import RateLimiter, SecClient

UA = "Jane Analyst jane@example.com"


def serve(routes: dict[str, bytes], tmp_path: Path, seen: list[str] | None = None) -> SecClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(str(request.url))
        body = routes.get(str(request.url))
        return httpx.Response(200, content=body) if body else httpx.Response(404)

    return SecClient(
        user_agent=UA,
        transport=httpx.MockTransport(handler),
        offline=False,
        cache=SecCache(tmp_path / "cache"),
        limiter=RateLimiter(10),
    )


@pytest.mark.parametrize(
    ("raw", "padded"),
    [(1045810, "0001045810"), ("CIK0001045810", "0001045810"), ("320193", "0000320193")],
)
def test_cik10(raw: int | str, padded: str) -> None:
    assert endpoints.cik10(raw) == padded


@pytest.mark.parametrize("bad", ["abc", 0, "12345678901", "-5"])
def test_cik10_rejects(bad: int | str) -> None:
    with pytest.raises(ValidationError, match="not a CIK"):
        endpoints.cik10(bad)


def test_companyfacts_from_network_then_offline_cache(tmp_path: Path, fixtures: Path) -> None:
    body = (fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes()
    url = "https://data.sec.gov/api/xbrl/companyfacts/CIK0000000101.json"
    seen: list[str] = []
    got = endpoints.companyfacts(101, client=serve({url: body}, tmp_path, seen))
    assert seen == [url]
    assert (got.cik, got.entity_name, got.source, got.facts.num_rows) == (
        101,
        "TINY DEVICES INC",
        "network",
        6,
    )
    offline = SecClient(offline=True, cache=SecCache(tmp_path / "cache"))
    again = endpoints.companyfacts("CIK101", client=offline)
    assert again.source == "cache" and again.facts.equals(got.facts)


def test_companyfacts_unknown_cik_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"CIK 0000000999.*HTTP 404"):
        endpoints.companyfacts(999, client=serve({}, tmp_path))


def test_companyfacts_for_wrong_company_is_rejected(tmp_path: Path, fixtures: Path) -> None:
    body = (fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes()
    url = "https://data.sec.gov/api/xbrl/companyfacts/CIK0000000202.json"
    with pytest.raises(SecAccessError, match="SEC sent companyfacts for CIK 101, not 0000000202"):
        endpoints.companyfacts(202, client=serve({url: body}, tmp_path))
    assert SecCache(tmp_path / "cache").get(url) is None  # never cached under 202's URL


def test_companyfacts_from_sec_dir(monkeypatch: pytest.MonkeyPatch, fixtures: Path) -> None:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(fixtures / "sec"))
    got = endpoints.companyfacts(101)  # no client, no network, no cache involved
    assert got.source == "dir" and got.origin.endswith("CIK0000000101.json")
    with pytest.raises(DataUnavailableError, match="not in SEC_DIR"):
        endpoints.companyfacts(5)


def test_submissions_model(tmp_path: Path, fixtures: Path) -> None:
    body = (fixtures / "sec" / "submissions_CIK0000000101.json").read_bytes()
    url = "https://data.sec.gov/submissions/CIK0000000101.json"
    sub = endpoints.submissions(101, client=serve({url: body}, tmp_path))
    assert sub.name == "TINY DEVICES INC" and sub.tickers == ["TINY", "TINYW"]
    assert sub.fiscal_year_end == "0126" and sub.fiscal_year_end_month == 1
    assert sub.former_names[0].name == "SMALL CHIPS CORP"
    assert sub.former_names[0].from_ == dt.date(2001, 4, 2)
    assert sub.former_names[0].to == dt.date(2019, 6, 30)
    assert sub.sic == "3674" and sub.state_of_incorporation == "DE"


def test_submissions_bad_shape(tmp_path: Path) -> None:
    url = "https://data.sec.gov/submissions/CIK0000000101.json"
    with pytest.raises(SecAccessError, match="not a submissions document"):
        endpoints.submissions(101, client=serve({url: b'{"cik": "101"}'}, tmp_path))
    bad_former = b'{"cik": "101", "name": "X", "formerNames": [{"from": "soon"}]}'
    with pytest.raises(ValidationError, match=f"{url}: unexpected document shape"):
        endpoints.submissions(101, client=serve({url: bad_former}, tmp_path))


def test_ticker_map_from_network_fixture(tmp_path: Path, fixtures: Path) -> None:
    body = (fixtures / "sec" / "company_tickers.json").read_bytes()
    client = serve({endpoints.TICKERS_URL: body}, tmp_path)
    frame = endpoints.ticker_map(client=client)
    assert list(frame.columns) == ["ticker", "cik", "title"] and len(frame) == 4
    assert endpoints.cik_for_ticker("goog", client=client) == 1652044
    with pytest.raises(NotFoundError, match=r"'NVDX'.*did you mean: NVDA"):
        endpoints.cik_for_ticker("NVDX", client=client)


@pytest.mark.realdata
def test_real_ticker_map_from_sec_dir(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    frame = endpoints.ticker_map()
    assert len(frame) == 10090  # entry count stated in shared/data/README.md
    assert endpoints.cik_for_ticker("NVDA") == 1045810
    assert endpoints.cik_for_ticker("MSFT") == 789019


@pytest.mark.realdata
def test_real_frames_response(shared_data: Path, tmp_path: Path) -> None:
    [path] = (shared_data / "sec" / "frames").glob("frames_*.json")
    url = (
        "https://data.sec.gov/api/xbrl/frames/us-gaap/"
        "RevenueFromContractWithCustomerExcludingAssessedTax/USD/CY2024Q2.json"
    )
    frame = endpoints.frames(
        "RevenueFromContractWithCustomerExcludingAssessedTax",
        "USD",
        "CY2024Q2",
        client=serve({url: path.read_bytes()}, tmp_path),
    )
    doc = orjson.loads(path.read_bytes())
    assert len(frame) == doc["pts"] == 15  # "pts": 15 in the recorded response
    first = doc["data"][0]
    row = frame.iloc[0]
    assert (row["cik"], row["value"], row["accession"]) == (
        first["cik"],
        float(first["val"]),
        first["accn"],
    )
    assert row["start"] == dt.date.fromisoformat(first["start"])
    assert set(frame["period"]) == {"CY2024Q2"} and set(frame["unit"]) == {"USD"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Revenues", "USD", "2024Q2"), "must look like CY2024"),
        (("Revenues", "USD", "CY2024Q5"), "must look like CY2024"),
        (("Reven ues", "USD", "CY2024"), "concept 'Reven ues'"),
    ],
)
def test_frames_rejects_bad_arguments(args: tuple, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        endpoints.frames(*args)
