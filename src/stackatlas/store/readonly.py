"""The parse-level guard behind ``Store.sql_readonly``: one read-only statement, store tables only.

Accepted: a single SELECT (incl. WITH / FROM-first), DESCRIBE, SHOW, SUMMARIZE, or EXPLAIN of
one of those. Refused before anything runs: every other statement type (INSERT, UPDATE, DELETE,
CREATE, DROP, ALTER, COPY, ATTACH, DETACH, EXPORT, IMPORT, PRAGMA, SET, CALL, INSTALL, LOAD,
VACUUM, CHECKPOINT ...), table functions outside a small allowlist (so no ``read_csv``,
``read_parquet``, ``read_text``, ``glob``, HTTP ...), and file references such as
``FROM 'data.csv'``. The parsed tree comes from DuckDB itself (``json_serialize_sql``), so
comments, quoting and nesting cannot hide a write or a file read.
"""

from __future__ import annotations

import json
import re
import threading
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


_LOCAL = threading.local()


def _parser() -> duckdb.DuckDBPyConnection:
    """This thread's in-memory connection used only to parse (opening one costs ~15 ms)."""
    con = getattr(_LOCAL, "con", None)
    if con is None:
        con = _LOCAL.con = duckdb.connect()
    return con


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
