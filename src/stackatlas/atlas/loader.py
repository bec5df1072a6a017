"""Load the shipped atlas (package data ``stackatlas/data/atlas``), merge an overlay, validate.

Provenance: the shipped files are curated by hand from the sources in ``sources.csv`` (the seed
article ``marsbit-2026-03-16``, SEC filings, company releases); every row names its source.

Overlay (``--atlas-overlay DIR`` / ``STACKATLAS_ATLAS_OVERLAY``): a directory with any of the
same file names. A CSV row whose key (``TableSpec.key``) exists replaces the shipped row, a new
key adds a row. In ``layers.yaml`` a layer with a known id is merged field by field (its
``segments`` merged by segment id), a new id adds a layer. The merged atlas is validated as a
whole and every problem of every file is raised together in one ``AtlasValidationError``.

Results are cached per (base dir, overlay dir), keyed on file sizes and mtimes: repeated calls
are cheap, an edited file is picked up, only the latest version is kept, and failed loads are
not cached. Row counts of the shipped files: ``stackatlas validate``; caveats: rows citing the
``editorial_estimate`` source are editors' estimates (see the data README).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel

from stackatlas import config, safe_yaml
from stackatlas._io import data_path
from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import TABLES, Layer, TableSpec
from stackatlas.atlas.reading import (
    RawRow,
    read_csv,
    read_layers_yaml,
    strip_line_keys,
    yaml_line,
)
from stackatlas.atlas.validate import Located, check_atlas
from stackatlas.errors import AtlasValidationError, Problem, ValidationError, excerpt

LAYERS_FILE = "layers.yaml"
FILES = (LAYERS_FILE, *(spec.file for spec in TABLES))
_LAYER_KEY = TableSpec("layers", LAYERS_FILE, Layer, ("id",))
_CACHE: dict[tuple[str, str], tuple[tuple[Any, ...], Atlas]] = {}  # (base, overlay) -> latest


def shipped_dir() -> Path:
    """The package-data folder of the shipped atlas."""
    return data_path("atlas")


def load_atlas(
    overlay: Path | str | None = None, *, base: Path | Traversable | None = None
) -> Atlas:
    """The validated atlas: shipped files (or ``base``) merged with ``overlay`` (default: the
    STACKATLAS_ATLAS_OVERLAY directory, if set). Raises ``AtlasValidationError``."""
    overlay_path = Path(overlay).expanduser() if overlay is not None else config.overlay_dir()
    base_dir = base if base is not None else shipped_dir()
    if overlay_path is not None and not overlay_path.is_dir():
        raise AtlasValidationError(
            [Problem(str(overlay_path), None, None, "overlay directory does not exist")]
        )
    key = (str(base_dir), str(overlay_path))
    signature = (_signature(base_dir), _signature(overlay_path))
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    atlas = _load(base_dir, overlay_path, base_label=_label(base_dir, base is None))
    _CACHE[key] = (signature, atlas)
    return atlas


def clear_cache() -> None:
    _CACHE.clear()


def _label(directory: Traversable | Path, shipped: bool) -> str:
    return "stackatlas/data/atlas" if shipped else str(directory)


def _signature(directory: Traversable | Path | None) -> tuple[Any, ...]:
    if directory is None:
        return ()
    sig: list[tuple[Any, ...]] = []
    for name in FILES:
        entry = directory.joinpath(name)
        if isinstance(entry, Path):
            if entry.is_file():
                st = entry.stat()
                sig.append((name, st.st_mtime_ns, st.st_size))
        elif entry.is_file():  # non-filesystem resources (zip): content decides
            sig.append((name, hashlib.sha256(entry.read_bytes()).hexdigest()))
    return tuple(sig)


@dataclass
class _Files:
    tables: dict[str, list[RawRow]]
    layers: list[RawRow]
    problems: list[Problem]
    digest: hashlib._Hash


def _read_dir(directory: Traversable | Path, label: str, required: bool, files: _Files) -> None:
    for name in FILES:
        entry = directory.joinpath(name)
        spec = next((s for s in TABLES if s.file == name), None)
        if not entry.is_file():
            if required and (spec is None or spec.required):
                files.problems.append(Problem(f"{label}/{name}", None, None, "file is missing"))
            continue
        data = entry.read_bytes()
        files.digest.update(f"{label}/{name}\0".encode() + data + b"\0")
        file = f"{label}/{name}"
        try:
            text = safe_yaml.decode_text(data, file)
        except ValidationError as exc:  # not UTF-8 (line named) or oversized
            files.problems += exc.problems
            continue
        if spec is None:
            rows, problems = read_layers_yaml(text, file)
            files.problems += problems
            files.problems += _duplicates(rows, _LAYER_KEY)
            files.layers = _merge_layers(files.layers, rows, files.problems)
        else:
            rows, problems = read_csv(text, file, spec.model)
            files.problems += problems
            files.problems += _duplicates(rows, spec)
            files.tables[spec.name] = _merge_rows(files.tables.get(spec.name, []), rows, spec)


def _row_key(row: RawRow, key: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(row.values.get(k, "")).strip() for k in key)


def _duplicates(rows: list[RawRow], spec: TableSpec) -> list[Problem]:
    key = spec.key
    seen: dict[tuple[str, ...], int] = {}
    problems = []
    for row in rows:
        k = _row_key(row, key)
        if not spec.key_complete(k):
            continue
        if k in seen:
            shown = "/".join(x for x in k if x)
            problems.append(
                Problem(
                    row.file,
                    row.line_of(key[0]),
                    key[-1],
                    f"duplicate key {shown!r} (first at line {seen[k]})",
                )
            )
        else:
            seen[k] = row.line
    return problems


def _merge_rows(base: list[RawRow], overlay: list[RawRow], spec: TableSpec) -> list[RawRow]:
    merged = list(base)
    index = {_row_key(r, spec.key): i for i, r in enumerate(merged)}
    for row in overlay:
        k = _row_key(row, spec.key)
        if k in index and spec.key_complete(k):
            merged[index[k]] = row
        else:
            index[k] = len(merged)
            merged.append(row)
    return merged


def _merge_layers(
    base: list[RawRow], overlay: list[RawRow], problems: list[Problem]
) -> list[RawRow]:
    merged = list(base)
    index = {str(r.values.get("id")): i for i, r in enumerate(merged)}
    for row in overlay:
        lid = str(row.values.get("id"))
        if lid not in index:
            index[lid] = len(merged)
            merged.append(row)
            continue
        old = merged[index[lid]]
        values = {**old.values, **row.values}
        given = row.values.get("segments")
        if given is not None and not isinstance(given, list):  # e.g. `segments: 5`
            problems.append(
                Problem(
                    row.file,
                    row.line_of("segments"),
                    "segments",
                    f"expected a list of segments, got {excerpt(given)} (shipped ones kept)",
                )
            )
        segments = list(_as_list(old.values.get("segments")))
        seg_index = {str(s.get("id")): i for i, s in enumerate(segments) if isinstance(s, dict)}
        for seg in _as_list(row.values.get("segments")):
            sid = str(seg.get("id")) if isinstance(seg, dict) else None
            if sid in seg_index:
                segments[seg_index[sid]] = seg
            else:
                segments.append(seg)
        values["segments"] = segments
        merged[index[lid]] = RawRow(values, row.file, row.line, {**row.key_lines})
    return merged


def _as_list(value: Any) -> list[Any]:
    """A YAML value that should be a list, or [] when it is not (validation reports it)."""
    return value if isinstance(value, list) else []


def _load(base: Traversable | Path, overlay: Path | None, *, base_label: str) -> Atlas:
    files = _Files({}, [], [], hashlib.sha256())
    _read_dir(base, base_label, True, files)
    if overlay is not None:
        _read_dir(overlay, str(overlay), False, files)
        for extra in sorted(overlay.iterdir()):
            if extra.suffix in (".csv", ".yaml", ".yml") and extra.name not in FILES:
                files.problems.append(
                    Problem(
                        str(extra),
                        None,
                        None,
                        f"not an atlas file name (expected one of: {', '.join(FILES)})",
                    )
                )
    problems = files.problems
    layers = _validate_layers(files.layers, problems)
    tables: dict[str, list[Located]] = {}
    for spec in TABLES:
        tables[spec.name] = _validate_rows(files.tables.get(spec.name, []), spec.model, problems)
    failed = {
        spec.name: _failed(files.tables.get(spec.name, []), tables[spec.name]) for spec in TABLES
    }
    problems += check_atlas(
        layers, tables, invalid=_invalid_ids(files, layers, failed), failed=failed
    )
    if problems:
        raise AtlasValidationError(_sorted(problems))
    rows = {name: [loc.row for loc in located] for name, located in tables.items()}
    return Atlas(
        layers=sorted((loc.row for loc in layers), key=lambda x: x.order),
        sources={r.id: r for r in rows["sources"]},
        companies={r.id: r for r in rows["companies"]},
        memberships=rows["memberships"],
        markets={r.id: r for r in rows["markets"]},
        shares=rows["shares"],
        groups={r.id: r for r in rows["groups"]},
        flows=rows["flows"],
        figures=rows["figures"],
        dependencies=rows["dependencies"],
        eto_providers=rows["eto_providers"],
        upstream_exemptions=rows["upstream_exemptions"],
        version=files.digest.hexdigest()[:12],
    )


def _failed(rows: list[RawRow], valid: list[Located]) -> list[RawRow]:
    """The rows that did not pass row validation (already reported)."""
    ok = {id(loc.raw) for loc in valid}
    return [r for r in rows if id(r) not in ok]


def _invalid_ids(
    files: _Files, layers: list[Located], failed: dict[str, list[RawRow]]
) -> dict[str, set[str]]:
    """Ids of rows that failed row validation, so references to them do not cascade."""
    out: dict[str, set[str]] = {}
    for spec in TABLES:
        if spec.key == ("id",):
            out[spec.name] = {str(r.values["id"]) for r in failed[spec.name] if r.values.get("id")}
    valid_layers = {id(loc.raw) for loc in layers}
    bad_layers = [r for r in files.layers if id(r) not in valid_layers]
    out["layers"] = {str(r.values.get("id")) for r in bad_layers}
    out["segments"] = {
        str(s.get("id"))
        for r in bad_layers
        for s in _as_list(r.values.get("segments"))
        if isinstance(s, dict)
    }
    return out


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or ""))


def _validate_rows(
    rows: list[RawRow], model: type[BaseModel], problems: list[Problem]
) -> list[Located]:
    out = []
    for row in rows:
        try:
            out.append(Located(model.model_validate(row.values), row))
        except pydantic.ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else None
                problems.append(Problem(row.file, row.line_of(column), column, describe(err)))
    return out


def _validate_layers(rows: list[RawRow], problems: list[Problem]) -> list[Located]:
    out = []
    for row in rows:
        try:
            out.append(Located(Layer.model_validate(strip_line_keys(row.values)), row))
        except pydantic.ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                line = yaml_line(row.values, loc, row.line)
                column = ".".join(str(p) for p in loc) or None
                problems.append(Problem(row.file, line, column, describe(err)))
    return out


def describe(err: Any) -> str:
    """A short human message for one pydantic error."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "missing":
        return "required value is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind.startswith(("date_", "datetime_")):
        return f"bad date {value!r} (expected YYYY-MM-DD)"
    if kind == "enum":
        return f"unknown value {value!r} (expected one of: {ctx.get('expected')})"
    if kind in ("float_parsing", "float_type"):
        return f"not a number: {value!r}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"not a whole number: {value!r}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false, got {value!r}"
    bounds = {
        "greater_than_equal": ">=",
        "greater_than": ">",
        "less_than_equal": "<=",
        "less_than": "<",
    }
    if kind in bounds:
        limit = next(iter(ctx.values()), "?")
        shown = f"{limit:g}" if isinstance(limit, int | float) else limit
        return f"must be {bounds[kind]} {shown}, got {value}"
    return f"{err['msg']} (got {value!r})"
