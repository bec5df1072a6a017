"""The library calls behind the routes, cached through ``WebData`` (one place for both the JSON
API and the pages, so they always show the same numbers)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from stackatlas.display import suggest
from stackatlas.errors import NotFoundError, Problem, ValidationError
from stackatlas.web import sections
from stackatlas.web.state import WebData
from stackatlas.web.supplychain_section import supplychain_section

if TYPE_CHECKING:
    from stackatlas.store import Store

MAX_DRAWS = 5000
MAX_SWEEP_POINTS = 200
MAX_SWEEP_DRAWS = 20_000  # points x draws per request: seconds, not minutes, on one core
STATIC_SECTIONS: dict[str, Callable[..., sections.Section]] = {
    "map": sections.map_section,
    "flows": sections.flows_section,
    "pools": sections.pools_section,
    "capex": sections.capex_section,
    "payback": sections.payback_section,
    "coverage": sections.coverage_section,
    "concentration": sections.concentration_section,
    "infra": sections.infra_section,
    "signals": sections.signals_section,
    "audit": sections.audit_section,
    "scenarios": sections.scenario_summary_section,
    "supplychain": supplychain_section,
}
ETO_SECTIONS = {"concentration", "scenarios", "supplychain"}
"""Sections that add the CSET/ETO chip supply chain when the dataset is configured."""


def build_section(key: str, atlas: Any, store: Store | None, eto: Any = None) -> sections.Section:
    """One section from the atlas and store (and the ETO dataset for ``ETO_SECTIONS``)."""
    if key in ETO_SECTIONS:
        return STATIC_SECTIONS[key](atlas, store, eto=eto)
    return STATIC_SECTIONS[key](atlas, store)


def section(data: WebData, key: str) -> sections.Section:
    eto = data.eto() if key in ETO_SECTIONS else None
    return data.cached(f"section:{key}", lambda atlas, store: build_section(key, atlas, store, eto))


def map_page_section(data: WebData, sizing: str) -> sections.Section:
    """The map section sized in dollars (default, the shared cache) or by weight."""
    if sizing == "dollars":
        return section(data, "map")
    return data.cached(
        "section:map", lambda atlas, store: sections.map_section(atlas, store, sizing), sizing
    )


def pools_page_section(data: WebData, view: str) -> sections.Section:
    """The pools section in the panel (default, the shared cache) or full view."""
    from stackatlas.analysis.profit_pools import VIEWS

    if view not in VIEWS:
        from stackatlas.errors import ValidationError

        raise ValidationError(f"view must be 'panel' or 'full', not {view!r}")
    if view == "panel":
        return section(data, "pools")
    return data.cached(
        "section:pools", lambda atlas, store: sections.pools_section(atlas, store, view), view
    )


def supplychain_page_section(data: WebData, filters: Mapping[str, Any]) -> sections.Section:
    """The chip supply chain filtered by input / provider / country / stage (needs the
    dataset: ``DataNotConfiguredError`` otherwise, shown as 503 with how to get it)."""
    eto = data.require_eto()
    key = json.dumps({k: v for k, v in filters.items() if v}, sort_keys=True)
    return data.cached(
        "section:supplychain",
        lambda atlas, store: supplychain_section(atlas, store, eto=eto, **filters),
        key,
    )


def supplychain_view(data: WebData, filters: Mapping[str, Any]) -> dict[str, Any]:
    """``supply_chain(...).to_dict()`` for the API (cached per filters)."""
    from stackatlas.supplychain.view import supply_chain

    eto = data.require_eto()
    key = json.dumps({k: v for k, v in filters.items() if v}, sort_keys=True)
    return data.cached(
        "api:supplychain",
        lambda atlas, store: supply_chain(eto, atlas, **filters).to_dict(),
        key,
    )


def company_section(data: WebData, company_id: str) -> sections.Section:
    company = data.atlas().find_company(company_id)  # NotFoundError with suggestions
    return data.cached(
        "section:company",
        lambda atlas, store: sections.company_section(atlas, store, company.id),
        company.id,
    )


def scenario_names(data: WebData) -> list[dict[str, str]]:
    from stackatlas.scenarios import list_scenarios

    return data.cached(
        "scenario-list",
        lambda atlas, store: [
            {"name": s["name"], "title": s["title"], "needs": s["needs"]} for s in list_scenarios()
        ],
    )


def check_scenario(data: WebData, name: str) -> str:
    """``name`` if it is a shipped scenario (never a path), else NotFoundError."""
    names = [s["name"] for s in scenario_names(data)]
    if name not in names:
        raise NotFoundError(f"unknown scenario {name!r}", suggest(name, names))
    return name


def scenario_spec(data: WebData, name: str) -> Any:
    from stackatlas.scenarios import load_scenario

    check_scenario(data, name)
    return data.cached("scenario-spec", lambda atlas, store: load_scenario(name), name)


def run_scenario(
    data: WebData,
    name: str,
    overrides: Mapping[str, Any] | None = None,
    draws: int = 0,
    seed: int = 0,
    edge_shares: str = "point",
) -> Any:
    """A ``ScenarioResult``, cached per (name, overrides, draws, seed, edge shares)."""
    from stackatlas.scenarios import run_scenario as _run

    check_scenario(data, name)
    if not 0 <= draws <= MAX_DRAWS:
        raise ValidationError(f"draws must be between 0 and {MAX_DRAWS}, not {draws}")
    over = dict(overrides or {})
    key = json.dumps(over, sort_keys=True)
    eto = data.eto() if _needs_eto(data, name) else None
    return data.cached(
        "scenario-run",
        lambda atlas, store: _run(
            name,
            atlas=atlas,
            overrides=over or None,
            draws=draws,
            seed=seed,
            eto=eto,
            edge_shares=edge_shares,
        ),
        name,
        key,
        draws,
        seed,
        edge_shares,
    )


def _needs_eto(data: WebData, name: str) -> bool:
    from stackatlas.scenarios.eto_network import needs_eto

    return needs_eto(scenario_spec(data, name))


def run_sweep(
    data: WebData,
    name: str,
    *,
    grid: list[str] | None = None,
    lhs: int | None = None,
    vary: list[str] | None = None,
    draws: int = 200,
    seed: int = 0,
    overrides: Mapping[str, float] | None = None,
) -> Any:
    """A ``SweepResult`` (local engine, bounded size), cached per request; its Parquet file is
    written to a temporary folder and dropped (the CLI keeps one)."""
    import tempfile
    from pathlib import Path

    from stackatlas.scenarios.sweep import run_sweep as _run
    from stackatlas.scenarios.sweep_design import build_design

    spec = scenario_spec(data, name)
    design = build_design(
        spec.all_params(), grid=grid, lhs=lhs, vary=vary, scenario_params=list(spec.params)
    )
    if design.n_points > MAX_SWEEP_POINTS or design.n_points * draws > MAX_SWEEP_DRAWS:
        raise ValidationError(
            f"this sweep is {design.n_points:,} points x {draws:,} draws; the web app runs at "
            f"most {MAX_SWEEP_POINTS} points and {MAX_SWEEP_DRAWS:,} draws in all (use the CLI "
            "`stackatlas scenario sweep`, optionally --engine ray, for larger sweeps)"
        )
    key = json.dumps([grid, lhs, vary, draws, seed, dict(overrides or {})], sort_keys=True)

    def build(atlas: Any, store: Any) -> Any:
        with tempfile.TemporaryDirectory(prefix="stackatlas-sweep-") as tmp:
            result = _run(
                spec, grid=grid, lhs=lhs, vary=vary, draws=draws, seed=seed,
                overrides=overrides, atlas=atlas, out=Path(tmp) / "sweep.parquet",
            )  # fmt: skip
        result.path = None
        return result

    return data.cached("scenario-sweep", build, name, key)


def scenario_section(
    data: WebData,
    name: str,
    overrides: Mapping[str, Any] | None = None,
    draws: int = 0,
    seed: int = 0,
    edge_shares: str = "point",
) -> sections.Section:
    result = run_scenario(data, name, overrides, draws, seed, edge_shares)
    key = json.dumps(dict(overrides or {}), sort_keys=True)
    return data.cached(
        "section:scenario",
        lambda atlas, store: sections.scenario_section(atlas, result),
        name,
        key,
        draws,
        seed,
        edge_shares,
    )


def profiles(data: WebData) -> list[str]:
    from stackatlas.portfolio.profiles import load_profiles

    return data.cached("profiles", lambda atlas, store: list(load_profiles()))


def analyze_upload(
    data: WebData, content: bytes, profile: str = "balanced", filename: str | None = None
) -> Any:
    """A ``PortfolioReport`` for uploaded CSV bytes (parsed as data only); problems name the
    uploaded file's name, line and field."""
    if profile not in profiles(data):
        raise ValidationError(
            f"unknown profile {profile!r}; use one of {', '.join(profiles(data))}"
        )
    from stackatlas.portfolio.offline import analyze_holdings

    name = (filename or "").strip()[:200] or "<upload>"
    try:
        return data.compute(
            lambda atlas, store: analyze_holdings(
                atlas, store, content, profile=profile, prices_dir=data.prices_dir
            )
        )
    except ValidationError as exc:
        raise ValidationError(
            [
                Problem(name if p.file == "<upload>" else p.file, p.line, p.column, p.message)
                for p in exc.problems
            ]
        ) from None
