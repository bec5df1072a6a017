"""Store: transactions, replace_rows, read-only SQL, atlas load (idempotent, transactional)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from stackatlas import config
from stackatlas.atlas import load_atlas
from stackatlas.errors import DataUnavailableError, StoreError
from stackatlas.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "db.duckdb") as s:
        yield s


@pytest.fixture
def atlas(fixtures: Path):
    return load_atlas(base=fixtures / "atlas")


def test_default_path_follows_stackatlas_home(_isolated_home: Path) -> None:
    store = Store()
    assert store.path == _isolated_home / "stackatlas.duckdb" == config.store_path()


def test_replace_rows_creates_deletes_and_inserts(store: Store) -> None:
    first = pa.table({"cik": [1, 1, 2], "value": [1.0, 2.0, 3.0]})
    assert store.replace_rows("facts", first) == 3
    assert store.has_table("facts")
    # replace only cik 1: cik 2 survives
    assert (
        store.replace_rows(
            "facts", pd.DataFrame({"cik": [1], "value": [9.0]}), where="cik = ?", params=[1]
        )
        == 1
    )
    got = store.query("SELECT cik, value FROM facts ORDER BY cik")
    assert got.to_dict("list") == {"cik": [1, 2], "value": [9.0, 3.0]}
    assert store.query_arrow("SELECT sum(value) AS s FROM facts").column("s").to_pylist() == [12.0]


def test_replace_rows_failure_keeps_old_rows(store: Store) -> None:
    store.replace_rows("facts", pa.table({"cik": [1], "value": [1.0]}))
    with pytest.raises(StoreError, match="cannot write table 'facts'"):
        # the INSERT fails (unknown column) after the DELETE ran: both must roll back
        store.replace_rows("facts", pa.table({"cik": [1], "nope": ["x"]}))
    assert store.query("SELECT * FROM facts").to_dict("list") == {"cik": [1], "value": [1.0]}


def test_replace_rows_rejects_bad_table_name(store: Store) -> None:
    with pytest.raises(StoreError, match="invalid table name"):
        store.replace_rows("x; DROP TABLE y", pa.table({"a": [1]}))


def test_transaction_rolls_back_on_error(store: Store) -> None:
    store.replace_rows("t", pa.table({"a": [1]}))
    with pytest.raises(RuntimeError), store.transaction() as con:
        con.execute("INSERT INTO t VALUES (2)")
        raise RuntimeError("boom")
    assert store.query("SELECT a FROM t")["a"].tolist() == [1]


def test_meta_roundtrip(store: Store) -> None:
    assert store.get_meta("k") is None
    store.set_meta("k", "v1")
    store.set_meta("k", "v2")
    assert store.get_meta("k") == "v2"


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO t VALUES (3)",
        "DROP TABLE t",
        "COPY t TO 'out.csv'",
        "ATTACH 'other.duckdb' AS o",
        "CREATE TABLE u (a INT)",
        "UPDATE t SET a = 0",
        "DELETE FROM t",
        "PRAGMA version",
        "SET threads = 1",
        "CALL checkpoint()",
        "SELECT 1; DROP TABLE t",
        "EXPORT DATABASE 'dump'",
        "INSTALL httpfs",
    ],
)
def test_sql_readonly_refuses_writes(store: Store, sql: str) -> None:
    store.replace_rows("t", pa.table({"a": [1, 2]}))
    with pytest.raises(StoreError):
        store.sql_readonly(sql)
    assert store.query("SELECT count(*) AS n FROM t")["n"].tolist() == [2]
    assert store.has_table("t") and not store.has_table("u")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT * FROM read_csv('/etc/passwd')", "table function 'read_csv' is not allowed"),
        ("SELECT * FROM '/etc/hosts'", "file reference '/etc/hosts' is not allowed"),
        ("SELECT * FROM 'data.csv'", "file reference 'data.csv' is not allowed"),
        (
            "SELECT a FROM t WHERE a IN (SELECT length(content) FROM read_text('/etc/hosts'))",
            "table function 'read_text' is not allowed",
        ),
        ("WITH x AS (SELECT * FROM glob('/*')) SELECT * FROM x", "table function 'glob'"),
        ("SUMMARIZE SELECT * FROM read_parquet('x.parquet')", "table function 'read_parquet'"),
        ("EXPLAIN ANALYZE SELECT * FROM read_json('x.json')", "table function 'read_json'"),
        ("/* SELECT */ DROP TABLE t", "not DROP"),
        # regression: DML inside a CTE parses as a SELECT statement and used to run (then roll back)
        ("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", "not DELETE (inside a query)"),
        ("WITH x AS (UPDATE t SET a = 0 RETURNING *) SELECT * FROM x", "not UPDATE"),
        ("WITH x AS (INSERT INTO t VALUES (9) RETURNING *) SELECT 1", "not INSERT"),
    ],
)
def test_sql_readonly_refuses_file_access(store: Store, sql: str, message: str) -> None:
    store.replace_rows("t", pa.table({"a": [1, 2]}))
    with pytest.raises(StoreError, match=re.escape(message)):
        store.sql_readonly(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM range(3) r(x) WHERE x > 5",
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'nope'",
        "EXPLAIN SELECT * FROM t WHERE a > 5",
    ],
)
def test_sql_readonly_allows_harmless_functions(store: Store, sql: str) -> None:
    store.replace_rows("t", pa.table({"a": [1, 2]}))
    assert len(store.sql_readonly(sql)) <= 1


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT sum(a) AS s FROM t",
        "WITH x AS (SELECT a FROM t) SELECT sum(a) AS s FROM x",
        "FROM t SELECT sum(a) AS s",
        "SELECT sum(a) AS s FROM (SELECT a FROM t UNION ALL SELECT 0)",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 2) "
        "SELECT sum(n) AS s FROM r",
    ],
)
def test_sql_readonly_runs_reads(store: Store, sql: str) -> None:
    store.replace_rows("t", pa.table({"a": [1, 2]}))
    assert store.sql_readonly(sql)["s"].tolist() == [3]


def test_sql_readonly_describe_and_show(store: Store) -> None:
    store.replace_rows("t", pa.table({"a": [1, 2]}))
    assert store.sql_readonly("DESCRIBE t")["column_name"].tolist() == ["a"]
    assert "t" in store.sql_readonly("SHOW TABLES")["name"].tolist()
    assert store.sql_readonly("SUMMARIZE t")["max"].tolist() == ["2"]


def test_sql_readonly_reports_bad_sql(store: Store) -> None:
    with pytest.raises(StoreError, match="cannot parse SQL"):
        store.sql_readonly("SELEC 1")
    with pytest.raises(StoreError, match="query failed"):
        store.sql_readonly("SELECT * FROM missing_table")


def test_read_only_store_needs_existing_file(tmp_path: Path) -> None:
    with pytest.raises(DataUnavailableError, match="no store"):
        _ = Store(tmp_path / "absent.duckdb", read_only=True).con


def test_load_atlas_tables_and_meta(store: Store, atlas) -> None:
    store.load_atlas(atlas)
    counts = (
        store.query(
            "SELECT (SELECT count(*) FROM atlas_companies) AS companies,"
            " (SELECT count(*) FROM atlas_segments) AS segments,"
            " (SELECT count(*) FROM atlas_layers) AS layers,"
            " (SELECT count(*) FROM atlas_dependencies) AS deps"
        )
        .iloc[0]
        .to_dict()
    )
    # fixture atlas: 7 companies, 4 segments in 3 layers, no dependencies file
    assert counts == {"companies": 7, "segments": 4, "layers": 3, "deps": 0}
    share = store.query("SELECT share FROM atlas_shares WHERE company = 'nvidia'")
    assert share["share"].tolist() == [0.92]
    flows = store.query('SELECT "from", "to" FROM atlas_flows ORDER BY id')
    assert flows.values.tolist() == [["microsoft", "nvidia"], ["hyperscalers", "design-gpu"]]
    members = store.query("SELECT members FROM atlas_groups")["members"].tolist()
    assert list(members[0]) == ["microsoft", "alphabet"]
    assert store.get_meta("atlas_version") == atlas.version
    assert store.get_meta("atlas_loaded_at")


def test_load_atlas_is_idempotent(store: Store, atlas) -> None:
    store.load_atlas(atlas)
    store.load_atlas(atlas)
    assert store.query("SELECT count(*) AS n FROM atlas_companies")["n"].tolist() == [7]


def test_failed_atlas_load_keeps_previous_state(
    store: Store, atlas, fixtures: Path, tmp_path: Path, monkeypatch
) -> None:
    store.load_atlas(atlas)
    smaller = load_atlas(base=_copy_without(fixtures / "atlas", tmp_path / "copy", "constellation"))
    assert len(smaller.companies) == 6

    def disk_full(key: str, value: str) -> None:
        raise duckdb.IOException("injected failure: disk full")

    # the failure comes after every atlas_* table was replaced: all of it must roll back
    monkeypatch.setattr(store, "set_meta", disk_full)
    with pytest.raises(StoreError, match=r"cannot load the atlas.*injected failure"):
        store.load_atlas(smaller)
    assert store.query("SELECT count(*) AS n FROM atlas_companies")["n"].tolist() == [7]
    assert store.get_meta("atlas_version") == atlas.version
    monkeypatch.undo()
    store.load_atlas(smaller)
    assert store.query("SELECT count(*) AS n FROM atlas_companies")["n"].tolist() == [6]
    assert store.get_meta("atlas_version") == smaller.version != atlas.version


def _copy_without(source: Path, target: Path, company: str) -> Path:
    """A copy of an atlas directory without one company's rows."""
    shutil.copytree(source, target)
    for name in ("companies.csv", "memberships.csv"):
        path = target / name
        lines = [x for x in path.read_text().splitlines() if not x.startswith(company + ",")]
        path.write_text("\n".join(lines) + "\n")
    return target


def test_has_table_leaves_no_pending_result(tmp_path: Path) -> None:
    """Regression: has_table followed by query_arrow raised DuckDB 'unfinished result'."""
    store = Store(tmp_path / "s.duckdb")
    store.replace_rows("numbers", pa.table({"n": [1, 2, 3]}))
    assert store.has_table("numbers")
    assert store.query_arrow("SELECT sum(n) AS total FROM numbers").column("total")[0].as_py() == 6
    assert not store.has_table("missing")
    assert store.query("SELECT count(*) AS c FROM numbers")["c"].iloc[0] == 3


def test_query_arrow_after_a_partly_fetched_result(tmp_path: Path) -> None:
    """Regression: a fetchone() left a pending result and query_arrow raised ResourceInUse."""
    store = Store(tmp_path / "s.duckdb")
    store.replace_rows("numbers", pa.table({"n": [1, 2, 3]}))
    store.con.execute("SELECT n FROM numbers ORDER BY n").fetchone()
    assert store.query_arrow("SELECT count(*) AS c FROM numbers").column("c")[0].as_py() == 3


def test_store_locked_by_another_process_says_so(tmp_path: Path) -> None:
    """DuckDB lets one process write a file; the error names the situation, not only the raw
    'Could not set lock' IO error."""
    import subprocess
    import sys
    import time

    path = tmp_path / "locked.duckdb"
    Store(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); time.sleep(20)",
            str(path),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"ready"
        start = time.monotonic()
        with pytest.raises(StoreError, match=r"is in use by another process \(PID \d+\)"):
            Store(path, read_only=True).con  # noqa: B018 (opening is the point)
        assert time.monotonic() - start < 10
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


# ---- damaged store files (issue 11) ---------------------------------------------------------
def test_truncated_store_says_so_and_how_to_rebuild(tmp_path: Path, atlas) -> None:
    from stackatlas.errors import CorruptStoreError
    from stackatlas.store.store import set_aside

    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        s.load_atlas(atlas)
    data = path.read_bytes()
    for damaged in (data[: len(data) // 2], b"not a database" * 100):
        path.write_bytes(damaged)
        with pytest.raises(CorruptStoreError) as err, Store(path) as s:
            for table in s.query("SELECT table_name FROM information_schema.tables")["table_name"]:
                s.query(f'SELECT * FROM "{table}"')  # every block: the lost half is found
        assert f"the store {path} is damaged" in str(err.value)
        assert "stackatlas run --rebuild" in str(err.value)
    moved = set_aside(path)
    assert moved is not None and moved.name.startswith("s.duckdb.damaged-")
    assert moved.read_bytes() == b"not a database" * 100 and not path.exists()  # kept, not lost
    assert set_aside(path) is None
