"""``company_list``: every atlas company with its layers and segments (one view for the web
page, the JSON API and the terminal)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.views import _View


class CompanyItem(BaseModel):
    id: str
    name: str
    ticker: str | None
    cik: int | None
    country: str
    listed: bool
    layers: list[str]
    segments: list[str]


class CompanyList(_View):
    atlas_version: str
    companies: list[CompanyItem]

    def by_name(self) -> list[CompanyItem]:
        """The companies in name order (the page's order; ``companies`` is in id order)."""
        return sorted(self.companies, key=lambda c: c.name.lower())

    def __rich__(self) -> Any:
        from rich.table import Table

        from stackatlas.charts.theme import rich_style

        table = Table(title=f"{len(self.companies)} companies (atlas {self.atlas_version})")
        for col in ("id", "name", "ticker", "layers", "SEC filer"):
            table.add_column(col)
        for c in self.companies:
            layers = ", ".join(f"[{rich_style(lid, False)}]{lid}[/]" for lid in c.layers)
            table.add_row(c.id, c.name, c.ticker or "private", layers, "yes" if c.cik else "no")
        return table


def company_list(atlas: Atlas) -> CompanyList:
    """Every company (id order) with its segments and their layers."""
    items = []
    for c in sorted(atlas.companies.values(), key=lambda c: c.id):
        segments = [ms.segment for ms in atlas.memberships_of(c.id)]
        items.append(
            CompanyItem(
                id=c.id,
                name=c.name,
                ticker=c.ticker,
                cik=c.cik,
                country=c.country,
                listed=c.listed,
                segments=segments,
                layers=list(dict.fromkeys(atlas.layer_of_segment[s] for s in segments)),
            )
        )
    return CompanyList(atlas_version=atlas.version, companies=items)
