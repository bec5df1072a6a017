"""``SweepResult``: a sweep's points (one row each, as in its Parquet file) and what moves the tail.

Columns of ``points`` (and of the Parquet file): ``point``, ``seed`` (the point's Monte Carlo
seed), ``param.<name>`` per swept parameter, then ``layer.<id>.<measure>_<band>`` and
``company.<id>.<measure>_<band>`` with measure ``pct`` (revenue at risk, % of baseline over the
horizon) or ``usd`` (USD bn) and band ``p5`` / ``p50`` / ``p95`` over the point's draws.
Every value is a model output (evidence ``scenario``); unknown revenues stay NaN, never 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from stackatlas.display import fmt_num, records
from stackatlas.errors import DataUnavailableError, ValidationError
from stackatlas.evidence import Evidence
from stackatlas.notebook import Tabular
from stackatlas.scenarios.measures import horizon
from stackatlas.scenarios.sensitivity import sensitivity

TAIL = "pct_p95"


@dataclass
class SweepResult(Tabular):
    """A finished sweep read back from its Parquet file."""

    scenario: str
    design: dict[str, Any]
    draws: int
    seed: int
    overrides: dict[str, Any]
    points: pd.DataFrame
    path: Path | None = None
    engine: str = "local"
    seconds: float = 0.0
    reused: bool = False  # read back from an earlier identical run, nothing recomputed
    evidence: Evidence = Evidence.SCENARIO
    _sensitivity: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def params(self) -> list[str]:
        return [c.removeprefix("param.") for c in self.points.columns if c.startswith("param.")]

    @property
    def layers(self) -> list[str]:
        return _ids(self.points, "layer")

    @property
    def companies(self) -> list[str]:
        return _ids(self.points, "company")

    @property
    def total_draws(self) -> int:
        return len(self.points) * self.draws

    @property
    def sensitivity(self) -> pd.DataFrame:
        """Main effects and first-order indices of every swept parameter on each layer's p95
        revenue at risk (%) - the tail of the loss distribution."""
        if self._sensitivity is None:
            outputs = [f"layer.{layer}.{TAIL}" for layer in self.layers]
            self._sensitivity = sensitivity(
                self.points, self.params, outputs, self.design.get("kind", "grid")
            )
        return self._sensitivity

    @property
    def horizon_text(self) -> str:
        """The horizon every point's % and USD bn are taken over, in words: the fixed
        ``horizon_quarters`` (override or model default), or each point's own when swept."""
        if "horizon_quarters" in self.params:
            return "each point's horizon_quarters (swept)"
        value = self.overrides.get("horizon_quarters")
        if not isinstance(value, int | float):
            from stackatlas.scenarios.params import model_config

            value = model_config().params["horizon_quarters"].default
        return horizon(round(value))

    def measures(self) -> dict[str, str]:
        """Column pattern -> what it measures (the denominator and horizon of every value)."""
        h = self.horizon_text
        return {
            "horizon": h,
            "<level>.<id>.pct_<band>": (
                f"revenue at risk, % of baseline revenue over the same {h} (annual revenue x "
                "quarters / 4); negative = a gain"
            ),
            "<level>.<id>.usd_<band>": f"revenue below the baseline summed over the {h}, USD bn",
            "<band>": "p5 / p50 / p95 over the point's Monte Carlo draws",
        }

    def default_target(self) -> str:
        """The layer output the tornado shows by default: the highest mean p95 loss."""
        cols = [f"layer.{layer}.{TAIL}" for layer in self.layers]
        means = self.points[cols].mean(skipna=True)
        return str(means.idxmax()) if means.notna().any() else cols[0]

    def target_column(self, target: str | None) -> str:
        """``layer:chips`` / ``company:nvidia`` (or a column name) -> its p95 % column."""
        if target is None:
            return self.default_target()
        if target in self.points.columns:
            return target
        level, _, ident = target.partition(":")
        column = f"{level}.{ident}.{TAIL}"
        if level not in ("layer", "company") or column not in self.points.columns:
            choices = [f"layer:{x}" for x in self.layers] + ["company:<id>"]
            raise ValidationError(f"unknown sweep target {target!r}; use one of {choices}")
        return column

    def tornado(self, target: str | None = None) -> pd.DataFrame:
        """Sensitivity rows for one output, largest first-order index first."""
        column = self.target_column(target)
        if column.startswith("layer.") and column.endswith(TAIL):
            rows = self.sensitivity[self.sensitivity["output"] == column]
        else:
            rows = sensitivity(self.points, self.params, [column], self.design.get("kind", "grid"))
        return rows.reset_index(drop=True)

    def to_dict(self, max_points: int | None = None, target: str | None = None) -> dict[str, Any]:
        """JSON-safe summary: design, tornado for ``target``, sensitivity, points (capped)."""
        shown = self.points if max_points is None else self.points.head(max_points)
        return {
            "scenario": self.scenario,
            "design": self.design,
            "draws": self.draws,
            "seed": self.seed,
            "overrides": self.overrides,
            "points_total": len(self.points),
            "total_draws": self.total_draws,
            "path": str(self.path) if self.path else None,
            "engine": self.engine,
            "seconds": round(self.seconds, 3),
            "reused": self.reused,
            "evidence": str(self.evidence),
            "horizon": self.horizon_text,
            "measures": self.measures(),
            "target": self.target_column(target),
            "tornado": records(self.tornado(target)),
            "sensitivity": records(self.sensitivity),
            "points": records(shown),
        }

    def __rich__(self) -> Panel:
        target = self.default_target()
        tornado = Table(
            title=f"what moves the tail: {target} (p95 revenue at risk, %)",
            title_justify="left",
            box=None,
        )
        for col in ("parameter", "low → high", "p95 at low", "p95 at high", "swing", "S1"):
            tornado.add_column(col, justify="left" if col == "parameter" else "right")
        for r in self.tornado(target).itertuples():
            tornado.add_row(
                r.parameter,
                f"{r.param_low:.3g} → {r.param_high:.3g}",
                _fmt(r.low),
                _fmt(r.high),
                _fmt(r.swing, "+.2f"),
                _fmt(r.first_order, ".2f"),
            )
        layers = Table(title="p95 revenue at risk % across the points", title_justify="left")
        for col in ("layer", "min", "median", "max"):
            layers.add_column(col, justify="left" if col == "layer" else "right")
        for layer in self.layers:
            values = self.points[f"layer.{layer}.{TAIL}"]
            layers.add_row(layer, _fmt(values.min()), _fmt(values.median()), _fmt(values.max()))
        head = Text(
            f"{len(self.points):,} points x {self.draws:,} draws = {self.total_draws:,} draws "
            f"(seed {self.seed}, "
            + (
                "read from an earlier identical run"
                if self.reused
                else f"engine {self.engine}, {self.seconds:.1f} s"
            )
            + ")\n"
            f"design: {_design_text(self.design)}\n"
            f"%: revenue at risk as a share of baseline revenue over the same "
            f"{self.horizon_text}; p5 / p50 / p95 over each point's draws\n"
            "S1 = first-order variance index of the p95 over the points (share of its variance "
            "explained by the parameter alone); low/high = mean p95 at its lowest/highest values",
            style="dim",
        )
        where = Text(f"Parquet: {self.path}" if self.path else "", style="bold")
        return Panel(Group(head, tornado, layers, where), title=f"sweep: {self.scenario}")


def read_sweep(path: str | Path) -> SweepResult:
    """A sweep's Parquet file -> ``SweepResult`` (design, draws and seed from its metadata)."""
    path = Path(path)
    if not path.is_file():
        raise DataUnavailableError(f"{path}: no sweep file here")
    try:
        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {})[b"stackatlas.sweep"])
    except (OSError, KeyError, ValueError) as exc:
        raise ValidationError(f"{path}: not a stackatlas sweep file ({exc})") from exc
    return SweepResult(
        meta["scenario"],
        meta["design"],
        int(meta["draws"]),
        int(meta["seed"]),
        dict(meta.get("overrides") or {}),
        table.replace_schema_metadata(None).to_pandas(),
        path,
    )


def _ids(points: pd.DataFrame, level: str) -> list[str]:
    seen: dict[str, None] = {}
    for col in points.columns:
        if col.startswith(f"{level}.") and col.endswith(f".{TAIL}"):
            seen[col[len(level) + 1 : -len(TAIL) - 1]] = None
    return list(seen)


def _design_text(design: dict[str, Any]) -> str:
    axes = ", ".join(
        f"{a['name']} {a['low']:g}..{a['high']:g}"
        + (f" ({a['steps']} steps)" if a["steps"] else "")
        for a in design.get("axes", [])
    )
    if design.get("kind") == "lhs":
        return f"Latin hypercube, {design.get('samples')} points over {axes}"
    return f"full grid over {axes}"


def _fmt(value: float, spec: str = ".2f") -> str:
    return fmt_num(value, spec)
