"""Model parameters: specs with a default, a plausible range, a basis and optional distribution.

Every number the propagation model uses lives in a shipped YAML file
(``data/scenarios/model.yaml`` for the model, ``data/scenarios/<name>.yaml`` for a scenario),
never as a bare literal in code. A parameter's ``basis`` is either a ``source`` (title,
publisher, year, url or doi) or an explicit ``assumption`` note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from stackatlas._io import data_path
from stackatlas.errors import Problem, ValidationError
from stackatlas.overrides import OVERRIDES
from stackatlas.scenarios.yamlmarks import MarkedDoc, PathKey, load_marked

DIST_FIELDS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
}


@dataclass(frozen=True)
class Basis:
    """Why a default has its value: a citation or an explicit assumption."""

    assumption: str | None = None
    title: str | None = None
    publisher: str | None = None
    year: int | None = None
    url: str | None = None
    doi: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def __str__(self) -> str:
        if self.title:
            ref = self.url or (f"doi:{self.doi}" if self.doi else "")
            return f'{self.publisher} ({self.year}), "{self.title}" {ref}'.strip()
        return f"assumption: {self.assumption}"


@dataclass(frozen=True)
class Distribution:
    kind: str
    args: dict[str, float]

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        a = self.args
        if self.kind == "uniform":
            return rng.uniform(a["low"], a["high"], n)
        if self.kind == "triangular":
            return rng.triangular(a["low"], a["mode"], a["high"], n)
        if self.kind == "normal":
            return rng.normal(a["mean"], a["sd"], n)
        return rng.lognormal(np.log(a["median"]), a["sigma"], n)

    @property
    def center(self) -> float:
        a = self.args
        if self.kind == "uniform":
            return (a["low"] + a["high"]) / 2
        return a[{"triangular": "mode", "normal": "mean", "lognormal": "median"}[self.kind]]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.args}

    def __str__(self) -> str:
        return f"{self.kind}({', '.join(f'{v:g}' for v in self.args.values())})"


@dataclass(frozen=True)
class ParamSpec:
    name: str
    default: float
    low: float
    high: float
    description: str
    unit: str
    basis: Basis
    distribution: Distribution | None = None
    origin: str = ""  # "model" or the scenario name
    advanced: bool = False  # a solver setting, not an economic parameter (shown apart)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "default": self.default,
            "range": [self.low, self.high],
            "unit": self.unit,
            "description": self.description,
            "basis": self.basis.to_dict(),
            "origin": self.origin,
            "distribution": self.distribution.to_dict() if self.distribution else None,
            "advanced": self.advanced,
        }


# ---- parsing -----------------------------------------------------------------------------
def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def parse_distribution(
    raw: Any, doc: MarkedDoc, path: PathKey, low: float, high: float, problems: list[Problem]
) -> Distribution | None:
    """A distribution mapping ``{kind: triangular, low: .., mode: .., high: ..}``."""
    if not isinstance(raw, dict):
        problems.append(doc.problem(path, "distribution must be a mapping with a 'kind'"))
        return None
    kind = raw.get("kind")
    if kind not in DIST_FIELDS:
        problems.append(
            doc.problem(
                (*path, "kind"),
                f"unknown distribution kind {kind!r}; use one of {', '.join(DIST_FIELDS)}",
            )
        )
        return None
    args: dict[str, float] = {}
    for name in DIST_FIELDS[kind]:
        value = _num(raw.get(name))
        if value is None:
            problems.append(doc.problem((*path, name), f"{kind} needs a number '{name}'"))
            return None
        args[name] = value
    extra = set(raw) - {"kind", *DIST_FIELDS[kind]}
    if extra:
        problems.append(doc.problem(path, f"unexpected field(s) for {kind}: {sorted(extra)}"))
        return None
    msg = _check_distribution(kind, args, low, high)
    if msg:
        problems.append(doc.problem(path, msg))
        return None
    return Distribution(kind, args)


def _check_distribution(kind: str, a: dict[str, float], low: float, high: float) -> str | None:
    if kind in ("uniform", "triangular"):
        if not a["low"] < a["high"]:
            return f"{kind}: low ({a['low']:g}) must be below high ({a['high']:g})"
        if kind == "triangular" and not a["low"] <= a["mode"] <= a["high"]:
            return f"triangular: mode ({a['mode']:g}) must lie within [low, high]"
        if a["low"] < low or a["high"] > high:
            return (
                f"{kind} support [{a['low']:g}, {a['high']:g}] leaves the parameter's "
                f"range [{low:g}, {high:g}]"
            )
    elif kind == "normal":
        if a["sd"] <= 0:
            return "normal: sd must be positive"
        if not low <= a["mean"] <= high:
            return f"normal: mean {a['mean']:g} outside the range [{low:g}, {high:g}]"
    else:
        if a["sigma"] <= 0 or a["median"] <= 0:
            return "lognormal: median and sigma must be positive"
        if not low <= a["median"] <= high:
            return f"lognormal: median {a['median']:g} outside the range [{low:g}, {high:g}]"
    return None


_CALL = re.compile(r"^\s*([a-z]+)\s*\(([^)]*)\)\s*$")


def parse_override(text: str) -> float | dict[str, Any]:
    """``0.4`` -> 0.4; ``triangular(0.1,0.3,0.6)`` -> distribution mapping (for ``--set``)."""
    try:
        return float(text)
    except ValueError:
        pass
    match = _CALL.match(text)
    if not match or match.group(1) not in DIST_FIELDS:
        raise ValidationError(
            Problem(
                OVERRIDES,
                None,
                None,
                f"cannot read value {text!r}: use a "
                "number or kind(args), e.g. triangular(0.1,0.3,0.6)",
            )
        )
    kind = match.group(1)
    try:
        values = [float(v) for v in match.group(2).split(",") if v.strip()]
    except ValueError:
        raise ValidationError(
            Problem(OVERRIDES, None, None, f"non-numeric argument in {text!r}")
        ) from None
    names = DIST_FIELDS[kind]
    if len(values) != len(names):
        raise ValidationError(
            Problem(
                OVERRIDES, None, None, f"{kind} takes {len(names)} arguments ({', '.join(names)})"
            )
        )
    return {"kind": kind, **dict(zip(names, values, strict=True))}


def parse_basis(raw: Any, doc: MarkedDoc, path: PathKey, problems: list[Problem]) -> Basis:
    if not isinstance(raw, dict):
        problems.append(
            doc.problem(
                path,
                "basis must be a mapping: {assumption: ...} or {title, publisher, year, url|doi}",
            )
        )
        return Basis(assumption="(missing)")
    if "assumption" in raw:
        if not isinstance(raw["assumption"], str) or not raw["assumption"].strip():
            problems.append(doc.problem((*path, "assumption"), "assumption must be a text note"))
        return Basis(assumption=str(raw["assumption"]).strip(), note=raw.get("note"))
    missing = [k for k in ("title", "publisher", "year") if not raw.get(k)]
    if missing or not (raw.get("url") or raw.get("doi")):
        problems.append(
            doc.problem(
                path,
                "a source basis needs title, publisher, year and "
                f"url or doi (missing: {missing or ['url/doi']})",
            )
        )
    known = {"title", "publisher", "year", "url", "doi", "note"}
    if set(raw) - known:
        problems.append(doc.problem(path, f"unknown basis field(s) {sorted(set(raw) - known)}"))
    return Basis(
        title=raw.get("title"),
        publisher=raw.get("publisher"),
        year=raw.get("year"),
        url=raw.get("url"),
        doi=raw.get("doi"),
        note=raw.get("note"),
    )


def parse_params(
    raw: Any, doc: MarkedDoc, path: PathKey, origin: str, problems: list[Problem]
) -> dict[str, ParamSpec]:
    """A ``parameters:`` mapping -> specs; every problem is located by file, line and field."""
    specs: dict[str, ParamSpec] = {}
    if not isinstance(raw, dict):
        problems.append(doc.problem(path, "parameters must be a mapping name -> spec"))
        return specs
    allowed = {"default", "range", "unit", "description", "basis", "distribution", "advanced"}
    for name, body in raw.items():
        p = (*path, name)
        if not isinstance(body, dict):
            problems.append(doc.problem(p, "parameter spec must be a mapping"))
            continue
        if set(body) - allowed:
            problems.append(doc.problem(p, f"unknown field(s) {sorted(set(body) - allowed)}"))
        rng = body.get("range")
        low = high = None
        if isinstance(rng, list) and len(rng) == 2:
            low, high = _num(rng[0]), _num(rng[1])
        if low is None or high is None or low > high:
            problems.append(doc.problem((*p, "range"), "range must be [low, high] numbers"))
            continue
        default = _num(body.get("default"))
        if default is None:
            problems.append(doc.problem((*p, "default"), "default must be a number"))
            continue
        if not low <= default <= high:
            problems.append(
                doc.problem(
                    (*p, "default"), f"default {default:g} outside the range [{low:g}, {high:g}]"
                )
            )
        if not body.get("description"):
            problems.append(doc.problem(p, "description is required"))
        basis = parse_basis(body.get("basis"), doc, (*p, "basis"), problems)
        dist = None
        if body.get("distribution") is not None:
            dist = parse_distribution(
                body["distribution"], doc, (*p, "distribution"), low, high, problems
            )
        specs[str(name)] = ParamSpec(
            str(name),
            default,
            low,
            high,
            str(body.get("description")),
            str(body.get("unit", "")),
            basis,
            dist,
            origin,
            advanced=body.get("advanced") is True,
        )
    return specs


# ---- the shipped model file --------------------------------------------------------------
@dataclass(frozen=True)
class ModelConfig:
    """model.yaml: model parameters plus the network-building rules."""

    params: dict[str, ParamSpec]
    network: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, Any] = field(default_factory=dict)
    file: str = ""


def data_dir() -> Path:
    return data_path("scenarios")


@cache
def model_config() -> ModelConfig:
    """The shipped model.yaml, validated (cached)."""
    path = data_dir() / "model.yaml"
    doc = load_marked(path.read_text(encoding="utf-8"), str(path))
    return parse_model(doc)


def parse_model(doc: MarkedDoc) -> ModelConfig:
    problems: list[Problem] = []
    data = doc.data if isinstance(doc.data, dict) else {}
    params = parse_params(data.get("parameters"), doc, ("parameters",), "model", problems)
    if problems:
        raise ValidationError(problems)
    return ModelConfig(params, data.get("network") or {}, data.get("calibration") or {}, doc.file)
