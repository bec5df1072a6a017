"""``stackatlas run``: the main job behind ``make run``.

For now: build or refresh the store from the shipped atlas (plus any overlay), then print the
stack map and a per-layer summary. Later issues extend it with sync and report steps.
"""

from __future__ import annotations

from typing import Annotated

import typer

from stackatlas.atlas import load_atlas
from stackatlas.atlas.views import atlas_summary, stack_map
from stackatlas.cli.atlas_cmds import JsonOpt, OverlayOpt
from stackatlas.cli.common import console, emit_json, guarded
from stackatlas.store import Store


def run_cmd(atlas_overlay: OverlayOpt = None, as_json: JsonOpt = False,
            quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                                help="Summary only, no stack map.")] = False
            ) -> None:
    """Build / refresh the store from the atlas and print the stack map and a summary."""
    atlas = load_atlas(atlas_overlay)
    with Store() as store:
        loaded = store.ensure_atlas(atlas)
        path = store.path
    summary = atlas_summary(atlas)
    if as_json:
        emit_json({"store": str(path), "atlas_version": atlas.version, "loaded": loaded,
                   "summary": summary.to_dict(), "map": stack_map(atlas).to_dict()})
        return
    if not quiet:
        console.print(stack_map(atlas))
    state = "loaded into" if loaded else "already up to date in"
    console.print(f"atlas {atlas.version} {state} {path}")
    console.print(summary)


def register(app: typer.Typer) -> None:
    """Add ``run`` to ``app``."""
    app.command("run")(guarded(run_cmd))
