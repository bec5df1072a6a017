"""``stackatlas supplychain``: the chip supply chain from the CSET/ETO dataset.

Thin layer: resolve the ETO folder (``--eto`` / STACKATLAS_ETO_DIR / config.toml), call
``supplychain.view.supply_chain`` and render it (rich, or ``--json``). Without a configured
folder the command says how to get the data and exits 2.
"""

from __future__ import annotations

from typing import Annotated

import typer

from stackatlas.cli.common import guarded
from stackatlas.cli.options import EtoOpt, Output, OverlayOpt, load_atlas, with_output


def register(app: typer.Typer) -> None:
    """Add ``supplychain`` to app."""
    app.command("supplychain")(supplychain)


@guarded
@with_output
def supplychain(
    input_: Annotated[
        str | None,
        typer.Option("--input", help="One input by id or name (e.g. 'EUV lithography tools')."),
    ] = None,
    provider: Annotated[
        str | None, typer.Option(help="A firm or country provider (e.g. ASML, Disco, JPN).")
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(help="A country (ISO code or name): its share of each stage and input."),
    ] = None,
    stage: Annotated[
        str | None, typer.Option(help="Only inputs of a stage: design, fabrication, assembly.")
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="Shares of this year instead of the latest per input.")
    ] = None,
    exposed: Annotated[
        str | None,
        typer.Option(
            help="Only inputs whose path reaches this atlas company (id, ticker or name), "
            "e.g. nvidia: the chokepoints under it."
        ),
    ] = None,
    eto: EtoOpt = None,
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """The chip supply chain below the chips layer (CSET/ETO data): per input firm and
    country shares, HHI, CR1/CR3, remainder, market size, year and source; chokepoints (one
    firm or country >= 50%) with their path to AI outputs and the atlas companies exposed."""
    from stackatlas.supplychain import load_eto
    from stackatlas.supplychain.view import supply_chain

    view = supply_chain(
        load_eto(eto),
        load_atlas(atlas_overlay),
        input=input_,
        provider=provider,
        country=country,
        stage=stage,
        year=year,
        exposed=exposed,
    )
    out.show(view)
