"""sync_companies: SEC_DIR (offline), network via a mock transport, failures with reasons."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest

from stackatlas.atlas import load_atlas
from stackatlas.errors import NotFoundError, SecAccessError
from stackatlas.sec import facts_store
from stackatlas.sec.cache import SecCache
from stackatlas.sec.client import RateLimiter, SecClient
from stackatlas.sec.sync import select_companies, sync_companies
from stackatlas.store import Store

UA = "Jane Analyst jane@example.com"


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def test_select_companies(atlas) -> None:
    chosen = select_companies(atlas, "nvda, googl,nvidia")
    assert [c.id for c in chosen] == ["nvidia", "alphabet"]
    everyone = select_companies(atlas, "all")
    assert everyone and all(c.cik for c in everyone)
    with pytest.raises(NotFoundError):
        select_companies(atlas, ["no-such-company-xyz"])


@pytest.mark.realdata
def test_offline_sync_from_sec_dir(atlas, shared_data: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    with Store(tmp_path / "s.duckdb") as store:
        report = sync_companies(atlas, "nvda,googl,amd,openai", store=store, progress=False)
        rows = {r.company: r for r in report.rows}
        # row counts of the shared files (see test_companyfacts.py)
        assert (rows["nvidia"].status, rows["nvidia"].facts) == ("local", 26903)
        assert (rows["alphabet"].status, rows["alphabet"].facts) == ("local", 20324)
        # a company missing from the local folder is skipped, not a failure
        assert (rows["amd"].status, rows["amd"].reason) == ("skipped", "not in SEC_DIR")
        assert rows["openai"].status == "skipped" and "no CIK" in rows["openai"].reason
        assert report.counts == {"local": 2, "skipped": 2}
        assert report.ok
        assert facts_store.load_facts(store, 1045810).num_rows == 26903
        log = store.query("SELECT cik, status, source FROM sec_sync_log ORDER BY cik")
    assert log.to_dict("records") == [
        {"cik": 1045810, "status": "ok", "source": "dir"},
        {"cik": 1652044, "status": "ok", "source": "dir"}]


def test_network_sync_then_offline_from_cache(atlas, fixtures: Path, tmp_path: Path) -> None:
    doc = orjson.loads((fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes())
    nvidia_url = "https://data.sec.gov/api/xbrl/companyfacts/CIK0001045810.json"
    routes = {nvidia_url: orjson.dumps({**doc, "cik": 1045810})}

    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) in routes:
            return httpx.Response(200, content=routes[str(request.url)])
        return httpx.Response(503)

    cache = SecCache(tmp_path / "cache")
    client = SecClient(user_agent=UA, transport=httpx.MockTransport(handler), offline=False,
                       cache=cache, limiter=RateLimiter(10), sleep=lambda s: None,
                       max_attempts=2)
    with Store(tmp_path / "s.duckdb") as store:
        report = sync_companies(atlas, "nvda,amd", store=store, progress=False, client=client,
                                offline=False)
        got = {r.company: (r.status, r.facts) for r in report.rows}
        assert got == {"nvidia": ("fetched", 6), "amd": ("failed", 0)}
        assert "HTTP 503" in report.rows[1].reason
        offline = SecClient(offline=True, cache=cache)
        again = sync_companies(atlas, "nvda,amd", store=store, progress=False, client=offline,
                               offline=True)
    assert [(r.status, r.facts) for r in again.rows] == [("cached", 6), ("failed", 0)]
    assert "offline and not in the SEC cache" in again.rows[1].reason


def test_network_sync_without_user_agent_fails_fast(atlas, tmp_path: Path) -> None:
    with pytest.raises(SecAccessError, match="STACKATLAS_SEC_USER_AGENT"):
        sync_companies(atlas, "nvda", offline=False, store=Store(tmp_path / "s.duckdb"),
                       progress=False)


@pytest.mark.realdata
def test_synced_store_feeds_fundamentals(atlas, shared_data: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from stackatlas.fundamentals import company_metrics

    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    with Store(tmp_path / "s.duckdb") as store:
        sync_companies(atlas, "googl", store=store, progress=False)
        monkeypatch.delenv("STACKATLAS_SEC_DIR")  # from here on only the store has the facts
        df = company_metrics(1652044, "annual", ["revenue", "capex"], store=store)
    got = {(r.metric, r.fiscal_year): r.value for r in df.itertuples()}
    # Alphabet 2025 10-K: revenue $402,836M, capex $91,447M (shared data README)
    assert got[("revenue", 2025)] == 402_836_000_000
    assert got[("capex", 2025)] == 91_447_000_000
