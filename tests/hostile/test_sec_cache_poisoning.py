"""Hostile SEC answers and a damaged cache: a bad 200 never replaces a good copy, a bad copy
is never kept by a 304, corrupt entries are quarantined and refetched, never fatal (issue 11)."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest

from stackatlas.atlas import load_atlas
from stackatlas.errors import DataUnavailableError, SecAccessError
from stackatlas.sec.cache import QUARANTINE, SecCache
from stackatlas.sec.client import RateLimiter, SecClient
from stackatlas.sec.endpoints import COMPANYFACTS_URL, companyfacts
from stackatlas.sec.sync import sync_companies
from stackatlas.store import Store

UA = "Jane Analyst jane@example.com"
URL = COMPANYFACTS_URL.format(cik10="0000000101")
MAINTENANCE = b'{"message":"Service maintenance"}'


@pytest.fixture
def good(fixtures: Path) -> bytes:
    return (fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes()


class Server:
    """MockTransport handler: answers ``body`` (status 200, ETag ``etag``), or 304 when the
    request's If-None-Match equals ``match_304``; records the request headers."""

    def __init__(self, body: bytes, etag: str | None = None, match_304: str | None = None):
        self.body, self.etag, self.match_304 = body, etag, match_304
        self.seen: list[httpx.Headers] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.headers)
        if self.match_304 and request.headers.get("If-None-Match") == self.match_304:
            return httpx.Response(304)
        headers = {"ETag": self.etag} if self.etag else {}
        return httpx.Response(200, content=self.body, headers=headers)


def _client(handler, cache: SecCache, **kwargs) -> SecClient:
    return SecClient(
        user_agent=UA,
        transport=httpx.MockTransport(handler),
        offline=False,
        cache=cache,
        limiter=RateLimiter(10, sleep=lambda s: None),
        sleep=lambda s: None,
        **kwargs,
    )


def test_maintenance_200_keeps_the_good_copy(tmp_path: Path, good: bytes) -> None:
    cache = SecCache(tmp_path / "cache")
    cache.put(URL, good, etag='"good"')
    server = Server(MAINTENANCE, etag='"maint"')
    got = companyfacts(101, client=_client(server, cache))
    assert got.source == "cache" and got.facts.num_rows == 6  # the fixture's 6 facts
    assert "not companyfacts" in got.note and "Service maintenance" in got.note
    entry = cache.get(URL)
    assert entry.body == good and entry.etag == '"good"'  # body and validator untouched
    # every later sync, online or offline, still works
    offline = companyfacts(101, client=SecClient(offline=True, cache=cache))
    assert offline.facts.num_rows == 6


def test_failed_body_never_stores_its_etag(tmp_path: Path) -> None:
    cache = SecCache(tmp_path / "cache")
    server = Server(MAINTENANCE, etag='"maint"')
    with pytest.raises(SecAccessError, match="not companyfacts"):
        companyfacts(101, client=_client(server, cache))
    assert cache.get(URL) is None
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    with pytest.raises(SecAccessError):
        companyfacts(101, client=_client(server, cache))
    assert "If-None-Match" not in server.seen[-1]  # nothing to be conditional on


def test_304_cannot_keep_a_poisoned_copy(tmp_path: Path, good: bytes) -> None:
    """A cache poisoned before this fix (maintenance body stored with its ETag): the copy is
    quarantined before the request, so its ETag is never sent and the good body is fetched."""
    cache = SecCache(tmp_path / "cache")
    cache.put(URL, MAINTENANCE, etag='"maint"')
    server = Server(good, etag='"good"', match_304='"maint"')
    got = companyfacts(101, client=_client(server, cache))
    assert got.source == "network" and got.facts.num_rows == 6
    assert "If-None-Match" not in server.seen[0]
    assert cache.get(URL).body == good and cache.get(URL).etag == '"good"'
    moved = sorted((tmp_path / "cache" / QUARANTINE).rglob("CIK0000000101.json.*"))
    assert [p.name.split(".20")[0] for p in moved] == [
        "CIK0000000101.json",
        "CIK0000000101.json.meta.json",
    ]  # body and meta moved aside together, named with the time they were moved
    assert moved[0].read_bytes() == MAINTENANCE


def test_wrong_company_is_never_cached(tmp_path: Path, good: bytes) -> None:
    cache = SecCache(tmp_path / "cache")
    url_202 = COMPANYFACTS_URL.format(cik10="0000000202")
    cache_202_good = orjson.dumps({**orjson.loads(good), "cik": 202})
    cache.put(url_202, cache_202_good)
    got = companyfacts(202, client=_client(Server(good), cache))  # SEC sends CIK 101's facts
    assert got.source == "cache" and got.cik == 202
    assert "companyfacts for CIK 101, not 0000000202" in got.note
    assert cache.get(url_202).body == cache_202_good


def _meta(cache: SecCache, url: str) -> Path:
    body = cache.path_for(url)
    return body.with_name(body.name + ".meta.json")


def _poison_meta(cache: SecCache, url: str, good: bytes) -> None:
    cache.put(url, good)
    _meta(cache, url).write_bytes(b"{not json")


def _meta_not_object(cache: SecCache, url: str, good: bytes) -> None:
    cache.put(url, good)
    _meta(cache, url).write_bytes(b"[1, 2]")


def _body_not_json(cache: SecCache, url: str, good: bytes) -> None:
    cache.put(url, b"<html>Service maintenance</html>")  # size and SHA-256 match the body


def _cache_root_is_a_file(cache: SecCache, url: str, good: bytes) -> None:
    cache.root.parent.mkdir(parents=True, exist_ok=True)
    cache.root.write_bytes(b"not a folder")


def _host_folder_is_a_file(cache: SecCache, url: str, good: bytes) -> None:
    cache.root.mkdir(parents=True, exist_ok=True)
    (cache.root / "data.sec.gov").write_bytes(b"not a folder")


CORRUPTIONS = [_poison_meta, _meta_not_object, _body_not_json, _cache_root_is_a_file]
CORRUPTIONS += [_host_folder_is_a_file]


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=lambda f: f.__name__.strip("_"))
def test_corrupt_entry_is_quarantined_and_refetched(tmp_path: Path, good: bytes, corrupt) -> None:
    cache = SecCache(tmp_path / "home" / "cache" / "sec")
    corrupt(cache, URL, good)
    got = companyfacts(101, client=_client(Server(good, etag='"v2"'), cache))
    assert got.source == "network" and got.facts.num_rows == 6
    assert cache.get(URL).body == good and cache.get(URL).etag == '"v2"'
    assert cache.quarantined, "the corrupt entry is reported"


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=lambda f: f.__name__.strip("_"))
def test_corrupt_entry_offline_is_a_clear_miss(tmp_path: Path, good: bytes, corrupt) -> None:
    cache = SecCache(tmp_path / "home" / "cache" / "sec")
    corrupt(cache, URL, good)
    with pytest.raises(DataUnavailableError, match="offline and not in the SEC cache"):
        companyfacts(101, client=SecClient(offline=True, cache=cache))


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=lambda f: f.__name__.strip("_"))
def test_corrupt_cache_never_aborts_a_sync(
    tmp_path: Path, good: bytes, corrupt, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default cache of ``$STACKATLAS_HOME`` damaged: an offline sync reports the company
    per row, and an online one refetches it; neither raises."""
    home = tmp_path / "home"
    monkeypatch.setenv("STACKATLAS_HOME", str(home))
    atlas = load_atlas()
    cik = atlas.find_company("nvidia").cik
    url = COMPANYFACTS_URL.format(cik10=f"{cik:010d}")
    nvidia = orjson.dumps({**orjson.loads(good), "cik": cik})
    cache = SecCache()
    assert cache.root == home / "cache" / "sec"
    corrupt(cache, url, nvidia)
    with Store(tmp_path / "s.duckdb") as store:
        offline = sync_companies(atlas, "nvda", store=store, progress=False, offline=True)
        assert [r.status for r in offline.rows] == ["failed"]
        assert "offline and not in the SEC cache" in offline.rows[0].reason
        online = sync_companies(
            atlas,
            "nvda",
            store=store,
            progress=False,
            offline=False,
            client=_client(Server(nvidia), SecCache()),
        )
    assert [(r.status, r.facts) for r in online.rows] == [("fetched", 6)]
    assert SecCache().get(url).body == nvidia
