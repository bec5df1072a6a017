"""``stackatlas mcp``: the Model Context Protocol server over stdio (the ``[mcp]`` extra)."""

from __future__ import annotations

import typer

from stackatlas.cli.common import guarded
from stackatlas.cli.options import OverlayOpt
from stackatlas.errors import DataUnavailableError


def register(app: typer.Typer) -> None:
    """Add ``mcp`` to app."""
    app.command("mcp")(mcp)


@guarded
def mcp(atlas_overlay: OverlayOpt = None) -> None:
    """Serve stackatlas's read-only analyses to AI assistants over the Model Context Protocol
    (stdio): stack map, company profile, fundamentals, pools, capex, flows, concentration,
    signals, audit, scenarios and portfolio analysis, each with evidence and sources."""
    try:
        import mcp.server.mcpserver  # noqa: F401
    except ImportError:
        raise DataUnavailableError(
            "the MCP server needs the mcp package: pip install 'stackatlas[mcp]'"
        ) from None
    from stackatlas.mcp_server import serve_stdio

    if atlas_overlay is None:
        serve_stdio()  # the atlas is loaded on first use (STACKATLAS_ATLAS_OVERLAY applies)
    else:
        from stackatlas.atlas.loader import load_atlas

        serve_stdio(load_atlas(atlas_overlay))  # a bad overlay fails here, located
