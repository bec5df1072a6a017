"""An explicit baseline table: company revenue (and optionally contribution margin) that
replaces the atlas figures for a run, e.g. a user's own forecasts.

CSV columns: ``company`` (atlas id), ``revenue_usd_bn`` (annual, USD billions), optional
``contribution_margin`` (0-1), optional ``source``. Every problem names file, line and column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stackatlas.errors import Problem, ValidationError


@dataclass(frozen=True)
class Baseline:
    revenue: dict[str, float]  # company -> annual revenue, USD bn
    margin: dict[str, float]  # company -> contribution margin (0-1)
    file: str = "<baseline>"


def read_baseline(path: Path | str, companies: set[str] | None = None) -> Baseline:
    """Read and validate a baseline CSV (``companies`` = known ids, for unknown-id errors)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(Problem(str(path), None, None, f"cannot read: {exc}")) from None
    return parse_baseline(text, str(path), companies)


def parse_baseline(text: str, file: str, companies: set[str] | None = None) -> Baseline:
    problems: list[Problem] = []
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    for needed in ("company", "revenue_usd_bn"):
        if needed not in header:
            problems.append(Problem(file, 1, needed, "missing column"))
    if problems:
        raise ValidationError(problems)
    revenue: dict[str, float] = {}
    margin: dict[str, float] = {}
    for line, row in enumerate(reader, start=2):
        cid = (row.get("company") or "").strip()
        if companies is not None and cid not in companies:
            problems.append(Problem(file, line, "company", f"unknown company {cid!r}"))
            continue
        if cid in revenue:
            problems.append(Problem(file, line, "company", f"duplicate company {cid!r}"))
            continue
        for col, low, high, target in (
            ("revenue_usd_bn", 0.0, np.inf, revenue),
            ("contribution_margin", 0.0, 1.0, margin),
        ):
            raw = (row.get(col) or "").strip()
            if not raw:
                if col == "revenue_usd_bn":
                    problems.append(Problem(file, line, col, "a number is required"))
                continue
            try:
                value = float(raw)
            except ValueError:
                problems.append(Problem(file, line, col, f"not a number: {raw!r}"))
                continue
            if not low <= value <= high:
                problems.append(Problem(file, line, col, f"{value:g} outside [{low:g}, {high:g}]"))
                continue
            target[cid] = value
    if problems:
        raise ValidationError(problems)
    return Baseline(revenue, margin, file)
