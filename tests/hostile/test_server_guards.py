"""The web app's guards: Host allow-list (DNS rebinding), Origin check (CSRF), the bounded
compute pool (503 + Retry-After, /healthz never waits) and bounded upload answers (issue 11)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stackatlas.errors import BusyError
from stackatlas.web.app import create_app
from stackatlas.web.compute import ComputePool, JobResult
from stackatlas.web.security import allowed_hosts_for, host_name
from stackatlas.web.state import WebData


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = tmp_path_factory.mktemp("guards") / "absent.duckdb"
    app = create_app(
        store_path=store, allowed_hosts=allowed_hosts_for("127.0.0.1", ["*.lab.example"])
    )
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client


# ---- Host header (DNS rebinding) -----------------------------------------------------------
@pytest.mark.parametrize(
    ("bind", "extra", "expected"),
    [
        ("127.0.0.1", [], {"127.0.0.1", "localhost", "::1"}),
        ("localhost", ["Dash.Example"], {"127.0.0.1", "localhost", "::1", "dash.example"}),
        ("[::1]", [], {"127.0.0.1", "localhost", "::1"}),
        ("0.0.0.0", [], None),  # exposed on purpose: any name unless a list is given
        ("0.0.0.0", ["dash.example"], {"dash.example", "0.0.0.0", "127.0.0.1", "localhost", "::1"}),
    ],
)
def test_allowed_hosts_for_bind(bind: str, extra: list[str], expected: set[str] | None) -> None:
    got = allowed_hosts_for(bind, extra)
    assert (set(got) if got is not None else None) == expected


def test_host_name_parsing() -> None:
    assert host_name("[::1]:8000") == "::1"
    assert host_name("LocalHost:8765") == "localhost"
    assert host_name("127.0.0.1") == "127.0.0.1"


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", "a.lab.example:8000"],
)
def test_loopback_names_and_allow_list_answer(guarded: TestClient, host: str) -> None:
    assert guarded.get("/api/layers", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "lab.example", ""]
)
def test_rebound_host_is_refused(guarded: TestClient, host: str) -> None:
    for path in ("/", "/api/layers", "/healthz"):
        r = guarded.get(path, headers={"Host": host})
        assert r.status_code == 400, (path, host)
        assert r.json()["error"] == "invalid_host"
        assert "nosniff" in r.headers["x-content-type-options"]  # security headers still set


# ---- Origin check (CSRF) ---------------------------------------------------------------------
FORM = {"name": "taiwan-quake", "draws": "0", "seed": "0"}


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},  # sandboxed iframe / privacy-restricted page, no Sec-Fetch-Site
        {"Origin": "http://127.0.0.1:9999"},  # another port is another origin
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://127.0.0.1:8000"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:8000"},
    ],
)
def test_cross_site_forms_and_uploads_are_refused(guarded: TestClient, headers: dict) -> None:
    r = guarded.post("/scenarios", data=FORM, headers=headers)
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    upload = guarded.post(
        "/portfolio", files={"file": ("p.csv", b"ticker,weight\nNVDA,1\n")}, headers=headers
    )
    assert upload.status_code == 403
    api = guarded.post("/api/scenarios/taiwan-quake/run", json={}, headers=headers)
    assert api.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"},  # the browser
        {"Origin": "null", "Sec-Fetch-Site": "same-origin"},  # privacy-restricted own form
        {"Origin": "http://127.0.0.1:8000"},
        {},  # curl, scripts: no Origin, not a browser, cannot carry a forged form
        # the scheme is not compared: behind a TLS-terminating proxy the app sees http
        {"Origin": "https://127.0.0.1:8000"},
    ],
)
def test_same_origin_and_non_browser_posts_pass(guarded: TestClient, headers: dict) -> None:
    r = guarded.post("/scenarios", data=FORM, headers=headers)
    assert r.status_code == 200, r.text[:300]
    assert "Taiwan" in r.text


def test_get_is_never_origin_checked(guarded: TestClient) -> None:
    assert guarded.get("/flows", headers={"Origin": "http://evil.example"}).status_code == 200


# ---- bounded compute pool --------------------------------------------------------------------
GATE = threading.Event()


def _blocking_job(data: WebData, tag: str) -> JobResult:
    GATE.wait(30)
    return JobResult(200, tag.encode(), "text/plain")


def test_full_pool_refuses_at_once_with_retry_after(tmp_path: Path) -> None:
    pool = ComputePool(WebData(tmp_path / "absent.duckdb"), workers=1, queue=1)

    async def scenario() -> None:
        GATE.clear()
        first = asyncio.ensure_future(pool.run(_blocking_job, "a"))
        second = asyncio.ensure_future(pool.run(_blocking_job, "b"))
        await asyncio.sleep(0.1)
        start = time.monotonic()
        with pytest.raises(BusyError) as info:
            await pool.run(_blocking_job, "c")
        assert time.monotonic() - start < 0.1  # refused without waiting
        assert info.value.retry_after >= 1 and "busy" in str(info.value)
        GATE.set()
        assert [r.body for r in await asyncio.gather(first, second)] == [b"a", b"b"]
        assert pool.admitted == 0 and pool.refused == 1

    try:
        asyncio.run(scenario())
    finally:
        GATE.set()
        pool.close()


def test_busy_answers_are_503_with_retry_after(tmp_path: Path) -> None:
    """The API answers JSON, the pages an HTML page; /healthz and warm pages still answer
    while every worker is taken."""
    app = create_app(store_path=tmp_path / "absent.duckdb", compute_workers=1, compute_queue=0)
    with TestClient(app) as client:
        assert client.get("/flows").status_code == 200  # warm the page cache
        GATE.clear()
        pool = app.state.compute
        # the pool's slot counter lives on the app's event loop: take the slot through it
        client.portal.start_task_soon(pool.run, _blocking_job, "hold")
        deadline = time.monotonic() + 5
        while pool.admitted < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            api = client.post("/api/scenarios/taiwan-quake/run", json={"draws": 10, "seed": 99})
            assert api.status_code == 503 and api.json()["error"] == "busy"
            assert int(api.headers["retry-after"]) >= 1
            form = client.post("/scenarios", data={**FORM, "seed": "99"})
            assert form.status_code == 503 and "Busy" in form.text
            assert int(form.headers["retry-after"]) >= 1
            upload = client.post("/api/portfolio", files={"file": ("p.csv", b"ticker,weight\n")})
            assert upload.status_code == 503
            sweep = client.post("/api/scenarios/taiwan-quake/sweep", json={"seed": 99})
            assert sweep.status_code == 503 and sweep.json()["error"] == "busy"
            swept = client.get("/sweeps", params={"grid": "capacity_loss=0.1,0.2", "seed": "9"})
            assert swept.status_code == 503 and "Busy" in swept.text
            start = time.monotonic()
            assert client.get("/healthz").status_code == 200
            assert client.get("/flows").status_code == 200
            assert time.monotonic() - start < 2
        finally:
            GATE.set()


def test_process_workers_give_the_same_answers(tmp_path: Path) -> None:
    body = {"overrides": {"capacity_loss": 0.2}, "draws": 20, "seed": 5}
    answers = []
    for processes in (False, True):
        app = create_app(
            store_path=tmp_path / "absent.duckdb", compute_workers=1, compute_processes=processes
        )
        with TestClient(app) as client:
            r = client.post("/api/scenarios/taiwan-quake/run", json=body)
            assert r.status_code == 200, r.text[:300]
            answers.append(r.json())
            bad = client.post(
                "/api/scenarios/taiwan-quake/run", json={"overrides": {"capacity_loss": 5}}
            )
            assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "capacity_loss"
            missing = client.post("/api/scenarios/no-such/run", json={})
            assert missing.status_code == 404 and missing.json()["suggestions"] is not None
    assert answers[0] == answers[1]


def test_cold_results_do_not_wait_for_each_other(tmp_path: Path) -> None:
    """Single flight per result: a slow cold build of one key does not hold up another."""
    data = WebData(tmp_path / "absent.duckdb")
    release = threading.Event()
    builds: list[str] = []

    def slow(atlas: object, store: object) -> str:
        builds.append("slow")
        release.wait(10)
        return "slow"

    worker = threading.Thread(target=lambda: data.cached("a", slow))
    worker.start()
    while not builds:
        time.sleep(0.01)
    start = time.monotonic()
    assert data.cached("b", lambda atlas, store: "fast") == "fast"
    assert time.monotonic() - start < 1
    twin = threading.Thread(target=lambda: data.cached("a", slow))
    twin.start()
    time.sleep(0.1)
    release.set()
    worker.join(5)
    twin.join(5)
    assert builds == ["slow"]  # the second caller of "a" waited for the first, not rebuilt


# ---- bounded answers -------------------------------------------------------------------------
def _unknown_tickers(n: int) -> bytes:
    return ("ticker,weight\n" + "".join(f"Q{i:05d}X,1\n" for i in range(n))).encode()


def test_upload_of_80k_unknown_tickers_is_summarised(guarded: TestClient) -> None:
    """The issue's case: a 0.8-0.95 MB upload of 80,000 unknown tickers answered 15.6 MB,
    echoing every row with suggestions; now the lists are cut and counted."""
    content = _unknown_tickers(80_000)
    assert 750_000 < len(content) < 1_000_000  # under the 1 MB upload limit
    r = guarded.post("/api/portfolio", files={"file": ("many.csv", content)})
    assert r.status_code == 200, r.text[:300]
    assert len(r.content) < 200_000
    body = r.json()
    assert body["truncated"] == {"holdings": 80_000, "unknown": 80_000}
    assert len(body["holdings"]) == 500 and len(body["unknown"]) == 50
    assert (body["unknown"][0]["line"], body["unknown"][0]["ticker"]) == (2, "Q00000X")
    assert body["unmapped_share"] == pytest.approx(1.0)  # every row still counts


def test_page_for_a_long_upload_says_what_it_left_out(guarded: TestClient) -> None:
    r = guarded.post("/portfolio", files={"file": ("many.csv", _unknown_tickers(2_000))})
    assert r.status_code == 200
    assert "The 500 largest of 2,000 holdings are listed" in r.text
    assert "... and 1,950 more" in r.text
    assert r.text.count("Q0") < 700  # 500 table rows + 50 named unknowns, not 2,000 of each
