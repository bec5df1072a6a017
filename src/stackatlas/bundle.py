"""``stackatlas export DIR``: every analysis as Parquet, a copy of the store and a manifest.

The folder gets one Parquet file per table (``pools.cells.parquet``, ``concentration.markets
.parquet``, ``atlas.companies.parquet`` ...), ``stackatlas.duckdb`` (a copy of the store when
one exists) and ``manifest.json``: the stackatlas and atlas versions, the last SEC sync, every
file with its row count and SHA-256, the analyses that were skipped and why, and the atlas
sources. Each file is written atomically; a folder that already holds a manifest is replaced
file by file, so a failed export never leaves a half-written file.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from stackatlas._io import atomic_write
from stackatlas._version import __version__
from stackatlas.errors import Problem, StackAtlasError, ValidationError
from stackatlas.export import result_tables, write_parquet
from stackatlas.notebook import Tabular

if TYPE_CHECKING:
    import pandas as pd

    from stackatlas.atlas import Atlas
    from stackatlas.store import Store


@dataclass
class ExportManifest(Tabular):
    """What ``export_bundle`` wrote (also saved as ``manifest.json``)."""

    folder: Path
    stackatlas_version: str
    atlas_version: str
    created: str
    last_sync: str | None
    files: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stackatlas_version": self.stackatlas_version,
            "atlas_version": self.atlas_version,
            "created": self.created,
            "last_sync": self.last_sync,
            "files": self.files,
            "skipped": self.skipped,
            "sources": self.sources,
        }

    def __rich__(self) -> Any:
        from rich.markup import escape
        from rich.table import Table

        table = Table(title=f"Exported to {self.folder} (atlas {self.atlas_version})")
        for col in ("file", "rows"):
            table.add_column(col, justify="right" if col == "rows" else "left")
        for f in self.files:
            table.add_row(f["file"], f"{f['rows']:,}" if f["rows"] is not None else "")
        for name, why in self.skipped.items():
            table.add_row(f"[dim]{escape(name)}: skipped ({escape(why)})[/]", "")
        return table


def analyses(atlas: Atlas, store: Store | None) -> dict[str, Callable[[], Any]]:
    """name -> a call returning the analysis result (its tables are what gets exported)."""
    from stackatlas.analysis.audit import audit_claims
    from stackatlas.analysis.capex import hyperscaler_capex
    from stackatlas.analysis.concentration import chokepoints, market_concentration
    from stackatlas.analysis.cycles import find_cycles
    from stackatlas.analysis.economics import project_lab
    from stackatlas.analysis.flows import flow_graph
    from stackatlas.analysis.payback import payback
    from stackatlas.analysis.profit_pools import profit_pools
    from stackatlas.analysis.signals import evaluate_signals
    from stackatlas.atlas.views import source_list, stack_map

    def flows() -> dict[str, Any]:
        graph = flow_graph(atlas)
        return {"edges": graph.collapse("company"), "layers": graph.layer_totals()}

    def infra() -> Any:
        from stackatlas.infra import infra_summary, load_clusters

        return infra_summary(atlas, load_clusters())

    def supplychain() -> Any:
        from stackatlas.supplychain import load_eto
        from stackatlas.supplychain.view import supply_chain

        return supply_chain(load_eto(None), atlas)

    return {
        "map": lambda: stack_map(atlas),
        "sources": lambda: source_list(atlas),
        "pools": lambda: profit_pools(atlas, store=store),
        "capex": lambda: hyperscaler_capex(atlas, store=store),
        "signals": lambda: evaluate_signals(atlas, store=store),
        "audit": lambda: audit_claims(atlas, store=store),
        "flows": flows,
        "cycles": lambda: find_cycles(atlas),
        "concentration": lambda: market_concentration(atlas),
        "chokepoints": lambda: chokepoints(atlas),
        "economics": lambda: project_lab("openai"),
        "payback": lambda: payback(atlas, store=store),
        "infra": infra,
        "supplychain": supplychain,
    }


def export_bundle(
    folder: str | Path,
    *,
    atlas: Atlas | None = None,
    store: Store | None = None,
    progress: Callable[[str], None] | None = None,
) -> ExportManifest:
    """Write every analysis (and the atlas tables) as Parquet into ``folder``, plus a copy of
    the store and ``manifest.json``. An analysis whose data is missing (no ETO or Epoch folder)
    is skipped with its reason in the manifest, never written as zeros."""
    from stackatlas.atlas import load_atlas
    from stackatlas.atlas.tables import atlas_arrow_tables

    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise ValidationError(Problem(str(target), None, None, "is a file, not a folder"))
    if target.is_dir() and any(target.iterdir()) and not (target / "manifest.json").is_file():
        raise ValidationError(
            Problem(str(target), None, None, "is not empty and holds no stackatlas export")
        )
    atlas = atlas or load_atlas()
    manifest = ExportManifest(
        folder=target,
        stackatlas_version=__version__,
        atlas_version=atlas.version,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        last_sync=store.get_meta("last_sync_id") if store is not None else None,
    )
    atlas_tables = {f"atlas.{n}": t.to_pandas() for n, t in atlas_arrow_tables(atlas).items()}
    _write_tables(manifest, atlas_tables)
    for name, build in analyses(atlas, store).items():
        if progress:
            progress(name)
        try:
            result = build()
        except StackAtlasError as exc:
            manifest.skipped[name] = str(exc).splitlines()[0]
            continue
        tables = result_tables(result)
        _write_tables(manifest, {f"{name}.{t}": frame for t, frame in tables.items()})
    if store is not None and store.path.is_file():
        copy = target / "stackatlas.duckdb"
        tmp = target / ".stackatlas.duckdb.tmp"
        shutil.copy2(store.path, tmp)
        tmp.replace(copy)
        manifest.files.append(_entry(copy, None))
    else:
        manifest.skipped["stackatlas.duckdb"] = "no store yet (run `stackatlas run`)"
    manifest.sources = [s.model_dump(mode="json") for s in atlas.sources.values()]
    atomic_write(
        target / "manifest.json",
        orjson.dumps(manifest.to_dict(), option=orjson.OPT_INDENT_2),
        mode=0o644,
    )
    return manifest


def _write_tables(manifest: ExportManifest, tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        path = manifest.folder / f"{name}.parquet"
        write_parquet({name: frame}, path)
        manifest.files.append(_entry(path, len(frame)))


def _entry(path: Path, rows: int | None) -> dict[str, Any]:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"file": path.name, "rows": rows, "bytes": path.stat().st_size, "sha256": digest}
