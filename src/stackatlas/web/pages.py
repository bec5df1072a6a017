"""HTML pages: server-side plotly figures in Jinja2 templates (autoescaped), no inline script.

Every page shows the sources behind its numbers and evidence markers. Library errors render
the page with a message and the matching status (404 / 422 / 503) instead of a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from stackatlas.errors import (
    Problem,
    StackAtlasError,
    ValidationError,
)
from stackatlas.web import services
from stackatlas.web.compute import JobResult
from stackatlas.web.render import render
from stackatlas.web.responses import error_block, error_headers, error_status
from stackatlas.web.sections import SEC_NOTE, Section
from stackatlas.web.state import WebData

if TYPE_CHECKING:
    from stackatlas.store import Store

router = APIRouter(include_in_schema=False)
PAGES = {
    "/flows": "flows",
    "/capex": "capex",
    "/payback": "payback",
    "/coverage": "coverage",
    "/concentration": "concentration",
    "/infra": "infra",
    "/signals": "signals",
    "/audit": "audit",
}


def _data(request: Request) -> WebData:
    return request.app.state.data


def page(
    data: WebData,
    title: str,
    active: str,
    sections: list[Section],
    template: str = "page.html",
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    html = render(
        template,
        title=title,
        active=active,
        sections=sections,
        atlas_version=data.atlas().version,
        sec_note=SEC_NOTE,
        sources_href="/sources",
        error=extra.pop("error", None),
        **extra,
    )
    return HTMLResponse(html, status_code=status)


def _guarded(
    data: WebData, title: str, active: str, build: Callable[[], HTMLResponse], **extra: Any
) -> HTMLResponse:
    try:
        return build()
    except StackAtlasError as exc:
        return error_page(data, title, active, exc, **extra)


def error_page(
    data: WebData, title: str, active: str, exc: StackAtlasError, **extra: Any
) -> HTMLResponse:
    """The page with an error box and the error's status (503 + Retry-After when busy)."""
    response = page(
        data, title, active, [], status=error_status(exc), error=error_block(exc), **extra
    )
    response.headers.update(error_headers(exc))
    return response


async def _pooled(
    request: Request,
    title: str,
    active: str,
    job: Callable[..., JobResult],
    args: tuple[Any, ...],
    cache_key: tuple[Any, ...] | None = None,
    extra: Callable[[], dict[str, Any]] = dict,
) -> HTMLResponse:
    """A page built by ``job`` on the compute pool (cached per ``cache_key`` when given); a
    full pool answers at once with the busy page (``extra()``: its template context)."""
    data = _data(request)
    if cache_key is not None:
        hit = data.peek(*cache_key)
        if hit is not None:
            return HTMLResponse(hit)
    state = data.state()
    try:
        result = await request.app.state.compute.run(job, *args)
    except StackAtlasError as exc:
        return error_page(data, title, active, exc, **extra())
    if cache_key is not None and result.cacheable:
        data.put(cache_key[0], result.body, *cache_key[1:], state=state)
    return HTMLResponse(result.body, status_code=result.status, headers=result.headers)


def _page_result(response: HTMLResponse) -> JobResult:
    return JobResult(
        response.status_code,
        bytes(response.body),
        "text/html; charset=utf-8",
        cacheable=response.status_code == 200,
    )


async def _cached_page(
    data: WebData,
    key: tuple[str, ...],
    title: str,
    path: str,
    make_section: Callable[[], Section],
) -> HTMLResponse:
    """A page kept in the data cache under ``key``: a warm page is answered on the event loop,
    a cold one is built in the thread pool (errors become an error page titled ``title``)."""
    from starlette.concurrency import run_in_threadpool

    html = data.peek(*key)
    if html is not None:
        return HTMLResponse(html)

    def build() -> HTMLResponse:
        section = make_section()
        return HTMLResponse(
            data.cached(
                key[0],
                lambda atlas, store: page(data, section.title, path, [section]).body,
                *key[1:],
            )
        )

    return await run_in_threadpool(_guarded, data, title, path, build)


def _static_page(path: str, key: str) -> None:
    async def view(request: Request) -> HTMLResponse:
        data = _data(request)
        title = services.STATIC_SECTIONS[key].__name__.replace("_section", "")
        return await _cached_page(
            data, (f"page:{key}",), title, path, lambda: services.section(data, key)
        )

    router.add_api_route(
        path, view, methods=["GET"], response_class=HTMLResponse, name=f"page_{key}"
    )


for _path, _key in PAGES.items():
    _static_page(_path, _key)


@router.get("/companies", response_class=HTMLResponse)
def companies_page(request: Request) -> HTMLResponse:
    data = _data(request)

    from stackatlas.atlas.companies import company_list

    def build(atlas: Any, store: Store | None) -> bytes:
        rows = company_list(atlas).by_name()
        return bytes(
            page(
                data, "Companies", "/companies", [], template="companies.html", companies=rows
            ).body
        )

    return HTMLResponse(data.cached("page:companies", build))


@router.get("/companies/{company_id}", response_class=HTMLResponse)
def company_page(request: Request, company_id: str) -> HTMLResponse:
    data = _data(request)

    def build() -> HTMLResponse:
        section = services.company_section(data, company_id)
        return page(data, section.title, "/companies", [section])

    return _guarded(data, "Company", "/companies", build)


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request) -> HTMLResponse:
    from stackatlas.atlas.views import source_list

    data = _data(request)

    def build(atlas: Any, store: Store | None) -> bytes:
        section = Section("sources", "Sources", data={"sources": source_list(atlas).sources})
        response = page(
            data, "Sources", "/sources", [], template="sources.html", src_section=section
        )
        return bytes(response.body)

    return HTMLResponse(data.cached("page:sources", build))


@router.get("/api-docs", response_class=HTMLResponse)
def api_docs_page(request: Request) -> HTMLResponse:
    """The JSON API from the app's own OpenAPI schema (Swagger UI would need a CDN)."""
    data = _data(request)
    schema = request.app.openapi()
    routes = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            ok = (
                op.get("responses", {})
                .get("200", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
                .get("$ref", "")
            )
            body = op.get("requestBody", {}).get("content", {})
            routes.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "body": ", ".join(body),
                    "model": ok.rsplit("/", 1)[-1],
                }
            )
    return page(data, "API", "/api-docs", [], template="api_docs.html", routes=routes)


@router.get("/", response_class=HTMLResponse)
async def map_page(request: Request, sizing: str = "dollars") -> HTMLResponse:
    """The stack map, sized in dollars (default) or ``?sizing=weight``."""
    data = _data(request)
    variant = () if sizing == "dollars" else (sizing,)  # the default page is the warmed one
    return await _cached_page(
        data,
        ("page:map", *variant),
        "Stack map",
        "/",
        lambda: services.map_page_section(data, sizing),
    )


@router.get("/pools", response_class=HTMLResponse)
async def pools_page(request: Request, view: str = "panel") -> HTMLResponse:
    """Profit pools: the like-for-like panel view (default) or ``?view=full``."""
    data = _data(request)
    variant = () if view == "panel" else (view,)  # the default page is the warmed one
    return await _cached_page(
        data,
        ("page:pools", *variant),
        "Profit pools",
        "/pools",
        lambda: services.pools_page_section(data, view),
    )


# ---- chip supply chain -------------------------------------------------------------------
@router.get("/supplychain", response_class=HTMLResponse)
def supplychain_page(
    request: Request,
    input: str | None = None,
    provider: str | None = None,
    country: str | None = None,
    stage: str | None = None,
) -> HTMLResponse:
    """Stages -> inputs -> AI outputs (CSET/ETO), filterable by input, firm, country, stage;
    503 with how to get the data when no ETO folder is configured."""
    data = _data(request)
    filters = {
        "input": input or None,
        "provider": provider or None,
        "country": country or None,
        "stage": stage or None,
    }

    def build() -> HTMLResponse:
        section = services.supplychain_page_section(data, filters)
        return page(data, section.title, "/supplychain", [section])

    return _guarded(data, "Chip supply chain", "/supplychain", build)


# ---- scenarios ---------------------------------------------------------------------------
def scenario_page(
    data: WebData,
    name: str | None,
    values: dict[str, str],
    draws: str,
    seed: str,
    edges: str = "point",
) -> HTMLResponse:
    """The scenarios page: the form for ``name`` and its run with ``values`` (form strings)."""
    from stackatlas.scenarios.atlas_network import EDGE_CHOICES

    form = _scenario_form(data, name, draws, seed, edges)
    name = form["name"]

    def build() -> HTMLResponse:
        spec = services.scenario_spec(data, name)
        params = spec.all_params()
        form["params"] = [
            {
                "name": p.name,
                "value": values.get(p.name, repr(float(p.default))),
                "low": p.low,
                "high": p.high,
                "unit": p.unit,
                "description": p.description,
                "origin": p.origin,
                "advanced": p.advanced,
                "distribution": str(p.distribution or ""),
            }
            for p in params.values()
        ]
        overrides, problems = _overrides(params, values)
        n_draws, n_seed = _int(draws, "draws", problems), _int(seed, "seed", problems)
        if edges not in EDGE_CHOICES:
            problems.append(
                Problem("form", None, "edges", f"expected one of {', '.join(EDGE_CHOICES)}")
            )
        if problems:
            raise ValidationError(problems)
        section = services.scenario_section(data, name, overrides, n_draws, n_seed, edges)
        return page(
            data, section.title, "/scenarios", [section], template="scenarios.html", form=form
        )

    return _guarded(data, "Scenarios", "/scenarios", build, template="scenarios.html", form=form)


def _scenario_form(
    data: WebData, name: str | None, draws: str, seed: str, edges: str = "point"
) -> dict[str, Any]:
    from stackatlas.scenarios.atlas_network import EDGE_CHOICES

    names = services.scenario_names(data)
    return {
        "name": name or names[0]["name"],
        "names": names,
        "draws": draws,
        "seed": seed,
        "edges": edges,
        "edge_choices": EDGE_CHOICES,
        "params": [],
    }


def scenario_page_job(
    data: WebData,
    name: str | None,
    values: dict[str, str],
    draws: str,
    seed: str,
    edges: str = "point",
) -> JobResult:
    """``scenario_page`` as a compute-pool job."""
    return _page_result(scenario_page(data, name, values, draws, seed, edges))


def _overrides(params: dict[str, Any], values: dict[str, str]) -> tuple[dict[str, float], list]:
    """Form values that differ from the defaults (a changed value fixes that parameter)."""
    from stackatlas.overrides import parse_overrides

    filled = [(k, v) for k, v in values.items() if k in params and v.strip()]
    try:
        numbers = parse_overrides(filled, float, syntax="a number", label="form")
    except ValidationError as exc:
        return {}, list(exc.problems)
    return {k: v for k, v in numbers.items() if v != params[k].default}, []


def _int(text: str, field: str, problems: list) -> int:
    try:
        return int(text or 0)
    except ValueError:
        problems.append(Problem("form", None, field, f"not a whole number: {text!r}"))
        return 0


@router.get("/scenarios", response_class=HTMLResponse)
async def scenarios_page(request: Request, name: str | None = None) -> HTMLResponse:
    return await _scenario_response(request, name, {}, "0", "0")


@router.post("/scenarios", response_class=HTMLResponse)
async def scenarios_run(request: Request) -> HTMLResponse:
    form = await request.form()
    values = {k.removeprefix("param-"): str(v) for k, v in form.items() if k.startswith("param-")}
    return await _scenario_response(
        request,
        str(form.get("name") or "") or None,
        values,
        str(form.get("draws") or "0"),
        str(form.get("seed") or "0"),
        str(form.get("edges") or "point"),
    )


@router.get("/sweeps", response_class=HTMLResponse)
async def sweeps_page(
    request: Request,
    name: str | None = None,
    grid: str = "",
    lhs: str = "",
    draws: str = "200",
    seed: str = "0",
    target: str = "",
) -> HTMLResponse:
    """A scenario swept over a grid or Latin hypercube: tornado and p95 by layer. The sweep
    runs on the bounded compute pool (the empty form does not)."""
    from starlette.concurrency import run_in_threadpool

    args = (name, grid, lhs, draws, seed, target)
    if not grid.strip():
        return await run_in_threadpool(
            sweeps_html, _data(request), name, grid, lhs, draws, seed, target
        )
    return await _pooled(
        request,
        "Sweeps",
        "/sweeps",
        sweeps_page_job,
        args,
        cache_key=("page:sweep", *args),
        extra=lambda: {
            "template": "sweep.html",
            "form": _sweep_form(
                _data(request), name, grid=grid, lhs=lhs, draws=draws, seed=seed, target=target
            ),
        },
    )


def sweeps_page_job(
    data: WebData,
    name: str | None,
    grid: str,
    lhs: str,
    draws: str,
    seed: str,
    target: str,
) -> JobResult:
    """``sweeps_html`` as a compute-pool job."""
    return _page_result(sweeps_html(data, name, grid, lhs, draws, seed, target))


def _sweep_form(data: WebData, name: str | None, **values: str) -> dict[str, Any]:
    names = services.scenario_names(data)
    return {
        "name": name or names[0]["name"],
        "names": names,
        "grid": values.get("grid", ""),
        "lhs": values.get("lhs", ""),
        "draws": values.get("draws", "200"),
        "seed": values.get("seed", "0"),
        "target": values.get("target", ""),
        "param_names": [],
        "max_points": services.MAX_SWEEP_POINTS,
        "max_draws": f"{services.MAX_SWEEP_DRAWS:,}",
    }


def sweeps_html(
    data: WebData,
    name: str | None,
    grid: str,
    lhs: str,
    draws: str,
    seed: str,
    target: str,
) -> HTMLResponse:
    """The sweeps page: the form, and the sweep when ``grid`` names parameters."""
    from stackatlas.web.sections import sweep_section

    form = _sweep_form(data, name, grid=grid, lhs=lhs, draws=draws, seed=seed, target=target)
    name = form["name"]

    def build() -> HTMLResponse:
        spec = services.scenario_spec(data, name)
        form["param_names"] = [p for p in spec.all_params() if not p.startswith("solver_")]
        lines = [line.strip() for line in grid.replace(",", "\n").splitlines() if line.strip()]
        if not lines:  # the empty form: nothing to run yet
            return page(data, "Sweeps", "/sweeps", [], template="sweep.html", form=form)
        problems: list[Problem] = []
        n_lhs = _int(lhs, "lhs", problems) if lhs.strip() else None
        n_draws, n_seed = _int(draws, "draws", problems), _int(seed, "seed", problems)
        if problems:
            raise ValidationError(problems)
        result = services.run_sweep(
            data,
            name,
            grid=None if n_lhs is not None else lines,
            lhs=n_lhs,
            vary=lines if n_lhs is not None else None,
            draws=n_draws,
            seed=n_seed,
        )
        section = sweep_section(data.atlas(), result, target.strip() or None)
        return page(data, section.title, "/sweeps", [section], template="sweep.html", form=form)

    return _guarded(data, "Sweeps", "/sweeps", build, template="sweep.html", form=form)


async def _scenario_response(
    request: Request,
    name: str | None,
    values: dict[str, str],
    draws: str,
    seed: str,
    edges: str = "point",
) -> HTMLResponse:
    key = json.dumps(values, sort_keys=True)
    return await _pooled(
        request,
        "Scenarios",
        "/scenarios",
        scenario_page_job,
        (name, values, draws, seed, edges),
        cache_key=("page:scenario", name or "", key, draws, seed, edges),
        extra=lambda: {
            "template": "scenarios.html",
            "form": _scenario_form(_data(request), name, draws, seed, edges),
        },
    )


# ---- portfolio ---------------------------------------------------------------------------
@router.get("/portfolio", response_class=HTMLResponse)
def portfolio_page(request: Request) -> HTMLResponse:
    data = _data(request)
    return page(
        data,
        "Portfolio",
        "/portfolio",
        [],
        template="portfolio.html",
        profiles=services.profiles(data),
        profile="balanced",
    )


def portfolio_page_job(
    data: WebData, content: bytes, profile: str, filename: str | None
) -> JobResult:
    """The portfolio page for an uploaded CSV, as a compute-pool job (never cached)."""
    from stackatlas.web.sections import portfolio_section

    extra: dict[str, Any] = {
        "template": "portfolio.html",
        "profiles": services.profiles(data),
        "profile": profile,
    }

    def build() -> HTMLResponse:
        report = services.analyze_upload(data, content, profile, filename)
        section = portfolio_section(data.atlas(), report)
        return page(data, "Portfolio", "/portfolio", [section], **extra)

    response = _guarded(data, "Portfolio", "/portfolio", build, **extra)
    return replace(_page_result(response), cacheable=False)


@router.post("/portfolio", response_class=HTMLResponse)
async def portfolio_upload(
    request: Request,
    file: Annotated[UploadFile, File()],
    profile: Annotated[str, Form()] = "balanced",
) -> HTMLResponse:
    data = _data(request)
    content = await file.read()
    return await _pooled(
        request,
        "Portfolio",
        "/portfolio",
        portfolio_page_job,
        (content, profile, file.filename),
        extra=lambda: {
            "template": "portfolio.html",
            "profiles": services.profiles(data),
            "profile": profile,
        },
    )
