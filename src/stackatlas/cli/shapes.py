"""The JSON shapes as Markdown, generated from the pydantic models of the API (the docs site's
``reference/json.md``): one section per endpoint with the model it returns, every nested model
once, each field's type and description. ``CLI_SHAPES`` names the commands whose ``--json``
prints the same shape (a test validates their real output against the model)."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel

# `stackatlas <command> --json` -> the API model its output validates against
CLI_SHAPES: dict[str, str] = {
    "map": "LayersResponse",
    "company": "CompanyResponse",
    "sources": "SourcesResponse",
    "pools": "PoolsResponse",
    "capex": "CapexResponse",
    "coverage": "CoverageResponse",
    "payback": "PaybackResponse",
    "signals": "SignalsResponse",
    "audit": "AuditResponse",
    "supplychain": "SupplyChainResponse",
    "infra": "InfraResponse",
    "scenario run": "ScenarioRunResponse",
    "portfolio analyze": "PortfolioResponse",
}


def api_routes() -> list[tuple[str, str, type[BaseModel] | str | None, type[BaseModel], str]]:
    """(method, path, request body (a model, a form's fields or None), response model, summary)
    of every JSON endpoint, in the order the router declares them."""
    import inspect

    from fastapi.routing import APIRoute

    from stackatlas.web.api import router

    routes = []
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        model = route.response_model
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        params = route.dependant.body_params
        found = [m for p in params for m in _nested_models(p.field_info.annotation)]
        body: type[BaseModel] | str | None = found[0] if found else None
        if body is None and params:  # a multipart form: its field names
            body = "form: " + ", ".join(f"`{p.alias}`" for p in params)
        summary = inspect.getdoc(route.endpoint) or ""
        for method in sorted(route.methods or ()):
            routes.append((method, route.path, body, model, summary))
    return routes


def json_markdown() -> str:
    """The whole JSON reference page."""
    from stackatlas.cli.reference import anchor, commands

    routes = api_routes()
    by_model: dict[str, list[str]] = {}
    for command, shape in CLI_SHAPES.items():
        by_model.setdefault(shape, []).append(command)
    with_json = [d.path for d in commands() if any(p.name == "json" for p in d.command.params)]
    other = [c for c in with_json if c not in CLI_SHAPES]
    out = [
        "# JSON shapes",
        "",
        "Generated from the API's pydantic models (`stackatlas.web.models`) when the site is "
        "built. Money is USD billions unless a field or `unit` says otherwise; shares are "
        "fractions 0-1 unless a field says percent; `null` is unknown (never zero); `evidence` "
        "is `reported`, `derived`, `estimated`, `scenario` or `unresolved`. Fields keep their "
        "meaning between versions; new fields may be added. Record models marked *open* carry "
        "every further column of the library result as well.",
        "",
        "The same shape is printed by `--json` of these commands (tested against their real "
        "output):",
        "",
        "| command | shape |",
        "|---|---|",
    ]
    out += [
        f"| [`stackatlas {c}`](cli.md#{anchor(c)}) | [`{m}`](#{m.lower()}) |"
        for c, m in CLI_SHAPES.items()
    ]
    if other:
        out += [
            "",
            "The `--json` of "
            + ", ".join(f"[`{c}`](cli.md#{anchor(c)})" for c in other)
            + " has a shape of its own (or the API combines several results): see the "
            "command's page.",
        ]
    out += ["", "## Endpoints", ""]
    out += ["| endpoint | request body | response |", "|---|---|---|"]
    for method, path, body, response, _ in routes:
        request = (
            f"[`{body.__name__}`](#{body.__name__.lower()})"
            if isinstance(body, type)
            else body or "—"
        )
        out.append(
            f"| `{method} {path}` | {request} | [`{response.__name__}`]"
            f"(#{response.__name__.lower()}) |"
        )
    out += ["", "## Models"]
    seen: set[type[BaseModel]] = set()
    roots: list[type[BaseModel]] = []
    for _, _, body, response, _ in routes:
        roots += [m for m in (response, body) if isinstance(m, type) and m not in roots]
    from stackatlas.web.models import ErrorBody

    roots.append(ErrorBody)  # every error answer (4xx / 5xx)
    from stackatlas.web.api import ERRORS

    summaries = {
        response: f"`{method} {path}`: {_one_line(summary)}"
        for method, path, _, response, summary in routes
    }
    summaries[ErrorBody] = "The body of every error answer: " + "; ".join(
        f"{code} {spec['description']}" for code, spec in ERRORS.items() if "model" in spec
    )
    for root in roots:
        for model in _models_under(root, seen):
            out += ["", *_model_section(model, summaries.get(model), by_model.get(model.__name__))]
    return "\n".join(out) + "\n"


def _models_under(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[type[BaseModel]]:
    """``model`` then the models its fields name, depth first, each once."""
    if model in seen:
        return
    seen.add(model)
    yield model
    for field in model.model_fields.values():
        for inner in _nested_models(field.annotation):
            yield from _models_under(inner, seen)


def _nested_models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _nested_models(arg)


def _model_section(
    model: type[BaseModel], summary: str | None, commands: list[str] | None
) -> list[str]:
    name = model.__name__
    lines = [f"### `{name}` {{#{name.lower()}}}", ""]
    if summary:
        lines += [summary, ""]
    elif model.__doc__ and model.__module__ == "stackatlas.web.models":
        lines += [_one_line(model.__doc__), ""]
    if commands:
        lines += ["Also `--json` of " + ", ".join(f"`stackatlas {c}`" for c in commands) + ".", ""]
    if model.model_config.get("extra") == "allow":
        lines += ["*Open record*: further columns of the library result are passed through.", ""]
    lines += ["| field | type | description |", "|---|---|---|"]
    for field_name, field in model.model_fields.items():
        key = field.alias or field_name
        optional = "" if field.is_required() else " (optional)"
        lines.append(
            f"| `{key}` | {_cell(type_name(field.annotation))}{optional} | "
            f"{_cell(_one_line(field.description or ''))} |"
        )
    return lines


def type_name(annotation: Any) -> str:
    """A readable type: ``list[FlowEdge]``, ``float | null``, ``"a" | "b"``."""
    if annotation is None or annotation is type(None):
        return "null"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        return " | ".join(f'"{a}"' if isinstance(a, str) else str(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(a) for a in args)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin in (list, tuple, set):
        return f"list[{type_name(args[0])}]" if args else "list"
    if origin is dict:
        return f"dict[{type_name(args[0])}, {type_name(args[1])}]" if args else "dict"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    names = {str: "string", int: "integer", float: "number", bool: "boolean", Any: "any"}
    if annotation in names:
        return names[annotation]
    return getattr(annotation, "__name__", str(annotation))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
