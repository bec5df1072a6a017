"""Jinja2 environment for the pages and the report (autoescape on for every template)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from stackatlas._version import __version__
from stackatlas.atlas.render import fmt_amount
from stackatlas.charts.theme import LAYER_COLORS
from stackatlas.display import (
    DASH,
    EVIDENCE_LEGEND,
    amount_text,
    evidence_symbol,
    fmt_at_risk,
    fmt_num,
    fmt_pct,
    fmt_range,
)

TEMPLATES = Path(__file__).parent / "templates"
NAV = [
    ("/", "Stack map"),
    ("/flows", "Capital flows"),
    ("/pools", "Profit pools"),
    ("/capex", "Capex"),
    ("/payback", "Payback"),
    ("/coverage", "Coverage"),
    ("/concentration", "Concentration"),
    ("/supplychain", "Supply chain"),
    ("/infra", "Infrastructure"),
    ("/signals", "Signals"),
    ("/audit", "Audit"),
    ("/scenarios", "Scenarios"),
    ("/sweeps", "Sweeps"),
    ("/companies", "Companies"),
    ("/portfolio", "Portfolio"),
    ("/sources", "Sources"),
    ("/api-docs", "API"),
]


def web_url(value: Any) -> str | None:
    """``value`` if it is an http(s) URL (safe to link), else None (shown as text)."""
    text = str(value or "")
    return text if text.startswith(("https://", "http://")) else None


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=lambda v: DASH if v is None else v,
    )  # missing, never "None"
    env.filters.update(
        num=fmt_num,
        at_risk=fmt_at_risk,
        pct=fmt_pct,
        sym=evidence_symbol,
        span=fmt_range,
        web_url=web_url,
        amount=fmt_amount,
        money=amount_text,  # a row with low / mid / high / known: "not disclosed", never 0
    )
    env.globals.update(
        nav=NAV,
        evidence_legend=EVIDENCE_LEGEND,
        layer_colors=LAYER_COLORS,
        stackatlas_version=__version__,
    )
    return env


def render(template: str, **context: Any) -> str:
    context.setdefault("inline_assets", None)
    context.setdefault("active", "")
    return environment().get_template(template).render(**context)
