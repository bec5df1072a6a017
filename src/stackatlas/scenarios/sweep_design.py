"""Which parameter points a sweep visits: a full grid or a Latin hypercube, and their seeds.

``--grid capacity_loss=0.1:0.8:8`` gives 8 evenly spaced values (ends included); several
``--grid`` axes multiply (full factorial, the first axis varies slowest). ``--lhs N`` draws N
points by Latin hypercube over the ``--vary name=low:high`` ranges (default: the scenario's own
parameters over their distribution's support, else their declared range).

Seeds: one ``numpy.random.SeedSequence(seed)`` is the root. The hypercube design comes from
child ``(0,)``; the Monte Carlo draws of point ``i`` from child ``(1, i)``, turned into the
integer ``point_seed`` that ``run_scenario(seed=...)`` takes. A point's draws therefore depend
only on (seed, i): never on how points are grouped into chunks or which engine ran them, and
``stackatlas scenario run NAME --set ... --draws D --seed <point_seed>`` reproduces a row.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from stackatlas.display import suggest
from stackatlas.errors import Problem, ValidationError, did_you_mean
from stackatlas.scenarios.params import ParamSpec

MAX_POINTS = 100_000
NUMERICAL = ("solver_max_iterations", "solver_tolerance")


@dataclass(frozen=True)
class SweepAxis:
    """One swept parameter: ``steps`` evenly spaced values in [low, high] (None for LHS)."""

    name: str
    low: float
    high: float
    steps: int | None = None

    def __str__(self) -> str:
        tail = f":{self.steps}" if self.steps is not None else ""
        return f"{self.name}={self.low:g}:{self.high:g}{tail}"


@dataclass(frozen=True)
class SweepDesign:
    """A grid (every combination of the axes' values) or ``samples`` Latin-hypercube points."""

    kind: str  # "grid" | "lhs"
    axes: tuple[SweepAxis, ...]
    samples: int | None = None

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.axes]

    @property
    def n_points(self) -> int:
        if self.kind == "lhs":
            return int(self.samples or 0)
        return math.prod(int(a.steps or 1) for a in self.axes)

    def points(self, seed: int) -> pd.DataFrame:
        """One row per point: ``point`` index, ``seed`` (its draws' seed), one column per axis."""
        if self.kind == "grid":
            values = [np.linspace(a.low, a.high, int(a.steps or 1)) for a in self.axes]
            grid = np.array(list(itertools.product(*values)), dtype=float)
        else:
            from scipy.stats import qmc

            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
            unit = qmc.LatinHypercube(d=len(self.axes), rng=rng).random(self.n_points)
            lows = np.array([a.low for a in self.axes])
            highs = np.array([a.high for a in self.axes])
            grid = lows + unit * (highs - lows)
        frame = pd.DataFrame(grid, columns=self.names)
        frame.insert(0, "seed", [point_seed(seed, i) for i in range(len(frame))])
        frame.insert(0, "point", np.arange(len(frame), dtype=np.int64))
        return frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "samples": self.samples,
            "axes": [
                {"name": a.name, "low": a.low, "high": a.high, "steps": a.steps} for a in self.axes
            ],
        }

    def __str__(self) -> str:
        axes = " ".join(str(a) for a in self.axes)
        return f"grid {axes}" if self.kind == "grid" else f"lhs {self.samples} over {axes}"


def point_seed(seed: int, index: int) -> int:
    """The integer seed of point ``index``'s Monte Carlo draws (child (1, index) of the root)."""
    state = np.random.SeedSequence(seed, spawn_key=(1, index)).generate_state(1, np.uint32)
    return int(state[0])


def parse_axis(text: str, option: str, with_steps: bool) -> SweepAxis:
    """``name=low:high:steps`` (``--grid``) or ``name=low:high`` (``--vary``)."""
    form = "name=low:high:steps" if with_steps else "name=low:high"
    name, sep, body = text.partition("=")
    parts = body.split(":")
    if not sep or not name.strip() or len(parts) != (3 if with_steps else 2):
        raise ValidationError(Problem(option, None, None, f"expected {form}, got {text!r}"))
    try:
        low, high = float(parts[0]), float(parts[1])
        steps = int(parts[2]) if with_steps else None
    except ValueError:
        raise ValidationError(
            Problem(option, None, name.strip(), f"not numbers in {text!r} (expected {form})")
        ) from None
    if not low < high:
        raise ValidationError(
            Problem(option, None, name.strip(), f"low ({low:g}) must be below high ({high:g})")
        )
    if steps is not None and steps < 2:
        raise ValidationError(Problem(option, None, name.strip(), "steps must be 2 or more"))
    return SweepAxis(name.strip(), low, high, steps)


def build_design(
    params: dict[str, ParamSpec],
    *,
    grid: list[str] | None = None,
    lhs: int | None = None,
    vary: list[str] | None = None,
    scenario_params: list[str] | None = None,
) -> SweepDesign:
    """Parse and check a sweep against the scenario's parameters (names, ranges, size)."""
    if bool(grid) == (lhs is not None):
        raise ValidationError("give either --grid name=low:high:steps (repeatable) or --lhs N")
    if grid and vary:
        raise ValidationError("--vary sets the ranges of --lhs; a --grid axis carries its own")
    if lhs is not None:
        if lhs < 2:
            raise ValidationError(Problem("--lhs", None, None, "needs at least 2 points"))
        axes = [parse_axis(v, "--vary", False) for v in vary or []]
        if not axes:
            defaults = [_default_axis(params[n]) for n in scenario_params or [] if n in params]
            axes = [a for a in defaults if a is not None]
        if not axes:
            raise ValidationError("--lhs needs at least one --vary name=low:high")
        design = SweepDesign("lhs", tuple(axes), lhs)
    else:
        design = SweepDesign("grid", tuple(parse_axis(g, "--grid", True) for g in grid or []))
    _check(design, params)
    return design


def _default_axis(spec: ParamSpec) -> SweepAxis | None:
    """A scenario parameter's LHS range: its distribution's bounded support, else its range."""
    if spec.name in NUMERICAL or spec.name == "horizon_quarters":
        return None
    dist = spec.distribution
    if dist is not None and dist.kind in ("uniform", "triangular"):
        return SweepAxis(spec.name, dist.args["low"], dist.args["high"])
    return SweepAxis(spec.name, spec.low, spec.high)


def _check(design: SweepDesign, params: dict[str, ParamSpec]) -> None:
    option = "--grid" if design.kind == "grid" else "--vary"
    problems: list[Problem] = []
    seen: set[str] = set()
    for axis in design.axes:
        spec = params.get(axis.name)
        if spec is None:
            hint = did_you_mean(suggest(axis.name, params))
            problems.append(Problem(option, None, axis.name, f"unknown parameter{hint}"))
            continue
        if axis.name in seen:
            problems.append(Problem(option, None, axis.name, "given twice"))
        seen.add(axis.name)
        if axis.name in NUMERICAL:
            problems.append(
                Problem(option, None, axis.name, "a numerical solver setting, not a model input")
            )
        if axis.low < spec.low or axis.high > spec.high:
            problems.append(
                Problem(
                    option,
                    None,
                    axis.name,
                    f"{axis.low:g}:{axis.high:g} leaves the parameter's range "
                    f"[{spec.low:g}, {spec.high:g}]",
                )
            )
    if design.n_points > MAX_POINTS:
        problems.append(
            Problem(
                option, None, None, f"{design.n_points:,} points; at most {MAX_POINTS:,} allowed"
            )
        )
    if problems:
        raise ValidationError(problems)
