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
def test_offline_sync_from_sec_dir(
    atlas, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
        {"cik": 1652044, "status": "ok", "source": "dir"},
    ]


def test_network_sync_then_offline_from_cache(atlas, fixtures: Path, tmp_path: Path) -> None:
    doc = orjson.loads((fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes())
    nvidia_url = "https://data.sec.gov/api/xbrl/companyfacts/CIK0001045810.json"
    routes = {nvidia_url: orjson.dumps({**doc, "cik": 1045810})}

    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) in routes:
            return httpx.Response(200, content=routes[str(request.url)])
        return httpx.Response(503)

    cache = SecCache(tmp_path / "cache")
    client = SecClient(
        user_agent=UA,
        transport=httpx.MockTransport(handler),
        offline=False,
        cache=cache,
        limiter=RateLimiter(10),
        sleep=lambda s: None,
        max_attempts=2,
    )
    with Store(tmp_path / "s.duckdb") as store:
        report = sync_companies(
            atlas, "nvda,amd", store=store, progress=False, client=client, offline=False
        )
        got = {r.company: (r.status, r.facts) for r in report.rows}
        assert got == {"nvidia": ("fetched", 6), "amd": ("failed", 0)}
        assert "HTTP 503" in report.rows[1].reason
        offline = SecClient(offline=True, cache=cache)
        again = sync_companies(
            atlas, "nvda,amd", store=store, progress=False, client=offline, offline=True
        )
    assert [(r.status, r.facts) for r in again.rows] == [("cached", 6), ("failed", 0)]
    assert "offline and not in the SEC cache" in again.rows[1].reason


def test_network_sync_without_user_agent_fails_fast(atlas, tmp_path: Path) -> None:
    with pytest.raises(SecAccessError, match="STACKATLAS_SEC_USER_AGENT"):
        sync_companies(
            atlas, "nvda", offline=False, store=Store(tmp_path / "s.duckdb"), progress=False
        )


@pytest.mark.realdata
def test_synced_store_feeds_fundamentals(
    atlas, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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


def _sec_dir(shared_data: Path, tmp_path: Path) -> Path:
    """NVIDIA and Alphabet as shared, Microsoft's file cut off after 4,000 bytes."""
    folder = tmp_path / "sec" / "companyfacts"
    folder.mkdir(parents=True)
    for cik in ("0001045810", "0001652044"):
        (folder / f"CIK{cik}.json").symlink_to(shared_data / f"sec/companyfacts/CIK{cik}.json")
    (folder / "CIK0000789019.json").write_bytes(
        (shared_data / "sec/companyfacts/CIK0000789019.json").read_bytes()[:4000]
    )
    return tmp_path / "sec"


@pytest.mark.realdata
def test_sync_writes_parsed_companies_in_one_batch(
    atlas, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parsed companies go into ONE ingest_batch transaction; the one that fails to parse
    is reported (and logged) without touching the others, and report order and per-company
    log rows (source, file time) are as with one transaction per company."""
    from datetime import UTC, datetime

    sec = _sec_dir(shared_data, tmp_path)
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(sec))
    calls: list[int] = []
    real = facts_store.ingest_batch

    def counting(store, tables, **kw):
        calls.append(len(tables))
        return real(store, tables, **kw)

    monkeypatch.setattr(facts_store, "ingest_batch", counting)
    with Store(tmp_path / "s.duckdb") as store:
        report = sync_companies(atlas, "nvda,msft,googl", store=store, progress=False)
        assert [(r.company, r.status, r.facts) for r in report.rows] == [
            ("nvidia", "local", 26903),
            ("microsoft", "failed", 0),
            ("alphabet", "local", 20324),
        ]
        assert "invalid JSON" in report.rows[1].reason
        assert calls == [2]  # one transaction for both parsed companies
        log = store.query("SELECT cik, status, source, fetched_at FROM sec_sync_log ORDER BY cik")
    assert [(r.cik, r.status, r.source) for r in log.itertuples()] == [
        (789019, "failed", "dir"),
        (1045810, "ok", "dir"),
        (1652044, "ok", "dir"),
    ]
    for cik in ("0001045810", "0001652044"):  # each company logged with its own file's time
        mtime = datetime.fromtimestamp(
            (sec / f"companyfacts/CIK{cik}.json").stat().st_mtime, UTC
        ).replace(tzinfo=None)
        assert log.set_index("cik").loc[int(cik), "fetched_at"] == mtime


@pytest.mark.realdata
def test_sync_batches_by_size_and_falls_back_to_one_by_one(
    atlas, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch that cannot be stored is retried one company per transaction (as before
    batching); BATCH_FACTS bounds the facts held in memory."""
    from stackatlas.errors import StoreError
    from stackatlas.sec import sync

    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(_sec_dir(shared_data, tmp_path)))
    monkeypatch.setattr(sync, "BATCH_FACTS", 20_000)  # each shared file alone exceeds it
    sizes: list[int] = []
    real = facts_store.ingest_batch

    def flaky(store, tables, **kw):
        sizes.append(len(tables))
        if len(sizes) == 1:
            raise StoreError("disk full (simulated)")
        return real(store, tables, **kw)

    monkeypatch.setattr(facts_store, "ingest_batch", flaky)
    with Store(tmp_path / "s.duckdb") as store:
        report = sync_companies(atlas, "nvda,googl", store=store, progress=False)
        assert [(r.status, r.facts) for r in report.rows] == [("local", 26903), ("local", 20324)]
        assert facts_store.load_facts(store, 1045810).num_rows == 26903
    # nvidia: failed batch, then alone via ingest_facts (-> ingest_batch); alphabet: its batch
    assert sizes == [1, 1, 1]


@pytest.mark.realdata
def test_interrupted_sync_keeps_the_companies_already_parsed(
    atlas, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after NVIDIA was parsed: its batch is still written (as when every company was
    committed on its own), then the interrupt goes on."""
    from stackatlas.sec import sync

    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(_sec_dir(shared_data, tmp_path)))
    real = sync._fetch_one

    def interrupted(company, *args):
        if company.id == "alphabet":
            raise KeyboardInterrupt
        return real(company, *args)

    monkeypatch.setattr(sync, "_fetch_one", interrupted)
    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(KeyboardInterrupt):
            sync_companies(atlas, "nvda,googl", store=store, progress=False)
        assert facts_store.load_facts(store, 1045810).num_rows == 26903
        assert store.query("SELECT count(*) AS n FROM sec_sync_log")["n"][0] == 1
