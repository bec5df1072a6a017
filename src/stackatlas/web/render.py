"""Jinja2 environment for the pages and the report (autoescape on for every template)."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from stackatlas.atlas.render import fmt_amount
from stackatlas.evidence import Evidence

TEMPLATES = Path(__file__).parent / "templates"
NAV = [
    ("/", "Stack map"),
    ("/flows", "Capital flows"),
    ("/pools", "Profit pools"),
    ("/capex", "Capex"),
    ("/concentration", "Concentration"),
    ("/signals", "Signals"),
    ("/audit", "Audit"),
    ("/scenarios", "Scenarios"),
    ("/companies", "Companies"),
    ("/portfolio", "Portfolio"),
    ("/sources", "Sources"),
    ("/api-docs", "API"),
]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def fmt_num(value: Any, spec: str = ",.1f") -> str:
    """A number with ``spec``, or an em dash for a missing value."""
    if _missing(value):
        return "—"
    try:
        return format(float(value), spec)
    except (TypeError, ValueError):
        return str(value)


def fmt_pct(value: Any, digits: int = 0, scale: float = 1.0) -> str:
    """A fraction (``scale`` 1) or a percentage (``scale`` 0.01) as ``12%``."""
    if _missing(value):
        return "—"
    return f"{float(value) * scale:.{digits}%}"


def fmt_range(low: Any, high: Any, spec: str = ",.1f", scale: float = 1.0, suffix: str = "") -> str:
    """``(low–high)``, ``(≥ low)`` or ``(≤ high)``; empty when neither bound is known."""
    lo = None if _missing(low) else float(low) * scale
    hi = None if _missing(high) else float(high) * scale
    if lo is not None and hi is not None:
        return f"({format(lo, spec)}–{format(hi, spec)}{suffix})"
    if lo is not None:
        return f"(≥ {format(lo, spec)}{suffix})"
    if hi is not None:
        return f"(≤ {format(hi, spec)}{suffix})"
    return ""


def web_url(value: Any) -> str | None:
    """``value`` if it is an http(s) URL (safe to link), else None (shown as text)."""
    text = str(value or "")
    return text if text.startswith(("https://", "http://")) else None


def evidence_symbol(value: Any) -> str:
    try:
        return Evidence(str(value)).symbol
    except ValueError:
        return ""


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=lambda v: "—" if v is None else v,
    )  # missing, never "None"
    env.filters.update(
        num=fmt_num,
        pct=fmt_pct,
        sym=evidence_symbol,
        span=fmt_range,
        web_url=web_url,
        amount=fmt_amount,
    )
    env.globals.update(nav=NAV, evidence_legend=[(e.symbol, e.value) for e in Evidence])
    return env


def render(template: str, **context: Any) -> str:
    context.setdefault("inline_assets", None)
    context.setdefault("active", "")
    return environment().get_template(template).render(**context)
