"""``supply_chain``: the library call behind ``stackatlas supplychain`` (CLI, API, web, report).

Filters combine (all optional): ``input`` (id or name: one input with its history, path and
exposed companies), ``stage`` (inputs of a stage), ``provider`` (every input a firm or country
supplies, with its share), ``country`` (a country's share of each stage and input, and its
firms' inputs), ``exposed`` (an atlas company: only the inputs whose path reaches it, with its
tier). ``year`` picks one year instead of the latest per input. Every share carries its
year and source; the result carries the dataset credit (CC BY-NC 4.0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import NotFoundError
from stackatlas.notebook import Tabular
from stackatlas.supplychain.chokepoints import EtoChokepoints, atlas_links, eto_chokepoints
from stackatlas.supplychain.citation import credit
from stackatlas.supplychain.dataset import COUNTRY, REGION, EtoData
from stackatlas.supplychain.models import Input
from stackatlas.supplychain.reach import ai_outputs, input_reach
from stackatlas.supplychain.shares import (
    SideShares,
    history,
    is_blank,
    parse_market_size,
    side_shares,
)


@dataclass
class SupplyChainView(Tabular):
    """What ``supply_chain`` returns; ``to_dict`` is the JSON, ``__rich__`` the terminal view."""

    credit: dict[str, str]
    dataset: dict[str, Any]
    filters: dict[str, Any]
    inputs: list[dict[str, Any]]
    stages: list[dict[str, Any]]
    chokepoints: EtoChokepoints
    provider: dict[str, Any] | None = None
    country: dict[str, Any] | None = None
    outputs: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "credit": self.credit,
            "dataset": self.dataset,
            "filters": self.filters,
            "inputs": self.inputs,
            "stages": self.stages,
            "provider": self.provider,
            "country": self.country,
            "chokepoints": self.chokepoints.to_dict(),
            "ai_outputs": self.outputs,
            "notes": self.notes,
        }

    def __rich__(self) -> Any:
        from stackatlas.supplychain.render import render_view

        return render_view(self)


def supply_chain(
    eto: EtoData,
    atlas: Atlas,
    *,
    input: str | None = None,
    provider: str | None = None,
    country: str | None = None,
    stage: str | None = None,
    year: int | None = None,
    exposed: str | None = None,
) -> SupplyChainView:
    """Shares, concentration, chokepoints and reach, filtered (module doc)."""
    links = atlas_links(atlas)
    chosen: list[Input] = list(eto.inputs.values())
    filters: dict[str, Any] = {"year": year}
    detail = False
    if input is not None:
        item = eto.find_input(input)
        chosen, detail = [item], True
        filters["input"] = item.input_id
    if stage is not None:
        st = eto.find_stage(stage)
        filters["stage"] = st.stage_id
        chosen = [i for i in chosen if st.stage_id in eto.graph.stages_of(i.input_id)]
    provider_view = country_view = None
    if provider is not None:
        who = eto.find_provider(provider)
        filters["provider"] = who.id
        provider_view = _provider_view(eto, who.id, links, year)
        supplied = {r["input_id"] for r in provider_view["supplies"]}
        chosen = [i for i in chosen if i.input_id in supplied]
    if country is not None:
        iso3 = eto.find_country(country)
        filters["country"] = iso3
        country_view = _country_view(eto, iso3, links, year)
        touched = {r["input_id"] for r in country_view["inputs"]}
        touched |= {r["input_id"] for f in country_view["firms"] for r in f["supplies"]}
        chosen = [i for i in chosen if i.input_id in touched]
    have = {node for node, _ in eto.rows_by_node}
    rows = [
        _input_detail(eto, atlas, item, links, year, detail)
        for item in chosen
        if detail or item.input_id in have
    ]
    if year is not None:
        rows = [r for r in rows if r["firms"]["year"] or r["countries"]["year"]]
    if exposed is not None:
        exposed_id = atlas.find_company(exposed).id
        filters["exposed"] = exposed_id
        for r in rows:
            tiers = [e["tier"] for e in r.pop("_exposed") if e["company"] == exposed_id]
            r["exposed_tier"] = tiers[0] if tiers else None
        rows = [r for r in rows if r["exposed_tier"] is not None]
    else:
        for r in rows:
            r.pop("_exposed")
    if not rows and (input or stage or provider or country or exposed):
        raise NotFoundError(f"no ETO input with share data matches the filters {filters}")
    points = eto_chokepoints(eto, atlas, year=year)
    keep = {r["input_id"] for r in rows}
    for block, key in ((provider_view, "supplies"), (country_view, "inputs")):
        if block is not None:  # the other filters (stage, exposed ...) apply here too
            block[key] = [s for s in block[key] if s.get("is_stage") or s["input_id"] in keep]
    if country_view is not None:
        for firm in country_view["firms"]:
            firm["supplies"] = [s for s in firm["supplies"] if s["input_id"] in keep]
        country_view["firms"] = [f for f in country_view["firms"] if f["supplies"]]
    points = EtoChokepoints(
        points.firms[points.firms["input_id"].isin(keep)].reset_index(drop=True),
        points.countries[points.countries["input_id"].isin(keep)].reset_index(drop=True),
        points.threshold,
    )
    stages = [_stage_row(eto, sid, year) for sid in eto.stages]
    return SupplyChainView(
        credit=credit(),
        dataset={
            "directory": str(eto.directory),
            "version": eto.version,
            "inputs": len(eto.inputs),
            "providers": len(eto.providers),
            "share_rows": len(eto.provision),
            "sequence_edges": len(eto.sequence),
        },
        filters={k: v for k, v in filters.items() if v is not None},
        inputs=rows,
        stages=stages,
        chokepoints=points,
        provider=provider_view,
        country=country_view,
        outputs=[o.model_dump() for o in ai_outputs()],
        notes=_notes(),
    )


def _notes() -> list[str]:
    return [
        "Shares are percent of each input's global market as CSET/ETO report them; ETO rounds "
        "shares under 1% up to 1%, so a set can sum past 100.",
        "Placeholders ('Various companies', 'Various countries') are never counted as a firm or "
        "a country: their share is part of the stated remainder, never of HHI or CR.",
        "A blank share is unknown: it is left out of every sum (HHI is then a lower bound) and "
        "never shown as zero.",
        "Latest year per input unless --year is given; years differ between inputs (2019 "
        "report figures, 2021-2025 TechInsights-based figures).",
    ]


def annotate(side: SideShares, links: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """``side.to_dict()`` with the atlas company (and relation) of each mapped provider."""
    out = side.to_dict()
    for row in out["shares"]:
        company, relation = links.get(row["provider_id"], (None, None))
        row["company"], row["relation"] = company, relation
    out["leader_company"] = links.get(side.leader_id or "", (None, None))[0]
    return out


def _input_detail(
    eto: EtoData,
    atlas: Atlas,
    item: Input,
    links: dict[str, tuple[str, str]],
    year: int | None,
    detail: bool,
) -> dict[str, Any]:
    iid = item.input_id
    firms = side_shares(eto, iid, "firm", year)
    countries = side_shares(eto, iid, "country", year)
    suppliers = {links[r["provider_id"]][0] for r in firms.shares if r["provider_id"] in links}
    reach = input_reach(eto, atlas, iid, suppliers)
    size = parse_market_size(item.market_share_chart_global_market_size_info)
    row: dict[str, Any] = {
        "input_id": iid,
        "input": item.input_name,
        "type": item.type.value,
        "stages": [eto.stages[s].stage_name for s in reach.stages],
        "leaf": eto.graph.is_leaf(iid),  # no input is a type of it (most specific)
        "year": max((y for y in (firms.year, countries.year) if y is not None), default=None),
        "market_size": size.to_dict() if size else None,
        "market_size_source": item.market_share_chart_source,
        "firms": annotate(firms, links),
        "countries": annotate(countries, links),
        "years_available": history(eto, iid),
        "path": [eto.name_of(n) for n in reach.path],
        "ai_outputs": list(reach.outputs),
        "ai_output_steps": dict(reach.outputs),
        "exposed_count": len(reach.exposed),
        "tier1": [r["company"] for r in reach.exposed if r["tier"] == 1],
        "reach": reach.reach,
        "_exposed": reach.exposed,  # dropped before returning (used by ``exposed=``)
    }
    if detail:
        row["description"] = item.description
        row["exposed_companies"] = reach.exposed
        row["parent"] = [
            eto.name_of(e.is_type_of_id)
            for e in eto.sequence
            if e.input_id == iid and e.is_type_of_id
        ]
        row["subtypes"] = [eto.name_of(c) for c in eto.graph.children(iid)]
        row["history"] = [
            {
                "year": y,
                "firms": annotate(side_shares(eto, iid, "firm", y), links),
                "countries": annotate(side_shares(eto, iid, "country", y), links),
            }
            for y in row["years_available"]
        ]
    return row


def _stage_row(eto: EtoData, sid: str, year: int | None) -> dict[str, Any]:
    stage = eto.stages[sid]
    shares = side_shares(eto, sid, "country", year)
    return {
        "stage_id": sid,
        "stage": stage.stage_name,
        "market_size": stage.market_share_chart_global_market_size_info,
        "caption": stage.market_share_chart_caption,
        "countries": shares.to_dict(),
    }


def _provider_view(
    eto: EtoData, pid: str, links: dict[str, tuple[str, str]], year: int | None
) -> dict[str, Any]:
    info = eto.providers[pid]
    frame = eto.provision
    mine = frame[frame["provider_id"] == pid]
    supplies = []
    for node in dict.fromkeys(mine["provided_id"]):
        side = side_shares(eto, node, info.side, year)
        row = next((r for r in side.shares if r["provider_id"] == pid), None)
        if row is None:
            continue
        named = [r["provider_id"] for r in side.named if not is_blank(r["share"])]
        supplies.append(
            {
                "input_id": node,
                "input": eto.name_of(node),
                "is_stage": node in eto.stages,
                "share": None if is_blank(row["share"]) else row["share"],
                "rank": None
                if is_blank(row["share"]) or pid not in named
                else named.index(pid) + 1,
                "leader": side.leader,
                "hhi": side.hhi,
                "year": row["year"],
                "source": row["source"],
            }
        )
    supplies.sort(key=lambda r: (r["share"] is None, -(r["share"] or 0), r["input"]))
    company, relation = links.get(pid, (None, None))
    return {
        "provider_id": pid,
        "provider": info.display,
        "kind": info.kind,
        "country": info.country if info.kind not in (COUNTRY, REGION) else info.name,
        "aliases": list(info.aliases),
        "company": company,
        "relation": relation,
        "aggregate": info.kind == "aggregate",
        "supplies": supplies,
    }


def _country_view(
    eto: EtoData, iso3: str, links: dict[str, tuple[str, str]], year: int | None
) -> dict[str, Any]:
    pid = next(
        (p.id for p in eto.providers.values() if p.kind in (COUNTRY, REGION) and p.name == iso3),
        None,
    )
    view = _provider_view(eto, pid, links, year) if pid else {"supplies": []}
    stages = [r for r in view["supplies"] if r["is_stage"]]
    inputs = [r for r in view["supplies"] if not r["is_stage"]]
    firms = [
        _provider_view(eto, p.id, links, year)
        for p in eto.providers.values()
        if p.kind == "firm" and p.country == iso3
    ]
    firms = [f for f in firms if f["supplies"]]
    firms.sort(key=lambda f: (-len(f["supplies"]), f["provider"]))
    return {
        "country": iso3,
        "name": eto.country_names.get(iso3, iso3),
        "stages": stages,
        "inputs": inputs,
        "firms": firms,
    }
