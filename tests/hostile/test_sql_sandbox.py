"""Hostile SQL: no network, no extension download, nothing written under HOME, a statement
timeout that says it fired (issue 11)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import pytest

from stackatlas.errors import QueryTimeoutError, StoreError, ValidationError
from stackatlas.sec import facts_store
from stackatlas.sec.companyfacts import parse_companyfacts
from stackatlas.sec.partitions import encode_partition, partition_root, write_partition
from stackatlas.store import Store

ENDLESS = "SELECT count(*) FROM range(100000000000000)"  # ~1e14 rows: hours of work


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "db.duckdb") as s:
        s.replace_rows("t", pa.table({"a": [1, 2]}))
        yield s


def _cli(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real CLI in a child process whose HOME is a fresh folder (what DuckDB would write
    extensions under: ~/.duckdb/extensions)."""
    full_env = {
        **os.environ,
        "HOME": str(home),
        "STACKATLAS_HOME": str(home / "data"),
        "STACKATLAS_OFFLINE": "1",
        **(env or {}),
    }
    cli = Path(sys.executable).parent / "stackatlas"
    return subprocess.run(
        [str(cli), "sql", *args], env=full_env, capture_output=True, text=True, timeout=120
    )


def _files_under(home: Path) -> list[str]:
    return sorted(
        str(p.relative_to(home)) for p in home.rglob("*") if not p.is_relative_to(home / "data")
    )


def test_extension_type_never_downloads(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    got = _cli(home, "SELECT '127.0.0.1'::INET")
    assert got.returncode == 1, got.stderr
    assert "Traceback" not in got.stderr
    assert "never installs or loads DuckDB extensions" in got.stderr
    assert "'inet'" in got.stderr
    assert _files_under(home) == []  # no ~/.duckdb/extensions/... was created


def test_store_connections_never_autoload(store: Store) -> None:
    settings = store.sql_readonly(
        "SELECT current_setting('autoinstall_known_extensions') AS install, "
        "current_setting('autoload_known_extensions') AS autoload, "
        "current_setting('enable_external_access') AS external"
    ).iloc[0]
    assert (settings["install"], settings["autoload"], settings["external"]) == (
        False,
        False,
        False,
    )


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/hostname')",
        "SELECT * FROM 'https://example.com/x.csv'",
        "INSTALL inet",
        "LOAD inet",
    ],
)
def test_external_access_is_off_below_the_guard(store: Store, sql: str) -> None:
    """Defence in depth: even a statement the parse-level guard never sees (run straight on
    the connection) cannot read a file, reach the network or load an extension once user SQL
    has run on this store."""
    store.sql_readonly("SELECT 1")
    with pytest.raises(duckdb.PermissionException, match=r"disabled (by|through) configuration"):
        store.con.execute(sql).fetchall()


def test_sec_facts_partitions_stay_readable_when_locked_down(
    tmp_path: Path, fixtures: Path
) -> None:
    """``sec_facts`` is a view over ``sec_facts_db`` and CIK-partitioned Parquet files: with
    external access off for user SQL, the view still reads its partitions (their folder is
    the one allowed directory) while any other file stays refused."""
    doc = orjson.loads((fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes())
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("a\n1\n", encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store:
        facts_store.ingest_facts(store, parse_companyfacts(orjson.dumps({**doc, "cik": 301})))
        write_partition(
            partition_root(store),
            302,
            encode_partition(parse_companyfacts(orjson.dumps({**doc, "cik": 302}))),
        )
        facts_store.refresh_view(store)
        for _ in range(2):  # the first call locks down, the second finds it locked
            counts = store.sql_readonly(
                "SELECT cik, count(*) AS n FROM sec_facts GROUP BY cik ORDER BY cik"
            )
            # the fixture holds 6 facts; 301 from the database, 302 from its Parquet file
            assert counts.to_dict("list") == {"cik": [301, 302], "n": [6, 6]}
        assert store.con.execute("SELECT current_setting('enable_external_access')").fetchall() == [
            (False,)
        ]
        with pytest.raises(duckdb.PermissionException, match="disabled by configuration"):
            store.con.execute(f"SELECT * FROM read_csv('{outside}')").fetchall()


def test_statement_timeout_interrupts_and_says_so(store: Store) -> None:
    start = time.monotonic()
    with pytest.raises(QueryTimeoutError, match=r"stopped after 0.5 s, its statement timeout"):
        store.sql_readonly(ENDLESS, timeout=0.5)
    assert time.monotonic() - start < 20  # interrupted, not run to the end
    # the store still answers, the data is intact, and a fast query is never interrupted
    for _ in range(20):
        assert store.sql_readonly("SELECT sum(a) AS s FROM t", timeout=0.05)["s"].tolist() == [3]


def test_timeout_error_is_a_store_error() -> None:
    assert issubclass(QueryTimeoutError, StoreError)
    assert issubclass(QueryTimeoutError, TimeoutError)


def test_timeout_from_environment(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKATLAS_SQL_TIMEOUT", "0.3")
    with pytest.raises(QueryTimeoutError, match=r"after 0\.3 s"):
        store.sql_readonly(ENDLESS)
    monkeypatch.setenv("STACKATLAS_SQL_TIMEOUT", "soon")
    with pytest.raises(ValidationError, match="STACKATLAS_SQL_TIMEOUT='soon'"):
        store.sql_readonly("SELECT 1")
    monkeypatch.setenv("STACKATLAS_SQL_TIMEOUT", "nan")
    with pytest.raises(ValidationError, match="expected a number of seconds"):
        store.sql_readonly("SELECT 1")


def test_cli_timeout_option(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    start = time.monotonic()
    got = _cli(home, ENDLESS, "--timeout", "1")
    assert time.monotonic() - start < 60
    assert got.returncode == 1 and "Traceback" not in got.stderr
    assert "query stopped after 1 s, its statement timeout" in got.stderr
    fast = _cli(home, "SELECT 42 AS answer", "--json", env={"STACKATLAS_SQL_TIMEOUT": "5"})
    assert fast.returncode == 0, fast.stderr
    assert '"answer": 42' in fast.stdout
