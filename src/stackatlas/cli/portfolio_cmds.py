"""``stackatlas portfolio ...``: map a holdings file onto the AI stack."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import typer

from stackatlas.cli.common import guarded
from stackatlas.cli.options import Output, OverlayOpt, load_atlas, with_output
from stackatlas.errors import ValidationError

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
        help="Holdings CSV: ticker + shares, weight or market value. Fidelity, Schwab, "
        "Vanguard and Interactive Brokers (Flex, activity statement) exports are recognised.",
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
    columns: str | None = typer.Option(
        None,
        "--columns",
        help="Map fields to your headers for other layouts: 'ticker=Ticker Symbol,shares=Units' "
        "(fields: ticker, shares, weight, market_value, price, account, description, currency).",
    ),
    decimal: str = typer.Option(
        "auto", "--decimal", help="Number style: auto (detect), point (1,234.56), comma (1.234,56)."
    ),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Refuse the file instead of skipping rows that are not positions (pending "
        "activity, rows without symbol or value, options) or adding up repeated tickers.",
    ),
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """Exposure by layer and segment, chokepoints, market risk and the profile gap table.

    Exposure needs only the file (weights, market values, or quantities with a price column);
    market risk needs daily price history (--prices DIR, or online with the prices extra)."""
    from stackatlas.portfolio import analyze_portfolio
    from stackatlas.portfolio.holdings import ReadOptions
    from stackatlas.portfolio.numbers import DecimalOption

    if decimal not in ("auto", "point", "comma"):
        raise ValidationError(f"--decimal must be auto, point or comma, not {decimal!r}")
    read_options = ReadOptions(strict=strict, columns=columns, decimal=cast(DecimalOption, decimal))

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
        read_options=read_options,
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
