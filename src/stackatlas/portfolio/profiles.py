"""The article's five participation levels and three risk-tolerance profiles.

Levels and their risk descriptions come from the atlas ``layers.yaml``. Profiles come from the
shipped ``stackatlas/data/profiles.yaml``: per layer a target range of the share of the
portfolio's AI-stack exposure. The ranges are editorial assumptions (the file says why) and the
comparison is educational analysis, not investment advice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stackatlas import safe_yaml
from stackatlas._io import data_path
from stackatlas.atlas.atlas import Atlas
from stackatlas.display import suggest
from stackatlas.errors import NotFoundError, Problem, ValidationError
from stackatlas.notebook import Tabular

DISCLAIMER = "Educational analysis, not investment advice."


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    description: str
    reasoning: str
    targets: dict[str, tuple[float, float]]  # layer -> (min, max) share of stack exposure


def load_profiles(path: Path | None = None) -> dict[str, Profile]:
    """Profiles by id; bad ranges raise ValidationError naming the profile and layer."""
    file = path or data_path("profiles.yaml")
    doc = safe_yaml.load_file(file) or {}
    out: dict[str, Profile] = {}
    problems: list[Problem] = []
    for pid, spec in (doc.get("profiles") or {}).items():
        targets: dict[str, tuple[float, float]] = {}
        for layer, rng in (spec.get("targets") or {}).items():
            ok = (
                isinstance(rng, list)
                and len(rng) == 2
                and all(isinstance(v, int | float) for v in rng)
                and 0 <= rng[0] <= rng[1] <= 1
            )
            if not ok:
                problems.append(
                    Problem(
                        str(file),
                        None,
                        f"{pid}.{layer}",
                        f"target must be [min, max] within 0..1, got {rng!r}",
                    )
                )
                continue
            targets[layer] = (float(rng[0]), float(rng[1]))
        if targets and not (
            sum(lo for lo, _ in targets.values())
            <= 1 + 1e-9
            <= sum(hi for _, hi in targets.values()) + 2e-9
        ):
            problems.append(
                Problem(str(file), None, pid, "minimums must sum to <= 1 and maximums to >= 1")
            )
        out[pid] = Profile(
            pid,
            spec.get("name", pid),
            spec.get("description", ""),
            " ".join(str(spec.get("reasoning", "")).split()),
            targets,
        )
    if problems:
        raise ValidationError(problems)
    return out


def get_profile(name: str, path: Path | None = None) -> Profile:
    profiles = load_profiles(path)
    key = name.strip().lower()
    if key not in profiles:
        raise NotFoundError(
            f"unknown profile {name!r}; choose one of {', '.join(profiles)}",
            suggest(key, profiles),
        )
    return profiles[key]


def levels(atlas: Atlas) -> pd.DataFrame:
    """The five levels in stack order: layer, level, level_name, risk (from the atlas)."""
    return pd.DataFrame(
        [
            {
                "layer": lid,
                "level": atlas.layer(lid).level,
                "level_name": atlas.layer(lid).level_name,
                "risk": atlas.layer(lid).risk,
            }
            for lid in atlas.layer_ids
        ]
    )


def compare_profile(layer_exposure: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """Gap table: actual share of stack exposure per layer vs the profile's range.

    ``gap`` is negative below the minimum (by how much), positive above the maximum, else 0.
    Columns: layer, level, level_name, actual, target_min, target_max, status, gap.
    """
    rows = []
    stack = layer_exposure[layer_exposure["stack_share"].notna()]
    for row in stack.itertuples(index=False):
        lo, hi = profile.targets.get(row.layer, (0.0, 1.0))
        actual = float(row.stack_share)
        if actual < lo - 1e-12:
            status, gap = "below", actual - lo
        elif actual > hi + 1e-12:
            status, gap = "above", actual - hi
        else:
            status, gap = "within", 0.0
        rows.append(
            {
                "layer": row.layer,
                "level": int(row.level),
                "level_name": row.level_name,
                "actual": actual,
                "target_min": lo,
                "target_max": hi,
                "status": status,
                "gap": gap,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "layer",
            "level",
            "level_name",
            "actual",
            "target_min",
            "target_max",
            "status",
            "gap",
        ],
    )


def gap_sentences(gaps: pd.DataFrame, profile: Profile) -> list[str]:
    """Plain-language lines for layers outside the profile's range."""
    out = []
    for g in gaps.itertuples(index=False):
        if g.status == "within":
            continue
        word = "under" if g.status == "below" else "over"
        out.append(
            f"{g.layer} (level {g.level}, {g.level_name}): {g.actual:.0%} of stack "
            f"exposure, {abs(g.gap) * 100:.0f} points {word} the "
            f"{profile.name.lower()} range "
            f"{g.target_min:.0%}-{g.target_max:.0%}"
        )
    return out


@dataclass(frozen=True)
class ProfilesView(Tabular):
    """The five levels (from the atlas) and the profiles' target ranges, for display."""

    levels: pd.DataFrame
    profiles: dict[str, Profile]
    disclaimer: str = DISCLAIMER

    def to_dict(self) -> dict[str, object]:
        return {
            "disclaimer": self.disclaimer,
            "levels": self.levels.to_dict(orient="records"),
            "profiles": {
                p.id: {
                    "name": p.name,
                    "description": p.description,
                    "reasoning": p.reasoning,
                    "targets": {k: list(v) for k, v in p.targets.items()},
                }
                for p in self.profiles.values()
            },
        }

    def __rich__(self) -> object:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        table = Table(
            title="Participation levels and profile ranges (share of AI-stack exposure)",
            title_justify="left",
        )
        for col in ("level", "layer", "risk (article)", *[p.name for p in self.profiles.values()]):
            table.add_column(col, overflow="fold")
        for r in self.levels.itertuples(index=False):
            ranges = [
                f"{lo:.0%}-{hi:.0%}"
                for lo, hi in (p.targets.get(r.layer, (0.0, 1.0)) for p in self.profiles.values())
            ]
            table.add_row(f"{r.level} {r.level_name}", r.layer, " ".join(r.risk.split()), *ranges)
        why = [Text(f"{p.name}: {p.reasoning}", style="dim") for p in self.profiles.values()]
        return Group(
            Text(self.disclaimer + " Ranges are editorial assumptions.", style="bold yellow"),
            table,
            *why,
        )


def profiles_view(atlas: Atlas, path: Path | None = None) -> ProfilesView:
    """Levels from ``atlas`` and the shipped (or given) profiles."""
    return ProfilesView(levels(atlas), load_profiles(path))
