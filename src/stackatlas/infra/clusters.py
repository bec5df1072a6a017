"""Epoch AI's "Data on GPU Clusters" read from a folder the user names.

Source: Epoch AI, "Data on GPU Clusters" (https://epoch.ai/data/gpu-clusters), licence CC BY
4.0, credit "Epoch AI". stackatlas does not ship the file: ``--epoch DIR``,
``STACKATLAS_EPOCH_DIR`` or ``[epoch] dir`` in ``$STACKATLAS_HOME/config.toml`` names the
folder holding ``epoch_gpu_clusters.csv`` (the snapshot in ``../shared/data/epoch`` has 786
clusters: 609 existing, 171 planned, 6 decommissioned).

Every row is kept with its status (existing / planned / decommissioned) and certainty
(confirmed / likely / unlikely); blank numbers stay unknown (NaN), never zero. Problems are
reported with file, line (the physical line where the record starts) and column.
"""

from __future__ import annotations

import csv
import math
import os
from datetime import date
from pathlib import Path

import pandas as pd

from stackatlas.errors import Problem, ValidationError

FILE_NAME = "epoch_gpu_clusters.csv"
CITATION = 'Epoch AI, "Data on GPU Clusters" (CC BY 4.0), https://epoch.ai/data/gpu-clusters'
ENV_VAR = "STACKATLAS_EPOCH_DIR"
HOW_TO_GET = (
    f"download {FILE_NAME} from https://epoch.ai/data/gpu-clusters (CC BY 4.0) into a folder "
    f"and pass --epoch DIR, or set {ENV_VAR} (or [epoch] dir in config.toml)"
)

STATUSES = {"Existing": "existing", "Planned": "planned", "Decommissioned": "decommissioned"}
CERTAINTIES = {"Confirmed": "confirmed", "Likely": "likely", "Unlikely": "unlikely"}

# Epoch column -> our column, for the columns we read
TEXT_COLUMNS = {
    "Name": "name",
    "Owner": "owner",
    "Users": "users",
    "Country": "country",
    "Sector": "sector",
    "Chip type (primary)": "chip_type",
    "GPU Supplier (primary)": "supplier",
    "Superseded by": "superseded_by",
    "Source 1": "source",
}
NUMBER_COLUMNS = {
    "H100 equivalents": "h100e",
    "Chip quantity (primary)": "chips",
    "Power Capacity (MW)": "power_mw",
    "Hardware Cost": "hardware_cost_usd",
}
FLAG_COLUMNS = {"Include in Standard Analysis": "standard", "Possible Duplicate": "duplicate"}
DATE_COLUMNS = {
    "First Operational Date": "first_operational",
    "Decommissioned Date (if applicable)": "decommissioned",
}
REQUIRED = [
    "Name",
    "Status",
    "Certainty",
    *NUMBER_COLUMNS,
    *DATE_COLUMNS,
    *FLAG_COLUMNS,
    "Owner",
    "Country",
    "GPU Supplier (primary)",
]


def epoch_dir(explicit: Path | None = None) -> Path:
    """The folder holding ``epoch_gpu_clusters.csv``: the argument, else the environment, else
    the config file; a ValidationError saying how to get the data when none is set."""
    from stackatlas.config import data_dir_setting

    folder = explicit or data_dir_setting("epoch", ENV_VAR)
    if folder is None:
        raise ValidationError(
            Problem("--epoch", None, None, f"no Epoch AI cluster data configured: {HOW_TO_GET}")
        )
    if not (folder / FILE_NAME).is_file():
        raise ValidationError(
            Problem(str(folder), None, None, f"{FILE_NAME} not found in this folder: {HOW_TO_GET}")
        )
    return folder


def load_clusters(folder: Path | None = None) -> pd.DataFrame:
    """One row per cluster: name, status, certainty, owner, country, supplier, chip type,
    h100e, chips, power_mw, hardware_cost_usd, first_operational, decommissioned, standard,
    duplicate, superseded_by, source, line. Raises ValidationError listing every problem."""
    path = epoch_dir(folder) / FILE_NAME
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(Problem(str(path), None, None, f"not UTF-8 text: {exc}")) from None
    rows, problems = _parse(path, text)
    if problems:
        raise ValidationError(problems[:50])
    return pd.DataFrame(rows)


def _parse(path: Path, text: str) -> tuple[list[dict[str, object]], list[Problem]]:
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return [], [Problem(str(path), 1, None, "empty file")]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [Problem(str(path), 1, c, "required column missing") for c in missing]
    index = {c: i for i, c in enumerate(header)}
    rows: list[dict[str, object]] = []
    problems: list[Problem] = []
    start = reader.line_num + 1
    for cells in reader:
        line = start
        start = reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(str(path), line, None, f"{len(cells)} cells, header has {len(header)}")
            )
            continue
        row, row_problems = _row(cells, index, str(path), line)
        rows.append(row)
        problems.extend(row_problems)
    return rows, problems


def _row(
    cells: list[str], index: dict[str, int], file: str, line: int
) -> tuple[dict[str, object], list[Problem]]:
    problems: list[Problem] = []

    def get(col: str) -> str:
        return cells[index[col]].strip() if col in index else ""

    row: dict[str, object] = {"line": line}
    for col, key in TEXT_COLUMNS.items():
        row[key] = get(col).strip('"').strip() or None
    for col, mapping, key in (
        ("Status", STATUSES, "status"),
        ("Certainty", CERTAINTIES, "certainty"),
    ):
        raw = get(col)
        if raw not in mapping:
            problems.append(Problem(file, line, col, f"{raw!r} is not one of {sorted(mapping)}"))
        row[key] = mapping.get(raw)
    for col, key in NUMBER_COLUMNS.items():
        raw = get(col)
        value = math.nan
        if raw:
            try:
                value = float(raw)
            except ValueError:
                problems.append(Problem(file, line, col, f"{raw!r} is not a number"))
            else:
                if not math.isfinite(value) or value < 0:
                    problems.append(Problem(file, line, col, f"{raw!r} must be >= 0 and finite"))
                    value = math.nan
        row[key] = value
    for col, key in DATE_COLUMNS.items():
        raw = get(col)
        parsed: date | None = None
        if raw:
            parsed = _date(raw)
            if parsed is None:
                problems.append(
                    Problem(file, line, col, f"{raw!r} is not a date (YYYY-MM-DD, YYYY-MM, YYYY)")
                )
        row[key] = parsed
    for col, key in FLAG_COLUMNS.items():
        raw = get(col).lower()
        if raw not in ("", "true", "false"):
            problems.append(Problem(file, line, col, f"{raw!r} is not True, False or blank"))
        row[key] = raw == "true"
    return row, problems


def _date(raw: str) -> date | None:
    """``2024-09-02``, ``2021-07`` (first of the month) or ``2021`` (1 January)."""
    text = raw.strip()[:10]
    for pad in ("", "-01", "-01-01"):
        try:
            return date.fromisoformat(text + pad)
        except ValueError:
            continue
    return None


def env_folder() -> Path | None:
    """``STACKATLAS_EPOCH_DIR`` when set (for callers that only want to know)."""
    raw = os.environ.get(ENV_VAR)
    return Path(raw).expanduser() if raw else None
