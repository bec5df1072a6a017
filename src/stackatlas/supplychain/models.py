"""Typed rows of the CSET / ETO Advanced Semiconductor Supply Chain Dataset, one model per file.

Column names are the dataset's own. Shares are percent (0-100) as published; a blank share is
``None`` (unknown), never zero. Years are calendar years of the estimate.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class InputType(StrEnum):
    PROCESS = "process"
    DESIGN_RESOURCE = "design_resource"
    TOOL_RESOURCE = "tool_resource"
    MATERIAL_RESOURCE = "material_resource"
    ULTIMATE_OUTPUT = "ultimate_output"


class ProviderType(StrEnum):
    COUNTRY = "country"
    ORGANIZATION = "organization"


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _year(value: object) -> object:
    """``"2025"`` or ``"2025.0"`` (a spreadsheet export) -> 2025; blank stays None."""
    if isinstance(value, str) and value.endswith(".0") and value[:-2].isdigit():
        return value[:-2]
    return value


class Stage(_Row):
    """``stages.csv``: design, fabrication, assembly / testing / packaging."""

    stage_id: str = Field(pattern=r"^S\d+$")
    stage_name: str
    description: str | None = None
    market_share_chart_global_market_size_info: str | None = None
    market_share_chart_caption: str | None = None
    market_share_chart_source: str | None = None


class Input(_Row):
    """``inputs.csv``: a tool, material, design resource or process of chipmaking."""

    input_id: str = Field(pattern=r"^N\d+$")
    input_name: str
    type: InputType
    stage_name: str | None = None
    stage_id: str | None = Field(default=None, pattern=r"^S\d+$")
    description: str | None = None
    year: int | None = Field(default=None, ge=1990, le=2100)
    market_share_chart_global_market_size_info: str | None = None
    market_share_chart_caption: str | None = None
    market_share_chart_source: str | None = None

    _year = field_validator("year", mode="before")(_year)


class Provider(_Row):
    """``providers.csv``: a firm or a country; one row per alias (ids repeat)."""

    provider_name: str
    alias: str | None = None
    provider_id: str = Field(pattern=r"^P\d+$")
    provider_type: ProviderType
    country: str | None = None  # ISO 3166 alpha-3 for firms (EUR = Europe), or a placeholder


class Provision(_Row):
    """``provision.csv``: provider X supplies input (or stage) Y with a share in a year."""

    provider_name: str
    provider_id: str = Field(pattern=r"^P\d+$")
    provided_name: str
    provided_id: str = Field(pattern=r"^[NS]\d+$")
    share_provided: float | None = Field(default=None, ge=0, le=100)
    year: int = Field(ge=1990, le=2100)
    source: str | None = None

    _year = field_validator("year", mode="before")(_year)


class SequenceEdge(_Row):
    """``sequence.csv``: an input goes into another, or is a type of another (exactly one)."""

    input_name: str
    input_id: str = Field(pattern=r"^N\d+$")
    goes_into_name: str | None = None
    goes_into_id: str | None = Field(default=None, pattern=r"^N\d+$")
    is_type_of_name: str | None = None
    is_type_of_id: str | None = Field(default=None, pattern=r"^N\d+$")

    @model_validator(mode="after")
    def _one_target(self) -> SequenceEdge:
        if (self.goes_into_id is None) == (self.is_type_of_id is None):
            raise ValueError("exactly one of goes_into_id and is_type_of_id must be set")
        return self

    @property
    def target(self) -> str:
        return self.goes_into_id or self.is_type_of_id or ""

    @property
    def relation(self) -> str:
        return "goes_into" if self.goes_into_id else "is_type_of"
