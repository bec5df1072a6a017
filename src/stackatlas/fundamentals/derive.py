"""Derived metrics: formulas over other metrics for periods where no concept reports a value.

``gross_profit = revenue - cost_of_revenue`` (only where GrossProfit is not reported),
``free_cash_flow = operating_cash_flow - capex`` (always), ``sga = SellingAndMarketingExpense +
GeneralAndAdministrativeExpense`` (only where the combined concept is not reported). Inputs are
matched on the same fiscal year and fiscal period and must share the unit; the row's evidence is
``derived`` and its derivation names the formula.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stackatlas.fundamentals.concepts import ALL_SPECS
from stackatlas.fundamentals.quarterly import ROW_COLUMNS

_KEY = ["fiscal_year", "fiscal_period"]


def add_derived(rows: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Append formula rows for each formula metric in ``metrics`` where it is not reported."""
    out = rows
    for name in metrics:
        spec = ALL_SPECS[name]
        if not spec.formula:
            continue
        derived = _evaluate(out, name, spec.formula, spec.formula_text)
        if derived.empty:
            continue
        have = out.loc[out["metric"] == name, _KEY]
        if not have.empty:
            taken = derived.merge(have.assign(_have=True), on=_KEY, how="left")["_have"]
            derived = derived[taken.isna().to_numpy()]
        out = pd.concat([out, derived[ROW_COLUMNS]], ignore_index=True)
    return out


def _evaluate(rows: pd.DataFrame, name: str, formula, text: str) -> pd.DataFrame:
    joined = None
    for i, (_, dep) in enumerate(formula):
        part = rows.loc[
            rows["metric"] == dep,
            [*_KEY, "qk", "start", "end", "value", "unit", "concept", "accession", "form", "filed"],
        ]
        part = part.rename(columns={c: f"{c}_{i}" for c in part.columns if c not in _KEY})
        joined = part if joined is None else joined.merge(part, on=_KEY, how="inner")
    if joined is None or joined.empty:
        return pd.DataFrame(columns=ROW_COLUMNS)
    same_unit = np.ones(len(joined), bool)
    value = np.zeros(len(joined))
    for i, (sign, _) in enumerate(formula):
        same_unit &= (joined[f"unit_{i}"] == joined["unit_0"]).to_numpy()
        value = value + sign * joined[f"value_{i}"].to_numpy(dtype=float)
    joined = joined[same_unit]
    value = value[same_unit]
    readable = text.replace("_selling_marketing", "selling_marketing").replace(
        "_general_administrative", "general_administrative"
    )
    concepts = joined["concept_0"].astype(str)
    for i, (sign, _) in enumerate(formula[1:], start=1):
        concepts = concepts + (" - " if sign < 0 else " + ") + joined[f"concept_{i}"].astype(str)
    return pd.DataFrame(
        {
            "metric": name,
            "fiscal_year": joined["fiscal_year"].to_numpy(),
            "fiscal_period": joined["fiscal_period"].to_numpy(),
            "qk": joined["qk_0"].to_numpy(),
            "start": joined["start_0"].to_numpy(),
            "end": joined["end_0"].to_numpy(),
            "value": value,
            "unit": joined["unit_0"].to_numpy(),
            "concept": concepts.to_numpy(),
            "accession": joined["accession_0"].to_numpy(),
            "form": joined["form_0"].to_numpy(),
            "filed": joined["filed_0"].to_numpy(),
            "derivation": f"derived: {readable}",
            "evidence": "derived",
        }
    )
