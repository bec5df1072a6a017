"""Analyses of the stack: one function per question, each returning a result object with
``to_dict`` (JSON) and ``__rich__`` (terminal), its tables as DataFrames.

    profit_pools(atlas)            where the profit sits, by layer or segment, over the years
    explain_pool(pools, layer)     each company's part of a layer's cells, with its rule
    hyperscaler_capex(atlas)       capex vs operating cash flow of the hyperscalers
    evaluate_signals(atlas)        the watch list (record_snapshot stores a reading)
    audit_claims(atlas)            the atlas's figures checked against SEC filings
    flow_graph(atlas)              the money-flow graph (find_cycles, burn_destinations)
    market_concentration(atlas)    HHI per market; chokepoints(atlas): suppliers by reach
    project_lab(lab)               a model lab's cash path (sensitivity: breakeven grid)
    payback(atlas)                 what must be true: AI revenue the capex needs vs sourced

The names load on first use (PEP 562): a command that needs one analysis does not import the
others.
"""

import typing

from stackatlas import _lazy

# these two share their module's name: imported here, so the function (not the submodule the
# import system binds to the package) is what ``stackatlas.analysis.payback`` names
from stackatlas.analysis.payback import payback
from stackatlas.analysis.profit_pools import profit_pools

if typing.TYPE_CHECKING:
    from stackatlas.analysis.audit import AuditReport, audit_claims
    from stackatlas.analysis.burn import BurnDestinations, burn_destinations
    from stackatlas.analysis.capex import CapexTracker, hyperscaler_capex
    from stackatlas.analysis.concentration import (
        Chokepoints,
        Concentration,
        chokepoints,
        market_concentration,
    )
    from stackatlas.analysis.cycles import CycleReport, find_cycles
    from stackatlas.analysis.economics import (
        LabProjection,
        Sensitivity,
        available_labs,
        project_lab,
        sensitivity,
    )
    from stackatlas.analysis.flows import FlowGraph, flow_graph
    from stackatlas.analysis.payback import PaybackResult
    from stackatlas.analysis.pools_explain import PoolExplanation, explain_pool
    from stackatlas.analysis.profit_pools import ProfitPools
    from stackatlas.analysis.signal_defs import SignalDef, load_signal_definitions
    from stackatlas.analysis.signal_history import SignalReport, record_snapshot
    from stackatlas.analysis.signals import evaluate_signals

_LAZY = {
    "AuditReport": "stackatlas.analysis.audit",
    "BurnDestinations": "stackatlas.analysis.burn",
    "CapexTracker": "stackatlas.analysis.capex",
    "Chokepoints": "stackatlas.analysis.concentration",
    "Concentration": "stackatlas.analysis.concentration",
    "CycleReport": "stackatlas.analysis.cycles",
    "FlowGraph": "stackatlas.analysis.flows",
    "LabProjection": "stackatlas.analysis.economics",
    "PaybackResult": "stackatlas.analysis.payback",
    "PoolExplanation": "stackatlas.analysis.pools_explain",
    "ProfitPools": "stackatlas.analysis.profit_pools",
    "Sensitivity": "stackatlas.analysis.economics",
    "SignalDef": "stackatlas.analysis.signal_defs",
    "SignalReport": "stackatlas.analysis.signal_history",
    "audit_claims": "stackatlas.analysis.audit",
    "available_labs": "stackatlas.analysis.economics",
    "burn_destinations": "stackatlas.analysis.burn",
    "chokepoints": "stackatlas.analysis.concentration",
    "evaluate_signals": "stackatlas.analysis.signals",
    "explain_pool": "stackatlas.analysis.pools_explain",
    "find_cycles": "stackatlas.analysis.cycles",
    "flow_graph": "stackatlas.analysis.flows",
    "hyperscaler_capex": "stackatlas.analysis.capex",
    "load_signal_definitions": "stackatlas.analysis.signal_defs",
    "market_concentration": "stackatlas.analysis.concentration",
    "project_lab": "stackatlas.analysis.economics",
    "record_snapshot": "stackatlas.analysis.signal_history",
    "sensitivity": "stackatlas.analysis.economics",
}

__all__ = [
    "AuditReport",
    "BurnDestinations",
    "CapexTracker",
    "Chokepoints",
    "Concentration",
    "CycleReport",
    "FlowGraph",
    "LabProjection",
    "PaybackResult",
    "PoolExplanation",
    "ProfitPools",
    "Sensitivity",
    "SignalDef",
    "SignalReport",
    "audit_claims",
    "available_labs",
    "burn_destinations",
    "chokepoints",
    "evaluate_signals",
    "explain_pool",
    "find_cycles",
    "flow_graph",
    "hyperscaler_capex",
    "load_signal_definitions",
    "market_concentration",
    "payback",
    "profit_pools",
    "project_lab",
    "record_snapshot",
    "sensitivity",
]


__getattr__, __dir__ = _lazy.lazy_names(__name__, _LAZY, globals())
