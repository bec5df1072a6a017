"""A company's upstream and downstream edges in the scenario network, with their evidence.

``company_edges(atlas, "apple")`` lists every edge of the network the scenarios run on that
touches the company: the shares as the network uses them, and for each its kind (``explicit``
from ``dependencies.csv``, ``flow`` from a ``flows.csv`` amount, ``inferred`` from the
proportional-sourcing links of ``model.yaml``), ranges and bases (explicit edges), evidence,
reasoning and sources. It answers "why did this scenario hit this company?".
"""

from __future__ import annotations

from typing import Any

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.views import EdgeItem
from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.params import model_config

_INFERRED = (
    "inferred (proportional sourcing): the customer is assumed to buy from each supplier of "
    "{what} in proportion to the supplier's share; coverage {coverage:g} of the supplying "
    "segment's sales go to the linked customer segments. Link basis: {basis}"
)


def company_edges(
    atlas: Atlas, company_id: str, network: SupplyNetwork | None = None
) -> tuple[list[EdgeItem], list[EdgeItem]]:
    """(upstream, downstream) edges of a company: explicit, then flow, then inferred; suppliers
    by the input share they provide, customers by the share of revenue they bring."""
    if network is None:
        from stackatlas.scenarios.run import network_for

        network = network_for(atlas)
    edges = network.edges_frame()
    upstream = edges[edges["customer"] == company_id]
    downstream = edges[edges["supplier"] == company_id]
    explained = _Explainer(atlas)
    order = {"explicit": 0, "flow": 1, "inferred": 2}

    def items(frame: Any, share: str) -> list[EdgeItem]:
        out = [explained.item(r) for r in frame.itertuples()]
        return sorted(out, key=lambda e: (order.get(e.edge_kind, 3), -getattr(e, share)))

    return items(upstream, "input_share"), items(downstream, "revenue_share")


class _Explainer:
    """Evidence, basis and sources of one network edge, from the atlas row behind it."""

    def __init__(self, atlas: Atlas) -> None:
        self.atlas = atlas
        self.deps = {(d.supplier, d.customer, d.group or ""): d for d in atlas.dependencies}
        self.links = {_link_key(link): link for link in model_config().network.get("links", [])}

    def name(self, cid: str) -> str:
        c = self.atlas.companies.get(cid)
        return c.name if c is not None else cid

    def item(self, r: Any) -> EdgeItem:
        base: dict[str, Any] = {
            "supplier": r.supplier,
            "supplier_name": self.name(r.supplier),
            "customer": r.customer,
            "customer_name": self.name(r.customer),
            "group": r.group,
            "edge_kind": r.edge_kind,
            "input_share": float(r.input_share),
            "revenue_share": float(r.revenue_share),
            "exposure": float(r.exposure),
            "origin": r.origin,
        }
        if r.edge_kind == "explicit":
            dep = self.deps.get((r.supplier, r.customer, r.group)) or self.deps.get(
                (r.supplier, r.customer, "")
            )
            if dep is not None:
                return EdgeItem(
                    **base,
                    input_low=dep.input_low,
                    input_high=dep.input_high,
                    input_basis=dep.input_basis.value,
                    revenue_low=dep.revenue_low,
                    revenue_high=dep.revenue_high,
                    revenue_basis=dep.revenue_basis.value,
                    as_of=dep.as_of,
                    evidence=dep.evidence,
                    note=dep.note,
                    sources=dep.sources,
                )
        if r.edge_kind == "flow":
            fid = str(r.origin).removeprefix("flow:")
            flow = next((f for f in self.atlas.flows if f.id == fid), None)
            if flow is not None:
                return EdgeItem(
                    **base,
                    input_basis="inferred" if "market:" in str(r.origin) else "derived",
                    revenue_basis="derived",
                    evidence=flow.note,
                    note=(
                        f"revenue_share = flow {flow.id} ({flow.period}) over the supplier's "
                        "annual revenue; input share from the flow's share of the customer's "
                        "spending of that kind, or from the inferred edge it replaced"
                    ),
                    sources=[flow.source],
                )
        return EdgeItem(
            **base,
            input_basis="inferred",
            revenue_basis="inferred",
            note=self.inferred_note(str(r.origin)),
            sources=self.inferred_sources(r.supplier, str(r.origin)),
        )

    def inferred_note(self, origin: str) -> str:
        if origin.startswith("eto:"):
            return (
                f"inferred from the CSET/ETO supply-chain dataset (input {origin[4:]}): the "
                "provider's market share of the input, its destinations by the configured "
                "exposure (scenarios/eto_network.py)"
            )
        link = self.links.get(origin)
        if link is None:
            return "inferred (proportional sourcing)"
        what = (
            f"market '{link['market']}' (shares.csv)"
            if link.get("market")
            else "segments " + ", ".join(link.get("segments", [])) + " (by revenue)"
        )
        return _INFERRED.format(
            what=what, coverage=float(link["coverage"]), basis=link.get("basis", "")
        )

    def inferred_sources(self, supplier: str, origin: str) -> list[str]:
        if origin.startswith("eto:"):
            return ["cset-eto-chip-dataset"]
        if origin.startswith("market:"):
            market = origin.removeprefix("market:")
            return [
                s.source for s in self.atlas.shares if s.market == market and s.company == supplier
            ]
        segments = origin.removeprefix("segments:").split("+")
        return [
            m.source
            for m in self.atlas.memberships
            if m.company == supplier and m.segment in segments
        ]


def _link_key(link: dict) -> str:
    if link.get("market"):
        return f"market:{link['market']}"
    return "segments:" + "+".join(link.get("segments", []))
