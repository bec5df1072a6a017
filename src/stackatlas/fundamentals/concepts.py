"""The standard metrics and, for each, its ordered candidate XBRL concepts.

This is the one table that decides which concept feeds which metric (the README shows the same
table). Resolution is per period: for every fiscal period the first candidate (in the order
below) that has a value for exactly that period wins; a lower-priority candidate is used only for
periods where no higher one reports, and such rows say ``fallback: <Concept>``.

Conventions
- ``kind``: ``duration`` (flows over a period: income and cash-flow items) or ``instant``
  (balances at the period end: cash, debt, assets, shares).
- ``unit``: ``money`` (any ISO currency, converted to USD by :mod:`fx`) or ``shares``.
- ``sign``: multiplier applied to the reported value. Every candidate below is reported with the
  sign the metric uses, so all are +1: capex is a positive outflow (``PaymentsToAcquire...``,
  IFRS ``PurchaseOf...``), costs and expenses are positive amounts, income may be negative.
- ``formula``: metrics computed from other metrics when no candidate reports the period
  (``gross_profit = revenue - cost_of_revenue``, ``free_cash_flow = operating_cash_flow -
  capex``, ``sga = selling/marketing + general/administrative``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

USGAAP = "us-gaap"
IFRS = "ifrs-full"
DEI = "dei"


@dataclass(frozen=True)
class MetricSpec:
    """One standard metric: its candidates in priority order and how to read them."""

    name: str
    kind: str  # "duration" | "instant"
    unit: str  # "money" | "shares"
    candidates: tuple[tuple[str, str], ...]  # (taxonomy, concept), best first
    formula: tuple[tuple[int, str], ...] = ()  # (sign, metric) terms used when nothing reports
    sign: int = 1
    note: str = ""
    public: bool = True  # False for helper components that are not shown on their own

    @property
    def formula_text(self) -> str:
        parts = []
        for i, (sgn, name) in enumerate(self.formula):
            op = ("- " if sgn < 0 else "+ ") if i else ("-" if sgn < 0 else "")
            parts.append(f"{op}{name}")
        return " ".join(parts)


def _m(
    name: str,
    kind: str,
    unit: str,
    gaap: list[str],
    ifrs: list[str],
    dei: tuple[str, ...] = (),
    **kw,
) -> MetricSpec:
    cands = (
        tuple((USGAAP, c) for c in gaap)
        + tuple((IFRS, c) for c in ifrs)
        + tuple((DEI, c) for c in dei)
    )
    return MetricSpec(name, kind, unit, cands, **kw)


_SPECS = [
    _m(
        "revenue",
        "duration",
        "money",
        [
            "Revenues",
            "RevenueFromContractWithCustomerExcludingAssessedTax",
            "RevenueFromContractWithCustomerIncludingAssessedTax",
            "SalesRevenueNet",
            "SalesRevenueGoodsNet",
        ],
        ["Revenue", "RevenueFromContractsWithCustomers"],
        note="total revenue; Revenues first because it is the total where both are tagged",
    ),
    _m(
        "cost_of_revenue",
        "duration",
        "money",
        ["CostOfRevenue", "CostOfGoodsAndServicesSold", "CostOfGoodsSold", "CostOfServices"],
        ["CostOfSales"],
    ),
    _m(
        "gross_profit",
        "duration",
        "money",
        ["GrossProfit"],
        ["GrossProfit"],
        formula=((1, "revenue"), (-1, "cost_of_revenue")),
    ),
    _m(
        "operating_income",
        "duration",
        "money",
        ["OperatingIncomeLoss"],
        ["ProfitLossFromOperatingActivities"],
    ),
    _m(
        "net_income",
        "duration",
        "money",
        ["NetIncomeLoss", "ProfitLoss", "NetIncomeLossAvailableToCommonStockholdersBasic"],
        ["ProfitLossAttributableToOwnersOfParent", "ProfitLoss"],
        note="attributable to the parent where tagged",
    ),
    _m(
        "research_development",
        "duration",
        "money",
        [
            "ResearchAndDevelopmentExpense",
            "ResearchAndDevelopmentExpenseExcludingAcquiredInProcessCost",
        ],
        ["ResearchAndDevelopmentExpense"],
    ),
    _m(
        "sga",
        "duration",
        "money",
        ["SellingGeneralAndAdministrativeExpense"],
        ["SellingGeneralAndAdministrativeExpense"],
        formula=((1, "_selling_marketing"), (1, "_general_administrative")),
    ),
    _m(
        "depreciation_amortization",
        "duration",
        "money",
        [
            "DepreciationDepletionAndAmortization",
            "DepreciationAmortizationAndAccretionNet",
            "DepreciationAndAmortization",
        ],
        [
            "DepreciationAndAmortisationExpense",
            "DepreciationAmortisationAndImpairmentLossReversalOfImpairmentLossRecognisedInProfitOrLoss",
        ],
        note="cash-flow statement add-back; depreciation alone is not used",
    ),
    _m(
        "operating_cash_flow",
        "duration",
        "money",
        [
            "NetCashProvidedByUsedInOperatingActivities",
            "NetCashProvidedByUsedInOperatingActivitiesContinuingOperations",
        ],
        ["CashFlowsFromUsedInOperatingActivities"],
    ),
    _m(
        "capex",
        "duration",
        "money",
        ["PaymentsToAcquirePropertyPlantAndEquipment", "PaymentsToAcquireProductiveAssets"],
        [
            "PurchaseOfPropertyPlantAndEquipmentClassifiedAsInvestingActivities",
            "PurchaseOfPropertyPlantAndEquipment",
        ],
        note="positive outflow",
    ),
    _m(
        "free_cash_flow",
        "duration",
        "money",
        [],
        [],
        formula=((1, "operating_cash_flow"), (-1, "capex")),
        note="always derived",
    ),
    _m(
        "cash",
        "instant",
        "money",
        [
            "CashAndCashEquivalentsAtCarryingValue",
            "CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents",
            "Cash",
        ],
        ["CashAndCashEquivalents"],
        note="excludes marketable securities",
    ),
    _m(
        "total_debt",
        "instant",
        "money",
        [
            "LongTermDebt",
            "DebtLongtermAndShorttermCombinedAmount",
            "DebtInstrumentCarryingAmount",
            "LongTermDebtNoncurrent",
        ],
        ["Borrowings"],
        note="carrying amount of debt incl. current portion; leases not added; "
        "LongTermDebtNoncurrent (excludes the current portion) is a last resort",
    ),
    _m("total_assets", "instant", "money", ["Assets"], ["Assets"]),
    _m(
        "shares_outstanding",
        "instant",
        "shares",
        ["CommonStockSharesOutstanding"],
        ["NumberOfSharesOutstanding"],
        dei=("EntityCommonStockSharesOutstanding",),
        note="balance-sheet count at the period end; else the cover-page count of the filing "
        "for that period (dated a few weeks later, always marked fallback)",
    ),
    # helper components (not shown on their own)
    _m(
        "_selling_marketing",
        "duration",
        "money",
        ["SellingAndMarketingExpense", "SellingExpense"],
        ["SellingExpense", "DistributionCosts"],
        public=False,
    ),
    _m(
        "_general_administrative",
        "duration",
        "money",
        ["GeneralAndAdministrativeExpense"],
        ["AdministrativeExpense", "GeneralAndAdministrativeExpense"],
        public=False,
    ),
]

ALL_SPECS: dict[str, MetricSpec] = {s.name: s for s in _SPECS}
"""Every metric including helper components, in output order."""

METRICS: dict[str, MetricSpec] = {s.name: s for s in _SPECS if s.public}
"""The standard metrics, in output order: name -> MetricSpec (ordered candidates)."""


def candidate_frame() -> pd.DataFrame:
    """One row per (metric, taxonomy, concept): ``priority`` orders all candidates (0 = best),
    ``rank`` is the position within its taxonomy (0 = that taxonomy's first choice, so an IFRS
    filer's ``Revenue`` is not a "fallback")."""
    rows = []
    for spec in ALL_SPECS.values():
        seen: dict[str, int] = {}
        for priority, (tax, concept) in enumerate(spec.candidates):
            rank = seen.get(tax, 0) if tax != DEI else priority  # dei is never a first choice
            seen[tax] = rank + 1
            rows.append((spec.name, tax, concept, priority, rank, spec.sign, spec.kind, spec.unit))
    return pd.DataFrame(
        rows,
        columns=["metric", "taxonomy", "concept", "priority", "rank", "sign", "kind", "unit_kind"],
    )


def needed_metrics(names: list[str]) -> list[str]:
    """The requested metrics plus every metric their formulas need, in table order."""
    want = set(names)
    stack = list(names)
    while stack:
        spec = ALL_SPECS[stack.pop()]
        for _, dep in spec.formula:
            if dep not in want:
                want.add(dep)
                stack.append(dep)
    return [n for n in ALL_SPECS if n in want]


def concept_table_markdown() -> str:
    """The candidate table as Markdown (the README embeds this output)."""
    lines = [
        "| metric | kind | us-gaap candidates (priority order) | ifrs-full candidates | "
        "if none reported |",
        "|---|---|---|---|---|",
    ]
    for spec in METRICS.values():
        gaap = ", ".join(c for t, c in spec.candidates if t == USGAAP) or "—"
        ifrs = ", ".join(c for t, c in spec.candidates if t == IFRS) or "—"
        gaap += "".join(f", then dei:{c}" for t, c in spec.candidates if t == DEI)
        formula = spec.formula_text.replace("_selling_marketing", "SellingAndMarketingExpense")
        formula = formula.replace("_general_administrative", "GeneralAndAdministrativeExpense")
        lines.append(f"| {spec.name} | {spec.kind} | {gaap} | {ifrs} | {formula or '—'} |")
    return "\n".join(lines)
