"""Arrow views of the atlas with schemas derived from the row models (stable even when empty).

Column names follow the data files (``flows`` keeps ``from`` / ``to``); list cells become
``list<string>``; enums become strings; dates ``date32``.
"""

from __future__ import annotations

import types
import typing
from datetime import date
from enum import Enum

import pyarrow as pa
from pydantic import BaseModel

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import TABLES, Layer, Segment

_SCALARS: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    date: pa.date32(),
}


def _arrow_type(annotation: object) -> pa.DataType:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _arrow_type(args[0])
    if origin is list:
        return pa.list_(_arrow_type(typing.get_args(annotation)[0]))
    if origin is typing.Literal:  # a closed set of strings, e.g. eto_providers.relation
        return pa.string()
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return pa.string()
    if isinstance(annotation, type) and annotation in _SCALARS:
        return _SCALARS[annotation]
    raise TypeError(f"no arrow type for {annotation!r}")


def model_schema(model: type[BaseModel], exclude: set[str] | None = None) -> pa.Schema:
    """Arrow schema of a row model (field aliases as column names)."""
    fields = []
    for name, info in model.model_fields.items():
        if exclude and name in exclude:
            continue
        fields.append(pa.field(info.alias or name, _arrow_type(info.annotation)))
    return pa.schema(fields)


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    clean = [{k: (v.value if isinstance(v, Enum) else v) for k, v in r.items()} for r in rows]
    return pa.Table.from_pylist(clean, schema=schema)


def atlas_arrow_tables(atlas: Atlas) -> dict[str, pa.Table]:
    """Every atlas table (``layers``, ``segments`` and the CSV tables) as an Arrow table."""
    out: dict[str, pa.Table] = {}
    layer_schema = model_schema(Layer, exclude={"segments"})
    out["layers"] = _table([x.model_dump(exclude={"segments"}) for x in atlas.layers], layer_schema)
    seg_schema = model_schema(Segment).append(pa.field("layer", pa.string()))
    out["segments"] = _table(
        [{**s.model_dump(), "layer": layer.id} for layer in atlas.layers for s in layer.segments],
        seg_schema,
    )
    for spec in TABLES:
        value = getattr(atlas, spec.name)
        records = value.values() if isinstance(value, dict) else value
        out[spec.name] = _table(
            [r.model_dump(by_alias=True) for r in records], model_schema(spec.model)
        )
    return out
