"""``stackatlas pools | capex | signals | audit``: the money analyses of the stack.

Each command loads the atlas, opens the store read-only when it exists (SEC facts synced by
``stackatlas sync``; otherwise ``STACKATLAS_SEC_DIR`` is read), calls one library function and
renders its result (rich table, or ``--json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.text import Text

from stackatlas.cli.common import console, err_console, guarded, print_legend
from stackatlas.cli.options import (
    Output,
    OverlayOpt,
    ProviderOpt,
    load_atlas,
    make_resolver,
    open_store,
    with_output,
)
from stackatlas.errors import ValidationError


def register(app: typer.Typer) -> None:
    """Add ``pools``, ``capex``, ``signals`` and ``audit`` to app."""
    app.command("pools")(pools)
    app.command("capex")(capex)
    app.command("signals")(signals)
    app.command("audit")(audit)


@guarded
@with_output
def pools(
    by: Annotated[str, typer.Option(help="Group by 'layer' or 'segment'.")] = "layer",
    year: Annotated[
        str | None,
        typer.Option(
            help="One calendar year (e.g. 2025 or CY2025) or 'ttm'; default: the last 3 "
            "calendar years and TTM."
        ),
    ] = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Sum every company with data in each year (the set may change; marked) "
            "instead of one like-for-like panel per layer.",
        ),
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            metavar="LAYER",
            help="Show how one layer's (or, with --by segment, one segment's) cells are made: "
            "each company's part in the year shown, its rule, evidence and filing or weight.",
        ),
    ] = None,
    provider: ProviderOpt = None,
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """Profit pools by layer: revenue, operating income, margins, capex and free cash flow —
    the filings' own segment figures where reported, else estimates — on one like-for-like
    panel of companies per layer, with coverage and the change on the same companies."""
    from stackatlas.analysis.pools_explain import explain_pool
    from stackatlas.analysis.profit_pools import profit_pools
    from stackatlas.resolver.periods import period_label

    if year is not None:
        year = year.strip().upper().removeprefix("CY")
        if year != "TTM" and not year.isdigit():
            raise ValidationError(f"--year must be a calendar year or 'ttm', not {year!r}")
    atlas, store = load_atlas(atlas_overlay), open_store()
    result = profit_pools(
        atlas,
        by=by,
        year=year,
        store=store,
        view="full" if full else "panel",
        resolver=make_resolver(atlas, store, provider),
    )
    if explain is not None:
        out.show(explain_pool(result, explain, year if year is not None else None))
        if not out.machine:
            print_legend()
        return
    out.show(result)
    if out.machine:
        return
    if result.cells.empty:  # the note above says why; the reasons per company follow
        _print_not_covered(result.not_covered)
        return
    if line := result.coverage_line():
        console.print(f"[dim]{line} — per company: stackatlas coverage[/]", highlight=False)
    console.print(
        "[dim]margin, capex/rev: over the companies with both inputs; cov = share of the "
        "layer's companies, rev cov = share of its known revenue weight; Δ on the same "
        "companies in both years[/]"
    )
    shown = result.wide().iloc[0]["period"] if not result.cells.empty else None
    if year is None and (others := [p for p in result.periods if p != shown]):
        console.print(
            f"[dim]also computed: {', '.join(period_label(p) for p in others)} (choose with "
            "--year; all periods in --json)[/]",
            highlight=False,
        )
    if by == "layer" and not result.thesis.empty:
        console.print(_thesis_table(result))
    _print_not_covered(result.not_covered)
    print_legend()


def _print_not_covered(not_covered: dict[str, str]) -> None:
    if not_covered:
        console.print(
            f"[dim]{len(not_covered)} companies without data "
            f"(not counted, never zero): {', '.join(sorted(not_covered))}[/]"
        )
        _print_unusual_reasons(not_covered)


def _print_unusual_reasons(not_covered: dict[str, str]) -> None:
    """Reasons other than 'not an SEC filer' / 'not synced' (e.g. an unreadable file)."""
    from stackatlas.analysis.metric_inputs import NO_FACTS

    for cid, reason in sorted(not_covered.items()):
        if reason != NO_FACTS and not reason.startswith("no SEC CIK"):
            console.print(f"[yellow]{escape(cid)}: {escape(reason)}[/]")


def _thesis_table(result):
    from rich.table import Table

    from stackatlas.charts.theme import rich_style
    from stackatlas.display import fmt_money, fmt_pct

    thesis = result.thesis
    period = result.wide().iloc[0]["period"]
    sub = thesis[thesis["period"] == period]
    from stackatlas.resolver.periods import period_label

    table = Table(
        title=f"Where the profit sits, {period_label(period)}: share of operating income vs "
        "share of revenue"
    )
    for col in (
        "",
        "layer",
        "revenue share",
        "op. profit share",
        "capex / revenue",
        "profit per $ of end-user revenue",
        "cov",
        "rev cov",
    ):
        table.add_column(col, justify="left" if col in ("", "layer") else "right")
    table.caption = (
        "shares of the layers' sums over their panels: a layer with low coverage holds only "
        "part of its companies, so its share is a floor, not an answer"
    )
    for r in sub.itertuples():
        table.add_row(
            r.symbol,
            Text(str(r.layer), style=rich_style(r.layer, bold=False)),
            fmt_pct(r.revenue_share),
            fmt_pct(r.operating_profit_share),
            fmt_pct(r.capex_intensity),
            fmt_money(r.profit_per_end_user_dollar),
            fmt_pct(r.coverage),
            fmt_pct(r.revenue_coverage),
        )
    return table


@guarded
@with_output
def capex(
    period: Annotated[
        str,
        typer.Option(help="'annual' (calendar years + TTM) or 'quarterly' (calendar quarters)."),
    ] = "annual",
    provider: ProviderOpt = None,
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """Hyperscaler capex vs operating cash flow (Amazon, Microsoft, Alphabet, Meta, Oracle),
    the AI share as an estimate, group totals, and the article's claims beside the filings."""
    from stackatlas.analysis.capex import hyperscaler_capex

    atlas, store = load_atlas(atlas_overlay), open_store()
    result = hyperscaler_capex(
        atlas, period=period, store=store, resolver=make_resolver(atlas, store, provider)
    )
    out.show(result)
    if not out.machine:
        for line in result.coverage_lines()[-len(result.coverage["group"].unique()) :]:
            console.print(f"[dim]{line} — stackatlas coverage[/]", highlight=False)
    if result.not_covered and not out.machine:
        console.print(
            f"[dim]no SEC data: {', '.join(sorted(result.not_covered))} — group "
            "totals are unresolved; '(partial)' rows sum the members with data[/]"
        )
        _print_unusual_reasons(result.not_covered)


@guarded
@with_output
def signals(
    since: Annotated[
        str | None, typer.Option(help="Compare with a snapshot: 'last-sync' or a date YYYY-MM-DD.")
    ] = None,
    record: Annotated[
        bool,
        typer.Option(
            "--record", help="Store the current readings as a snapshot (metric_snapshots)."
        ),
    ] = False,
    file: Annotated[
        Path | None,
        typer.Option(help="Extra signals YAML (same shape as the shipped list; same id replaces)."),
    ] = None,
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """The watch list: capex / OCF, negative free cash flow, Nvidia margin, lab burn, revenue
    gap, debt-financed capex — value, previous value, thresholds, status and evidence."""
    from stackatlas.analysis.signal_history import record_snapshot
    from stackatlas.analysis.signals import evaluate_signals
    from stackatlas.store import Store

    atlas = load_atlas(atlas_overlay)
    store = Store() if record else open_store()
    try:
        report = evaluate_signals(atlas, store=store, since=since, file=file)
        if record and store is not None:
            snap = record_snapshot(store, atlas, file=file)
            err_console.print(
                f"[dim]recorded snapshot {snap['sync_id'].iloc[0]} ({len(snap)} signals)[/]",
                highlight=False,
            )
    finally:
        if store is not None:
            store.close()
    out.show(report)
    if not out.machine:
        print_legend()


@guarded
@with_output
def audit(
    status: Annotated[
        str | None, typer.Option(help="Show only 'match', 'differs' or 'not-checkable'.")
    ] = None,
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """Check every atlas figure that SEC filings can recompute: match / differs (with the
    likely reason) / not checkable (why). Claims are shown as stated, never overwritten."""
    from stackatlas.analysis.audit import audit_claims

    report = audit_claims(load_atlas(atlas_overlay), store=open_store(), status=status)
    out.show(report)
    if report.status is not None and not out.machine:  # the title counts only the rows shown
        totals, wanted = report.totals, report.status
        console.print(
            f"[dim]showing {wanted} only; all figures: {totals.get('match', 0)} "
            f"match, {totals.get('differs', 0)} differ, "
            f"{totals.get('not checkable', 0)} not checkable[/]",
            highlight=False,
        )
