"""The disk memo (``stackatlas._memo``): a warm process reads what a cold one computed, and
never an answer to other inputs, other code, a damaged file or a file someone else could
have planted."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from stackatlas import _memo
from stackatlas.resolver import Resolver
from stackatlas.resolver import resolver as resolver_module
from stackatlas.resolver.atlas_provider import AtlasFiguresProvider
from stackatlas.resolver.sec_providers import CompanyFactsProvider
from stackatlas.sec import segments as segments_module
from tests.builders import company, money_atlas


def _files(namespace: str) -> list[Path]:
    folder = _memo.config.home_path() / "cache" / "memo" / namespace
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


def test_round_trip_private_file() -> None:
    key = ("dir", "/x/CIK1.json", 10, 123)
    assert _memo.recall("t", key) is None
    _memo.remember("t", key, {"revenue": 1.5})
    assert _memo.recall("t", key) == {"revenue": 1.5}
    (path,) = _files("t")
    assert path.stat().st_mode & 0o777 == 0o600
    assert _memo.recall("t", ("dir", "/x/CIK1.json", 10, 124)) is None  # other mtime: a miss


def test_other_code_is_a_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    _memo.remember("t", "k", 1)
    monkeypatch.setattr(_memo, "code_fingerprint", lambda: "another build")
    assert _memo.recall("t", "k") is None


def test_writable_by_others_is_not_read() -> None:
    _memo.remember("t", "k", 1)
    (path,) = _files("t")
    path.chmod(0o666)
    assert _memo.recall("t", "k") is None


def test_damaged_file_is_a_miss_and_dropped() -> None:
    _memo.remember("t", "k", 1)
    (path,) = _files("t")
    path.write_bytes(b"\x80\x05not a pickle")
    assert _memo.recall("t", "k") is None
    assert not path.exists()


def test_unstable_key_and_switch_off(monkeypatch: pytest.MonkeyPatch) -> None:
    _memo.remember("t", ("x", object()), 1)  # repr holds an address: never kept
    assert _files("t") == []
    monkeypatch.setenv("STACKATLAS_NO_MEMO", "1")
    _memo.remember("t", "k", 1)
    assert _files("t") == []


def _facts_resolver(folder: Path) -> Resolver:
    atlas = money_atlas(companies=[company("chipco", 101), company("cloudco", 2)])
    return Resolver(
        atlas, [CompanyFactsProvider(folder=folder), AtlasFiguresProvider(atlas)], store=None
    )


def test_resolver_reads_a_cold_process_answer_until_the_file_changes(
    fixtures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "sec"
    shutil.copytree(fixtures / "sec" / "companyfacts", folder / "companyfacts")
    cold = _facts_resolver(folder).company("chipco")
    assert not cold.annual.empty
    assert len(_files("resolver")) == 1

    resolver_module.clear_cache()  # a new process: nothing in memory

    def no_collect(self: Resolver, cid: str) -> None:
        raise AssertionError(f"{cid} recomputed although the memo holds it")

    monkeypatch.setattr(Resolver, "_collect", no_collect)
    warm = _facts_resolver(folder).company("chipco")
    for part in ("fiscal", "annual", "quarterly", "ttm"):
        pd.testing.assert_frame_equal(getattr(warm, part), getattr(cold, part))

    resolver_module.clear_cache()
    path = folder / "companyfacts" / "CIK0000000101.json"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a re-downloaded file
    with pytest.raises(AssertionError, match="recomputed"):
        _facts_resolver(folder).company("chipco")


def test_filing_segments_parsed_once_across_processes(
    fixtures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "filings"
    folder.mkdir()
    shutil.copy(fixtures / "ixbrl" / "exco-10-k-2025-02-14.html", folder)
    segments_module._DIR_CACHE.clear()
    cold = segments_module.segments_from_dir(folder)
    assert len(cold) > 0

    segments_module._DIR_CACHE.clear()  # a new process

    def no_parse(path: Path) -> None:
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(segments_module, "filing_segments", no_parse)
    pd.testing.assert_frame_equal(segments_module.segments_from_dir(folder), cold)


def test_a_full_folder_keeps_the_newest(monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(6):
        _memo.remember("p", i, i)
        path = _memo._path("p", i)
        assert path is not None
        os.utime(path, ns=(i * 10**9, i * 10**9))  # written in key order
    monkeypatch.setattr(_memo, "_PRUNED", set())
    _memo._prune_once(path.parent, keep=4)  # 6 > 4: the 4 oldest go, keep // 2 stay
    assert [_memo.recall("p", i) for i in range(6)] == [None, None, None, None, 4, 5]


def test_a_folder_over_its_byte_budget_keeps_the_newest(monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(4):
        _memo.remember("b", i, b"x" * 1000)
        path = _memo._path("b", i)
        assert path is not None
        os.utime(path, ns=(i * 10**9, i * 10**9))
    size = path.stat().st_size
    monkeypatch.setattr(_memo, "_PRUNED", set())
    _memo._prune_once(path.parent, budget=3 * size)  # 4 files > 3: down to 1.5 files' bytes
    assert [_memo.recall("b", i) is not None for i in range(4)] == [False, False, False, True]


def test_resolver_key_follows_the_fx_file_and_the_company_row(
    fixtures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user FX file converts foreign filers and an overlay may change any company field:
    either is a new key, so no number converted or read under the old one is reused."""
    folder = tmp_path / "sec"
    shutil.copytree(fixtures / "sec" / "companyfacts", folder / "companyfacts")
    before = _facts_resolver(folder)._version("chipco")
    fx = tmp_path / "fx.csv"
    fx.write_text("currency,year,usd_per_unit\n")
    monkeypatch.setenv("STACKATLAS_FX_FILE", str(fx))
    with_fx = _facts_resolver(folder)._version("chipco")
    assert with_fx != before
    atlas = money_atlas(companies=[company("chipco", 101, ticker="CHIP"), company("cloudco", 2)])
    providers = [CompanyFactsProvider(folder=folder), AtlasFiguresProvider(atlas)]
    assert Resolver(atlas, providers)._version("chipco") != with_fx


def test_filing_facts_parsed_once_across_processes(
    fixtures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stackatlas.sec import filings

    path = tmp_path / "exco-10-k-2025-02-14.html"
    shutil.copy(fixtures / "ixbrl" / path.name, path)
    filings.clear_cache()
    cold = filings.read_document(path)
    assert cold.num_rows > 0

    filings.clear_cache()  # a new process

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(filings, "parse_ixbrl", no_parse)
    assert filings.read_document(path).equals(cold)
    path.write_bytes(path.read_bytes() + b"\n")  # a new version of the document
    with pytest.raises(AssertionError, match="parsed again"):
        filings.read_document(path)
