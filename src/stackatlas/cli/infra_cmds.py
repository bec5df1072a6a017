"""``stackatlas infra``: the physical stack from Epoch AI's GPU-cluster data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stackatlas.cli.common import guarded, print_legend
from stackatlas.cli.options import Output, OverlayOpt, load_atlas, with_output

EpochOpt = Annotated[
    Path | None,
    typer.Option(
        "--epoch",
        help="Folder with Epoch AI's epoch_gpu_clusters.csv (else STACKATLAS_EPOCH_DIR or "
        "[epoch] dir in config.toml).",
        file_okay=False,
        dir_okay=True,
    ),
]


def register(app: typer.Typer) -> None:
    """Add ``infra`` to app."""
    app.command("infra")(infra)


@guarded
@with_output
def infra(
    epoch: EpochOpt = None,
    utilization: Annotated[
        float,
        typer.Option(help="Average draw / stated power for the energy estimate (assumption)."),
    ] = 0.7,
    basis: Annotated[
        str,
        typer.Option(
            help="'standard': Epoch's standard-analysis clusters; 'all': every existing "
            "cluster that is not a possible duplicate."
        ),
    ] = "standard",
    top: Annotated[int, typer.Option(min=1, max=200, help="Owners and countries shown.")] = 15,
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """The physical stack: AI cluster power (GW), H100-equivalents, energy and hardware cost
    by year, owner, country and chip supplier, from Epoch AI's GPU-cluster data (CC BY 4.0);
    operating and planned clusters kept apart."""
    from stackatlas.infra import infra_summary, load_clusters

    summary = infra_summary(
        load_atlas(atlas_overlay),
        load_clusters(epoch),
        utilization=utilization,
        basis=basis,  # type: ignore[arg-type]
        top=top,
    )
    out.show(summary)
    if not out.machine:
        print_legend()
