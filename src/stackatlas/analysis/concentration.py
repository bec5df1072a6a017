"""Market concentration (HHI, CR1, CR3) and chokepoints in the AI supply network.

**HHI** is the sum of squared market shares in percent points (0-10,000). The atlas names
the leading suppliers of a market; the unnamed remainder ("others") is handled two ways:

- ``hhi`` treats others as *atomistic* (many small firms contributing ~0). It is a lower bound
  and the figure used for the band.
- ``hhi_others_single`` treats others as *one firm* (adds others²): an upper bound.

Cloud infrastructure with the article's 31 / 24 / 11 shares: ``hhi`` = 961 + 576 + 121 = 1,658,
``hhi_others_single`` = 1,658 + 34² = 2,814.

**Bands.** Default: the 2023 Merger Guidelines of the US DOJ and FTC (§ 2.1: HHI above 1,800 is
"highly concentrated"), with the agencies' companion bands "moderately concentrated" for
1,000-1,800 and "unconcentrated" below 1,000 (DOJ Antitrust Division, "Herfindahl-Hirschman
Index", https://www.justice.gov/atr/herfindahl-hirschman-index, citing Merger Guidelines § 2.1
(2023)). The 2010 Horizontal Merger Guidelines (§ 5.3) used 1,500 and 2,500 instead; every row
also carries ``band_2010`` for comparison.

**Chokepoint score** of a company in a market = its share × the market's ``reach``:

    downstream(m) = companies with a membership in a layer above m's layer (the stack: every
                    upper layer runs on the lower ones)
                  ∪ companies reachable from m's suppliers along supplier -> customer edges
                    (atlas dependencies, and cost flows read payee -> payer), transitively
    reach(m)      = |downstream(m) minus m's suppliers| / |placed companies minus m's suppliers|

So EUV lithography reaches the foundries and chip designers that buy from ASML's customers as
well as every upper layer, and scores above a market at the top of the chips layer.
``inflow_known`` (USD bn of annual cost flows with known amounts paid to the company in
``inflow_year``, the flow graph's default year; a lower bound; multi-year commitments are not
counted) is shown alongside as the money at stake, but is not part of the score. A single point
of failure is a supplier with share >= 0.9 (the sole supplier when its share is ~1, e.g. ASML
in EUV).

**The chip supply chain (CSET / ETO).** With the ETO dataset loaded (``eto=``), the ~100 ETO
inputs (tools, materials, design resources) join: ``Concentration.inputs`` holds their firm and
country HHI / CR1 / CR3 (``supplychain.inputs``), and every input whose largest named firm has
at least half the market is a chokepoint row (``basis = "eto"``) scored the same way, with reach
taken along ``sequence.csv`` to the AI outputs it feeds (``supplychain.chokepoints``). Without
the dataset both functions return the atlas markets only, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from stackatlas.analysis.flows import COST_KINDS, flow_graph
from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import Share, SourceKind
from stackatlas.display import records, rich_table, suggest
from stackatlas.errors import INPUT, NotFoundError, Problem, ValidationError
from stackatlas.evidence import Evidence, combine
from stackatlas.notebook import Tabular

if TYPE_CHECKING:
    from stackatlas.supplychain.dataset import EtoData

Guidelines = Literal["2023", "2010"]
BANDS: dict[str, tuple[float, float]] = {"2023": (1000.0, 1800.0), "2010": (1500.0, 2500.0)}
"""(moderate from, high above) per guidelines edition."""
SPOF_SHARE = 0.9


def concentration_band(hhi: float, guidelines: Guidelines = "2023") -> str:
    """Name the band: "highly concentrated" above the upper threshold, "moderately
    concentrated" from the lower threshold up to it, "unconcentrated" below."""
    low, high = BANDS[guidelines]
    if hhi > high:
        return "highly concentrated"
    if hhi >= low:
        return "moderately concentrated"
    return "unconcentrated"


def hhi(shares: list[float]) -> float:
    """HHI of fractional shares, in percent points squared (0-10,000)."""
    return float(sum((100 * s) ** 2 for s in shares))


def share_evidence(atlas: Atlas, share: Share) -> Evidence:
    source = atlas.sources.get(share.source)
    reported = source is not None and source.kind == SourceKind.FILING and share.kind == "actual"
    return Evidence.REPORTED if reported else Evidence.ESTIMATED


@dataclass
class Concentration(Tabular):
    """One row per market; shares, CRs and ``others`` in percent, HHI in points."""

    table: pd.DataFrame
    guidelines: str
    inputs: pd.DataFrame | None = None  # ETO inputs (firm / country HHI), when loaded

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "guidelines": self.guidelines,
            "thresholds": BANDS[self.guidelines],
            "markets": records(self.table),
        }
        if self.inputs is not None:
            from stackatlas.supplychain.citation import credit

            out["eto_inputs"] = records(self.inputs)
            out["eto_credit"] = credit()
        return out

    def __rich__(self) -> Any:
        rows = []
        for r in records(self.table):
            has = r["hhi"] is not None
            rows.append(
                {
                    "market": r["market"],
                    "suppliers": r["n_suppliers"],
                    "leader": r.get("leader") or "—",
                    "CR1 %": f"{r['cr1']:.0f}" if has else "—",
                    "CR3 %": f"{r['cr3']:.0f}" if has else "—",
                    "others %": f"{r['others']:.0f}" if has else "—",
                    "HHI": f"{r['hhi']:,.0f}" if has else "—",
                    "HHI, others as 1": f"{r['hhi_others_single']:,.0f}" if has else "—",
                    "band": r.get("band") or "no shares in atlas",
                    "evidence": r["evidence"],
                }
            )
        table = rich_table(
            f"Market concentration (bands: {self.guidelines} Merger Guidelines)", pd.DataFrame(rows)
        )
        if self.inputs is None:
            return table
        from rich.console import Group

        from stackatlas.supplychain.render import inputs_concentration_table

        return Group(table, inputs_concentration_table(self.inputs, self.guidelines))


def market_concentration(
    atlas: Atlas,
    market: str | None = None,
    *,
    guidelines: Guidelines = "2023",
    eto: EtoData | None = None,
) -> Concentration:
    """HHI, CR1, CR3, supplier count and named band for every market (or one); with ``eto``
    also every ETO input (``market`` may then name one: ``eto:N20`` or its name)."""
    if guidelines not in BANDS:
        raise ValidationError(
            Problem(INPUT, None, "guidelines", f"must be 2023 or 2010, not {guidelines!r}")
        )
    if eto is not None and market is not None and market not in atlas.markets:
        from stackatlas.supplychain.inputs import input_table

        item = eto.find_input(market.removeprefix("eto:"))
        inputs = input_table(eto, guidelines=guidelines)
        inputs = inputs[inputs["input_id"] == item.input_id].reset_index(drop=True)
        empty = market_concentration(atlas, guidelines=guidelines).table.iloc[0:0]
        return Concentration(empty, guidelines, inputs)
    _check_market(atlas, market)
    rows = []
    for mid, mkt in atlas.markets.items():
        if market is not None and mid != market:
            continue
        shares = sorted(
            (s for s in atlas.shares if s.market == mid and s.share > 0),
            key=lambda s: (-s.share, s.company),
        )
        if not shares:
            rows.append(
                {
                    "market": mid,
                    "name": mkt.name,
                    "segment": mkt.segment,
                    "measure": mkt.measure,
                    "n_suppliers": 0,
                    "evidence": "unresolved",
                }
            )
            continue
        values = [s.share for s in shares]
        total = sum(values)
        others = max(0.0, 1.0 - total)
        point = hhi(values)
        ranged = any(s.low is not None or s.high is not None for s in shares)
        rows.append(
            {
                "market": mid,
                "name": mkt.name,
                "segment": mkt.segment,
                "measure": mkt.measure,
                "n_suppliers": len(shares),
                "leader": shares[0].company,
                "cr1": 100 * values[0],
                "cr3": 100 * sum(values[:3]),
                "others": 100 * others,
                "share_sum": 100 * total,
                "hhi": point,
                "hhi_low": hhi([s.low if s.low is not None else s.share for s in shares])
                if ranged
                else point,
                "hhi_high": hhi([s.high if s.high is not None else s.share for s in shares])
                if ranged
                else point,
                "hhi_others_single": point + (100 * others) ** 2,
                "band": concentration_band(point, guidelines),
                "band_2010": concentration_band(point, "2010"),
                "as_of": max(s.as_of for s in shares).isoformat(),
                "sources": ";".join(sorted({s.source for s in shares})),
                "evidence": str(combine(share_evidence(atlas, s) for s in shares)),
            }
        )
    cols = [
        "market",
        "name",
        "segment",
        "measure",
        "n_suppliers",
        "leader",
        "cr1",
        "cr3",
        "others",
        "share_sum",
        "hhi",
        "hhi_low",
        "hhi_high",
        "hhi_others_single",
        "band",
        "band_2010",
        "as_of",
        "sources",
        "evidence",
    ]
    table = pd.DataFrame(rows, columns=cols)
    inputs = None
    if eto is not None and market is None:
        from stackatlas.supplychain.inputs import input_table

        inputs = input_table(eto, guidelines=guidelines)
    return Concentration(
        table.sort_values("hhi", ascending=False, na_position="last", kind="stable").reset_index(
            drop=True
        ),
        guidelines,
        inputs,
    )


# ---- chokepoints -------------------------------------------------------------------------
@dataclass
class Chokepoints(Tabular):
    table: pd.DataFrame  # one row per (supplier, market or ETO input), ranked by score
    single_points: pd.DataFrame  # rows with share >= 0.9
    countries: pd.DataFrame | None = None  # ETO country chokepoints, when loaded

    def ranking(self) -> pd.DataFrame:
        """One row per supplier: its highest-scoring market or input."""
        best = self.table.drop_duplicates("supplier_id", keep="first")
        return best.reset_index(drop=True).assign(rank=lambda f: range(1, len(f) + 1))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "chokepoints": records(self.table),
            "single_points_of_failure": records(self.single_points),
        }
        if self.countries is not None:
            from stackatlas.supplychain.citation import credit

            out["country_chokepoints"] = records(self.countries)
            out["eto_credit"] = credit()
        return out

    def __rich__(self) -> Any:
        rows = [
            {
                "rank": r["rank"],
                "company": r["company"] or f"{r['supplier']} (ETO)",
                "market": r["market"] if r["basis"] == "atlas" else r["market_name"],
                "share": f"{r['share']:.0%}",
                "reach": f"{r['reach']:.0%}",
                "downstream": r["downstream"],
                "score": f"{r['score']:.3f}",
                "inflow bn": "—" if r["inflow_known"] is None else f"≥ {r['inflow_known']:,.1f}",
                "SPOF": r["role"] or "",
                "evidence": r["evidence"],
            }
            for r in records(self.table)
        ]
        table = rich_table(
            "Chokepoints (score = share × reach of the market downstream)", pd.DataFrame(rows)
        )
        if self.countries is None or self.countries.empty:
            return table
        from rich.console import Group

        from stackatlas.supplychain.render import country_chokepoints_table

        return Group(table, country_chokepoints_table(self.countries))


def supply_edges(atlas: Atlas) -> dict[str, set[str]]:
    """supplier -> customers, from atlas dependencies and cost flows (payee supplies payer)."""

    def members(node: str) -> list[str]:
        if node in atlas.companies:
            return [node]
        if node in atlas.groups:
            return [m for m in atlas.groups[node].members if m in atlas.companies]
        if node in atlas.layer_of_segment:
            return [c.id for c in atlas.companies_in(node)]
        return []

    edges: dict[str, set[str]] = {}
    for dep in atlas.dependencies:
        for s in members(dep.supplier):
            edges.setdefault(s, set()).update(c for c in members(dep.customer) if c != s)
    for flow in atlas.flows:
        if flow.kind in COST_KINDS:
            for s in members(flow.target_node):
                edges.setdefault(s, set()).update(c for c in members(flow.source_node) if c != s)
    return edges


def _company_layers(atlas: Atlas) -> dict[str, set[int]]:
    order = {lid: i for i, lid in enumerate(atlas.layer_ids)}
    placed: dict[str, set[int]] = {}
    for m in atlas.memberships:
        layer = atlas.layer_of_segment.get(m.segment)
        if layer is not None and m.weight > 0:
            placed.setdefault(m.company, set()).add(order[layer])
    return placed


def _check_market(atlas: Atlas, market: str | None) -> None:
    if market is not None and market not in atlas.markets:
        raise NotFoundError(f"unknown market {market!r}", suggest(market, atlas.markets))


def _wanted_market(atlas: Atlas, market: str | None, eto: EtoData | None) -> str | None:
    """The ``market`` column value to keep: an atlas market id, or ``eto:<input id>`` for an
    ETO input given by id or name (with ``eto``); unknown -> NotFoundError."""
    if market is None or market in atlas.markets:
        return market
    if eto is not None:
        return f"eto:{eto.find_input(market.removeprefix('eto:')).input_id}"
    _check_market(atlas, market)
    return market


def chokepoints(
    atlas: Atlas,
    market: str | None = None,
    *,
    spof_share: float = SPOF_SHARE,
    eto: EtoData | None = None,
) -> Chokepoints:
    """Rank suppliers by share × reach of their markets (formula in the module doc); with
    ``market``, only that market's rows (ranks stay those among all markets). With ``eto`` the
    ETO inputs' majority firms join the ranking (``market`` may name one) and country
    chokepoints are kept apart in ``countries``."""
    wanted = _wanted_market(atlas, market, eto)
    placed = _company_layers(atlas)
    edges = supply_edges(atlas)
    graph = flow_graph(atlas)
    inflow_year = graph.default_year()
    yearly = graph.slices[graph.slices["year"] == inflow_year].merge(
        graph.edges[["id", "target", "kind"]], left_on="flow_id", right_on="id"
    )
    costs = yearly[yearly["kind"].isin([str(k) for k in COST_KINDS])]
    inflow = costs.groupby("target")["mid"].sum(min_count=1).to_dict()
    order = {lid: i for i, lid in enumerate(atlas.layer_ids)}
    rows = []
    for mid, mkt in atlas.markets.items():
        shares = [s for s in atlas.shares if s.market == mid and s.share > 0]
        if not shares:
            continue
        suppliers = {s.company for s in shares}
        level = order[atlas.layer_of_segment[mkt.segment]]
        downstream = {c for c, layers in placed.items() if max(layers) > level}
        frontier = list(suppliers)
        seen = set(suppliers)
        while frontier:
            for customer in edges.get(frontier.pop(), ()):
                if customer not in seen:
                    seen.add(customer)
                    frontier.append(customer)
        downstream = (downstream | seen) - suppliers
        universe = (set(placed) | seen) - suppliers
        reach = len(downstream) / len(universe) if universe else 0.0
        for s in shares:
            rows.append(
                {
                    "company": s.company,
                    "market": mid,
                    "share": s.share,
                    "n_suppliers": len(shares),
                    "downstream": len(downstream),
                    "reach": reach,
                    "score": s.share * reach,
                    "inflow_known": inflow.get(s.company),
                    "inflow_year": inflow_year,
                    "single_point": s.share >= spof_share,
                    "role": (
                        "sole supplier"
                        if s.share >= 0.995
                        else "dominant supplier"
                        if s.share >= spof_share
                        else ""
                    ),
                    "evidence": str(combine([share_evidence(atlas, s), Evidence.ESTIMATED])),
                    "supplier_id": s.company,
                    "supplier": atlas.companies[s.company].name
                    if s.company in atlas.companies
                    else s.company,
                    "market_name": mkt.name,
                    "year": s.as_of.year,
                    "basis": "atlas",
                    "source": s.source,
                }
            )
    countries = None
    if eto is not None:
        from stackatlas.supplychain.chokepoints import eto_chokepoint_rows, eto_chokepoints

        found = eto_chokepoints(eto, atlas)
        rows += eto_chokepoint_rows(found.firms, spof_share, inflow)
        countries = found.countries
    cols = [*CHOKEPOINT_COLUMNS]
    table = pd.DataFrame(rows, columns=cols)
    table = table.sort_values(
        ["score", "inflow_known", "company"],
        ascending=[False, False, True],
        na_position="last",
        kind="stable",
    ).reset_index(drop=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    if wanted is not None:
        table = table[table["market"] == wanted]
        if countries is not None:
            countries = countries[countries["input_id"] == wanted.removeprefix("eto:")]
    return Chokepoints(table, table[table["single_point"]].reset_index(drop=True), countries)


CHOKEPOINT_COLUMNS = (
    "company",  # atlas company id (None: an ETO provider that is not an atlas company)
    "market",  # atlas market id, or eto:<input id>
    "share",
    "n_suppliers",
    "downstream",
    "reach",
    "score",
    "inflow_known",
    "inflow_year",  # the year of the annual inflow (multi-year commitments are not counted)
    "single_point",
    "role",
    "evidence",
    "supplier_id",  # company id, or eto:<provider id> for providers outside the atlas
    "supplier",  # display name
    "market_name",
    "year",  # year of the share
    "basis",  # atlas or eto
    "source",  # atlas source id, or the ETO row's source
)
