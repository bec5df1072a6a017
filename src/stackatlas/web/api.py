"""The JSON API: one route per library result, read-only over the store.

Each GET result is validated against its response model once per (atlas version, store state)
and served from the cache as JSON bytes afterwards. Library errors map to status codes in
``app.py`` (NotFoundError 404 with suggestions, ValidationError 422 with problems,
DataUnavailableError 503).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Body, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from stackatlas.display import records, suggest
from stackatlas.errors import NotFoundError, StackAtlasError
from stackatlas.web import models as m
from stackatlas.web import services
from stackatlas.web.compute import JobResult
from stackatlas.web.responses import error_headers, error_json, error_status
from stackatlas.web.state import WebData
from stackatlas.web.summary import portfolio_payload

if TYPE_CHECKING:
    from stackatlas.store import Store

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "malformed request body (not JSON / not multipart)"},
    404: {"model": m.ErrorBody, "description": "unknown id (with suggestions)"},
    413: {"model": m.ErrorBody, "description": "request body over the size limit"},
    422: {"model": m.ErrorBody, "description": "invalid input (with problems)"},
    503: {
        "model": m.ErrorBody,
        "description": "data not available (not synced / offline), or the compute pool is "
        "full (error 'busy', with a Retry-After header)",
    },
}

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


def _data(request: Request) -> WebData:
    return request.app.state.data


async def _json(
    data: WebData,
    name: str,
    model: type[BaseModel],
    build: Callable[[Any, Any], dict[str, Any]],
    *variant: Any,
) -> Response:
    """Cached JSON bytes of ``model`` validated from ``build(atlas, store)``; a warm request
    is answered on the event loop, a cold one computes in the thread pool."""
    key = f"api:{name}"
    body = data.peek(key, *variant)
    if body is None:

        def make(atlas: Any, store: Store | None) -> bytes:
            return model.model_validate(build(atlas, store)).model_dump_json().encode()

        body = await run_in_threadpool(data.cached, key, make, *variant)
    return Response(body, media_type="application/json")


@router.get("/layers", response_model=m.LayersResponse)
async def layers(request: Request) -> Response:
    """The stack: layers -> segments -> companies with revenue-exposure weights and figures."""
    from stackatlas.atlas.views import stack_map

    return await _json(
        _data(request), "layers", m.LayersResponse, lambda atlas, store: stack_map(atlas).to_dict()
    )


@router.get("/companies", response_model=m.CompaniesResponse)
async def companies(request: Request) -> Response:
    """Every atlas company with its layers and segments."""

    from stackatlas.atlas.companies import company_list

    def build(atlas: Any, store: Store | None) -> dict[str, Any]:
        return company_list(atlas).to_dict()

    return await _json(_data(request), "companies", m.CompaniesResponse, build)


@router.get("/companies/{company_id}", response_model=m.CompanyResponse)
async def company(request: Request, company_id: str) -> Response:
    """One company by id, ticker, name or alias (404 with suggestions when unknown)."""
    from stackatlas.atlas.views import company_profile

    data = _data(request)
    cid = data.atlas().find_company(company_id).id
    return await _json(
        data,
        "company",
        m.CompanyResponse,
        lambda atlas, store: company_profile(atlas, cid).to_dict(),
        cid,
    )


@router.get("/sources", response_model=m.SourcesResponse)
async def sources(request: Request) -> Response:
    """Every source with the number of atlas rows citing it."""
    from stackatlas.atlas.views import source_list

    return await _json(
        _data(request),
        "sources",
        m.SourcesResponse,
        lambda atlas, store: source_list(atlas).to_dict(),
    )


@router.get("/flows", response_model=m.FlowsResponse)
async def flows(request: Request) -> Response:
    """Money flows (USD bn): every flow as stated, annual flows per year (companies and
    layers), multi-year commitments apart, and the cycles compared within one year."""
    from stackatlas.analysis.cycles import find_cycles
    from stackatlas.analysis.flows import flow_graph

    def build(atlas: Any, store: Store | None) -> dict[str, Any]:
        from stackatlas.display import records

        graph = flow_graph(atlas)
        return {
            **graph.to_dict(),
            "annual": records(graph.collapse("company")),
            "per_year": True,
            "cycles": find_cycles(atlas, per_year=True).to_dict()["cycles"],
        }

    return await _json(_data(request), "flows", m.FlowsResponse, build)


@router.get("/pools", response_model=m.PoolsResponse)
async def pools(
    request: Request,
    view: Annotated[Literal["panel", "full"], Query()] = "panel",
    by: Annotated[Literal["layer", "segment"], Query()] = "layer",
) -> Response:
    """Profit pools: filings' segment figures where reported, else estimates; one
    like-for-like panel of companies per layer (``view=full``: every company per year, set
    changes marked); coverage on every cell; the change on the same companies."""
    from stackatlas.analysis.profit_pools import profit_pools

    return await _json(
        _data(request),
        "pools",
        m.PoolsResponse,
        lambda atlas, store: profit_pools(atlas, store=store, view=view, by=by).to_dict(),
        *(() if (view, by) == ("panel", "layer") else (view, by)),  # the default is warmed
    )


@router.get("/capex", response_model=m.CapexResponse)
async def capex(request: Request) -> Response:
    """Hyperscaler capex vs operating cash flow (annual + trailing four quarters)."""
    from stackatlas.analysis.capex import hyperscaler_capex

    return await _json(
        _data(request),
        "capex",
        m.CapexResponse,
        lambda atlas, store: hyperscaler_capex(atlas, store=store).to_dict(),
    )


@router.get("/payback", response_model=m.PaybackResponse)
async def payback(request: Request) -> Response:
    """What must be true: end-user AI revenue the AI capex needs a year vs revenue sourced
    (Sequoia's $600B question), the gap, the implied payback and the sensitivity grid."""
    from stackatlas.analysis.payback import payback as run_payback

    return await _json(
        _data(request),
        "payback",
        m.PaybackResponse,
        lambda atlas, store: run_payback(atlas, store=store).to_dict(),
    )


@router.get("/coverage", response_model=m.CoverageResponse)
async def coverage(request: Request, layer: str | None = None, year: str | None = None) -> Response:
    """Coverage: every atlas company x revenue, operating income, capex, operating cash flow x
    recent calendar year (``year``: one, e.g. 2024; ``layer``: one layer), with the source of
    each value or the reason it is missing and what would resolve it; per-layer shares."""
    from stackatlas.analysis.coverage_result import coverage as build_coverage

    return await _json(
        _data(request),
        "coverage",
        m.CoverageResponse,
        lambda atlas, store: build_coverage(atlas, layer=layer, year=year, store=store).to_dict(),
        layer,
        year,
    )


@router.get("/concentration", response_model=m.ConcentrationResponse)
async def concentration(request: Request) -> Response:
    """HHI per market and the chokepoint ranking."""
    from stackatlas.analysis.concentration import chokepoints, market_concentration

    data = _data(request)
    eto = data.eto()

    def build(atlas: Any, store: Store | None) -> dict[str, Any]:
        conc = market_concentration(atlas, eto=eto).to_dict()
        points = chokepoints(atlas, eto=eto).to_dict()
        return {
            "guidelines": conc["guidelines"],
            "markets": conc["markets"],
            "chokepoints": points["chokepoints"],
            "eto_inputs": conc.get("eto_inputs"),
            "country_chokepoints": points.get("country_chokepoints"),
            "eto_credit": conc.get("eto_credit"),
        }

    return await _json(data, "concentration", m.ConcentrationResponse, build)


@router.get("/supplychain", response_model=m.SupplyChainResponse)
def supplychain(
    request: Request,
    input: str | None = None,
    provider: str | None = None,
    country: str | None = None,
    stage: str | None = None,
    year: int | None = None,
) -> Response:
    """The chip supply chain from the CSET/ETO dataset (CC BY-NC 4.0, cite it): per input the
    firm and country shares, HHI, CR1/CR3, remainder, market size, year and per-row source;
    chokepoints with their path to AI outputs. Filters: input, provider, country, stage,
    year. 503 when no ETO folder is configured."""
    data = _data(request)
    filters = {"input": input, "provider": provider, "country": country, "stage": stage}
    view = services.supplychain_view(data, {**filters, "year": year})
    payload = m.SupplyChainResponse.model_validate(view).model_dump_json()
    return Response(payload, media_type="application/json")


@router.get("/infra", response_model=m.InfraResponse)
async def infra(request: Request) -> Response:
    """The physical stack from Epoch AI's GPU-cluster data (the folder named by
    STACKATLAS_EPOCH_DIR or config.toml): power, compute, cost by year, owner, country, chip
    supplier; 422 when no folder is configured."""
    from stackatlas.infra import infra_summary, load_clusters

    return await _json(
        _data(request),
        "infra",
        m.InfraResponse,
        lambda atlas, store: infra_summary(atlas, load_clusters()).to_dict(),
    )


@router.get("/signals", response_model=m.SignalsResponse)
async def signals(request: Request) -> Response:
    """Current readings of the bubble-watch signals."""
    from stackatlas.analysis.signals import evaluate_signals

    return await _json(
        _data(request),
        "signals",
        m.SignalsResponse,
        lambda atlas, store: evaluate_signals(atlas, store=store).to_dict(),
    )


@router.get("/audit", response_model=m.AuditResponse)
async def audit(request: Request) -> Response:
    """Every atlas figure beside the value recomputed from SEC facts."""
    from stackatlas.analysis.audit import audit_claims

    return await _json(
        _data(request),
        "audit",
        m.AuditResponse,
        lambda atlas, store: audit_claims(atlas, store=store).to_dict(),
    )


@router.get("/scenarios", response_model=m.ScenariosResponse)
async def scenarios(request: Request) -> Response:
    """The shipped scenarios with their parameters (default, range, unit, basis)."""
    data = _data(request)

    def build(atlas: Any, store: Store | None) -> dict[str, Any]:
        items = []
        for s in services.scenario_names(data):
            spec = services.scenario_spec(data, s["name"])
            params = [p.to_dict() for p in spec.all_params().values()]
            items.append(
                {
                    "name": spec.name,
                    "title": spec.title,
                    "description": spec.description,
                    "parameters": params,
                }
            )
        return {"scenarios": items}

    return await _json(data, "scenarios", m.ScenariosResponse, build)


def scenario_run_job(
    data: WebData,
    name: str,
    overrides: dict[str, Any],
    draws: int,
    seed: int,
    edge_shares: str = "point",
) -> JobResult:
    """``ScenarioRunResponse`` JSON for one run, as a compute-pool job (errors as JSON)."""
    try:
        result = services.run_scenario(data, name, overrides, draws, seed, edge_shares)
        body = m.ScenarioRunResponse.model_validate(result.to_dict()).model_dump_json()
    except StackAtlasError as exc:
        return _error_result(exc)
    return JobResult(200, body.encode(), "application/json", cacheable=True)


def portfolio_job(data: WebData, content: bytes, profile: str, filename: str | None) -> JobResult:
    """``PortfolioResponse`` JSON for an upload (long lists summarised), as a pool job."""
    try:
        report = services.analyze_upload(data, content, profile, filename)
        payload = portfolio_payload(report)
        body = m.PortfolioResponse.model_validate(payload).model_dump_json()
    except StackAtlasError as exc:
        return _error_result(exc)
    return JobResult(200, body.encode(), "application/json")


def _error_result(exc: StackAtlasError) -> JobResult:
    return JobResult(error_status(exc), error_json(exc), "application/json", error_headers(exc))


async def _pooled(
    request: Request, job: Any, *args: Any, cache_key: tuple | None = None
) -> Response:
    """JSON from ``job`` on the compute pool; a full pool answers 503 + Retry-After at once."""
    data = _data(request)
    if cache_key is not None:
        hit = data.peek(*cache_key)
        if hit is not None:
            return Response(hit, media_type="application/json")
    state = data.state()
    try:
        result = await request.app.state.compute.run(job, *args)
    except StackAtlasError as exc:
        result = _error_result(exc)
    if cache_key is not None and result.cacheable:
        data.put(cache_key[0], result.body, *cache_key[1:], state=state)
    return Response(
        result.body, status_code=result.status, media_type=result.media_type, headers=result.headers
    )


@router.post("/scenarios/{name}/run", response_model=m.ScenarioRunResponse)
async def run_scenario(
    request: Request, name: str, body: Annotated[m.ScenarioRunRequest | None, Body()] = None
) -> Response:
    """Run a shipped scenario with parameter overrides; draws > 0 adds p5 / p50 / p95 bands;
    ``edge_shares`` low / high runs the explicit edges at their bounds.
    Out-of-range or unknown parameters -> 422 naming the parameter. Runs on the bounded compute
    pool: 503 + Retry-After when it is full."""
    body = body or m.ScenarioRunRequest()
    overrides = {
        k: (v.model_dump(exclude_none=True) if isinstance(v, BaseModel) else v)
        for k, v in body.overrides.items()
    }
    key = json.dumps(overrides, sort_keys=True)
    return await _pooled(
        request,
        scenario_run_job,
        name,
        overrides,
        body.draws,
        body.seed,
        body.edge_shares,
        cache_key=("api:scenario-run", name, key, body.draws, body.seed, body.edge_shares),
    )


def sweep_job(data: WebData, name: str, request_body: dict[str, Any]) -> JobResult:
    """``SweepResponse`` JSON for one sweep request, as a compute-pool job (errors as JSON)."""
    try:
        body = m.SweepRequest.model_validate(request_body)
        result = services.run_sweep(
            data,
            name,
            grid=body.grid or None,
            lhs=body.lhs,
            vary=body.vary or None,
            draws=body.draws,
            seed=body.seed,
            overrides=body.overrides,
        )
        unknown = [c for c in body.companies if c not in result.companies]
        if unknown:
            raise NotFoundError(
                f"unknown company id {unknown[0]!r} in the sweep",
                suggest(unknown[0], result.companies),
            )
        keep = [
            c
            for c in result.points.columns
            if not c.startswith("company.") or c.split(".")[1] in body.companies
        ]
        payload = result.to_dict(max_points=0, target=body.target)
        payload["points"] = records(result.points[keep])
        body_json = m.SweepResponse.model_validate(payload).model_dump_json()
    except StackAtlasError as exc:
        return _error_result(exc)
    return JobResult(200, body_json.encode(), "application/json", cacheable=True)


@router.post("/scenarios/{name}/sweep", response_model=m.SweepResponse)
async def sweep_scenario(
    request: Request, name: str, body: Annotated[m.SweepRequest | None, Body()] = None
) -> Response:
    """Sweep a shipped scenario over a grid or Latin hypercube (at most 200 points and 20,000
    draws in all; the CLI has no limit): per point p5 / p50 / p95 of revenue at risk by layer
    (and for the named companies), the tornado and first-order indices of the p95. Runs on the
    bounded compute pool: 503 + Retry-After when it is full."""
    request_body = (body or m.SweepRequest()).model_dump(mode="json")
    key = json.dumps(request_body, sort_keys=True)
    return await _pooled(request, sweep_job, name, request_body, cache_key=("api:sweep", name, key))


@router.post("/portfolio", response_model=m.PortfolioResponse)
async def portfolio(
    request: Request,
    file: Annotated[UploadFile, File(description="holdings CSV (<= 1 MB)")],
    profile: Annotated[str, Form()] = "balanced",
) -> Response:
    """Map an uploaded holdings CSV onto the layers: exposure, chokepoints, profile gaps and
    (with prices on the server) market risk. The file is parsed as data only. Long lists are
    summarised (``truncated`` gives their full lengths). Runs on the bounded compute pool:
    503 + Retry-After when it is full."""
    content = await file.read()
    return await _pooled(request, portfolio_job, content, profile, file.filename)
