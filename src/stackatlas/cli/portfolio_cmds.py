"""``stackatlas portfolio ...``: map a holdings file onto the AI stack."""

from __future__ import annotations

from pathlib import Path

import typer

from stackatlas.cli.common import guarded
from stackatlas.cli.options import Output, OverlayOpt, load_atlas, with_output

portfolio_app = typer.Typer(
    help="Map your holdings onto the five layers (educational, not investment advice).",
    no_args_is_help=True,
)


@portfolio_app.command("analyze")
@guarded
@with_output
def analyze(
    file: Path = typer.Argument(
        ...,
        help="Holdings CSV: ticker + shares, weight or market value "
        "(broker exports with Symbol / Quantity / Market Value work).",
    ),
    profile: str = typer.Option("balanced", help="conservative, balanced or aggressive."),
    prices: Path | None = typer.Option(
        None,
        "--prices",
        help="Folder of daily price CSVs (Date + Close / Adj Close) for offline risk figures.",
    ),
    scenario: str | None = typer.Option(None, help="Scenario name for profit at risk, or 'all'."),
    etf_holdings: list[str] | None = typer.Option(
        None,
        "--etf-holdings",
        help="Fund holdings file for look-through: TICKER=FILE or FILE "
        "(ticker taken from the file name). Repeatable.",
    ),
    benchmark: str = typer.Option("SPY", help="Benchmark ticker for beta."),
    years: float = typer.Option(3.0, help="Risk window: the last N years of prices."),
    draws: int = typer.Option(0, help="Monte Carlo draws for --scenario (0 = point estimate)."),
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """Exposure by layer and segment, chokepoints, market risk and the profile gap table."""
    from stackatlas.portfolio import analyze_portfolio

    report = analyze_portfolio(
        file,
        atlas=load_atlas(atlas_overlay),
        profile=profile,
        prices_dir=prices,
        scenario=scenario,
        etf_holdings=list(etf_holdings or []),
        benchmark=benchmark,
        years=years,
        draws=draws,
    )
    out.show(report)


@portfolio_app.command("profiles")
@guarded
@with_output
def profiles(atlas_overlay: OverlayOpt = None, *, out: Output) -> None:
    """The article's five levels with their risks and the three profiles' target ranges."""
    from stackatlas.portfolio.profiles import profiles_view

    out.show(profiles_view(load_atlas(atlas_overlay)))


def register(app: typer.Typer) -> None:
    """Add the ``portfolio`` command group."""
    app.add_typer(portfolio_app, name="portfolio")
