"""``stackatlas portfolio ...``: map a holdings file onto the AI stack."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from stackatlas.cli.common import console, emit_json, err_console, guarded
from stackatlas.errors import NotFoundError, StackAtlasError, ValidationError

portfolio_app = typer.Typer(
    help="Map your holdings onto the five layers (educational, not investment advice).",
    no_args_is_help=True,
)


@portfolio_app.command("analyze")
@guarded
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
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Exposure by layer and segment, chokepoints, market risk and the profile gap table."""
    from stackatlas.portfolio import analyze_portfolio

    try:
        report = analyze_portfolio(
            file,
            profile=profile,
            prices_dir=prices,
            scenario=scenario,
            etf_holdings=list(etf_holdings or []),
            benchmark=benchmark,
            years=years,
            draws=draws,
        )
    except StackAtlasError as exc:
        # escape: problem locations look like "file:3 [shares]", which rich reads as markup
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        code = 2 if isinstance(exc, ValidationError | NotFoundError) else 1
        raise typer.Exit(code) from None
    if as_json:
        emit_json(report.to_dict())
    else:
        console.print(report)


@portfolio_app.command("profiles")
@guarded
def profiles(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """The article's five levels with their risks and the three profiles' target ranges."""
    from stackatlas.atlas import load_atlas
    from stackatlas.portfolio.profiles import profiles_view

    view = profiles_view(load_atlas())
    if as_json:
        emit_json(view.to_dict())
    else:
        console.print(view)


def register(app: typer.Typer) -> None:
    """Add the ``portfolio`` command group."""
    app.add_typer(portfolio_app, name="portfolio")
