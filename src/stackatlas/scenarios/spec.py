"""Scenario files: load, validate (file, line, field in every error), list the shipped ones.

A scenario file::

    name: taiwan-quake
    title: ...
    description: ...
    parameters: {capacity_loss: {default, range, unit, description, basis, distribution}}
    model: {substitution_rate: 0.3}          # optional: model-parameter defaults for this run
    shocks:
      - kind: supply | demand | purchases
        targets: {companies: [..], segments: [..], markets: [..], groups: [..], layers: [..],
                  countries: [..],           # countries filters the other selectors
                  inputs: [..], supplier_countries: [..]}  # CSET/ETO inputs (eto_network.py)
        exposure: segment | full             # scale by the company's membership weight or not
        size: capacity_loss                  # number or expression of parameters (and t)
        start: 0                             # quarters; expressions allowed
        duration: outage_quarters
        recovery: recovery_quarters          # linear ramp back to zero
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stackatlas.atlas.atlas import Atlas
from stackatlas.display import DASH, suggest
from stackatlas.errors import NotFoundError, Problem, ValidationError, did_you_mean
from stackatlas.notebook import Tabular
from stackatlas.scenarios.expr import TIME, Expr, parse_expr
from stackatlas.scenarios.params import (
    Distribution,
    ModelConfig,
    ParamSpec,
    data_dir,
    model_config,
    parse_distribution,
    parse_params,
)
from stackatlas.scenarios.yamlmarks import MarkedDoc, load_marked, load_marked_file

SHOCK_KINDS = ("supply", "demand", "purchases")
TARGET_KINDS = (
    "companies",
    "segments",
    "markets",
    "groups",
    "layers",
    "countries",
    "inputs",  # CSET/ETO chip inputs (ids or names; needs the dataset: eto_network.py)
    "supplier_countries",  # with inputs: scale by these countries' ETO share of the input
)
EXPOSURES = ("segment", "full")
_TOP = {"name", "title", "description", "parameters", "model", "shocks", "references", "gains"}
_SHOCK = {"kind", "label", "targets", "exposure", "size", "start", "duration", "recovery"}
MODEL_FILE = "model.yaml"


@dataclass(frozen=True)
class ShockSpec:
    kind: str
    label: str
    targets: dict[str, list[str]]
    exposure: str
    size: Expr
    start: Expr
    duration: Expr
    recovery: Expr
    index: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "targets": self.targets,
            "exposure": self.exposure,
            "size": self.size.text,
            "start": self.start.text,
            "duration": self.duration.text,
            "recovery": self.recovery.text,
        }


@dataclass(frozen=True)
class ScenarioSpec(Tabular):
    """A validated scenario: its own parameters, model-parameter settings and shocks."""

    name: str
    title: str
    description: str
    params: dict[str, ParamSpec]
    model_settings: dict[str, float | Distribution]
    shocks: list[ShockSpec]
    file: str
    references: list[str] = field(default_factory=list)
    gains: str = ""  # when this shock helps someone (negative revenue at risk), in words
    doc: MarkedDoc | None = field(default=None, repr=False, compare=False)

    def problem(self, where: tuple[str | int, ...], message: str) -> Problem:
        """A Problem located in this scenario's file (line known when parsed from YAML)."""
        if self.doc is not None:
            return self.doc.problem(where, message)
        return Problem(self.file, None, ".".join(map(str, where)), message)

    def all_params(self, model: ModelConfig | None = None) -> dict[str, ParamSpec]:
        """Model parameters (with this scenario's settings applied) then scenario ones."""
        model = model or model_config()
        merged: dict[str, ParamSpec] = {}
        for name, spec in model.params.items():
            setting = self.model_settings.get(name)
            if isinstance(setting, Distribution):
                spec = _replace(spec, distribution=setting)
            elif setting is not None:
                spec = _replace(spec, default=float(setting))
            merged[name] = spec
        merged.update(self.params)
        return merged

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "file": self.file,
            "references": self.references,
            "gains": self.gains or None,
            "parameters": {k: v.to_dict() for k, v in self.params.items()},
            "model": {
                k: (v.to_dict() if isinstance(v, Distribution) else v)
                for k, v in self.model_settings.items()
            },
            "shocks": [s.to_dict() for s in self.shocks],
        }

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.panel import Panel
        from rich.table import Table
        from rich.text import Text

        params = Table(title="parameters", title_justify="left", box=None)
        for col in ("parameter", "default", "range", "unit", "distribution", "basis"):
            params.add_column(col, overflow="fold")
        for p in self.params.values():
            params.add_row(
                p.name,
                f"{p.default:g}",
                f"{p.low:g}–{p.high:g}",
                p.unit,
                str(p.distribution or DASH),
                str(p.basis),
            )
        for name, value in self.model_settings.items():
            params.add_row(name, str(value), "", "model", "", "scenario setting")
        shocks = Table(title="shocks", title_justify="left", box=None)
        for col in ("kind", "label", "targets", "size", "start", "duration", "recovery"):
            shocks.add_column(col, overflow="fold")
        for sh in self.shocks:
            targets = "; ".join(f"{k}: {', '.join(v)}" for k, v in sh.targets.items())
            shocks.add_row(
                sh.kind,
                sh.label,
                targets,
                sh.size.text,
                sh.start.text,
                sh.duration.text,
                sh.recovery.text,
            )
        return Panel(
            Group(Text(self.description, style="dim"), shocks, params),
            title=f"scenario {self.name}: {self.title}",
            title_align="left",
        )


def _replace(spec: ParamSpec, **changes: Any) -> ParamSpec:
    return ParamSpec(**{**spec.__dict__, **changes})


def list_scenarios() -> list[dict[str, str]]:
    """The shipped scenarios: name, title, file and ``needs`` (``eto`` when the scenario
    starts at a CSET/ETO chip input and needs that dataset, else empty)."""
    out = []
    for path in sorted(data_dir().glob("*.yaml")):
        if path.name == MODEL_FILE:
            continue
        spec = load_scenario(path)
        needs = "eto" if any("inputs" in s.targets for s in spec.shocks) else ""
        out.append({"name": spec.name, "title": spec.title, "file": path.name, "needs": needs})
    return out


def load_scenario(name_or_path: str | Path) -> ScenarioSpec:
    """A shipped scenario by name, or a user scenario file by path (validated)."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise NotFoundError(f"scenario file {str(path)!r} does not exist")
        return parse_scenario(load_marked_file(path))
    shipped = data_dir() / f"{name_or_path}.yaml"
    if str(name_or_path) == MODEL_FILE.removesuffix(".yaml") or not shipped.is_file():
        names = [p.stem for p in sorted(data_dir().glob("*.yaml")) if p.name != MODEL_FILE]
        name = str(name_or_path)
        raise NotFoundError(f"unknown scenario {name!r}", suggest(name, names))
    return parse_scenario(load_marked(shipped.read_text(encoding="utf-8"), str(shipped)))


def parse_scenario(doc: MarkedDoc, model: ModelConfig | None = None) -> ScenarioSpec:
    """Validate the structure of a scenario document; every problem is reported at once."""
    model = model or model_config()
    problems: list[Problem] = []
    data = doc.data
    if not isinstance(data, dict):
        raise ValidationError(doc.problem((), "a scenario must be a YAML mapping"))
    for key in sorted(set(data) - _TOP):
        problems.append(doc.problem((key,), f"unknown field {key!r}; allowed: {sorted(_TOP)}"))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(doc.problem(("name",), "name is required (a slug such as my-shock)"))
    params = parse_params(data.get("parameters") or {}, doc, ("parameters",), str(name), problems)
    for pname in params:
        if pname in model.params or pname == TIME:
            problems.append(
                doc.problem(
                    ("parameters", pname),
                    f"parameter name {pname!r} is reserved (model parameter or 't')",
                )
            )
    settings = _parse_model_settings(data.get("model") or {}, doc, model, problems)
    known = set(params) | set(model.params)
    shocks = []
    raw_shocks = data.get("shocks")
    if not isinstance(raw_shocks, list) or not raw_shocks:
        problems.append(doc.problem(("shocks",), "shocks must be a non-empty list"))
        raw_shocks = []
    for i, raw in enumerate(raw_shocks):
        shock = _parse_shock(raw, i, doc, known, problems)
        if shock is not None:
            shocks.append(shock)
    if problems:
        raise ValidationError(problems)
    refs = data.get("references") or []
    return ScenarioSpec(
        str(name),
        str(data.get("title") or name),
        str(data.get("description") or "").strip(),
        params,
        settings,
        shocks,
        doc.file,
        [str(r) for r in refs],
        " ".join(str(data.get("gains") or "").split()),
        doc,
    )


def _parse_model_settings(
    raw: Any, doc: MarkedDoc, model: ModelConfig, problems: list[Problem]
) -> dict[str, float | Distribution]:
    out: dict[str, float | Distribution] = {}
    if not isinstance(raw, dict):
        problems.append(doc.problem(("model",), "model must map model parameters to values"))
        return out
    for key, value in raw.items():
        path = ("model", key)
        spec = model.params.get(key)
        if spec is None:
            problems.append(
                doc.problem(
                    path, f"unknown model parameter {key!r}; known: {', '.join(model.params)}"
                )
            )
        elif isinstance(value, dict):
            dist = parse_distribution(value, doc, path, spec.low, spec.high, problems)
            if dist is not None:
                out[key] = dist
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(doc.problem(path, "value must be a number or a distribution"))
        elif not spec.low <= value <= spec.high:
            problems.append(
                doc.problem(
                    path, f"{key} = {value:g} is outside its range [{spec.low:g}, {spec.high:g}]"
                )
            )
        else:
            out[key] = float(value)
    return out


def _parse_shock(
    raw: Any, i: int, doc: MarkedDoc, known: set[str], problems: list[Problem]
) -> ShockSpec | None:
    base = ("shocks", i)
    if not isinstance(raw, dict):
        problems.append(doc.problem(base, "each shock must be a mapping"))
        return None
    before = len(problems)
    for key in sorted(set(raw) - _SHOCK):
        problems.append(doc.problem((*base, key), f"unknown shock field {key!r}"))
    kind = raw.get("kind")
    if kind not in SHOCK_KINDS:
        problems.append(
            doc.problem((*base, "kind"), f"kind must be one of {SHOCK_KINDS}, got {kind!r}")
        )
    exposure = raw.get("exposure", "segment")
    if exposure not in EXPOSURES:
        problems.append(doc.problem((*base, "exposure"), f"exposure must be one of {EXPOSURES}"))
    targets = raw.get("targets")
    clean: dict[str, list[str]] = {}
    if not isinstance(targets, dict) or not targets:
        problems.append(
            doc.problem((*base, "targets"), "targets must be a mapping such as {companies: [tsmc]}")
        )
    else:
        for key, values in targets.items():
            if key not in TARGET_KINDS:
                problems.append(
                    doc.problem(
                        (*base, "targets", key),
                        f"unknown target kind {key!r}; use {', '.join(TARGET_KINDS)}",
                    )
                )
            elif not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                problems.append(doc.problem((*base, "targets", key), "must be a list of ids"))
            else:
                clean[key] = values
        if clean and set(clean) <= {"countries", "supplier_countries"}:
            problems.append(
                doc.problem(
                    (*base, "targets"),
                    "countries only filters; name "
                    "companies, segments, markets, groups or layers too",
                )
            )
    exprs: dict[str, Expr] = {}
    defaults = {"start": 0, "duration": "horizon_quarters", "recovery": 0}
    for key in ("size", "start", "duration", "recovery"):
        value = raw.get(key, defaults.get(key))
        if value is None:
            problems.append(doc.problem((*base, key), f"{key} is required"))
            continue
        try:
            expr = parse_expr(value)
        except ValueError as exc:
            problems.append(doc.problem((*base, key), str(exc)))
            continue
        if key != "size" and not expr.names and float(expr.evaluate({})) < 0:
            problems.append(
                doc.problem(
                    (*base, key), f"{key} is in quarters and must be 0 or more, got {value}"
                )
            )
            continue
        allowed = known | ({TIME} if key == "size" else set())
        unknown = sorted(expr.names - allowed)
        if unknown:
            problems.append(
                doc.problem((*base, key), f"unknown parameter(s) {unknown} in {expr.text!r}")
            )
            continue
        exprs[key] = expr
    if len(problems) > before:
        return None
    return ShockSpec(
        str(kind),
        str(raw.get("label") or f"{kind} shock {i + 1}"),
        clean,
        str(exposure),
        exprs["size"],
        exprs["start"],
        exprs["duration"],
        exprs["recovery"],
        i,
    )


def check_targets(spec: ScenarioSpec, atlas: Atlas) -> None:
    """Every target id must exist in the atlas (unknown company -> located error)."""
    problems: list[Problem] = []
    known: dict[str, Collection[str]] = {
        "companies": atlas.companies,
        "segments": atlas.segments,
        "markets": atlas.markets,
        "groups": atlas.groups,
        "layers": set(atlas.layer_ids),
        "countries": {c.country for c in atlas.companies.values()},
    }
    for shock in spec.shocks:
        for kind, values in shock.targets.items():
            if kind in ("inputs", "supplier_countries"):  # checked against the ETO data on join
                continue
            if kind == "countries" and "inputs" in shock.targets:
                values = [v for v in values if v != "ROW"]  # destination: the rest of the world
            for j, value in enumerate(values):
                if value not in known[kind]:
                    msg = f"unknown {kind[:-1] if kind != 'companies' else 'company'} {value!r}"
                    msg += did_you_mean(suggest(value, known[kind]))
                    where = ("shocks", shock.index, "targets", kind, j)
                    problems.append(spec.problem(where, msg))
    if problems:
        raise ValidationError(problems)
