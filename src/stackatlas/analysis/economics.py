"""Model-layer economics: a small cash projection for a model lab, and its breakeven year.

Per calendar year ``y`` (USD billions):

    arr[y]        = arr_y input if given, else arr[y-1] * (1 + growth_y)
    revenue[y]    = (arr[y-1] + arr[y]) / 2       (ARR ramps linearly through the year)
    inference[y]  = inference_y if given (an anchor), else inference_share_y * revenue, else
                    the previous share * (1 - inference_share_decline)
    other_opex[y] = other_opex_y / other_opex_share_y if given, else other_opex_share in the
                    anchor years and the previous share * (1 - other_opex_decline) in others
    training[y]   = training_y / training_share_y if given; in a year with a ``burn_y`` anchor
                    the residual revenue + burn - inference - other_opex; else the previous
                    year's training spend * (1 + training_growth_y) when given (training as a
                    fixed cost committed ahead of revenue); else the previous share *
                    (1 - training_share_decline)
    cash_flow[y]  = revenue - inference - training - other_opex;   burn = -cash_flow

"Anchor years" are years with an absolute input (``burn_y``, ``inference_y``, ...): there the
shares carry over unchanged; the decline rates (and sensitivity cost factors) apply in every
other year. The breakeven year is the first year with ``cash_flow >= 0`` (None if none by
``last_year``).

Inputs ship as ``stackatlas/data/economics/<lab>.yaml``; each states its basis: ``article``
(evidence ``estimated``) or ``assumption`` (evidence ``scenario``); any override is ``scenario``.
Each output cell carries the weakest evidence of the inputs it depends on.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from stackatlas import safe_yaml
from stackatlas._io import data_path
from stackatlas.display import records, rich_table, suggest
from stackatlas.errors import NotFoundError, Problem, ValidationError, did_you_mean
from stackatlas.evidence import Evidence, weakest
from stackatlas.notebook import Tabular
from stackatlas.overrides import OVERRIDES

COSTS = ("inference", "other_opex", "training")
METRICS = (
    "arr",
    "revenue",
    "inference",
    "training",
    "other_opex",
    "total_cost",
    "cash_flow",
    "burn",
    "inference_share",
    "training_share",
    "other_opex_share",
)
_YEARLY = re.compile(r"(arr|growth|burn|inference|training|other_opex)(_share|_growth)?_(\d{4})")


@dataclass(frozen=True)
class LabInput:
    key: str
    value: float
    basis: str  # article | assumption | override
    source: str | None = None
    quote: str | None = None
    note: str | None = None

    @property
    def evidence(self) -> Evidence:
        return Evidence.ESTIMATED if self.basis == "article" else Evidence.SCENARIO


@dataclass
class LabSpec:
    lab: str
    name: str
    first_year: int
    last_year: int
    inputs: dict[str, LabInput]
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    breakeven_claim: dict[str, Any] | None = None


def available_labs() -> list[str]:
    folder = data_path("economics")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_lab(lab: str = "openai", overrides: dict[str, float] | None = None) -> LabSpec:
    """Read a shipped lab file and apply ``overrides`` (unknown keys -> ValidationError)."""
    labs = available_labs()
    if lab not in labs:
        raise NotFoundError(f"no economics inputs for lab {lab!r} (have: {', '.join(labs)})")
    name = f"economics/{lab}.yaml"
    raw = safe_yaml.load(data_path(name).read_text("utf-8"), name)
    inputs = {
        k: LabInput(
            k, float(v["value"]), v["basis"], v.get("source"), v.get("quote"), v.get("note")
        )
        for k, v in raw["inputs"].items()
    }
    spec = LabSpec(
        raw["lab"],
        raw["name"],
        int(raw["first_year"]),
        int(raw["last_year"]),
        inputs,
        raw.get("sources", {}),
        raw.get("checks", []),
        raw.get("breakeven_claim"),
    )
    problems = []
    for key, value in (overrides or {}).items():
        problem = _check_override(spec, key, value)
        if problem:
            problems.append(Problem(OVERRIDES, None, key, problem))
        else:
            spec.inputs[key] = LabInput(
                key,
                float(value),
                "override",
                note=f"user override (shipped: {inputs[key].value if key in inputs else 'none'})",
            )
    if problems:
        raise ValidationError(problems)
    return spec


def _check_override(spec: LabSpec, key: str, value: Any) -> str | None:
    match = _YEARLY.fullmatch(key)
    yearly_ok = match and spec.first_year - 2 <= int(match.group(3)) <= spec.last_year
    if key not in spec.inputs and not yearly_ok:
        return f"unknown input {key!r}{did_you_mean(suggest(key, spec.inputs))}"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"not a number: {value!r}"
    if not math.isfinite(number):
        return f"not a finite number: {value!r}"
    if "growth" in key:
        return "growth must be above -1 (-100%)" if number <= -1 else None
    if key.endswith("decline"):
        return "a decline must be below 1 (100%)" if number >= 1 else None
    if not key.startswith("burn_") and number < 0:  # a negative burn is a cash surplus
        return "must not be negative"
    return None


@dataclass
class LabProjection(Tabular):
    """Yearly path (long table: year, metric, value, evidence), breakeven and checks."""

    lab: str
    name: str
    table: pd.DataFrame
    breakeven_year: int | None
    breakeven_evidence: Evidence
    inputs: pd.DataFrame
    checks: pd.DataFrame
    breakeven_claim: dict[str, Any] | None = None

    def wide(self) -> pd.DataFrame:
        """year x metric values."""
        wide = self.table.pivot(index="year", columns="metric", values="value")
        return wide[[m for m in METRICS if m in wide.columns]]

    def value(self, metric: str, year: int) -> float | None:
        hit = self.table[(self.table["metric"] == metric) & (self.table["year"] == year)]
        return None if hit.empty else float(hit["value"].iloc[0])

    def to_dict(self) -> dict[str, Any]:
        return {
            "lab": self.lab,
            "name": self.name,
            "unit": "usd_billion",
            "breakeven_year": self.breakeven_year,
            "breakeven_evidence": str(self.breakeven_evidence),
            "breakeven_claim": self.breakeven_claim,
            "path": records(self.table),
            "inputs": records(self.inputs),
            "checks": records(self.checks),
        }

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        shown = ["arr", "revenue", "inference", "training", "other_opex", "cash_flow"]
        wide = self.table[self.table["metric"].isin(shown)].copy()
        wide["cell"] = [
            f"{v:,.1f} {Evidence(e).symbol}" if pd.notna(v) else "—"
            for v, e in zip(wide["value"], wide["evidence"], strict=True)
        ]
        grid = wide.pivot(index="year", columns="metric", values="cell")
        grid = grid[[m for m in shown if m in grid.columns]].fillna("—").reset_index()
        grid["year"] = grid["year"].astype(str)
        be = self.breakeven_year or "none in horizon"
        return Group(
            rich_table(f"{self.name}: projected cash path (USD bn; ○ estimated, △ scenario)", grid),
            Text(f"breakeven year (first cash flow >= 0): {be} [{self.breakeven_evidence}]"),
            rich_table("checks against reported figures", self._checks_view()),
        )

    def _checks_view(self) -> pd.DataFrame:
        def num(v: Any) -> str:
            if v is None or (isinstance(v, float) and pd.isna(v)):
                return "—"
            return str(v) if isinstance(v, int | str) else f"{v:,.1f}"

        return pd.DataFrame(
            [
                {
                    "metric": r["metric"],
                    "year": num(r["year"]),
                    "reported": num(r["reported"]),
                    "model": num(r["model"]),
                    "diff": num(r["diff"]),
                    "match": "yes" if r["within_rounding"] else "no",
                    "source": r["source"],
                }
                for r in records(self.checks)
            ]
        )


def project_lab(lab: str = "openai", overrides: dict[str, float] | None = None) -> LabProjection:
    """Project revenue, costs and cash burn of a model lab from its shipped inputs."""
    spec = load_lab(lab, overrides)
    return _project(spec)


def _project(spec: LabSpec, growth_factor: float = 1.0, cost_factor: float = 1.0) -> LabProjection:
    inp = spec.inputs
    ev = {k: i.evidence for k, i in inp.items()}
    anchors = [
        int(m.group(3))
        for k in inp
        if (m := _YEARLY.fullmatch(k)) and m.group(1) in ("burn", *COSTS) and not m.group(2)
    ]
    anchor_years = frozenset(anchors)
    rows: list[dict[str, Any]] = []

    def put(year: int, metric: str, value: float, deps: set[str]) -> None:
        rows.append(
            {
                "year": year,
                "metric": metric,
                "value": value,
                "evidence": str(weakest(ev[d] for d in deps)),
                "inputs": ";".join(sorted(deps)),
            }
        )

    arr: dict[int, tuple[float, set[str]]] = {}
    start = min(int(m.group(3)) for k in inp if (m := _YEARLY.fullmatch(k)) and m.group(1) == "arr")
    for year in range(start, spec.last_year + 1):
        if f"arr_{year}" in inp:
            arr[year] = (inp[f"arr_{year}"].value, {f"arr_{year}"})
        elif year - 1 in arr and f"growth_{year}" in inp:
            prev, deps = arr[year - 1]
            growth = inp[f"growth_{year}"].value * growth_factor
            arr[year] = (prev * (1 + growth), deps | {f"growth_{year}"})
        else:
            raise ValidationError(
                Problem(
                    f"economics/{spec.lab}.yaml",
                    None,
                    f"growth_{year}",
                    f"needs arr_{year} or growth_{year}",
                )
            )
        put(year, "arr", *arr[year])
        if year - 1 in arr:
            rev_deps = arr[year - 1][1] | arr[year][1]
            put(year, "revenue", (arr[year - 1][0] + arr[year][0]) / 2, rev_deps)
    share: dict[str, tuple[float, set[str]] | None] = {m: None for m in COSTS}
    share["other_opex"] = (inp["other_opex_share"].value, {"other_opex_share"})
    spend: dict[str, tuple[float, set[str]] | None] = {m: None for m in COSTS}  # unscaled
    cash: list[tuple[int, float, set[str]]] = []
    for year in range(spec.first_year, spec.last_year + 1):
        revenue = (arr[year - 1][0] + arr[year][0]) / 2
        rev_deps = arr[year - 1][1] | arr[year][1]
        values: dict[str, tuple[float, set[str]]] = {}
        for metric in COSTS:
            value, deps = _cost(
                spec, metric, year, revenue, rev_deps, anchor_years, share, spend, values
            )
            spend[metric] = (value, deps)
            share[metric] = (value / revenue, deps | rev_deps)
            if year not in anchor_years:
                value *= cost_factor
            values[metric] = (value, deps)
            put(year, metric, value, deps)
            put(year, f"{metric}_share", value / revenue, deps | rev_deps)
        total = sum(v for v, _ in values.values())
        all_deps = set().union(*(d for _, d in values.values())) | rev_deps
        put(year, "total_cost", total, all_deps)
        flow_deps = {f"burn_{year}"} if f"burn_{year}" in inp else all_deps
        put(year, "cash_flow", revenue - total, flow_deps)
        put(year, "burn", total - revenue, flow_deps)
        cash.append((year, revenue - total, all_deps))
    table = pd.DataFrame(rows, columns=["year", "metric", "value", "evidence", "inputs"])
    breakeven, deps_so_far = None, set()
    for year, flow, deps in cash:
        deps_so_far |= deps
        if flow >= -1e-9:
            breakeven = year
            break
    be_evidence = weakest(ev[d] for d in deps_so_far) if breakeven else Evidence.SCENARIO
    projection = LabProjection(
        spec.lab,
        spec.name,
        table,
        breakeven,
        be_evidence,
        _inputs_frame(spec),
        pd.DataFrame(),
        spec.breakeven_claim,
    )
    projection.checks = _checks(spec, projection)
    return projection


def _cost(
    spec: LabSpec,
    metric: str,
    year: int,
    revenue: float,
    rev_deps: set[str],
    anchor_years: frozenset[int],
    share: dict[str, Any],
    spend: dict[str, Any],
    values: dict[str, tuple[float, set[str]]],
) -> tuple[float, set[str]]:
    """One cost line of one year (before any sensitivity scaling) and the inputs it uses."""
    inp = spec.inputs
    absolute, given_share = f"{metric}_{year}", f"{metric}_share_{year}"
    growth_key = f"{metric}_growth_{year}"
    where = f"economics/{spec.lab}.yaml"
    if absolute in inp:
        return inp[absolute].value, {absolute}
    if given_share in inp:
        return inp[given_share].value * revenue, {given_share} | rev_deps
    if metric == "training" and f"burn_{year}" in inp:
        value = revenue + inp[f"burn_{year}"].value - sum(v for v, _ in values.values())
        if value < 0:
            raise ValidationError(
                Problem(
                    where, None, f"burn_{year}", f"implies a negative training cost ({value:.1f})"
                )
            )
        deps = {f"burn_{year}"} | rev_deps | values["inference"][1] | values["other_opex"][1]
        return value, deps
    if growth_key in inp and spend[metric] is not None:
        prev, deps = spend[metric]
        return prev * (1 + inp[growth_key].value), deps | {growth_key}
    prev_share = share[metric]
    if prev_share is None:
        raise ValidationError(
            Problem(where, None, given_share, f"needs {absolute}, {given_share} or {growth_key}")
        )
    decline_key = "other_opex_decline" if metric == "other_opex" else f"{metric}_share_decline"
    if year in anchor_years or decline_key not in inp:
        return prev_share[0] * revenue, prev_share[1] | rev_deps
    factor = 1 - inp[decline_key].value
    return prev_share[0] * factor * revenue, prev_share[1] | {decline_key} | rev_deps


def _inputs_frame(spec: LabSpec) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "key": i.key,
                "value": i.value,
                "basis": i.basis,
                "evidence": str(i.evidence),
                "source": i.source,
                "quote": i.quote,
                "note": i.note,
            }
            for i in spec.inputs.values()
        ]
    )


def _checks(spec: LabSpec, projection: LabProjection) -> pd.DataFrame:
    """Model vs reported figures; tolerance = half a unit of the figure's last digit."""
    rows = []
    for c in spec.checks:
        model = projection.value(c["metric"], int(c["year"]))
        expected = float(c["value"])
        tolerance = 0.5 if expected == int(expected) else 0.05
        rows.append(
            {
                "metric": c["metric"],
                "year": int(c["year"]),
                "reported": expected,
                "model": model,
                "diff": None if model is None else model - expected,
                "within_rounding": model is not None and abs(model - expected) <= tolerance + 1e-9,
                "source": c.get("source"),
            }
        )
    claim = spec.breakeven_claim
    if claim:
        be = projection.breakeven_year
        rows.append(
            {
                "metric": "breakeven_year",
                "year": None,
                "reported": f"{claim['low']}-{claim['high']}",
                "model": be,
                "diff": None,
                "within_rounding": be is not None and claim["low"] <= be <= claim["high"],
                "source": claim.get("source"),
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=["metric", "year", "reported", "model", "diff", "within_rounding", "source"],
        dtype=object,
    )
    return frame.astype({"year": "Int64"})


@dataclass
class Sensitivity(Tabular):
    """Breakeven year across growth x cost factors (None = not within the horizon)."""

    lab: str
    table: pd.DataFrame  # index: growth factor, columns: cost factor
    last_year: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "lab": self.lab,
            "last_year": self.last_year,
            "evidence": "scenario",
            "growth_factors": list(self.table.index),
            "cost_factors": list(self.table.columns),
            "breakeven_year": [
                [None if pd.isna(v) else int(v) for v in row] for row in self.table.to_numpy()
            ],
        }

    def __rich__(self) -> Any:
        frame = self.table.map(lambda v: f">{self.last_year}" if pd.isna(v) else str(int(v)))
        frame.columns = [f"cost ×{c:g}" for c in frame.columns]
        frame.insert(0, "growth", [f"×{g:g}" for g in self.table.index])
        return rich_table(f"Breakeven year, {self.lab} (△ scenario)", frame)


def sensitivity(
    lab: str = "openai",
    *,
    growth_factors: tuple[float, ...] = (0.5, 0.75, 1.0, 1.25, 1.5),
    cost_factors: tuple[float, ...] = (0.8, 0.9, 1.0, 1.1, 1.2),
    overrides: dict[str, float] | None = None,
) -> Sensitivity:
    """Breakeven year when every growth rate is multiplied by a growth factor and every cost in
    a year without an anchor by a cost factor (anchored article years stay as reported)."""
    spec = load_lab(lab, overrides)
    grid = {c: [_project(spec, g, c).breakeven_year for g in growth_factors] for c in cost_factors}
    table = pd.DataFrame(grid, index=pd.Index(growth_factors, name="growth_factor"), dtype="Int64")
    table.columns.name = "cost_factor"
    return Sensitivity(spec.lab, table, spec.last_year)
