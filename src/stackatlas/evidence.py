"""Evidence status carried by every number an analysis returns.

Ordered from strongest to weakest; a computed value takes the weakest status among its inputs
(``weakest``). ``unresolved`` means an input is missing, so the value itself is missing (None).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Evidence(StrEnum):
    REPORTED = "reported"  # straight from a filing
    DERIVED = "derived"  # a formula over reported values
    ESTIMATED = "estimated"  # atlas estimate or third-party figure
    SCENARIO = "scenario"  # user or model assumption
    UNRESOLVED = "unresolved"  # an input is missing; the value is None

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    @property
    def symbol(self) -> str:
        """One-character marker for tables: ● reported, ◐ derived, ○ estimated, △ scenario, ? ."""
        return _SYMBOLS[self]


_ORDER = [
    Evidence.REPORTED,
    Evidence.DERIVED,
    Evidence.ESTIMATED,
    Evidence.SCENARIO,
    Evidence.UNRESOLVED,
]
_SYMBOLS = {
    Evidence.REPORTED: "●",
    Evidence.DERIVED: "◐",
    Evidence.ESTIMATED: "○",
    Evidence.SCENARIO: "△",
    Evidence.UNRESOLVED: "?",
}


def weakest(statuses: Iterable[Evidence | str]) -> Evidence:
    """The weakest status among inputs; a formula over reported values is at best ``derived``."""
    items = [Evidence(s) for s in statuses]
    if not items:
        return Evidence.UNRESOLVED
    worst = max(items, key=lambda e: e.rank)
    return worst


def combine(statuses: Iterable[Evidence | str]) -> Evidence:
    """Status of a value computed by a formula from inputs: reported inputs become derived."""
    worst = weakest(statuses)
    return Evidence.DERIVED if worst is Evidence.REPORTED else worst
