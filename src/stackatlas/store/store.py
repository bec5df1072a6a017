"""The embedded DuckDB store: one database file holding the atlas, SEC facts, prices, snapshots.

Concurrency: each ``Store`` opens its own connection to the file. DuckDB allows one writing
process at a time (a second process gets a lock error, raised here as ``StoreError``); within a
process all ``Store`` objects on one file must agree on ``read_only``. A connection is not meant
for concurrent use from several threads: give each thread its own ``Store`` (or
``store.con.cursor()``).

All writes go through ``transaction()``: either every statement of a block lands or none does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
import pyarrow as pa

from stackatlas import config
from stackatlas.errors import (
    CorruptStoreError,
    DataUnavailableError,
    QueryTimeoutError,
    StoreError,
)
from stackatlas.store.readonly import SAFE_CONFIG, StatementTimer, check_read_only, lock_down

if TYPE_CHECKING:
    from stackatlas.atlas.atlas import Atlas

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
META_TABLE = "meta"
VIEW_SIDECARS = ("sec_facts",)  # folders beside the store file that its views read
_DAMAGE = re.compile(
    r"not a valid DuckDB database|Could not read enough bytes|corrupt|checksum|"
    r"replaying WAL|invalid block|Serialization Error",
    re.IGNORECASE,
)
REBUILD_HINT = (
    "rebuild it with `stackatlas run --rebuild` (the damaged file is kept beside it as "
    "*.damaged-<time>; SEC facts come back from the SEC cache, the price cache and signal "
    "history start empty)"
)


def store_error(exc: duckdb.Error, path: Path, what: str) -> StoreError:
    """The stackatlas error for a DuckDB failure: ``CorruptStoreError`` with how to rebuild
    when the file is damaged (never a raw ``_duckdb.IOException``), else ``StoreError``."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if _DAMAGE.search(str(exc)) or isinstance(exc, duckdb.SerializationException):
        return CorruptStoreError(f"the store {path} is damaged ({first[:160]}); {REBUILD_HINT}")
    return StoreError(f"{what}: {exc}")


def set_aside(path: Path) -> Path | None:
    """Rename a (damaged) store file and its WAL to ``<name>.damaged-<UTC time>``; returns
    the new name, or None when there was no file. Nothing is deleted."""
    if not path.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    path.rename(target)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        wal.rename(target.with_name(target.name + ".wal"))
    return target


def _check_ident(name: str) -> str:
    if not _IDENT.match(name):
        raise StoreError(f"invalid table name {name!r}")
    return name


def _explain_extension(exc: duckdb.Error) -> str:
    """DuckDB's message, with its advice to install an extension replaced by why it cannot."""
    text = str(exc)
    needed = _EXTENSION.search(text)
    if needed is None:
        return text
    first = text.split("\n", 1)[0]
    return (
        f"{first} Read-only SQL never installs or loads DuckDB extensions (no network, "
        f"nothing written under the home directory), so the {needed.group(1)!r} extension is "
        "not available."
    )


_EXTENSION = re.compile(r"exists in the (\w+) extension")


class Store:
    """A DuckDB database file (default ``config.store_path()``), opened lazily."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else config.store_path()
        self.read_only = read_only
        self._con: duckdb.DuckDBPyConnection | None = None
        self._tx_depth = 0

    @classmethod
    def open_existing(cls, path: Path | None = None) -> Store | None:
        """The store read-only when its file exists, else None (no file is created)."""
        store = cls(path, read_only=True)
        return store if store.path.is_file() else None

    # ---- connection ----------------------------------------------------------------------
    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The open connection (opened on first use)."""
        if self._con is None:
            if self.read_only and not self.path.exists():
                raise DataUnavailableError(
                    f"no store at {self.path}; run `stackatlas run` to build it"
                )
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._con = duckdb.connect(
                    str(self.path), read_only=self.read_only, config=SAFE_CONFIG
                )
            except duckdb.Error as exc:
                if "lock" in str(exc).lower():  # DuckDB: one writing process per file
                    holder = re.search(r"\(PID (\d+)\)", str(exc))
                    raise StoreError(
                        f"the store {self.path} is in use by another process"
                        + (f" (PID {holder.group(1)})" if holder else "")
                        + ", e.g. `stackatlas serve` or a running sync; retry when it has "
                        "finished, or set STACKATLAS_HOME to another directory"
                    ) from exc
                raise store_error(exc, self.path, f"cannot open store {self.path}") from exc
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- transactions and writes ---------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """BEGIN ... COMMIT, or ROLLBACK on any exception. Nested blocks join the outer one."""
        con = self.con
        if self._tx_depth:
            self._tx_depth += 1
            try:
                yield con
            finally:
                self._tx_depth -= 1
            return
        con.begin()
        self._tx_depth = 1
        try:
            yield con
        except BaseException:
            con.rollback()
            raise
        else:
            con.commit()
        finally:
            self._tx_depth = 0

    def replace_rows(
        self,
        table: str,
        data: pa.Table | pd.DataFrame,
        *,
        where: str | None = None,
        params: list | None = None,
    ) -> int:
        """In one transaction: create ``table`` from ``data``'s schema if missing, delete the
        rows matching ``where`` (all rows if None), insert ``data``. Returns rows inserted."""
        _check_ident(table)
        view = f"_incoming_{table}"
        try:
            with self.transaction() as con:
                con.register(view, data)
                try:
                    if not self.has_table(table):
                        con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM "{view}" LIMIT 0')
                    sql = f'DELETE FROM "{table}"' + (f" WHERE {where}" if where else "")
                    con.execute(sql, params or [])
                    con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM "{view}"')
                finally:
                    con.unregister(view)
        except duckdb.Error as exc:
            raise store_error(exc, self.path, f"cannot write table {table!r}") from exc
        return len(data)

    # ---- reads ---------------------------------------------------------------------------
    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        try:
            return self.con.execute(sql, params or []).df()
        except duckdb.Error as exc:
            raise store_error(exc, self.path, "query failed") from exc

    def query_arrow(self, sql: str, params: list | None = None) -> pa.Table:
        try:
            # DuckDB 2 refuses new work while an execute() result is partly fetched (e.g. after
            # fetchone()); abort() drops only that pending result, never the transaction.
            self.con.abort()
            return self.con.sql(sql, params=params or None).to_arrow_table()
        except duckdb.Error as exc:
            raise store_error(exc, self.path, "query failed") from exc

    def has_table(self, name: str) -> bool:
        # fetchall() drains the result so the connection has no pending result afterwards.
        try:
            rows = self.con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
                "AND table_schema = 'main'",
                [name],
            ).fetchall()
        except duckdb.Error as exc:
            raise store_error(exc, self.path, "cannot list the store's tables") from exc
        return bool(rows and rows[0][0])

    def sql_readonly(self, sql: str, *, timeout: float | None = None) -> pd.DataFrame:
        """Run one read-only statement (SELECT / WITH / FROM / DESCRIBE / SHOW / SUMMARIZE /
        EXPLAIN) on the store's tables. Writes, settings, attachments and file or network
        reads are refused with ``StoreError`` before anything runs (see ``readonly``); the
        statement then runs on a cursor inside a transaction that is always rolled back, with
        the database's external access switched off (for the rest of this process: see
        ``readonly.lock_down``). ``timeout``: seconds, 0 = no limit (default:
        ``config.sql_timeout()``, 30 s); past it the statement is interrupted and
        ``QueryTimeoutError`` says so."""
        check_read_only(sql)
        seconds = config.sql_timeout() if timeout is None else (timeout or None)
        lock_down(self.con, self._view_dirs())
        cursor = self.con.cursor()
        timer = StatementTimer(cursor, seconds)
        try:
            cursor.begin()
            try:
                with timer:
                    return cursor.execute(sql).df()
            finally:
                cursor.rollback()
        except duckdb.Error as exc:
            if timer.fired:
                raise QueryTimeoutError(
                    f"query stopped after {seconds:g} s, its statement timeout (raise it with "
                    "--timeout SECONDS or STACKATLAS_SQL_TIMEOUT; 0 = no limit)"
                ) from None
            if _EXTENSION.search(str(exc)):
                raise StoreError(f"query failed: {_explain_extension(exc)}") from exc
            raise store_error(exc, self.path, "query failed") from exc
        finally:
            cursor.close()

    def sidecar_dir(self, name: str) -> Path:
        """The folder beside the store file that holds data a view reads: ``<stem>.<name>``
        (``sec.partitions`` keeps the ``sec_facts`` Parquet partitions there)."""
        return self.path.with_name(f"{self.path.stem}.{name}")

    def _view_dirs(self) -> list[str]:
        """Folders the store's views read (the ``sec_facts`` Parquet partitions), which stay
        readable when user SQL switches external access off."""
        return [f"{self.sidecar_dir(name)}/" for name in VIEW_SIDECARS]

    # ---- meta ----------------------------------------------------------------------------
    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as con:
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR)"
            )
            con.execute(f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?, ?)", [key, value])

    def get_meta(self, key: str) -> str | None:
        if not self.has_table(META_TABLE):
            return None
        try:
            rows = self.con.execute(
                f"SELECT value FROM {META_TABLE} WHERE key = ?", [key]
            ).fetchall()
        except duckdb.Error as exc:
            raise store_error(exc, self.path, "cannot read the store's meta table") from exc
        row = rows[0] if rows else None
        return row[0] if row else None

    # ---- atlas ---------------------------------------------------------------------------
    def load_atlas(self, atlas: Atlas) -> None:
        """Replace every ``atlas_<table>`` table with ``atlas`` in one transaction (idempotent;
        a failure leaves the previous tables and meta untouched)."""
        from stackatlas.atlas.tables import atlas_arrow_tables

        tables = atlas_arrow_tables(atlas)
        try:
            with self.transaction() as con:
                for name, data in tables.items():
                    target = _check_ident(f"atlas_{name}")
                    view = f"_incoming_{target}"
                    con.register(view, data)
                    try:
                        con.execute(f'CREATE OR REPLACE TABLE "{target}" AS SELECT * FROM "{view}"')
                    finally:
                        con.unregister(view)
                self.set_meta("atlas_version", atlas.version)
                self.set_meta("atlas_loaded_at", datetime.now(UTC).isoformat(timespec="seconds"))
        except duckdb.Error as exc:
            raise store_error(exc, self.path, "cannot load the atlas into the store") from exc

    def ensure_atlas(self, atlas: Atlas) -> bool:
        """Load ``atlas`` unless the store already holds this version; True if it loaded."""
        if self.get_meta("atlas_version") == atlas.version and self.has_table("atlas_companies"):
            return False
        self.load_atlas(atlas)
        return True
