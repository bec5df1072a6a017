"""``run_sweep``: a scenario over many parameter points, each with its own Monte Carlo draws.

Every point is the Monte Carlo of one ``run_scenario`` call on the network the scenario engine
builds (the swept parameters fixed at the point's values, every other distributed parameter
drawn ``draws`` times with the point's own seed, see ``sweep_design``), computed by
``sweep_point.PointRunner`` with the same numbers and less work; a row keeps p5 / p50 / p95
of revenue at risk (% and USD bn) per layer and per company. Points are grouped into chunks
that run in this process (``engine="local"``) or as Ray tasks (``engine="ray"``); results are
the same bit for bit either way and for any chunk size.

Completed chunks are written as Parquet parts next to the output file as they finish, so an
interrupted sweep (Ctrl-C) keeps them and the same command resumes; the finished sweep is one
Parquet file (one row per point) written atomically, and the parts are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from stackatlas._io import atomic_write
from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import ValidationError
from stackatlas.scale.engine import check_engine, require_ray, run_chunks
from stackatlas.scenarios.attribution import one_blas_thread
from stackatlas.scenarios.montecarlo import apply_overrides
from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.run import network_for
from stackatlas.scenarios.spec import ScenarioSpec, check_targets, load_scenario
from stackatlas.scenarios.sweep_design import SweepDesign, build_design
from stackatlas.scenarios.sweep_point import PointRunner
from stackatlas.scenarios.sweep_result import SweepResult, read_sweep

MAX_DRAWS = 100_000
CHUNK_DRAWS = 20_000  # default chunk: about this many draws (points x draws per point)


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep: cluster work stopped, finished points kept in ``parts``."""

    def __init__(self, done: int, total: int, parts: Path) -> None:
        self.done, self.total, self.parts = done, total, parts
        super().__init__(
            f"sweep interrupted: {done:,} of {total:,} points kept in {parts}; "
            "rerun the same command to resume"
        )


@dataclass(frozen=True)
class SweepContext:
    """What every chunk needs (shipped to Ray workers once through the object store)."""

    spec: ScenarioSpec
    atlas: Atlas | None
    network: SupplyNetwork
    overrides: dict[str, Any]
    axes: tuple[str, ...]
    draws: int


def run_sweep(
    name_or_spec: str | Path | ScenarioSpec,
    *,
    grid: list[str] | None = None,
    lhs: int | None = None,
    vary: list[str] | None = None,
    draws: int = 1000,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    atlas: Atlas | None = None,
    network: SupplyNetwork | None = None,
    engine: str = "local",
    address: str | None = None,
    chunk_points: int | None = None,
    out: str | Path | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Run the sweep and write its Parquet file (``out``, default under the home directory).

    ``grid`` holds ``name=low:high:steps`` axes; ``lhs`` a point count with ``vary`` ranges
    ``name=low:high``. ``overrides`` fixes other parameters for every point (as ``--set``).
    ``on_chunk(points_done, points_total)`` is called as chunks finish (progress bars).
    """
    spec = name_or_spec if isinstance(name_or_spec, ScenarioSpec) else load_scenario(name_or_spec)
    check_engine(engine, address)
    if engine == "ray":
        require_ray()  # before any work: says how to install the [scale] extra
    if not 1 <= draws <= MAX_DRAWS:
        raise ValidationError(f"draws must be between 1 and {MAX_DRAWS:,} per point")
    if atlas is None:
        from stackatlas.atlas.loader import load_atlas

        atlas = load_atlas()
    check_targets(spec, atlas)
    params = spec.all_params()
    design = build_design(params, grid=grid, lhs=lhs, vary=vary, scenario_params=list(spec.params))
    fixed_overrides = dict(overrides or {})
    clash = sorted(set(fixed_overrides) & set(design.names))
    if clash:
        raise ValidationError(f"parameter(s) both swept and set: {', '.join(clash)}")
    apply_overrides(params, fixed_overrides)  # validate before any work starts
    network = network if network is not None else network_for(atlas)
    points = design.points(seed)
    key = sweep_key(spec, design, draws, seed, fixed_overrides, atlas, network)
    path = Path(out) if out is not None else default_path(spec.name, key)
    context = SweepContext(spec, atlas, network, fixed_overrides, tuple(design.names), draws)

    start = time.perf_counter()
    earlier = _finished(path, key)
    if earlier is not None:  # the same sweep already ran to the end: nothing to redo
        earlier.engine, earlier.reused = engine, True
        return earlier
    parts = path.with_name(path.name + ".parts")
    done = _completed_parts(parts, key)
    todo = points[~points["point"].isin(done)]
    size = chunk_points or max(1, CHUNK_DRAWS // draws)
    chunks = [
        [(int(r.point), int(r.seed), tuple(float(getattr(r, n)) for n in design.names))
         for r in todo.iloc[i : i + size].itertuples()]
        for i in range(0, len(todo), size)
    ]  # fmt: skip
    finished = len(done)
    if on_chunk is not None:
        on_chunk(finished, len(points))
    stream = run_chunks(sweep_chunk, chunks, engine=engine, address=address, shared=(context,))
    try:
        with contextlib.closing(stream):
            for item in stream:
                _write_part(parts, key, item.value)
                finished += item.value.num_rows
                if on_chunk is not None:
                    on_chunk(finished, len(points))
    except KeyboardInterrupt as exc:
        raise SweepInterrupted(finished, len(points), parts) from exc
    table = _combine(parts, key)
    meta = {
        "scenario": spec.name,
        "design": design.to_dict(),
        "draws": draws,
        "seed": seed,
        "overrides": fixed_overrides,
        "key": key,
        "atlas_version": atlas.version,
    }
    buffer = io.BytesIO()
    schema_meta = {b"stackatlas.sweep": json.dumps(meta, default=str).encode()}
    pq.write_table(table.replace_schema_metadata(schema_meta), buffer, compression="zstd")
    atomic_write(path, buffer.getvalue())
    shutil.rmtree(parts, ignore_errors=True)
    result = read_sweep(path)
    result.engine = engine
    result.seconds = time.perf_counter() - start
    return result


def sweep_chunk(chunk: list[tuple[int, int, tuple[float, ...]]], ctx: SweepContext) -> pa.Table:
    """Run the points of one chunk (a worker's unit of work) -> one row per point.

    The parameter-free set-up (``PointRunner.prepare``) is done once per chunk; each point
    then computes only its bands, bit for bit what ``run_scenario`` gives for it. BLAS runs
    on one thread (``one_blas_thread``), as in a Ray task and in ``run_scenario``: a sweep's
    parallelism is its chunks."""
    runner = PointRunner.prepare(ctx.spec, ctx.atlas, ctx.network)
    rows: list[dict[str, Any]] = []
    with one_blas_thread():
        for index, seed, values in chunk:
            overrides = {**ctx.overrides, **dict(zip(ctx.axes, values, strict=True))}
            row: dict[str, Any] = {"point": index, "seed": seed}
            row.update({f"param.{n}": v for n, v in zip(ctx.axes, values, strict=True)})
            row.update(runner.bands(overrides, ctx.draws, seed))
            rows.append(row)
    return pa.Table.from_pylist(rows)


def sweep_key(
    spec: ScenarioSpec,
    design: SweepDesign,
    draws: int,
    seed: int,
    overrides: Mapping[str, Any],
    atlas: Atlas | None,
    network: SupplyNetwork,
) -> str:
    """A short hash of everything a sweep's numbers depend on (resumed parts must match)."""
    digest = hashlib.sha256()
    payload = {
        "spec": spec.to_dict(),
        "design": design.to_dict(),
        "draws": draws,
        "seed": seed,
        "overrides": overrides,
        "atlas": atlas.version if atlas is not None else None,
    }
    digest.update(json.dumps(payload, sort_keys=True, default=str).encode())
    for arr in (network.revenue, network.supplier, network.customer, network.input_share):
        digest.update(np.ascontiguousarray(arr).tobytes())
    digest.update(np.ascontiguousarray(network.revenue_share).tobytes())
    return digest.hexdigest()[:12]


def default_path(scenario: str, key: str) -> Path:
    """``<home>/sweeps/<scenario>-<key>.parquet``."""
    from stackatlas import config

    return config.home_dir() / "sweeps" / f"{scenario}-{key}.parquet"


def _finished(path: Path, key: str) -> SweepResult | None:
    """The sweep at ``path`` if it exists and was run with the same ``key``."""
    try:
        meta = pq.read_schema(path).metadata or {}
        if json.loads(meta[b"stackatlas.sweep"]).get("key") != key:
            return None
    except (OSError, KeyError, ValueError, pa.ArrowInvalid):
        return None
    return read_sweep(path)


def _write_part(parts: Path, key: str, table: pa.Table) -> None:
    first = int(table.column("point")[0].as_py())
    buffer = io.BytesIO()
    pq.write_table(table.replace_schema_metadata({b"key": key.encode()}), buffer)
    atomic_write(parts / f"points-{first:08d}.parquet", buffer.getvalue())


def _valid_parts(parts: Path, key: str) -> list[pa.Table]:
    tables = []
    for file in sorted(parts.glob("points-*.parquet")) if parts.is_dir() else []:
        try:
            table = pq.read_table(file)
        except (OSError, pa.ArrowInvalid):
            continue  # unreadable (should not happen with atomic writes): recomputed
        if (table.schema.metadata or {}).get(b"key") == key.encode():
            tables.append(table.replace_schema_metadata(None))
    return tables


def _completed_parts(parts: Path, key: str) -> set[int]:
    done: set[int] = set()
    for table in _valid_parts(parts, key):
        done.update(int(p) for p in table.column("point").to_pylist())
    return done


def _combine(parts: Path, key: str) -> pa.Table:
    tables = _valid_parts(parts, key)
    table = pa.concat_tables(tables, promote_options="default")
    return table.take(pc.sort_indices(table, [("point", "ascending")]))
