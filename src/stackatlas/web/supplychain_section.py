"""The chip supply-chain section (web page ``/supplychain`` and report chapter) and the
numbered per-row sources of the CSET/ETO dataset shared with the concentration section."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stackatlas.atlas import Atlas
from stackatlas.charts.theme import chart

if TYPE_CHECKING:
    from stackatlas.store import Store

ETO_SOURCE = "cset-eto-chip-dataset"
INPUT_ROWS = 25
COUNTRY_ROWS = 20


class EtoFootnotes:
    """Numbered per-row sources of the ETO dataset (first-seen order)."""

    def __init__(self) -> None:
        self._items: dict[str, int] = {}

    def ref(self, source: Any) -> int | None:
        if not source:
            return None
        text = str(source)
        if text not in self._items:
            self._items[text] = len(self._items) + 1
        return self._items[text]

    def items(self) -> list[dict[str, Any]]:
        return [{"n": n, "text": text} for text, n in self._items.items()]


def supplychain_section(
    atlas: Atlas,
    store: Store | None = None,
    *,
    eto: Any = None,
    input: str | None = None,
    provider: str | None = None,
    country: str | None = None,
    stage: str | None = None,
) -> Any:
    """The CSET/ETO chip supply chain (``supplychain.view.supply_chain``): the Sankey of
    stages -> inputs -> AI outputs, chokepoints, per-input shares, stage shares by country."""
    from stackatlas.charts.supplychain import supply_chain_sankey
    from stackatlas.supplychain.citation import HOW_TO_GET, credit
    from stackatlas.supplychain.view import supply_chain
    from stackatlas.web.sections import Section, _name, sources_of

    title = "Chip supply chain (CSET/ETO)"
    if eto is None:
        return Section("supplychain", title, data={"configured": False}, notes=[HOW_TO_GET])
    filters = {"input": input, "provider": provider, "country": country, "stage": stage}
    view = supply_chain(
        eto, atlas, input=input, provider=provider, country=country, stage=stage
    ).to_dict()
    foot = EtoFootnotes()
    for r in view["inputs"]:
        shares = r["firms"]["shares"] + r["countries"]["shares"]
        r["src_ns"] = sorted({n for n in (foot.ref(s["source"]) for s in shares) if n})
        for side in ("firms", "countries"):
            for s in r[side]["shares"]:
                s["src_n"] = foot.ref(s["source"])
        r["tier1_names"] = [_name(atlas, c) for c in r["tier1"]]
    for side in ("firms", "countries"):
        for r in view["chokepoints"][side]:
            r["src_n"] = foot.ref(r["source"])
    for s in view["stages"]:
        for r in s["countries"]["shares"]:
            r["src_n"] = foot.ref(r["source"])
    for block in (view["provider"], view["country"]):
        for r in (block or {}).get("supplies", []) + (block or {}).get("inputs", []):
            r["src_n"] = foot.ref(r["source"])
        for r in (block or {}).get("stages", []):
            r["src_n"] = foot.ref(r["source"])
    shown = [k for k, v in filters.items() if v]
    fig_title = "Chip supply chain: stages → inputs → AI outputs" + (
        " (" + ", ".join(f"{k} {filters[k]}" for k in shown) + ")" if shown else ""
    )
    charts = [chart("fig-supplychain", supply_chain_sankey(view, title=fig_title))]
    options = {
        "inputs": sorted(
            (
                i.input_name
                for i in eto.inputs.values()
                if (i.input_id, "firm") in eto.rows_by_node
                or (i.input_id, "country") in eto.rows_by_node
            ),
            key=str.lower,
        ),
        "countries": sorted(eto.country_names.items(), key=lambda kv: kv[1]),
        "stages": [s.stage_name for s in eto.stages.values()],
        "providers": sorted(
            {p.name for p in eto.providers.values() if p.kind == "firm"}, key=str.lower
        ),
    }
    return Section(
        "supplychain",
        title,
        charts,
        {
            "configured": True,
            "view": view,
            "credit": credit(),
            "filters": filters,
            "options": options,
            "footnotes": foot.items(),
        },
        sources_of(atlas, [ETO_SOURCE]),
        notes=list(view["notes"]),
    )
