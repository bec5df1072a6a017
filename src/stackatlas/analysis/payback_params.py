"""The sourced inputs of the payback model (``data/payback.yaml``), read and checked.

Every parameter carries its basis — ``sourced`` (a quote and a source id), ``derived`` (filing
figures and the arithmetic in its note) or ``assumption`` (a reason) — and a ``low`` / ``high``
range. A user override (``overrides``) replaces the value, keeps the range and becomes evidence
``scenario``. Bad files or overrides raise a ``ValidationError`` naming the key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

import yaml

from stackatlas.errors import Problem, ValidationError
from stackatlas.evidence import Evidence

FILE = "payback.yaml"
BASES = ("sourced", "derived", "assumption", "override")
PARAMETERS = (
    "ai_share_of_capex",
    "useful_life_years",
    "cost_of_capital",
    "cloud_cash_opex_share",
    "end_user_gross_margin",
)
# what each parameter may be: (lowest, highest, inclusive upper bound)
LIMITS = {
    "ai_share_of_capex": (0.0, 1.0, True),
    "useful_life_years": (0.5, 50.0, True),
    "cost_of_capital": (0.0, 1.0, True),
    "cloud_cash_opex_share": (0.0, 1.0, False),
    "end_user_gross_margin": (0.0, 1.0, False),
}


@dataclass(frozen=True)
class Parameter:
    """One model input with its range and where it comes from."""

    key: str
    value: float
    low: float
    high: float
    unit: str
    basis: str
    source: str | None = None
    quote: str | None = None
    note: str | None = None

    @property
    def evidence(self) -> Evidence:
        if self.basis in ("assumption", "override"):
            return Evidence.SCENARIO
        return Evidence.DERIVED if self.basis == "derived" else Evidence.ESTIMATED

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "basis": self.basis,
            "evidence": str(self.evidence),
            "source": self.source,
            "quote": self.quote,
            "note": self.note,
        }


@dataclass(frozen=True)
class RevenueEstimate:
    company: str
    year: int
    value: float
    low: float
    high: float
    sources: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class RunRate:
    company: str
    date: str
    value: float
    source: str
    quote: str | None = None
    note: str | None = None


@dataclass
class PaybackInputs:
    """Everything ``data/payback.yaml`` holds, checked."""

    anchor: dict[str, dict[str, Any]]
    anchor_revenue_needed: float
    parameters: dict[str, Parameter]
    counted: tuple[str, ...]
    estimates: list[RevenueEstimate]
    run_rates: list[RunRate]
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    def value(self, key: str) -> float:
        return self.parameters[key].value

    def source_ids(self) -> set[str]:
        """Every source id the file cites (to check against the atlas and its own list)."""
        ids = {str(a["source"]) for a in self.anchor.values() if a.get("source")}
        ids |= {p.source for p in self.parameters.values() if p.source}
        ids |= {s for e in self.estimates for s in e.sources}
        ids |= {r.source for r in self.run_rates}
        return ids


def load_payback_inputs(overrides: dict[str, float] | None = None) -> PaybackInputs:
    """Read the shipped parameters and apply ``overrides`` (unknown keys / bad values are a
    ``ValidationError`` listing every problem)."""
    raw = yaml.safe_load((resources.files("stackatlas.data") / FILE).read_text("utf-8"))
    problems: list[Problem] = []
    params = {}
    for key in PARAMETERS:
        spec = raw.get("parameters", {}).get(key)
        if spec is None:
            problems.append(Problem(FILE, None, key, "missing parameter"))
            continue
        param = Parameter(
            key,
            float(spec["value"]),
            float(spec.get("low", spec["value"])),
            float(spec.get("high", spec["value"])),
            str(spec.get("unit", "")),
            str(spec.get("basis", "")),
            spec.get("source"),
            spec.get("quote"),
            spec.get("note"),
        )
        problems += _check(param)
        params[key] = param
    ai = raw.get("ai_revenue", {})
    inputs = PaybackInputs(
        anchor=raw["anchor"],
        anchor_revenue_needed=float(raw["anchor"].pop("revenue_needed")),
        parameters=params,
        counted=tuple(ai.get("counted", ())),
        estimates=[
            RevenueEstimate(
                e["company"],
                int(e["year"]),
                float(e["value"]),
                float(e["low"]),
                float(e["high"]),
                tuple(e.get("sources", ())),
                e.get("note", ""),
            )
            for e in ai.get("estimates", ())
        ],
        run_rates=[
            RunRate(
                r["company"],
                str(r["date"]),
                float(r["value"]),
                r["source"],
                r.get("quote"),
                r.get("note"),
            )
            for r in ai.get("run_rates", ())
        ],
        sources=raw.get("sources", {}),
    )
    for key, value in (overrides or {}).items():
        if key not in params:
            near = ", ".join(PARAMETERS)
            problems.append(Problem("overrides", None, key, f"unknown parameter (have: {near})"))
            continue
        changed = replace(params[key], value=float(value), basis="override")
        changed = replace(changed, note=f"user override (shipped: {params[key].value:g})")
        found = _check(changed, file="overrides", range_too=False)
        problems += found
        if not found:
            inputs.parameters[key] = changed
    if problems:
        raise ValidationError(problems)
    return inputs


def _check(param: Parameter, file: str = FILE, range_too: bool = True) -> list[Problem]:
    out = []
    lowest, highest, inclusive = LIMITS[param.key]
    value = param.value
    if (
        not math.isfinite(value)
        or value < lowest
        or value > highest
        or (not inclusive and value >= highest)
    ):
        bound = "<=" if inclusive else "<"
        out.append(
            Problem(file, None, param.key, f"must be between {lowest:g} and {bound} {highest:g}")
        )
    if param.basis not in BASES:
        out.append(Problem(file, None, param.key, f"basis must be one of {', '.join(BASES)}"))
    if range_too and not param.low <= param.value <= param.high:
        out.append(Problem(file, None, param.key, "value must lie within low..high"))
    if param.basis in ("sourced", "derived") and not param.source:
        out.append(Problem(file, None, param.key, f"a {param.basis} parameter needs a source"))
    if param.basis == "sourced" and not param.quote:
        out.append(Problem(file, None, param.key, "a sourced parameter needs the quote"))
    if param.basis == "assumption" and not param.note:
        out.append(Problem(file, None, param.key, "an assumption needs a note saying why"))
    return out
