"""``EtoData``: the validated ETO dataset held in memory (built by ``load_eto``).

``provision`` is one DataFrame row per share row of ``provision.csv``, typed columns:

- ``provider_id``, ``provider``: the provider's id and current name (``providers.csv``);
- ``kind``: ``firm``, ``country``, ``region`` (ETO's "EUR" bloc) or ``aggregate`` (the
  "Various companies" / "Various countries" placeholders, never a firm or a country);
- ``side``: ``firm`` (organisations and their placeholder) or ``country``;
- ``provider_country``: ISO alpha-3 home country of a firm (None otherwise);
- ``provided_id``: an input (``N..``) or a stage (``S..``);
- ``share``: percent 0-100; NaN = blank in the file (unknown, never zero);
- ``year``: calendar year of the estimate; ``line``: line in ``provision.csv`` (header = 1);
- ``source``, ``source_basis``: the row's own source (``row``); when it has none, the chart
  source of its input or stage (``input`` / ``stage``), else the dataset itself (``none``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from stackatlas.display import suggest
from stackatlas.errors import NotFoundError
from stackatlas.supplychain.countries import ISO3_TO_ISO2, normalize_country
from stackatlas.supplychain.models import Input, SequenceEdge, Stage

if TYPE_CHECKING:
    from stackatlas.supplychain.sequence import SupplySequence

FIRM, COUNTRY, REGION, AGGREGATE = "firm", "country", "region", "aggregate"


@dataclass(frozen=True)
class ProviderInfo:
    """One provider id with every alias ``providers.csv`` lists for it."""

    id: str
    name: str
    kind: str  # firm / country / region / aggregate
    country: str | None  # firms: ISO alpha-3 home country
    aliases: tuple[str, ...] = ()
    line: int = 0
    side: str = (
        "firm"  # "firm" (organisations) or "country" (countries, regions, their placeholder)
    )

    @property
    def iso2(self) -> str | None:
        code = self.name if self.kind == COUNTRY else self.country
        return ISO3_TO_ISO2.get(code or "")

    @property
    def display(self) -> str:
        """Country providers show their full name (``JPN`` -> ``Japan``)."""
        if self.kind in (COUNTRY, REGION) and self.aliases:
            return f"{self.aliases[0]} ({self.name})"
        return self.name


@dataclass(frozen=True, eq=False)
class EtoData:
    """The dataset: inputs, stages, providers, share rows and the supply sequence."""

    directory: Path
    inputs: dict[str, Input]
    stages: dict[str, Stage]
    providers: dict[str, ProviderInfo]
    provision: pd.DataFrame
    sequence: list[SequenceEdge]
    version: str
    notes: list[str] = field(default_factory=list)

    @cached_property
    def country_names(self) -> dict[str, str]:
        """alpha-3 -> full name, from the dataset's country aliases."""
        return {
            p.name: (p.aliases[0] if p.aliases else p.name)
            for p in self.providers.values()
            if p.kind in (COUNTRY, REGION)
        }

    @cached_property
    def rows_by_node(self) -> dict[tuple[str, str], list[dict]]:
        """(provided id, side) -> its share rows as plain dicts (all years), built once."""
        out: dict[tuple[str, str], list[dict]] = {}
        for rec in self.provision.to_dict(orient="records"):
            out.setdefault((rec["provided_id"], rec["side"]), []).append(rec)
        return out

    @cached_property
    def graph(self) -> SupplySequence:
        """The supply sequence as a graph (``sequence.py``)."""
        from stackatlas.supplychain.sequence import SupplySequence

        return SupplySequence(self)

    def name_of(self, node_id: str) -> str:
        if node_id in self.inputs:
            return self.inputs[node_id].input_name
        if node_id in self.stages:
            return self.stages[node_id].stage_name
        return node_id

    def find_input(self, query: str) -> Input:
        """An input by id (``N20``) or name, case-insensitive; NotFoundError with suggestions."""
        wanted = query.strip()
        if wanted.upper() in self.inputs:
            return self.inputs[wanted.upper()]
        for item in self.inputs.values():
            if item.input_name.lower() == wanted.lower():
                return item
        raise NotFoundError(
            f"unknown ETO input {query!r}",
            suggest(wanted, [i.input_name for i in self.inputs.values()]),
        )

    def find_provider(self, query: str) -> ProviderInfo:
        """A provider by id (``P88``), name or alias, case-insensitive."""
        wanted = query.strip()
        if wanted.upper() in self.providers:
            return self.providers[wanted.upper()]
        low = wanted.lower()
        for p in self.providers.values():
            if p.name.lower() == low or low in (a.lower() for a in p.aliases):
                return p
        names = [p.name for p in self.providers.values()]
        raise NotFoundError(f"unknown ETO provider {query!r}", suggest(wanted, names))

    def find_country(self, query: str) -> str:
        """ISO alpha-3 of a country given as alpha-3, alpha-2 or name (``JP``, ``Japan``)."""
        code = normalize_country(query, self.country_names)
        if code is None or code not in self.country_names:
            raise NotFoundError(
                f"unknown ETO country {query!r}",
                suggest(query, [*self.country_names, *self.country_names.values()]),
            )
        return code

    def find_stage(self, query: str) -> Stage:
        """A stage by id (``S2``) or name (``fabrication``; prefix allowed: ``assembly``)."""
        wanted = query.strip().lower()
        for stage in self.stages.values():
            if stage.stage_id.lower() == wanted or stage.stage_name.lower() == wanted:
                return stage
        hits = [s for s in self.stages.values() if s.stage_name.lower().startswith(wanted)]
        if len(hits) == 1:
            return hits[0]
        names = [s.stage_name for s in self.stages.values()]
        raise NotFoundError(f"unknown ETO stage {query!r}", suggest(query, names))
