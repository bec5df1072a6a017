"""Parse an SEC companyfacts document into a normalized, columnar facts table.

One row per reported fact: cik, taxonomy, concept, unit, start, end, value, accession, fy, fp,
form, filed, frame. Parsing goes JSON bytes -> orjson -> one Arrow struct array per
(concept, unit) list, so no per-fact Python object is built by this module.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from stackatlas.errors import ValidationError

_FACT_TYPE = pa.struct(
    [
        ("start", pa.string()),
        ("end", pa.string()),
        ("val", pa.float64()),
        ("accn", pa.string()),
        ("fy", pa.int32()),
        ("fp", pa.string()),
        ("form", pa.string()),
        ("filed", pa.string()),
        ("frame", pa.string()),
    ]
)

FACTS_SCHEMA = pa.schema(
    [
        ("cik", pa.int64()),
        ("taxonomy", pa.string()),
        ("concept", pa.string()),
        ("unit", pa.string()),
        ("start", pa.date32()),
        ("end", pa.date32()),
        ("value", pa.float64()),
        ("accession", pa.string()),
        ("fy", pa.int32()),
        ("fp", pa.string()),
        ("form", pa.string()),
        ("filed", pa.date32()),
        ("frame", pa.string()),
    ]
)
"""Columns of the normalized facts table (also the DuckDB ``facts`` table)."""


def parse_companyfacts(data: bytes | str | dict, *, origin: str = "<companyfacts>") -> pa.Table:
    """Normalize one companyfacts document (bytes, text or already-decoded dict).

    Raises ``ValidationError`` naming ``origin`` when the document is not companyfacts JSON.
    """
    doc = data if isinstance(data, dict) else _decode(data, origin)
    try:
        cik = int(doc["cik"])
        taxonomies = doc.get("facts") or {}
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"{origin}: not a companyfacts document (no cik/facts)") from exc
    if not isinstance(taxonomies, dict):
        raise ValidationError(f"{origin}: 'facts' is not an object")

    chunks: list[pa.StructArray] = []
    labels: list[tuple[str, str, str, int]] = []
    for taxonomy, concepts in taxonomies.items():
        for concept, body in concepts.items():
            for unit, facts in (body.get("units") or {}).items():
                if not facts:
                    continue
                try:
                    arr = pa.array(facts, type=_FACT_TYPE)
                except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                    raise ValidationError(
                        f"{origin}: malformed facts in {taxonomy}:{concept} [{unit}]: {exc}"
                    ) from exc
                chunks.append(arr)
                labels.append((taxonomy, concept, unit, len(arr)))
    return _assemble(cik, chunks, labels)


def read_companyfacts(path: str | Path) -> pa.Table:
    """Read and normalize a companyfacts JSON file."""
    path = Path(path)
    return parse_companyfacts(path.read_bytes(), origin=str(path))


def _decode(data: bytes | str, origin: str) -> dict:
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ValidationError(f"{origin}: invalid JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise ValidationError(f"{origin}: top-level JSON value is not an object")
    return doc


def _repeat(values: list[str], counts: list[int]) -> pa.Array:
    """String column repeating values[i] counts[i] times (built with numpy, not Python loops)."""
    indices = np.repeat(np.arange(len(values), dtype=np.int32), counts)
    return pc.take(pa.array(values, type=pa.string()), pa.array(indices))


def _assemble(cik: int, chunks: list[pa.StructArray], labels: list[tuple]) -> pa.Table:
    if not chunks:
        return FACTS_SCHEMA.empty_table()
    facts = pa.concat_arrays(chunks)
    counts = [n for *_, n in labels]
    n_rows = len(facts)

    def col(name: str) -> pa.Array:
        return facts.field(name)

    def to_date(arr: pa.Array) -> pa.Array:
        return pc.cast(pc.strptime(arr, format="%Y-%m-%d", unit="s"), pa.date32())

    columns = [
        pa.array(np.full(n_rows, cik, dtype=np.int64)),
        _repeat([t for t, *_ in labels], counts),
        _repeat([c for _, c, *_ in labels], counts),
        _repeat([u for _, _, u, _ in labels], counts),
        to_date(col("start")),
        to_date(col("end")),
        col("val"),
        col("accn"),
        col("fy"),
        col("fp"),
        col("form"),
        to_date(col("filed")),
        col("frame"),
    ]
    return pa.Table.from_arrays(columns, schema=FACTS_SCHEMA)
