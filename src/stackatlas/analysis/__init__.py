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
"""

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
from stackatlas.analysis.payback import PaybackResult, payback
from stackatlas.analysis.pools_explain import PoolExplanation, explain_pool
from stackatlas.analysis.profit_pools import ProfitPools, profit_pools
from stackatlas.analysis.signal_defs import SignalDef, load_signal_definitions
from stackatlas.analysis.signal_history import SignalReport, record_snapshot
from stackatlas.analysis.signals import evaluate_signals

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
