"""The ``Atlas``: the curated AI-stack knowledge base as typed records and DataFrame views."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from stackatlas.atlas.models import (
    Company,
    Dependency,
    EtoProviderLink,
    Figure,
    Flow,
    Group,
    Layer,
    Market,
    Membership,
    Segment,
    Share,
    Source,
    UpstreamExemption,
)
from stackatlas.display import suggest
from stackatlas.errors import NotFoundError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Atlas:
    """Validated atlas content. Build it with ``stackatlas.load_atlas()``."""

    layers: list[Layer]
    sources: dict[str, Source]
    companies: dict[str, Company]
    memberships: list[Membership]
    markets: dict[str, Market]
    shares: list[Share]
    groups: dict[str, Group]
    flows: list[Flow]
    figures: list[Figure]
    dependencies: list[Dependency] = field(default_factory=list)
    eto_providers: list[EtoProviderLink] = field(default_factory=list)
    upstream_exemptions: list[UpstreamExemption] = field(default_factory=list)
    version: str = ""  # content hash of the merged files

    # ---- lookups -------------------------------------------------------------------------
    @cached_property
    def segments(self) -> dict[str, Segment]:
        return {s.id: s for layer in self.layers for s in layer.segments}

    @cached_property
    def layer_of_segment(self) -> dict[str, str]:
        """segment id -> layer id."""
        return {s.id: layer.id for layer in self.layers for s in layer.segments}

    @cached_property
    def layer_ids(self) -> list[str]:
        """Layer ids in stack order (energy first)."""
        return [layer.id for layer in sorted(self.layers, key=lambda x: x.order)]

    def layer(self, layer_id: str) -> Layer:
        """A layer by id (any case) or by the article's level number ("2" = chips)."""
        wanted = layer_id.strip().lower()
        for layer in self.layers:
            if layer.id == wanted or (wanted.isdigit() and layer.level == int(wanted)):
                return layer
        raise NotFoundError(f"unknown layer {layer_id!r}", suggest(layer_id, self.layer_ids))

    def memberships_of(self, company_id: str) -> list[Membership]:
        return [m for m in self.memberships if m.company == company_id]

    def companies_in(self, segment_id: str) -> list[Company]:
        return [self.companies[m.company] for m in self.memberships if m.segment == segment_id]

    def node_kind(self, node_id: str) -> str | None:
        """What a flow endpoint names: ``company``, ``group`` or ``segment`` (a group and a
        segment may share an id, e.g. ``hyperscalers``: the group wins), else None."""
        if node_id in self.companies:
            return "company"
        if node_id in self.groups:
            return "group"
        if node_id in self.segments:
            return "segment"
        return None

    def primary_layer(self, company_id: str) -> str | None:
        """The layer of a company's largest-weight membership (None without memberships)."""
        ms = self.memberships_of(company_id)
        if not ms:
            return None
        best = max(ms, key=lambda m: m.weight)
        return self.layer_of_segment.get(best.segment)

    def layers_of(self, subject: str, subject_type: str | None = None) -> list[str]:
        """Layer ids a company, group, segment, market or layer belongs to, in stack order.

        A company belongs to every layer it has a membership in; a group to its ``layer`` when
        set, else the most common primary layer of its members; a market to its segment's layer."""
        kind = (
            subject_type
            or self.node_kind(subject)
            or ("market" if subject in self.markets else "layer")
        )
        found: set[str] = set()
        if kind == "company":
            found = {
                self.layer_of_segment[m.segment]
                for m in self.memberships_of(subject)
                if m.segment in self.layer_of_segment
            }
        elif kind == "group" and subject in self.groups and (layer := self.groups[subject].layer):
            found = {layer}
        elif kind == "group" and subject in self.groups:
            primaries = [self.primary_layer(c) for c in self.groups[subject].members]
            counted = [p for p in primaries if p]
            if counted:
                found = {max(self.layer_ids, key=counted.count)}
        elif kind == "segment" and subject in self.layer_of_segment:
            found = {self.layer_of_segment[subject]}
        elif kind == "market" and subject in self.markets:
            found = {self.layer_of_segment.get(self.markets[subject].segment, "")} - {""}
        elif kind == "layer" and subject in self.layer_ids:
            found = {subject}
        return [lid for lid in self.layer_ids if lid in found]

    @cached_property
    def _ticker_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for c in self.companies.values():
            for t in [c.ticker, *c.other_tickers]:
                if t:
                    index.setdefault(normalize_ticker(t), c.id)
        return index

    def company_by_ticker(self, ticker: str) -> Company | None:
        """Exact ticker match (primary, ADR, local listing or share class), else None."""
        cid = self._ticker_index.get(normalize_ticker(ticker))
        return self.companies[cid] if cid else None

    def find_company(self, query: str) -> Company:
        """Company by id, ticker, name or alias (case-insensitive); fuzzy suggestions on a miss."""
        q = query.strip()
        if q.lower() in self.companies:
            return self.companies[q.lower()]
        by_ticker = self.company_by_ticker(q)
        if by_ticker:
            return by_ticker
        names = self._name_index
        if q.lower() in names:
            return self.companies[names[q.lower()]]
        kind = self.node_kind(q.lower())
        if kind in ("group", "segment"):  # a set of companies: name them, not fuzzy look-alikes
            members = (
                self.groups[q.lower()].members
                if kind == "group"
                else [c.id for c in self.companies_in(q.lower())]
            )
            raise NotFoundError(
                f"{q.lower()!r} is a {kind}, not a company; pick one of its companies",
                list(dict.fromkeys(members)),
            )
        raise NotFoundError(f"no company matches {query!r}", self.suggest_companies(q))

    def suggest_companies(self, query: str, limit: int = 3) -> list[str]:
        """Ids of the companies whose id, name or alias is closest to ``query`` (fuzzy)."""
        choices = {**self._name_index, **{cid: cid for cid in self.companies}}
        found = dict.fromkeys(choices[name] for name in suggest(query, choices, limit=None))
        return list(found)[:limit]

    @cached_property
    def _name_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for c in self.companies.values():
            for name in [c.name, *c.aliases]:
                index.setdefault(name.lower(), c.id)
        return index

    # ---- DataFrame views -----------------------------------------------------------------
    def frame(self, table: str) -> pd.DataFrame:
        """One table as a DataFrame (``layers`` and ``segments`` flattened from the tree)."""
        import pandas as pd

        if table == "layers":
            rows = [layer.model_dump(exclude={"segments"}) for layer in self.layers]
        elif table == "segments":
            rows = [
                {**s.model_dump(), "layer": lid}
                for lid in self.layer_ids
                for s in self.layer(lid).segments
            ]
        else:
            value = getattr(self, table)
            records = value.values() if isinstance(value, dict) else value
            rows = [r.model_dump(by_alias=True) for r in records]
        return pd.DataFrame(rows)


def normalize_ticker(ticker: str) -> str:
    """Upper-case, strip, and treat ``BRK.B`` / ``BRK-B`` / ``BRK/B`` alike."""
    return ticker.strip().upper().replace("-", ".").replace("/", ".")
