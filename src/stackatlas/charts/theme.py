"""The look shared by every stackatlas chart, page and terminal table.

One layer palette (``LAYER_COLORS``: plotly figures, the web pages and the report use the hex
colours, rich tables the same colours through ``rich_style``), the series / status / band
colours, one plotly template, the title convention (``title`` plus an optional ``<sup>``
subtitle; the plain text is the chart's aria-label) and the JSON-safe embedding of a figure in
an HTML page. Nothing here imports plotly, so terminal code can use the palette cheaply.
"""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import plotly.graph_objects as go

LAYERS = ("energy", "chips", "cloud", "models", "applications")
LAYER_COLORS = {
    "energy": "#f2a900",
    "chips": "#76b900",
    "cloud": "#0078d4",
    "models": "#8e44ad",
    "applications": "#e4572e",
}
OTHER_COLOR = "#7f7f7f"
ROOT_COLOR = "#f0f0f0"  # the centre of a sunburst
# series that are not layers (companies, baskets, metrics), in drawing order
SERIES_COLORS = (
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#e45756",
    "#72b7b2",
    "#b279a2",
    "#ff9da6",
    "#9d755d",
    "#bab0ac",
    "#eeca3b",
)
GOOD, WARN, BAD, NEUTRAL, INK = "#2ca02c", "#ff7f0e", "#d62728", "#9e9e9e", "#222222"
STATUS_COLORS = {"ok": GOOD, "watch": WARN, "alert": BAD, "unresolved": NEUTRAL}
# light backgrounds of the ok / watch / alert zones of a gauge
ZONE_TINTS = {"ok": "#e8f5e9", "watch": "#fff3e0", "alert": "#ffebee"}
# hatched = resting on estimates (the same pattern on every chart)
ESTIMATE_PATTERN = {"shape": "/", "fillmode": "overlay"}
TEMPLATE = "plotly_white"
PAGE_MARGIN = {"t": 70, "l": 60, "r": 30, "b": 50}

_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def layer_color(layer: Any, fallback: str = OTHER_COLOR) -> str:
    """The hex colour of a layer id (``fallback`` for anything that is not a layer)."""
    return LAYER_COLORS.get(str(layer), fallback) if layer is not None else fallback


def series_color(i: int) -> str:
    """The ``i``-th colour for series that are not layers."""
    return SERIES_COLORS[i % len(SERIES_COLORS)]


def rgba(color: str, alpha: float) -> str:
    """``#rrggbb`` as ``rgba(r, g, b, alpha)``."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha:.3f})"


def rich_style(layer: Any, bold: bool = True) -> str:
    """The rich style of a layer's name in terminal tables and trees (its palette colour)."""
    return ("bold " if bold else "") + layer_color(layer, "default")


def titled(title: str, subtitle: str = "") -> dict[str, str]:
    """A plotly title: the headline, and a smaller second line when ``subtitle`` is given."""
    return {"text": title + (f"<br><sup>{subtitle}</sup>" if subtitle else "")}


def styled(fig: go.Figure, title: str, subtitle: str = "", **layout: Any) -> go.Figure:
    """Apply the house template and title (plus any other layout keys) and return ``fig``."""
    fig.update_layout(template=TEMPLATE, title=titled(title, subtitle), **layout)
    return fig


def plain_title(fig: go.Figure, default: str = "") -> str:
    """A figure's title as plain text (tags dropped): the chart's aria-label."""
    return re.sub(r"<[^>]+>", " ", fig.layout.title.text or default).strip()


def safe_json(text: str) -> str:
    """JSON text that cannot break out of an HTML ``<script>`` element (``<``, ``>``, ``&``
    and the JS line separators escaped as ``\\u003c`` ...)."""
    return text.translate(_JSON_ESCAPES)


@dataclass(frozen=True)
class Chart:
    """A figure ready for a page: ``id`` names the data block, ``json`` is safe to inline."""

    id: str
    json: str
    caption: str = ""
    title: str = ""  # plain text of the figure title (aria-label)


def chart(chart_id: str, fig: go.Figure, caption: str = "") -> Chart:
    """``fig`` sized for a page and serialised for a ``<script type="application/json">``."""
    fig.update_layout(margin=PAGE_MARGIN, autosize=True)
    return Chart(chart_id, safe_json(fig.to_json()), caption, plain_title(fig, chart_id))


def plotly_js() -> bytes:
    """plotly.js from the installed plotly package (pages and the report never use a CDN)."""
    return (importlib.resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
