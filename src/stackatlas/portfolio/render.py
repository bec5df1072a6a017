"""Rich rendering of a ``PortfolioReport`` (terminal and notebook)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from stackatlas.charts.theme import rich_style
from stackatlas.display import fmt_num, fmt_pct
from stackatlas.portfolio.profiles import gap_sentences

if TYPE_CHECKING:
    from stackatlas.portfolio.report import PortfolioReport


def _add(table: Table, *cells: object) -> None:
    """Add a row whose strings are plain text: tickers and names come from the user's file, and
    rich markup in them (``[/bold]``) must print as written, never raise."""
    table.add_row(*(Text(c) if isinstance(c, str) else c for c in cells))  # type: ignore[arg-type]


def _layers(report: PortfolioReport) -> Table:
    t = Table(title=f"Exposure by layer — profile {report.profile.name}", title_justify="left")
    for col in ("layer", "level", "exposure", "of stack", "target", "status"):
        t.add_column(col, justify="left" if col in {"layer", "level", "status"} else "right")
    gaps = report.gaps.set_index("layer") if len(report.gaps) else pd.DataFrame()
    for r in report.layers.itertuples(index=False):
        if r.level is not None and not pd.isna(r.level):
            g = gaps.loc[r.layer]
            style = {"below": "yellow", "above": "red"}.get(g["status"], "green")
            _add(
                t,
                Text(r.layer, style=rich_style(r.layer, bold=False)),
                f"{int(r.level)} {r.level_name}",
                fmt_pct(r.exposure, 1),
                fmt_pct(r.stack_share, 1),
                f"{g['target_min']:.0%}-{g['target_max']:.0%}",
                Text(
                    f"{g['status']} {g['gap'] * 100:+.0f} pts" if g["gap"] else str(g["status"]),
                    style=style,
                ),
            )
        else:
            _add(t, Text(r.layer, style="dim"), "", fmt_pct(r.exposure, 1), "", "", "")
    return t


def _top(report: PortfolioReport) -> Table:
    t = Table(
        title=f"Top names (HHI {report.hhi:.3f}, "
        f"≈{fmt_num(report.effective_names, '.1f')} equal names)",
        title_justify="left",
    )
    for col in ("name", "layer", "weight", "direct", "via funds"):
        t.add_column(col, justify="right" if col in {"weight", "direct", "via funds"} else "left")
    for r in report.top_names.itertuples(index=False):
        layer = r.primary_layer if isinstance(r.primary_layer, str) else "—"  # NaN: unknown
        shares = (fmt_pct(v, 1) for v in (r.weight, r.direct, r.via_funds))
        _add(t, str(r.name), layer, *shares)
    return t


def _chokepoints(report: PortfolioReport) -> Table:
    t = Table(title="Chokepoint dependence", title_justify="left")
    for col in ("chokepoint", "markets", "depends", "direct", "downstream", "through"):
        t.add_column(col, justify="right" if col in {"depends", "direct", "downstream"} else "left")
    for r in report.chokepoints.itertuples(index=False):
        if r.exposure <= 0:
            continue
        through = ", ".join(r.holders[:4]) + (" …" if len(r.holders) > 4 else "")
        _add(
            t,
            r.name,
            r.markets,
            fmt_pct(r.exposure, 0),
            fmt_pct(r.direct, 0),
            fmt_pct(r.downstream, 0),
            through,
        )
    return t


def _risk(report: PortfolioReport) -> Table:
    risk = report.risk
    assert risk is not None
    t = Table(
        title=f"Market risk (benchmark {risk.benchmark or 'none: no beta'})", title_justify="left"
    )
    for col in ("basket", "weights", "n", "return/yr", "vol/yr", "max DD", "beta", "period"):
        t.add_column(col, justify="left" if col in {"basket", "weights", "period"} else "right")
    for r in risk.stats.itertuples(index=False):
        _add(
            t,
            r.name,
            r.weighting,
            str(r.members),
            fmt_pct(r.ann_return, 1),
            fmt_pct(r.ann_volatility, 1),
            fmt_pct(r.max_drawdown, 1),
            fmt_num(r.beta, ".2f"),
            f"{r.start}..{r.end}",
        )
    return t


def _correlation(report: PortfolioReport) -> Table:
    corr = report.risk.correlation if report.risk is not None else pd.DataFrame()
    t = Table(title="Correlation of daily returns", title_justify="left")
    t.add_column("")
    short = [str(c).replace(" (equal)", "").replace("benchmark ", "") for c in corr.columns]
    for name in short:
        t.add_column(name, justify="right")
    for label, row in zip(short, corr.to_numpy(), strict=True):
        _add(t, label, *(fmt_num(float(v), ".2f") for v in row))
    return t


def _scenario(report: PortfolioReport) -> Table:
    sc = report.scenario
    assert sc is not None
    t = Table(
        title="Scenario profit at risk: % of the holdings' baseline profit over the horizon "
        "(position-weighted, > 0 = loss)",
        title_justify="left",
    )
    for col in ("scenario", "quarters", "profit at risk", "p5", "p50", "p95", "covered"):
        t.add_column(col, justify="left" if col == "scenario" else "right")
    for r in sc.summary.itertuples(index=False):
        _add(
            t,
            r.scenario,
            str(r.horizon_quarters),
            fmt_pct(r.profit_at_risk, 1),
            fmt_pct(r.p5, 1),
            fmt_pct(r.p50, 1),
            fmt_pct(r.p95, 1),
            fmt_pct(r.covered, 0),
        )
    return t


def render_report(report: PortfolioReport) -> Group:
    parts: list[object] = [Text(report.disclaimer, style="bold yellow"), _layers(report)]
    gaps = gap_sentences(report.gaps, report.profile)
    parts.append(
        Text(
            ("Gaps to the profile:\n  " + "\n  ".join(gaps))
            if gaps
            else f"Within every {report.profile.name.lower()} range.",
            style="yellow",
        )
    )
    if len(report.top_names):
        parts.append(_top(report))
    if len(report.chokepoints) and (report.chokepoints["exposure"] > 0).any():
        parts.append(_chokepoints(report))
    if report.risk is not None:
        parts.append(_risk(report))
        if len(report.risk.correlation) > 1:
            parts.append(_correlation(report))
    if report.scenario is not None:
        parts.append(_scenario(report))
    for f in report.funds:
        parts.append(
            Text(
                f"Looked through {f['fund']} ({f['name'] or 'fund'}): {f['constituents']} "
                f"constituents covering {f['covered_weight']:.1%} of the fund, cash/derivatives "
                f"{f['cash_weight']:.2%}, holdings as of {f['as_of'] or 'unknown date'} "
                f"(source: {f['source']})",
                style="cyan",
            )
        )
    if report.unknown_in_funds:
        tickers = ", ".join(sorted({r.ticker for r in report.unknown_in_funds}))
        parts.append(
            Text(
                f"Fund constituents not in the atlas (counted as unmapped): {tickers}",
                style="yellow",
            )
        )
    if report.unknown:
        lines = [r.message for r in report.unknown]
        parts.append(
            Text("Unknown tickers (not analysed):\n  " + "\n  ".join(lines), style="yellow")
        )
    notes = (
        report.notes
        + (report.risk.notes if report.risk else [])
        + (report.scenario.notes if report.scenario else [])
    )
    if notes:
        parts.append(Text("Notes:\n  " + "\n  ".join(notes), style="dim"))
    return Group(*parts)  # type: ignore[arg-type]
