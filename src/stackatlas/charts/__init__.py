"""Every figure stackatlas draws: one module per subject over one theme.

    atlas      stack_map_figure                      the layer -> segment -> company sunburst
    infra      power_by_year, compute_by_supplier    the physical stack (Epoch AI clusters)
    money      profit_pool_chart, capex_ocf_chart, lab_cash_chart, fundamentals_figure
    network    flow_sankey, cycle_panel, hhi_bars    money flows, loops, market concentration
    payback    payback_gap_chart, sensitivity_heatmap   what must be true (the payback gap)
    scenarios  impact_by_layer, fan_chart, scenarios_summary, write_html
    supplychain supply_chain_sankey                  stages -> chip inputs -> AI outputs (ETO)
    sweeps     sweep_tornado, write_sweep_html       what moves a scenario sweep's tail
    portfolio  exposure_sunburst, risk_return_scatter, drawdown_lines
    watch      signals_figure, audit_figure          the watch list and the claims audit
    theme      the layer palette, template, titles, JSON-safe embedding (``chart``)

Plotly is imported in this package and nowhere else. The figure functions load on first use
(PEP 562), so code that only needs the palette (terminal tables) does not import plotly.
"""

import typing

from stackatlas import _lazy
from stackatlas.charts.theme import LAYER_COLORS, Chart, chart, layer_color, rich_style

if typing.TYPE_CHECKING:
    from stackatlas.charts.atlas import stack_map_figure
    from stackatlas.charts.infra import compute_by_supplier, power_by_year
    from stackatlas.charts.money import (
        capex_ocf_chart,
        fundamentals_figure,
        lab_cash_chart,
        profit_pool_chart,
    )
    from stackatlas.charts.network import cycle_panel, flow_sankey, hhi_bars
    from stackatlas.charts.payback import payback_gap_chart, sensitivity_heatmap
    from stackatlas.charts.portfolio import drawdown_lines, exposure_sunburst, risk_return_scatter
    from stackatlas.charts.scenarios import (
        fan_chart,
        impact_by_layer,
        scenarios_summary,
        write_html,
    )
    from stackatlas.charts.supplychain import supply_chain_sankey
    from stackatlas.charts.sweeps import sweep_tornado, write_sweep_html
    from stackatlas.charts.watch import audit_figure, signals_figure

_FIGURES = {
    "stack_map_figure": "atlas",
    "compute_by_supplier": "infra",
    "power_by_year": "infra",
    "capex_ocf_chart": "money",
    "fundamentals_figure": "money",
    "lab_cash_chart": "money",
    "profit_pool_chart": "money",
    "cycle_panel": "network",
    "flow_sankey": "network",
    "hhi_bars": "network",
    "payback_gap_chart": "payback",
    "sensitivity_heatmap": "payback",
    "drawdown_lines": "portfolio",
    "exposure_sunburst": "portfolio",
    "risk_return_scatter": "portfolio",
    "fan_chart": "scenarios",
    "impact_by_layer": "scenarios",
    "scenarios_summary": "scenarios",
    "write_html": "scenarios",
    "supply_chain_sankey": "supplychain",
    "sweep_tornado": "sweeps",
    "write_sweep_html": "sweeps",
    "audit_figure": "watch",
    "signals_figure": "watch",
}

__all__ = [
    "LAYER_COLORS",
    "Chart",
    "audit_figure",
    "capex_ocf_chart",
    "chart",
    "compute_by_supplier",
    "cycle_panel",
    "drawdown_lines",
    "exposure_sunburst",
    "fan_chart",
    "flow_sankey",
    "fundamentals_figure",
    "hhi_bars",
    "impact_by_layer",
    "lab_cash_chart",
    "layer_color",
    "payback_gap_chart",
    "power_by_year",
    "profit_pool_chart",
    "rich_style",
    "risk_return_scatter",
    "scenarios_summary",
    "sensitivity_heatmap",
    "signals_figure",
    "stack_map_figure",
    "supply_chain_sankey",
    "sweep_tornado",
    "write_html",
    "write_sweep_html",
]


__getattr__, __dir__ = _lazy.lazy_names(
    __name__, {name: f"stackatlas.charts.{module}" for name, module in _FIGURES.items()}, globals()
)
