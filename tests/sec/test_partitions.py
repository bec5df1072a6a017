"""CIK partitions and the ``sec_facts`` view: validation, precedence, migration of old stores."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from stackatlas.sec import facts_store
from stackatlas.sec.companyfacts import FACTS_SCHEMA, parse_companyfacts
from stackatlas.sec.partitions import (
    encode_partition,
    partition_path,
    partition_root,
    read_partition_meta,
    readable_dirs,
    write_partition,
)
from stackatlas.store import Store


def _facts(fixtures: Path, cik: int, scale: float = 1.0) -> pa.Table:
    doc = orjson.loads((fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes())
    table = parse_companyfacts(orjson.dumps({**doc, "cik": cik}))
    values = pc.multiply(table.column("value"), scale)
    return table.set_column(table.schema.get_field_index("value"), "value", values)


def test_partition_round_trip_and_validation(tmp_path: Path, fixtures: Path) -> None:
    table = _facts(fixtures, 201)
    path = write_partition(tmp_path, 201, encode_partition(table))
    assert path == tmp_path / "cik=201" / "facts.parquet"
    assert read_partition_meta(path, 201) == (6, table.schema.metadata[b"entity_name"].decode())
    assert read_partition_meta(path, 202) is None  # another company's folder
    path.write_bytes(path.read_bytes()[:-20])  # truncated footer
    assert read_partition_meta(path, 201) is None
    assert read_partition_meta(tmp_path / "cik=9" / "facts.parquet", 9) is None


def test_view_unions_database_and_partitions(tmp_path: Path, fixtures: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        facts_store.ingest_facts(store, _facts(fixtures, 301))
        root = partition_root(store)
        assert root == tmp_path / "s.sec_facts"
        for cik in (301, 302):  # 301 is also in the database (10x values here)
            write_partition(root, cik, encode_partition(_facts(fixtures, cik, 10.0)))
        facts_store.refresh_view(store)
        rows = dict(
            store.con.execute("SELECT cik, sum(value) FROM sec_facts GROUP BY cik").fetchall()
        )
        base = float(pc.sum(_facts(fixtures, 1).column("value")).as_py())
        # the database's own facts win for 301; 302 comes from its partition
        assert rows == {301: base, 302: 10 * base}
        loaded = facts_store.load_facts(store, 302)
        assert loaded.schema.remove_metadata() == FACTS_SCHEMA and loaded.num_rows == 6
        # a bulk (partition) log for 301 drops its database rows: the partition is now current
        facts_store.log_companies(store, [(301, "ok", 6, None, None, "CIK0000000301.json")])
        assert store.con.execute("SELECT sum(value) FROM sec_facts WHERE cik = 301").fetchall() == [
            (10 * base,)
        ]
        assert facts_store.ingested_ciks(store) == {301}
        # with DuckDB's external access switched off (a locked-down SQL connection), the view
        # still reads its partitions when their folder is an allowed directory
        store.con.execute("SET allowed_directories = ?", [readable_dirs(store)])
        store.con.execute("SET enable_external_access = false")
        assert store.con.execute("SELECT count(*) FROM sec_facts").fetchall() == [(12,)]


def test_old_store_table_becomes_the_view(tmp_path: Path, fixtures: Path) -> None:
    path = tmp_path / "old.duckdb"
    with Store(path) as store:  # a store written before the view: sec_facts is a table
        store.replace_rows("sec_facts", _facts(fixtures, 401).select(FACTS_SCHEMA.names))
    with Store(path) as store:
        facts_store.ingest_facts(store, _facts(fixtures, 402))
        kinds = dict(
            store.con.execute(
                "SELECT table_name, table_type FROM information_schema.tables "
                "WHERE table_name LIKE 'sec_facts%'"
            ).fetchall()
        )
        assert kinds == {"sec_facts": "VIEW", "sec_facts_db": "BASE TABLE"}
        counts = store.con.execute(
            "SELECT cik, count(*) FROM sec_facts GROUP BY cik ORDER BY cik"
        ).fetchall()
        assert counts == [(401, 6), (402, 6)]  # nothing lost in the migration
        assert partition_path(partition_root(store), 1).parent.name == "cik=1"


def test_cli_bulk_ray_needs_the_extra(monkeypatch, tmp_path: Path) -> None:
    import sys

    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    archive = tmp_path / "companyfacts.zip"
    archive.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    result = CliRunner().invoke(app, ["sec", "bulk", str(archive), "--engine", "ray"])
    assert result.exit_code == 1
    assert "pip install 'stackatlas[scale]'" in result.stderr
    both = CliRunner().invoke(
        app, ["sec", "bulk", str(archive), "--engine", "ray", "--workers", "2"]
    )
    assert both.exit_code == 2 and "--workers sets the local engine" in both.stderr
    spark = CliRunner().invoke(app, ["sec", "bulk", str(archive), "--engine", "spark"])
    assert spark.exit_code == 2 and "unknown engine 'spark'" in spark.stderr
