"""Which swept parameters move an output most: main effects and first-order variance indices.

For one output ``Y`` (e.g. the p95 of a layer's revenue at risk across a sweep's points) and
each swept parameter ``X``, points are grouped by ``X``: by its exact values on a grid, by
equal-count bins (about sqrt(N), at most 20) of a Latin hypercube. Then

* ``low`` / ``high``: mean ``Y`` over the points in the lowest / highest group of ``X``
  (the tornado bar: where ``Y`` sits when ``X`` is low vs high, averaged over the others);
* ``first_order``: ``Var(E[Y | X]) / Var(Y)`` from the group means (weighted by group size),
  the share of ``Y``'s variance explained by ``X`` alone (a Sobol first-order index estimated
  from the given points; exact for a full grid, a binned estimate for a hypercube).

Indices of independent parameters sum to at most about 1; the rest is interaction.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

MAX_BINS = 20


def groups_of(values: np.ndarray, kind: str) -> np.ndarray:
    """Group label per point: exact values (grid) or equal-count bins (hypercube)."""
    if kind == "grid":
        return np.unique(values, return_inverse=True)[1]
    n = len(values)
    bins = int(min(MAX_BINS, max(2, round(math.sqrt(n)))))
    order = np.argsort(values, kind="stable")
    labels = np.empty(n, dtype=np.int64)
    labels[order] = np.arange(n) * bins // max(n, 1)
    return labels


def sensitivity(
    points: pd.DataFrame, params: list[str], outputs: list[str], kind: str
) -> pd.DataFrame:
    """One row per (output, parameter): low, high, swing (high - low), first_order; sorted
    by output then first_order descending. Outputs that never vary get NaN indices."""
    rows = []
    for output in outputs:
        y = points[output].to_numpy(dtype=float)
        ok = ~np.isnan(y)
        total = float(np.var(y[ok])) if ok.sum() > 1 else 0.0
        for param in params:
            if ok.sum() < 2:  # unknown everywhere (no baseline revenue): nothing to explain
                rows.append({"output": output, "parameter": param, "first_order": np.nan})
                continue
            x = points[f"param.{param}"].to_numpy(dtype=float)[ok]
            labels = groups_of(x, kind)
            counts = np.bincount(labels)
            means = np.bincount(labels, weights=y[ok]) / np.maximum(counts, 1)
            used = counts > 0
            between = float(np.average((means[used] - y[ok].mean()) ** 2, weights=counts[used]))
            rows.append(
                {
                    "output": output,
                    "parameter": param,
                    "param_low": float(x[labels == labels.min()].mean()),
                    "param_high": float(x[labels == labels.max()].mean()),
                    "low": float(means[used][0]),
                    "high": float(means[used][-1]),
                    "swing": float(means[used][-1] - means[used][0]),
                    "first_order": between / total if total > 0 else float("nan"),
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["_order"] = frame["first_order"].fillna(-1.0)
    return (
        frame.sort_values(["output", "_order"], ascending=[True, False], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )
