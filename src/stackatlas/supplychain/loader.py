"""``load_eto``: read and validate the CSET / ETO dataset from the folder the user names.

Provenance: Georgetown CSET's Emerging Technology Observatory, "Advanced Semiconductor Supply
Chain Dataset" (github.com/georgetown-cset/eto-chip-explorer, ``data/``), mostly from CSET's
report "The Semiconductor Supply Chain: Assessing National Competitiveness" (2021), updated
with TechInsights-based shares for 2025. Licence CC BY-NC 4.0: never bundled; the folder comes
from ``--eto DIR``, ``STACKATLAS_ETO_DIR`` or ``[eto] dir`` in ``config.toml``.

Files: ``inputs.csv`` (126 inputs in the 2026-08 snapshot), ``providers.csv`` (one row per
alias; 376 provider ids), ``provision.csv`` (1,300 share rows), ``sequence.csv`` (139 edges),
``stages.csv`` (3 stages). Every row is validated (file, line, column in each problem) and
cross-checked (provider and input ids exist; one name / type / country per provider id; no
repeated provider x input x year). Caveats: shares under 1% are rounded up to 1% by ETO, so a
share set can sum past 100; placeholders ("Various companies", "Various countries") are kept as
``aggregate`` providers, never firms; a blank share stays unknown.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pydantic
from pydantic import BaseModel

from stackatlas import config
from stackatlas.atlas.loader import describe
from stackatlas.atlas.reading import RawRow, read_csv
from stackatlas.errors import DataNotConfiguredError, Problem, ValidationError
from stackatlas.supplychain.citation import CITATION, HOW_TO_GET
from stackatlas.supplychain.countries import REGIONS
from stackatlas.supplychain.dataset import (
    AGGREGATE,
    COUNTRY,
    FIRM,
    REGION,
    EtoData,
    ProviderInfo,
)
from stackatlas.supplychain.models import (
    Input,
    Provider,
    ProviderType,
    Provision,
    SequenceEdge,
    Stage,
)

FILES: dict[str, type[BaseModel]] = {
    "stages.csv": Stage,
    "inputs.csv": Input,
    "providers.csv": Provider,
    "provision.csv": Provision,
    "sequence.csv": SequenceEdge,
}
PLACEHOLDER = re.compile(r"^\s*various\b", re.IGNORECASE)
_CACHE: dict[str, tuple[tuple[Any, ...], EtoData]] = {}


def configured_dir(path: Path | str | None = None) -> Path | None:
    """``path`` if given, else the configured folder (environment, then config file)."""
    return Path(path).expanduser() if path is not None else config.eto_dir()


def load_eto(path: Path | str | None = None) -> EtoData:
    """The validated dataset from ``path`` (default: the configured folder).

    ``DataNotConfiguredError`` (with how to get the data) when no folder is configured;
    ``ValidationError`` listing every located problem when the files are wrong. Cached per
    folder on file sizes and mtimes; failed loads are not cached."""
    directory = configured_dir(path)
    if directory is None:
        raise DataNotConfiguredError(HOW_TO_GET)
    if not directory.is_dir():
        raise ValidationError(
            Problem(str(directory), None, None, "ETO folder does not exist (--eto / ETO dir)")
        )
    key = str(directory.resolve())
    signature = _signature(directory)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == signature:
        return hit[1]
    data = _load(directory)
    _CACHE[key] = (signature, data)
    return data


def optional_eto(path: Path | str | None = None) -> EtoData | None:
    """The dataset when a folder is configured, else None (callers that work without it)."""
    if configured_dir(path) is None:
        return None
    return load_eto(path)


def clear_cache() -> None:
    _CACHE.clear()


def folder_signature(directory: Path) -> tuple[Any, ...]:
    """Sizes and mtimes of the dataset files in ``directory`` (cache keys; never raises)."""
    return _signature(directory)


def _signature(directory: Path) -> tuple[Any, ...]:
    out = []
    for name in FILES:
        try:
            st = (directory / name).stat()
        except OSError:
            continue
        out.append((name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def _load(directory: Path) -> EtoData:
    problems: list[Problem] = []
    digest = hashlib.sha256()
    rows: dict[str, list[tuple[BaseModel, RawRow]]] = {}
    failed: set[str] = set()  # ids of rows that failed validation: no cascading reference errors
    for name, model in FILES.items():
        file = str(directory / name)
        entry = directory / name
        if not entry.is_file():
            problems.append(Problem(file, None, None, "file is missing"))
            rows[name] = []
            continue
        data = entry.read_bytes()
        digest.update(name.encode() + b"\0" + data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(file, None, None, f"not UTF-8 text: {exc}"))
            rows[name] = []
            continue
        raw, found = read_csv(text, file, model)
        problems += found
        rows[name] = _validate(raw, model, problems)
        ok = {id(r) for _, r in rows[name]}
        for bad in (r for r in raw if id(r) not in ok):
            failed.update(str(v) for k, v in bad.values.items() if k.endswith("_id"))
    stages = _unique(rows["stages.csv"], "stage_id", problems)
    inputs = _unique(rows["inputs.csv"], "input_id", problems)
    for row, src in rows["inputs.csv"]:
        sid = row.stage_id  # type: ignore[attr-defined]
        if sid is not None and sid not in stages:
            problems.append(Problem(src.file, src.line, "stage_id", f"unknown stage {sid!r}"))
    providers = _providers(rows["providers.csv"], problems)
    provision = _provision(rows["provision.csv"], providers, inputs, stages, problems, failed)
    sequence = _sequence(rows["sequence.csv"], inputs, problems, failed)
    if problems:
        raise ValidationError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    return EtoData(
        directory=directory,
        inputs=inputs,  # type: ignore[arg-type]
        stages=stages,  # type: ignore[arg-type]
        providers=providers,
        provision=provision,
        sequence=sequence,
        version=digest.hexdigest()[:12],
    )


def _validate(
    raw: list[RawRow], model: type[BaseModel], problems: list[Problem]
) -> list[tuple[BaseModel, RawRow]]:
    out = []
    for row in raw:
        try:
            out.append((model.model_validate(row.values), row))
        except pydantic.ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else None
                problems.append(Problem(row.file, row.line, column, describe(err)))
    return out


def _unique(
    rows: list[tuple[BaseModel, RawRow]], key: str, problems: list[Problem]
) -> dict[str, BaseModel]:
    out: dict[str, BaseModel] = {}
    first: dict[str, int] = {}
    for row, raw in rows:
        value = getattr(row, key)
        if value in out:
            problems.append(
                Problem(
                    raw.file, raw.line, key, f"duplicate {value!r} (first at line {first[value]})"
                )
            )
            continue
        out[value], first[value] = row, raw.line
    return out


def _kind(row: Provider) -> str:
    if PLACEHOLDER.match(row.provider_name) or (row.country and PLACEHOLDER.match(row.country)):
        return AGGREGATE
    if row.provider_type == ProviderType.COUNTRY:
        return REGION if row.provider_name.upper() in REGIONS else COUNTRY
    return FIRM


def _providers(
    rows: list[tuple[BaseModel, RawRow]], problems: list[Problem]
) -> dict[str, ProviderInfo]:
    """One ``ProviderInfo`` per id; alias rows must agree on name, type and country."""
    out: dict[str, ProviderInfo] = {}
    for row, raw in rows:
        assert isinstance(row, Provider)
        kind = _kind(row)
        country = row.country if kind == FIRM else None
        old = out.get(row.provider_id)
        if old is None:
            aliases = (row.alias,) if row.alias else ()
            side = "country" if row.provider_type == ProviderType.COUNTRY else "firm"
            out[row.provider_id] = ProviderInfo(
                row.provider_id, row.provider_name, kind, country, aliases, raw.line, side
            )
            continue
        for column, mine, theirs in (
            ("provider_name", row.provider_name, old.name),
            ("country", country, old.country),
        ):
            if mine != theirs:
                problems.append(
                    Problem(
                        raw.file,
                        raw.line,
                        column,
                        f"{row.provider_id} has {column} {mine!r} here but {theirs!r} at "
                        f"line {old.line}",
                    )
                )
        if kind != old.kind:
            problems.append(
                Problem(raw.file, raw.line, "provider_type", f"{row.provider_id} changes type")
            )
        if row.alias and row.alias not in old.aliases:
            out[row.provider_id] = ProviderInfo(
                old.id,
                old.name,
                old.kind,
                old.country,
                (*old.aliases, row.alias),
                old.line,
                old.side,
            )
    return out


def _provision(
    rows: list[tuple[BaseModel, RawRow]],
    providers: dict[str, ProviderInfo],
    inputs: dict[str, BaseModel],
    stages: dict[str, BaseModel],
    problems: list[Problem],
    failed: set[str],
) -> pd.DataFrame:
    records = []
    seen: dict[tuple[str, str, int], int] = {}
    for row, raw in rows:
        assert isinstance(row, Provision)
        key = (row.provider_id, row.provided_id, row.year)
        if key in seen:
            problems.append(
                Problem(
                    raw.file,
                    raw.line,
                    "year",
                    f"{row.provider_id} x {row.provided_id} in {row.year} repeats line {seen[key]}",
                )
            )
            continue
        seen[key] = raw.line
        provider = providers.get(row.provider_id)
        target = inputs.get(row.provided_id) or stages.get(row.provided_id)
        if provider is None and row.provider_id not in failed:
            problems.append(
                Problem(raw.file, raw.line, "provider_id", f"unknown provider {row.provider_id!r}")
            )
        if target is None and row.provided_id not in failed:
            problems.append(
                Problem(raw.file, raw.line, "provided_id", f"unknown input {row.provided_id!r}")
            )
        if provider is None or target is None:
            continue
        source, basis = row.source, "row"
        if not source:
            chart = getattr(target, "market_share_chart_source", None)
            source = chart
            basis = ("stage" if row.provided_id in stages else "input") if chart else "none"
            source = source or f"{CITATION} (no per-row source given)"
        records.append(
            {
                "provider_id": row.provider_id,
                "provider": provider.name,
                "kind": provider.kind,
                "side": provider.side,
                "provider_country": provider.country,
                "provided_id": row.provided_id,
                "share": float("nan") if row.share_provided is None else row.share_provided,
                "year": row.year,
                "source": source,
                "source_basis": basis,
                "line": raw.line,
            }
        )
    columns = [
        "provider_id",
        "provider",
        "kind",
        "side",
        "provider_country",
        "provided_id",
        "share",
        "year",
        "source",
        "source_basis",
        "line",
    ]
    frame = pd.DataFrame(records, columns=columns)
    frame["share"] = frame["share"].astype(float)
    frame["year"] = frame["year"].astype("int64")
    return frame


def _sequence(
    rows: list[tuple[BaseModel, RawRow]],
    inputs: dict[str, BaseModel],
    problems: list[Problem],
    failed: set[str],
) -> list[SequenceEdge]:
    out = []
    for row, raw in rows:
        assert isinstance(row, SequenceEdge)
        bad = False
        for column in ("input_id", "goes_into_id", "is_type_of_id"):
            value = getattr(row, column)
            if value is not None and value not in inputs:
                if value not in failed:
                    problems.append(Problem(raw.file, raw.line, column, f"unknown input {value!r}"))
                bad = True
        if not bad:
            out.append(row)
    return out
