"""HTML pages: server-side plotly figures in Jinja2 templates (autoescaped), no inline script.

Every page shows the sources behind its numbers and evidence markers. Library errors render
the page with a message and the matching status (404 / 422 / 503) instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from stackatlas.errors import (
    DataUnavailableError,
    NotFoundError,
    Problem,
    StackAtlasError,
    ValidationError,
)
from stackatlas.web import services
from stackatlas.web.render import render
from stackatlas.web.sections import SEC_NOTE, Section
from stackatlas.web.state import WebData

if TYPE_CHECKING:
    from stackatlas.store import Store

router = APIRouter(include_in_schema=False)
PAGES = {
    "/flows": "flows",
    "/capex": "capex",
    "/payback": "payback",
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


def error_info(exc: StackAtlasError) -> tuple[int, dict[str, Any]]:
    """(status, template error block) for a library error."""
    if isinstance(exc, NotFoundError):
        return 404, {
            "title": "Not found",
            "detail": str(exc),
            "problems": [],
            "suggestions": exc.suggestions,
        }
    if isinstance(exc, ValidationError):
        return 422, {
            "title": "Invalid input",
            "detail": "Please correct the input:",
            "problems": [str(p) for p in exc.problems],
            "suggestions": [],
        }
    if isinstance(exc, DataUnavailableError):
        return 503, {
            "title": "Data unavailable",
            "detail": str(exc),
            "problems": [],
            "suggestions": [],
        }
    return 500, {"title": "Error", "detail": str(exc), "problems": [], "suggestions": []}


def _guarded(
    data: WebData, title: str, active: str, build: Callable[[], HTMLResponse], **extra: Any
) -> HTMLResponse:
    try:
        return build()
    except StackAtlasError as exc:
        status, info = error_info(exc)
        return page(data, title, active, [], status=status, error=info, **extra)


def _static_page(path: str, key: str) -> None:
    async def view(request: Request) -> HTMLResponse:
        from starlette.concurrency import run_in_threadpool

        data = _data(request)
        html = data.peek(f"page:{key}")  # warm: answered on the event loop
        if html is not None:
            return HTMLResponse(html)
        title = services.STATIC_SECTIONS[key].__name__.replace("_section", "")

        def build() -> HTMLResponse:
            section = services.section(data, key)
            return HTMLResponse(
                data.cached(
                    f"page:{key}",
                    lambda atlas, store: page(data, section.title, path, [section]).body,
                )
            )

        return await run_in_threadpool(_guarded, data, title, path, build)

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


# ---- chip supply chain -------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
async def map_page(request: Request, sizing: str = "dollars") -> HTMLResponse:
    """The stack map, sized in dollars (default) or ``?sizing=weight``."""
    from starlette.concurrency import run_in_threadpool

    data = _data(request)
    variant = () if sizing == "dollars" else (sizing,)  # the default page is the warmed one
    html = data.peek("page:map", *variant)
    if html is not None:
        return HTMLResponse(html)

    def build() -> HTMLResponse:
        section = services.map_page_section(data, sizing)
        return HTMLResponse(
            data.cached(
                "page:map",
                lambda atlas, store: page(data, section.title, "/", [section]).body,
                *variant,
            )
        )

    return await run_in_threadpool(_guarded, data, "Stack map", "/", build)


@router.get("/pools", response_class=HTMLResponse)
async def pools_page(request: Request, view: str = "panel") -> HTMLResponse:
    """Profit pools: the like-for-like panel view (default) or ``?view=full``."""
    from starlette.concurrency import run_in_threadpool

    data = _data(request)
    variant = () if view == "panel" else (view,)  # the default page is the warmed one
    html = data.peek("page:pools", *variant)  # warm: answered on the event loop
    if html is not None:
        return HTMLResponse(html)

    def build() -> HTMLResponse:
        section = services.pools_page_section(data, view)
        return HTMLResponse(
            data.cached(
                "page:pools",
                lambda atlas, store: page(data, section.title, "/pools", [section]).body,
                *variant,
            )
        )

    return await run_in_threadpool(_guarded, data, "Profit pools", "/pools", build)


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
def _scenario_page(
    request: Request,
    name: str | None,
    values: dict[str, str],
    draws: str,
    seed: str,
    edges: str = "point",
) -> HTMLResponse:
    from stackatlas.scenarios.atlas_network import EDGE_SHARES

    data = _data(request)
    names = services.scenario_names(data)
    name = name or names[0]["name"]
    form: dict[str, Any] = {
        "name": name,
        "names": names,
        "draws": draws,
        "seed": seed,
        "edges": edges,
        "edge_choices": EDGE_SHARES,
        "params": [],
    }

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
        if edges not in EDGE_SHARES:
            problems.append(
                Problem("form", None, "edges", f"expected one of {', '.join(EDGE_SHARES)}")
            )
        if problems:
            raise ValidationError(problems)
        section = services.scenario_section(data, name, overrides, n_draws, n_seed, edges)
        return page(
            data, section.title, "/scenarios", [section], template="scenarios.html", form=form
        )

    return _guarded(data, "Scenarios", "/scenarios", build, template="scenarios.html", form=form)


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
def scenarios_page(request: Request, name: str | None = None) -> HTMLResponse:
    return _scenario_page(request, name, {}, "0", "0")


@router.post("/scenarios", response_class=HTMLResponse)
async def scenarios_run(request: Request) -> HTMLResponse:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    values = {k.removeprefix("param-"): str(v) for k, v in form.items() if k.startswith("param-")}
    return await run_in_threadpool(
        _scenario_page,
        request,
        str(form.get("name") or ""),
        values,
        str(form.get("draws") or "0"),
        str(form.get("seed") or "0"),
        str(form.get("edges") or "point"),
    )


@router.get("/sweeps", response_class=HTMLResponse)
def sweeps_page(
    request: Request,
    name: str | None = None,
    grid: str = "",
    lhs: str = "",
    draws: str = "200",
    seed: str = "0",
    target: str = "",
) -> HTMLResponse:
    """A scenario swept over a grid or Latin hypercube: tornado and p95 by layer."""
    from stackatlas.web.sections import sweep_section

    data = _data(request)
    names = services.scenario_names(data)
    name = name or names[0]["name"]
    form: dict[str, Any] = {
        "name": name,
        "names": names,
        "grid": grid,
        "lhs": lhs,
        "draws": draws,
        "seed": seed,
        "target": target,
        "param_names": [],
        "max_points": services.MAX_SWEEP_POINTS,
        "max_draws": f"{services.MAX_SWEEP_DRAWS:,}",
    }

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


@router.post("/portfolio", response_class=HTMLResponse)
async def portfolio_upload(
    request: Request,
    file: Annotated[UploadFile, File()],
    profile: Annotated[str, Form()] = "balanced",
) -> HTMLResponse:
    from starlette.concurrency import run_in_threadpool

    from stackatlas.web.sections import portfolio_section

    data = _data(request)
    content = await file.read()

    def build() -> HTMLResponse:
        report = services.analyze_upload(data, content, profile, file.filename)
        section = portfolio_section(data.atlas(), report)
        return page(
            data,
            "Portfolio",
            "/portfolio",
            [section],
            template="portfolio.html",
            profiles=services.profiles(data),
            profile=profile,
        )

    return await run_in_threadpool(
        _guarded,
        data,
        "Portfolio",
        "/portfolio",
        build,
        template="portfolio.html",
        profiles=services.profiles(data),
        profile=profile,
    )
