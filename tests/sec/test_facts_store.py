"""sec_facts / sec_sync_log: replace per CIK in one transaction, load, resume bookkeeping."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from stackatlas.errors import StoreError, ValidationError
from stackatlas.sec import facts_store
from stackatlas.sec.companyfacts import FACTS_SCHEMA, parse_companyfacts, read_companyfacts
from stackatlas.store import Store


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "t.duckdb") as s:
        yield s


@pytest.fixture
def tiny(fixtures: Path) -> pa.Table:
    return read_companyfacts(fixtures / "sec" / "companyfacts" / "CIK0000000101.json")


def renumbered(table: pa.Table, cik: int) -> pa.Table:
    out = table.set_column(0, "cik", pa.array([cik] * table.num_rows, pa.int64()))
    return out.replace_schema_metadata({b"cik": str(cik).encode()})


def test_ingest_load_round_trip(store: Store, tiny: pa.Table) -> None:
    assert facts_store.ingest_facts(store, tiny, source="dir", origin="x.json") == 6
    loaded = facts_store.load_facts(store, 101)
    assert loaded.schema.equals(FACTS_SCHEMA, check_metadata=False)
    key = ["concept", "unit", "end", "filed", "accession"]
    assert (
        loaded.sort_by([(k, "ascending") for k in key]).to_pylist()
        == tiny.sort_by([(k, "ascending") for k in key]).to_pylist()
    )
    assert facts_store.load_facts(store, 999) is None
    log = facts_store.sync_log(store).to_pylist()
    assert [
        (r["cik"], r["status"], r["source"], r["facts"], r["origin"], r["entity_name"]) for r in log
    ] == [(101, "ok", "dir", 6, "x.json", "TINY DEVICES INC")]


def test_reingest_replaces_only_that_company(store: Store, tiny: pa.Table) -> None:
    facts_store.ingest_facts(store, tiny)
    facts_store.ingest_facts(store, renumbered(tiny, 202))
    facts_store.ingest_facts(store, tiny.slice(0, 2))
    counts = dict(store.con.execute("SELECT cik, count(*) FROM sec_facts GROUP BY cik").fetchall())
    assert counts == {101: 2, 202: 6}


def test_failed_ingest_keeps_previous_rows(
    store: Store, tiny: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts_store.ingest_facts(store, tiny)
    real_execute = type(store.con).execute

    def failing_insert_log(con, sql, *args, **kwargs):
        if sql.startswith("INSERT INTO sec_sync_log"):
            raise StoreError("simulated crash while logging")
        return real_execute(con, sql, *args, **kwargs)

    monkeypatch.setattr(type(store.con), "execute", failing_insert_log)
    with pytest.raises(StoreError, match="simulated"):
        facts_store.ingest_facts(store, tiny.slice(0, 1))
    monkeypatch.undo()
    assert facts_store.load_facts(store, 101).num_rows == 6  # rolled back, nothing lost
    assert len(facts_store.sync_log(store)) == 1


def test_empty_company_is_logged_with_zero_facts(store: Store) -> None:
    empty = parse_companyfacts(b'{"cik": 42, "entityName": "Shell", "facts": {}}')
    assert facts_store.ingest_facts(store, empty) == 0
    assert facts_store.ingested_ciks(store) == {42}


def test_ingested_ciks_uses_latest_status(store: Store, tiny: pa.Table) -> None:
    assert facts_store.ingested_ciks(store) == set()
    facts_store.ingest_facts(store, tiny)
    facts_store.ingest_facts(store, renumbered(tiny, 202))
    facts_store.record_failure(store, 202, source="network", error="HTTP 503")
    assert facts_store.ingested_ciks(store) == {101}
    assert facts_store.load_facts(store, 202).num_rows == 6  # a failure never deletes facts


def test_batch_rejects_duplicates_and_cikless_tables(store: Store, tiny: pa.Table) -> None:
    with pytest.raises(ValidationError, match="same CIK appears twice"):
        facts_store.ingest_batch(store, [tiny, tiny], source="bulk")
    with pytest.raises(ValidationError, match="carries no CIK"):
        facts_store.ingest_facts(store, FACTS_SCHEMA.empty_table())
