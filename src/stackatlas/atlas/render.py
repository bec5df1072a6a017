"""Rich renderings of the atlas views (terminal and notebook); the JSON shape is ``to_dict``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from stackatlas.charts.theme import rich_style
from stackatlas.display import NOT_DISCLOSED

if TYPE_CHECKING:
    from stackatlas.atlas.views import (
        AtlasSummary,
        CompanyProfile,
        EdgeItem,
        FigureItem,
        ProfileFlow,
        ProfileShare,
        SourceList,
        StackMap,
    )


def fmt_number(value: float) -> str:
    """Up to four significant digits, thousands separated: 215.9, 2,000, 0.072, 1,234,567."""
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:,.4g}"


def fmt_amount(
    value: float | None, unit: str, low: float | None = None, high: float | None = None
) -> str:
    """``$215.9B``, ``$650-700B``, ``75%``, ``90 TWh``, ``>$400B``, years ``2029-2030`` ..."""
    if unit == "year":  # calendar years: no thousands separator, a range as stated
        if low is not None and high is not None and low != high:
            return f"{low:g}-{high:g}"
        return "n/a" if value is None else f"{value:g}"
    prefix, suffix = {
        "usd_billion": ("$", "B"),
        "usd_million": ("$", "M"),
        "usd_trillion": ("$", "T"),
        "percent": ("", "%"),
        "twh": ("", " TWh"),
        "multiple": ("", "x"),
    }.get(unit, ("", f" {unit}"))
    if value is None and low is not None and high is not None:
        return f"{prefix}{fmt_number(low)}-{fmt_number(high)}{suffix}"
    if value is None:
        return "n/a"
    text = f"{prefix}{fmt_number(value)}{suffix}"
    if low is not None and high is not None and low != high:
        text += f" ({prefix}{fmt_number(low)}-{fmt_number(high)}{suffix})"
    elif low is not None and high is None and low == value:
        text = ">" + text
    elif high is not None and low is None and high == value:
        text = "<" + text
    return text


def fmt_share(share: float) -> str:
    return f"{share * 100:.3g}%"


def _figure_line(f: FigureItem) -> Text:
    text = Text(f"{f.metric} {f.period}: ", style="dim")
    text.append(fmt_amount(f.value, f.unit, f.low, f.high), style="bold")
    text.append(f"  [{f.subject}; {f.kind}; {f.source}]", style="dim")
    return text


def render_stackmap(m: StackMap) -> Tree:
    tree = Tree(Text("AI stack", style="bold") + Text(f"  (atlas {m.atlas_version})", "dim"))
    for layer in sorted(m.layers, key=lambda x: -x.order):  # applications on top
        label = Text.assemble(
            (f"{layer.order}. {layer.name}", rich_style(layer.id)),
            (f"  level {layer.level}: {layer.level_name}", "magenta"),
        )
        node = tree.add(label)
        for f in layer.figures:
            node.add(_figure_line(f))
        for seg in layer.segments:
            seg_node = node.add(Text(seg.name, style="bold") + Text(f"  [{seg.id}]", "dim"))
            for c in seg.companies:
                line = Text(c.name)
                if c.ticker:
                    line.append(f" ({c.ticker})", style="dim")
                line.append(f"  weight {c.weight:.2f}", style="green")
                if c.key_share:
                    line.append(
                        f"  {fmt_share(c.key_share.share)} of {c.key_share.market_name}",
                        style="yellow",
                    )
                seg_node.add(line)
            if not seg.companies:
                seg_node.add(Text("(no companies yet)", style="dim"))
    return tree


def render_companyprofile(p: CompanyProfile) -> Group:
    c = p.company
    head = Text(c.name, style="bold cyan")
    head.append(f"  [{c.id}]", style="dim")
    if c.ticker:
        head.append(f"  {c.ticker}" + (f" ({c.exchange})" if c.exchange else ""))
    facts = [f"country {c.country}", "listed" if c.listed else "private"]
    if c.cik:
        facts.append(f"CIK {c.cik}")
    if p.parent_name:
        facts.append(f"parent {p.parent_name}")
    if p.groups:
        facts.append("groups " + ", ".join(p.groups))
    parts: list = [head, Text("; ".join(facts), style="dim")]
    if c.description:
        parts.append(Text(c.description))
    if p.memberships:
        parts.append(
            _table(
                "Layers and segments",
                ("layer", "segment", "weight", "as of", "basis", "source"),
                (
                    (
                        m.layer_name,
                        m.segment_name,
                        f"{m.weight:.2f}",
                        str(m.as_of),
                        m.basis,
                        m.source,
                    )
                    for m in p.memberships
                ),
            )
        )
    if p.shares:
        parts.append(
            _table(
                "Market shares",
                ("market", "share", "as of", "kind", "source"),
                ((s.market_name, _share_text(s), str(s.as_of), s.kind, s.source) for s in p.shares),
            )
        )
    name = c.name
    for title, flows in (
        (f"Money in: paid to {name} by name", p.flows_in),
        (f"Money out: paid by {name} by name", p.flows_out),
        (
            f"Money naming a group or segment {name} belongs to (the group's total, "
            f"not {name}'s share)",
            p.group_flows_in + p.group_flows_out,
        ),
    ):
        if flows:
            parts.append(
                _table(
                    title,
                    ("counterparty", "kind", "amount", "period", "via", "confidence", "source"),
                    (
                        (
                            (
                                f.counterparty_name
                                if f.via is None
                                else f"{'from' if f.direction == 'in' else 'to'} "
                                f"{f.counterparty_name}"
                            ),
                            f.kind,
                            flow_amount_text(f),
                            f.period
                            + (
                                "" if f.horizon == "annual" else f" ({f.horizon.replace('_', '-')})"
                            ),
                            "" if f.via is None else f"via {f.via}",
                            f.confidence,
                            f.source,
                        )
                        for f in flows
                    ),
                )
            )
    if p.figures:
        parts.append(
            _table(
                "Figures",
                ("metric", "value", "period", "kind", "source"),
                (
                    (
                        f.metric,
                        fmt_amount(f.value, f.unit, f.low, f.high),
                        f.period,
                        f.kind,
                        f.source,
                    )
                    for f in p.figures
                ),
            )
        )
    for title, edges, side in (
        ("Suppliers (upstream edges of the scenario network)", p.upstream, "supplier"),
        ("Customers (downstream edges of the scenario network)", p.downstream, "customer"),
    ):
        if edges:
            parts.append(_edge_table(title, edges, side))
    if p.customer_concentration:
        parts.append(
            _table(
                "Largest customers in its filings (XBRL ConcentrationRiskPercentage1; the "
                "filer's own labels)",
                ("customer", "share", "of", "period", "segment / product", "accession"),
                (
                    (
                        c.customer,
                        fmt_share(c.share),
                        c.benchmark.replace("_", " "),
                        f"{c.start or ''}..{c.end}" + (f" ({c.months} m)" if c.months else ""),
                        " / ".join(x for x in (c.segment, c.product, c.geography) if x),
                        c.accession,
                    )
                    for c in p.customer_concentration
                ),
            )
        )
    if p.sources:
        parts.append(
            _table(
                "Sources",
                ("id", "title", "publisher", "published", "url / accession"),
                (
                    (s.id, s.title, s.publisher, str(s.published), s.url or s.accession or "")
                    for s in p.sources
                ),
            )
        )
    return Group(*parts)


INFERRED_SHOWN = 8
"""Inferred edges listed in the terminal per direction (``--json`` has them all)."""


def _share_range(value: float, low: float | None, high: float | None, basis: str) -> str:
    text = fmt_share(value)
    if low is not None and high is not None and (low, high) != (value, value):
        text += f" ({fmt_share(low)}-{fmt_share(high)})"
    return f"{text} {basis}"


def _edge_table(title: str, edges: list[EdgeItem], side: str) -> Table:
    """Explicit and flow edges in full, the largest inferred ones, then a count of the rest."""
    known = [e for e in edges if e.edge_kind != "inferred"]
    inferred = [e for e in edges if e.edge_kind == "inferred"]
    shown = known + inferred[:INFERRED_SHOWN]
    rows = []
    for e in shown:
        evidence = e.evidence or e.note or ""
        rows.append(
            (
                e.supplier_name if side == "supplier" else e.customer_name,
                e.group,
                e.edge_kind,
                _share_range(e.input_share, e.input_low, e.input_high, e.input_basis),
                _share_range(e.revenue_share, e.revenue_low, e.revenue_high, e.revenue_basis),
                f"{e.exposure:.2f}",
                "; ".join(e.sources),
                evidence if len(evidence) <= 120 else evidence[:119].rsplit(" ", 1)[0] + " …",
            )
        )
    table = _table(
        title,
        (
            side,
            "group",
            "kind",
            "input share",
            "revenue share",
            "exposure",
            "source",
            "evidence",
        ),
        rows,
    )
    if len(inferred) > INFERRED_SHOWN:
        table.caption = (
            f"{len(inferred) - INFERRED_SHOWN} more inferred edges (proportional sourcing, an "
            "assumption) in --json"
        )
    return table


def flow_amount_text(f: ProfileFlow) -> str:
    """A profile flow's amount: "$13B", a range, or "not disclosed" (never "n/a" or 0)."""
    if f.amount is None and f.low is None and f.high is None:
        return NOT_DISCLOSED
    return fmt_amount(f.amount, "usd_billion", f.low, f.high)


def _table(title: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> Table:
    """A titled table whose cells are plain text: atlas and overlay values are data, so a
    ``[/b]`` in a name prints as written instead of raising rich's MarkupError."""
    table = Table(title=Text(title), title_justify="left")  # a name in a title is data too
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*(Text(str(cell)) for cell in row))
    return table


def _share_text(s: ProfileShare) -> str:
    share = fmt_share(s.share)
    if s.low is not None and s.high is not None:
        share += f" ({fmt_share(s.low)}-{fmt_share(s.high)})"
    return share


def render_sourcelist(s: SourceList) -> Table:
    t = Table(title=f"Sources (atlas {s.atlas_version})", title_justify="left")
    t.add_column("id", overflow="fold")
    t.add_column("published")
    t.add_column("kind", overflow="fold")
    t.add_column("rows", justify="right")
    t.add_column("title / publisher / url or accession", overflow="fold", ratio=1)
    for x in s.sources:
        where = Text.assemble(
            (x.title, "bold"),
            f"\n{x.publisher}",
            (f"  {x.url or ''} {x.accession or ''}".rstrip(), "dim"),
        )
        t.add_row(Text(x.id), str(x.published), x.kind.value, str(x.cited_by), where)
    return t


def render_atlassummary(s: AtlasSummary) -> Group:
    totals = ", ".join(f"{n} {name}" for name, n in s.tables.items())
    t = Table(title="Per layer", title_justify="left")
    for col in ("layer", "companies", "flows", "figures", "sources"):
        t.add_column(col, justify="right" if col != "layer" else "left")
    for x in s.layers:
        t.add_row(Text(x.name), str(x.companies), str(x.flows), str(x.figures), str(x.sources))
    return Group(Text(f"atlas {s.atlas_version}: {totals}"), t)
