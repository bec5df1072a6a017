"""Parameter values for a run: central values, or seeded Monte Carlo draws.

Each parameter is a fixed number (its default, or an override) or a distribution (from the
file, or an override such as ``triangular(0.1,0.3,0.6)``). Draws are sampled in parameter-name
order from ``numpy.random.default_rng(seed)``, clipped to the parameter's range, so the same
seed gives the same draws. Percentiles summarise any ``(..., draws)`` array.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from stackatlas.display import suggest
from stackatlas.errors import Problem, ValidationError, did_you_mean
from stackatlas.overrides import OVERRIDES
from stackatlas.scenarios.params import Distribution, ParamSpec, parse_distribution
from stackatlas.scenarios.yamlmarks import MarkedDoc

PERCENTILES = (5.0, 50.0, 95.0)
SCALAR_ONLY = ("horizon_quarters", "solver_max_iterations", "solver_tolerance")
MAX_DRAWS = 20_000
"""Most Monte Carlo draws one run accepts (memory grows with quarters x companies x draws)."""
MAX_SEED = 2**32 - 1
"""Largest seed accepted (the same bound as the web API's)."""


def apply_overrides(
    params: dict[str, ParamSpec], overrides: Mapping[str, Any] | None
) -> tuple[dict[str, float], dict[str, Distribution]]:
    """Fixed values and distributions after ``overrides`` (name -> number or distribution)."""
    fixed = {name: spec.default for name, spec in params.items()}
    dists = {name: spec.distribution for name, spec in params.items() if spec.distribution}
    problems: list[Problem] = []
    doc = MarkedDoc({}, OVERRIDES)
    for name, value in (overrides or {}).items():
        spec = params.get(name)
        if spec is None:
            hint = did_you_mean(suggest(name, params))
            problems.append(Problem(OVERRIDES, None, name, f"unknown parameter {name!r}{hint}"))
            continue
        if isinstance(value, Mapping):
            dist = parse_distribution(dict(value), doc, (name,), spec.low, spec.high, problems)
            if dist is not None:
                if name in SCALAR_ONLY:
                    problems.append(Problem(OVERRIDES, None, name, "must be a single number"))
                dists[name] = dist
                fixed[name] = dist.center
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            problems.append(Problem(OVERRIDES, None, name, f"not a number: {value!r}"))
            continue
        if not spec.low <= number <= spec.high:
            problems.append(
                Problem(
                    OVERRIDES,
                    None,
                    name,
                    f"{name} = {number:g} is outside its range [{spec.low:g}, {spec.high:g}]",
                )
            )
            continue
        fixed[name] = number
        dists.pop(name, None)
    if problems:
        raise ValidationError(problems)
    return fixed, dists


def draw_values(
    params: dict[str, ParamSpec],
    fixed: dict[str, float],
    dists: dict[str, Distribution],
    draws: int,
    seed: int,
) -> dict[str, float | np.ndarray]:
    """One value per parameter: a float, or a ``(draws,)`` array for distributed ones."""
    rng = np.random.default_rng(seed)
    values: dict[str, float | np.ndarray] = dict(fixed)
    for name in sorted(dists):
        if name in SCALAR_ONLY:
            continue
        spec = params[name]
        values[name] = np.clip(dists[name].sample(rng, draws), spec.low, spec.high)
    return values


def percentiles(arr: np.ndarray) -> np.ndarray:
    """p5 / p50 / p95 over the last axis -> shape ``(3, ...)``. Rows that are NaN in every
    draw (unknown baseline) stay NaN; other rows hold no NaN by construction."""
    empty = np.isnan(arr).all(axis=-1)
    bands = np.percentile(np.nan_to_num(arr), PERCENTILES, axis=-1)
    return np.where(empty[None], np.nan, bands)
