"""Which providers beyond the SEC ones a resolver uses: named by the user, built here.

A provider spec is ``yahoo`` (Yahoo Finance statements, needs ``stackatlas[providers]``) or
``csv:PATH`` (a user's figures CSV, ``stackatlas.resolver.csv_provider``); ``none`` turns the
configured ones off. Specs come from the caller (the CLI's ``--provider``), else
``STACKATLAS_PROVIDERS`` (comma-separated), else ``[providers] enabled = [...]`` in
``$STACKATLAS_HOME/config.toml``. Without any, the resolver uses the SEC providers and the
atlas figures only (what every command did before).

Adding a source: write one module with a class holding ``name``, ``label``, ``filing``
(False), ``defers_to_filings`` and ``fetch(company, metrics, periods)`` (see
``stackatlas.resolver.providers``), then add its spec to ``build`` below; docs/providers.md.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from stackatlas import config
from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import NotFoundError, ValidationError
from stackatlas.resolver.providers import Provider

PROVIDERS_ENV = "STACKATLAS_PROVIDERS"
KNOWN = ("yahoo", "csv:PATH", "none")


def configured_specs() -> list[str]:
    """The specs from ``STACKATLAS_PROVIDERS``, else config.toml ``[providers] enabled``."""
    raw = os.environ.get(PROVIDERS_ENV, "").strip()
    if raw:
        return [s.strip() for s in raw.split(",") if s.strip()]
    enabled = config.config_table("providers").get("enabled", [])
    if isinstance(enabled, str):
        enabled = [enabled]
    if not isinstance(enabled, list):
        raise ValidationError("config.toml [providers] enabled: expected a list such as ['yahoo']")
    return [str(s).strip() for s in enabled if str(s).strip()]


def build(atlas: Atlas, specs: Sequence[str] | None = None) -> list[Provider]:
    """The extra providers for ``specs`` (None: the configured ones), in the order given."""
    specs = configured_specs() if specs is None else list(specs)
    if any(s.lower() == "none" for s in specs):
        return []
    out: list[Provider] = []
    for spec in specs:
        kind, _, arg = spec.partition(":")
        kind = kind.strip().lower()
        if kind == "yahoo":
            from stackatlas.resolver.yahoo import YahooFinanceProvider

            out.append(YahooFinanceProvider())
        elif kind == "csv":
            if not arg.strip():
                raise ValidationError(f"provider {spec!r}: name the file, e.g. csv:figures.csv")
            from stackatlas.resolver.csv_provider import FiguresCsvProvider

            path = Path(arg.strip()).expanduser()
            if not path.is_file():
                raise ValidationError(f"provider {spec!r}: no such file {path}")
            out.append(FiguresCsvProvider(path, atlas))
        else:
            raise NotFoundError(f"unknown provider {spec!r}", list(KNOWN))
    return out
