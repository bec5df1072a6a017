"""The parse-level guard behind ``Store.sql_readonly``: one read-only statement, store tables only.

Accepted: a single SELECT (incl. WITH / FROM-first), DESCRIBE, SHOW, SUMMARIZE, or EXPLAIN of
one of those. Refused before anything runs: every other statement type (INSERT, UPDATE, DELETE,
CREATE, DROP, ALTER, COPY, ATTACH, DETACH, EXPORT, IMPORT, PRAGMA, SET, CALL, INSTALL, LOAD,
VACUUM, CHECKPOINT ...), table functions outside a small allowlist (so no ``read_csv``,
``read_parquet``, ``read_text``, ``glob``, HTTP ...), and file references such as
``FROM 'data.csv'``. The parsed tree comes from DuckDB itself (``json_serialize_sql``), so
comments, quoting and nesting cannot hide a write or a file read.

Below the guard, DuckDB itself is locked down (defence in depth): every store connection is
opened with extension auto-install and auto-load off (``SAFE_CONFIG``: a query naming an
extension type such as ``INET`` fails instead of downloading it under the home directory), and
before the first user statement the database's external access is switched off for good
(``lock_down``: no file, HTTP or extension access from then on, except reads under the folders
the store's own views need). ``StatementTimer`` interrupts a
statement that runs past its timeout.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from typing import Any

import duckdb

from stackatlas.errors import StoreError

ALLOWED_TABLE_FUNCTIONS = frozenset(
    {
        "range",
        "generate_series",
        "unnest",
        "duckdb_tables",
        "duckdb_views",
        "duckdb_columns",
        "duckdb_schemas",
        "duckdb_types",
        "duckdb_functions",
        "duckdb_constraints",
        "duckdb_indexes",
        "duckdb_keywords",
        "pragma_table_info",
    }
)
# query nodes that only read; DuckDB also parses DML inside a CTE
# (``WITH t AS (DELETE ... RETURNING *) SELECT ...``) as DELETE/UPDATE/INSERT_QUERY_NODE
READ_QUERY_NODES = frozenset(
    {"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE"}
)
_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(ANALYZE\s+)?", re.IGNORECASE)
_FILE_CHARS = re.compile(r"[./\\:~]")


SAFE_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}
"""Connection settings for every store connection: never fetch or load an extension."""

_LOCAL = threading.local()


def _parser() -> duckdb.DuckDBPyConnection:
    """This thread's in-memory connection used only to parse (opening one costs ~15 ms)."""
    con = getattr(_LOCAL, "con", None)
    if con is None:
        con = _LOCAL.con = duckdb.connect(config=SAFE_CONFIG)
        lock_down(con)
    return con


def lock_down(con: duckdb.DuckDBPyConnection, readable: Sequence[str] = ()) -> None:
    """Switch off external access (files, HTTP, extensions) for ``con``'s database, except
    reads under the folders in ``readable`` (e.g. the Parquet partitions behind the store's
    ``sec_facts`` view). One-way: DuckDB cannot switch it back on, nor change the folders,
    while the database is open, so the first call decides; registered Arrow / pandas objects
    stay readable."""
    external = con.execute("SELECT current_setting('enable_external_access')").fetchall()
    if external and external[0][0]:
        con.execute("SET allowed_directories = ?", [list(readable)])
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")


class StatementTimer:
    """Context manager that interrupts ``con``'s running statement after ``seconds`` (None =
    never); ``fired`` says whether it did. An interrupt never lands after the block ends."""

    def __init__(self, con: duckdb.DuckDBPyConnection, seconds: float | None) -> None:
        self._con, self.seconds = con, seconds
        self._lock = threading.Lock()
        self._done = False
        self.fired = False
        self._timer: threading.Timer | None = None

    def _fire(self) -> None:
        with self._lock:
            if not self._done:
                self.fired = True
                self._con.interrupt()

    def __enter__(self) -> StatementTimer:
        if self.seconds is not None:
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
        if self._timer is not None:
            self._timer.cancel()


def check_read_only(sql: str) -> None:
    """Raise ``StoreError`` unless ``sql`` is one statement that only reads store tables."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise StoreError(f"cannot parse SQL: {exc}") from exc
    if len(statements) != 1:
        raise StoreError(f"expected exactly one statement, got {len(statements)}")
    kind = statements[0].type
    if kind == duckdb.StatementType.EXPLAIN:
        match = _EXPLAIN.match(sql)
        if not match:
            raise StoreError("cannot check this EXPLAIN statement")
        check_read_only(sql[match.end() :])
        return
    if kind != duckdb.StatementType.SELECT:
        raise StoreError(f"only read-only queries are allowed, not {kind.name}")
    raw = _parser().execute("SELECT json_serialize_sql(?::VARCHAR)", [sql]).fetchall()[0]
    tree = json.loads(raw[0]) if raw else {"error": True}
    if tree.get("error"):
        raise StoreError(f"cannot check SQL: {tree.get('error_message', 'unknown error')}")
    _walk(tree)


def _walk(node: Any) -> None:
    if isinstance(node, dict):
        kind = node.get("type")
        if isinstance(kind, str) and kind.endswith("_NODE") and kind not in READ_QUERY_NODES:
            verb = kind.removesuffix("_NODE").removesuffix("_QUERY")
            raise StoreError(f"only read-only queries are allowed, not {verb} (inside a query)")
        if kind == "TABLE_FUNCTION":
            name = str((node.get("function") or {}).get("function_name", "")).lower()
            if name not in ALLOWED_TABLE_FUNCTIONS:
                raise StoreError(
                    f"table function {name!r} is not allowed in read-only SQL "
                    "(no file or network access)"
                )
        elif kind == "BASE_TABLE" and _FILE_CHARS.search(str(node.get("table_name", ""))):
            raise StoreError(
                f"file reference {node.get('table_name')!r} is not allowed in read-only SQL"
            )
        for value in node.values():
            _walk(value)
    elif isinstance(node, list):
        for value in node:
            _walk(value)
