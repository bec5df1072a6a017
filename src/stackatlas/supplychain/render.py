"""Terminal rendering of ``SupplyChainView`` (rich). Long per-row sources become numbered
footnotes ``[1]`` listed under the tables; the credit line comes first."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from stackatlas.display import DASH, fmt_num, fmt_pct, is_missing
from stackatlas.supplychain.chokepoints import EtoChokepoints


class Footnotes:
    """Numbered sources, first-seen order."""

    def __init__(self) -> None:
        self.items: dict[str, int] = {}

    def ref(self, source: str | None) -> str:
        if not source:
            return DASH
        if source not in self.items:
            self.items[source] = len(self.items) + 1
        return f"[{self.items[source]}]"

    def refs(self, sources: list[str | None]) -> str:
        return " ".join(dict.fromkeys(self.ref(s) for s in sources if s)) or DASH

    def table(self) -> Table:
        table = Table(title="Sources (per row, as given in provision.csv)", title_justify="left")
        table.add_column("#", no_wrap=True)
        table.add_column("source", overflow="fold")
        for text, n in self.items.items():
            table.add_row(f"[{n}]", text)
        return table


def pct(value: float | None, digits: int = 1) -> str:
    """A share given in percent points (ETO's unit): ``92.6%``."""
    return fmt_pct(value, digits, scale=0.01)


def num(value: float | None) -> str:
    return fmt_num(value, ",.0f")


def render_view(view: Any) -> Group:
    notes = Footnotes()
    parts: list[Any] = [
        Text(
            f"{view.credit['citation']} ({view.credit['licence']}, non-commercial); "
            f"{view.dataset['share_rows']} share rows from {view.dataset['directory']}",
            style="dim",
        )
    ]
    if view.provider is not None:
        parts.append(provider_table(view.provider, notes))
    if view.country is not None:
        parts += country_tables(view.country, notes)
    if view.filters.get("exposed"):
        parts.append(
            Text(
                f"Only inputs whose path through the sequence reaches {view.filters['exposed']} "
                "(tier 1 = makes the AI output nearest the input).",
                style="bold",
            )
        )
    if view.filters.get("input"):
        parts += input_detail(view.inputs[0], notes)
    else:
        parts.append(inputs_table(view.inputs, notes))
        if view.provider is None and view.country is None:
            parts.append(stages_table(view.stages, notes))
    parts += chokepoint_tables(view.chokepoints, notes)
    if notes.items:
        parts.append(notes.table())
    parts += [Text(n, style="dim") for n in view.notes]
    return Group(*parts)


def _leader(side: dict[str, Any]) -> str:
    if side["leader"] is None:
        return "unknown" if side["n_named"] else DASH
    name = side["leader"]
    if side.get("leader_company"):
        name += f" ({side['leader_company']})"
    return f"{name} {pct(side['cr1'])}"


def inputs_table(rows: list[dict[str, Any]], notes: Footnotes) -> Table:
    table = Table(
        title=f"Inputs ({len(rows)}): shares by firm and by country", title_justify="left"
    )
    tiered = any("exposed_tier" in r for r in rows)
    cols = ["input", "stage", "year", "top firm", "CR3", "firm HHI", "rest", "top country"]
    cols += ["market size", "src"] + (["tier"] if tiered else [])
    for col in cols:
        table.add_column(col, overflow="fold", no_wrap=col in ("year", "src", "tier"))
    for r in rows:
        f, c = r["firms"], r["countries"]
        hhi = num(f["hhi"]) + ("≥" if f["hhi"] is not None and f["hhi_is_lower_bound"] else "")
        sources = [s["source"] for s in f["shares"] + c["shares"]]
        extra = [str(r["exposed_tier"])] if tiered else []
        table.add_row(
            r["input"],
            ", ".join(r["stages"]) or DASH,
            str(r["year"] or DASH),
            _leader(f),
            pct(f["cr3"]),
            hhi,
            pct(f["remainder"]),
            _leader(c),
            (r["market_size"] or {}).get("text") or DASH,
            notes.refs(sources),
            *extra,
        )
    return table


def stages_table(stages: list[dict[str, Any]], notes: Footnotes) -> Table:
    table = Table(
        title="Stages: share by country (capacity or sales, per ETO)", title_justify="left"
    )
    for col in ("stage", "year", "countries", "rest", "src"):
        table.add_column(col, overflow="fold")
    for s in stages:
        c = s["countries"]
        shown = ", ".join(
            f"{r['provider']} {pct(r['share'], 0)}" for r in c["shares"] if not r["aggregate"]
        )
        table.add_row(
            s["stage"],
            str(c["year"] or DASH),
            shown or DASH,
            pct(c["remainder"], 0),
            notes.refs([r["source"] for r in c["shares"]]),
        )
    return table


def share_table(title: str, side: dict[str, Any], notes: Footnotes) -> Table:
    table = Table(title=title, title_justify="left")
    for col in ("provider", "share", "atlas company", "country", "year", "src"):
        table.add_column(col, overflow="fold")
    for r in side["shares"]:
        name = r["provider"] + (" (aggregate, not a firm)" if r["aggregate"] else "")
        table.add_row(
            name,
            "unknown" if r["share"] is None else pct(r["share"]),
            r.get("company") or DASH,
            r.get("provider_country") or DASH,
            str(r["year"]),
            notes.ref(r["source"]),
        )
    bound = " (lower bound: blank shares)" if side["hhi_is_lower_bound"] else ""
    table.caption = (
        f"HHI {num(side['hhi'])}{bound}; CR1 {pct(side['cr1'])}, CR3 {pct(side['cr3'])}; "
        f"remainder {pct(side['remainder'])} (placeholders + unattributed)"
    )
    return table


def input_detail(r: dict[str, Any], notes: Footnotes) -> list[Any]:
    size = r["market_size"] or {}
    head = Text()
    head.append(f"{r['input']} ({r['input_id']}, {r['type']})\n", style="bold")
    head.append(f"stage: {', '.join(r['stages']) or DASH}; year shown: {r['year'] or DASH}; ")
    head.append(f"years in the data: {', '.join(map(str, r['years_available'])) or DASH}\n")
    head.append(f"market size: {size.get('text') or 'not given'}\n")
    head.append(f"path: {' -> '.join(r['path']) or DASH}\n")
    head.append(f"AI outputs reached: {', '.join(r['ai_outputs']) or 'none'}")
    parts: list[Any] = [head]
    parts.append(share_table("Firms", r["firms"], notes))
    parts.append(share_table("Countries", r["countries"], notes))
    exposed = Table(
        title="Atlas companies exposed, by tier along the sequence", title_justify="left"
    )
    for col in ("tier", "companies", "via"):
        exposed.add_column(col, overflow="fold")
    tiers: dict[int, list[dict[str, Any]]] = {}
    for e in r.get("exposed_companies", []):
        tiers.setdefault(e["tier"], []).append(e)
    for tier, items in sorted(tiers.items()):
        via = ", ".join(dict.fromkeys(str(i["via"]) for i in items))
        exposed.add_row(str(tier), ", ".join(i["company"] for i in items), via)
    parts.append(exposed)
    if len(r.get("history", [])) > 1:
        hist = Table(title="History", title_justify="left")
        for col in ("year", "top firm", "firm HHI", "top country"):
            hist.add_column(col)
        for h in r["history"]:
            hist.add_row(
                str(h["year"]), _leader(h["firms"]), num(h["firms"]["hhi"]), _leader(h["countries"])
            )
        parts.append(hist)
    return parts


def provider_table(view: dict[str, Any], notes: Footnotes) -> Table:
    who = view["provider"]
    if view.get("company"):
        who += f" = atlas {view['company']}" + (
            f" ({view['relation']})" if view.get("relation") != "same" else ""
        )
    if view["aggregate"]:
        who += " — a placeholder aggregate, not a firm"
    return supplies_table(f"{who}: inputs supplied", view["supplies"], notes, hhi=True)


def supplies_table(
    title: str, rows: list[dict[str, Any]], notes: Footnotes, *, hhi: bool = False
) -> Table:
    """Inputs with one provider's share, its rank, the leader (and HHI), year and source."""
    table = Table(title=title, title_justify="left")
    cols = ["input", "share", "rank", "leader", *(["HHI"] if hhi else []), "year", "src"]
    for col in cols:
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["input"],
            "unknown" if r["share"] is None else pct(r["share"]),
            str(r["rank"] or DASH),
            r["leader"] or DASH,
            *([num(r["hhi"])] if hhi else []),
            str(r["year"]),
            notes.ref(r["source"]),
        )
    return table


def country_tables(view: dict[str, Any], notes: Footnotes) -> list[Any]:
    out: list[Any] = []
    stages = Table(
        title=f"{view['name']} ({view['country']}): share of each stage", title_justify="left"
    )
    for col in ("stage", "share", "year", "src"):
        stages.add_column(col)
    for r in view["stages"]:
        stages.add_row(
            r["input"],
            "unknown" if r["share"] is None else pct(r["share"]),
            str(r["year"]),
            notes.ref(r["source"]),
        )
    out.append(stages)
    table = supplies_table(f"{view['name']}: share of each input", view["inputs"], notes)
    out.append(table)
    firms = Table(title=f"Firms based in {view['name']}", title_justify="left")
    for col in ("firm", "atlas company", "inputs", "largest share"):
        firms.add_column(col, overflow="fold")
    for f in view["firms"]:
        best = next((s for s in f["supplies"] if s["share"] is not None), None)
        firms.add_row(
            f["provider"],
            f.get("company") or DASH,
            str(len(f["supplies"])),
            f"{best['input']} {pct(best['share'])}" if best else "unknown",
        )
    out.append(firms)
    return out


def chokepoint_tables(points: EtoChokepoints, notes: Footnotes) -> list[Any]:
    out: list[Any] = []
    for side, frame in (("firm", points.firms), ("country", points.countries)):
        if frame.empty:
            continue
        table = Table(
            title=f"{side.title()} chokepoints: one {side} >= {points.threshold:g}% "
            "(score = share x reach)",
            title_justify="left",
        )
        for col in ("#", "input", side, "share", "year", "tier 1 exposed", "reach", "score", "src"):
            table.add_column(col, overflow="fold")
        for r in frame.itertuples():
            who = r.provider + (f" ({r.company})" if isinstance(r.company, str) else "")
            table.add_row(
                str(r.rank),
                r.input,
                who,
                pct(r.share),
                str(r.year),
                str(r.tier1).replace(";", ", ") or DASH,
                f"{r.reach:.0%}",
                f"{r.score:.3f}",
                notes.ref(r.source),
            )
        out.append(table)
    return out


def inputs_concentration_table(inputs: Any, guidelines: str, limit: int = 25) -> Table:
    """The ETO inputs beside the atlas markets (``stackatlas concentration``), top by HHI."""
    shown = inputs.head(limit)
    table = Table(
        title=f"Chip supply-chain inputs (CSET/ETO, CC BY-NC 4.0): top {len(shown)} of "
        f"{len(inputs)} by firm HHI (all: stackatlas supplychain)",
        title_justify="left",
    )
    for col in ("input", "year", "leader", "CR1 %", "CR3 %", "rest %", "HHI", "band"):
        table.add_column(col, overflow="fold")
    for r in shown.to_dict(orient="records"):
        year = next((y for y in (r["firm_year"], r["country_year"]) if not is_missing(y)), None)
        table.add_row(
            r["input"],
            DASH if year is None else str(int(year)),
            r["firm_leader"] or DASH,
            fmt_num(r["firm_cr1"]),
            fmt_num(r["firm_cr3"]),
            fmt_num(r["firm_remainder"]),
            num(r["firm_hhi"]),
            r["firm_band"] or "no firm shares",
        )
    table.caption = f"bands: {guidelines} Merger Guidelines; 'rest' = placeholders + unattributed"
    return table


def country_chokepoints_table(frame: Any, limit: int = 20) -> Table:
    """ETO inputs where one country holds >= 50% (``stackatlas concentration``)."""
    shown = frame.head(limit)
    table = Table(
        title=f"Country chokepoints (CSET/ETO): top {len(shown)} of {len(frame)} inputs where "
        "one country holds >= 50%",
        title_justify="left",
    )
    for col in ("rank", "input", "country", "share", "year", "reach", "score"):
        table.add_column(col, overflow="fold")
    for r in shown.itertuples():
        table.add_row(
            str(r.rank),
            r.input,
            r.provider,
            pct(r.share),
            str(r.year),
            f"{r.reach:.0%}",
            f"{r.score:.3f}",
        )
    return table
