"""The embedded DuckDB store."""

from stackatlas.store.store import Store

__all__ = ["Store"]
