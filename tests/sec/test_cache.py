"""The raw-response cache: atomic writes, consistency check, never an empty body."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stackatlas._io import atomic_write
from stackatlas.sec.cache import SecCache

URL = "https://data.sec.gov/submissions/CIK0000000101.json"


def test_round_trip_and_layout(tmp_path: Path) -> None:
    cache = SecCache(tmp_path)
    cache.put(URL, b'{"a": 1}', etag='"e"', last_modified="Mon, 01 Jan 2026 00:00:00 GMT")
    path = tmp_path / "data.sec.gov" / "submissions" / "CIK0000000101.json"
    assert path.read_bytes() == b'{"a": 1}'
    entry = cache.get(URL)
    assert entry.conditional_headers() == {
        "If-None-Match": '"e"',
        "If-Modified-Since": "Mon, 01 Jan 2026 00:00:00 GMT",
    }
    assert cache.get("https://data.sec.gov/other.json") is None


def test_default_root_is_under_stackatlas_home() -> None:
    assert SecCache().root == Path(os.environ["STACKATLAS_HOME"]) / "cache" / "sec"


def test_empty_body_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="empty"):
        SecCache(tmp_path).put(URL, b"")
    assert not list(tmp_path.rglob("*"))


def test_body_not_matching_metadata_is_not_trusted(tmp_path: Path) -> None:
    cache = SecCache(tmp_path)
    cache.put(URL, b'{"a": 1}')
    cache.path_for(URL).write_bytes(b'{"a": 2}')  # same size, different content
    assert cache.get(URL) is None
    cache.put(URL, b'{"a": 1}')
    cache.path_for(URL).write_bytes(b'{"a"')  # truncated
    assert cache.get(URL) is None


def test_atomic_write_keeps_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.json"
    atomic_write(target, b"old")

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]  # temp file cleaned up


def test_path_traversal_is_neutralized(tmp_path: Path) -> None:
    path = SecCache(tmp_path).path_for("https://data.sec.gov/../../etc/passwd")
    assert path.is_relative_to(tmp_path)


def test_holds_any_matches_bodies_not_their_metadata(tmp_path: Path) -> None:
    cache = SecCache(tmp_path)
    pattern = "https://data.sec.gov/api/xbrl/companyfacts/CIK*.json"
    assert not cache.holds_any(pattern)
    (tmp_path / "data.sec.gov" / "api" / "xbrl" / "companyfacts").mkdir(parents=True)
    (tmp_path / "data.sec.gov/api/xbrl/companyfacts/CIK0001045810.json.meta.json").write_text("{}")
    assert not cache.holds_any(pattern)  # metadata alone is not a cached document
    cache.put("https://data.sec.gov/api/xbrl/companyfacts/CIK0001045810.json", b'{"cik": 1}')
    assert cache.holds_any(pattern)
    assert not cache.holds_any("https://data.sec.gov/submissions/CIK*.json")
