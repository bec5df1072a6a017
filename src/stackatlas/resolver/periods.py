"""Period names the resolver understands, and how a year is printed (always CY or FY).

- ``CY2024`` or ``2024``: a calendar year; ``CY2025Q3`` / ``2025Q3``: a calendar quarter;
- ``FY2025``: a fiscal year, labelled as the company labels it (the year it ends in, or the
  company's own label for retailers and early-January 52/53-week years);
- ``Q4 FY2026``: a fiscal quarter; ``TTM``: the latest four calendar quarters.

Frames keep calendar periods as plain ``2024`` / ``2025Q3`` keys (what the analyses join on);
``period_label`` turns such a key into what is printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stackatlas.errors import ValidationError

_CAL_YEAR = re.compile(r"^(?:CY)?\s*(\d{4})$", re.IGNORECASE)
_CAL_QUARTER = re.compile(r"^(?:CY)?\s*(\d{4})\s*Q([1-4])$", re.IGNORECASE)
_FISCAL = re.compile(r"^(?:(Q[1-4])\s+)?FY\s*(\d{4})$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A parsed period: ``kind`` is calendar / fiscal / ttm; ``slot`` FY or Q1-Q4."""

    kind: str
    year: int | None
    slot: str = "FY"

    @property
    def key(self) -> str:
        """The frame key: ``2024``, ``2025Q3``, ``FY2025``, ``Q4 FY2026`` or ``TTM``."""
        if self.kind == "ttm":
            return "TTM"
        if self.kind == "calendar":
            return str(self.year) if self.slot == "FY" else f"{self.year}{self.slot}"
        return f"FY{self.year}" if self.slot == "FY" else f"{self.slot} FY{self.year}"

    @property
    def label(self) -> str:
        """As printed: ``CY2024``, ``CY2025 Q3``, ``FY2025``, ``Q4 FY2026``, ``TTM``."""
        if self.kind == "calendar":
            return f"CY{self.year}" if self.slot == "FY" else f"CY{self.year} {self.slot}"
        return self.key


def parse_period(text: str | int) -> Period:
    """Read a period name (see the module docstring); ``ValidationError`` names what is
    accepted."""
    raw = str(text).strip()
    if raw.upper() == "TTM":
        return Period("ttm", None, "TTM")
    if m := _CAL_YEAR.match(raw):
        return Period("calendar", int(m.group(1)))
    if m := _CAL_QUARTER.match(raw):
        return Period("calendar", int(m.group(1)), f"Q{m.group(2)}")
    if m := _FISCAL.match(raw):
        return Period("fiscal", int(m.group(2)), (m.group(1) or "FY").upper())
    raise ValidationError(
        f"period {raw!r} is not understood: use CY2024 (or 2024), CY2025Q3, FY2025, "
        "Q4 FY2026 or TTM"
    )


def period_label(key: object) -> str:
    """A frame period key as printed: ``2024`` -> ``CY2024``, ``2025Q3`` -> ``CY2025 Q3``;
    fiscal names and ``TTM`` unchanged; anything else as given."""
    try:
        return parse_period(str(key)).label
    except ValidationError:
        return str(key)
