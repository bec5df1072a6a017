"""The embedded DuckDB store (one file: atlas tables, SEC facts, prices, signal snapshots)."""

from stackatlas.store.store import Store

__all__ = ["Store"]
