"""Coverage: which atlas company numbers resolve, from where, and why the others do not.

For every atlas company x metric (``COVERAGE_METRICS``) x recent calendar year, the value the
resolver (``stackatlas.resolver``) chooses — its source (SEC companyfacts, filing facts,
Yahoo Finance, a user's CSV, an atlas figure), evidence, basis and reference — or, for a gap,
why it is missing and what would resolve it ("not an SEC filer: enable the Yahoo Finance
provider", "no FX rate for TWD 2024 ..."). Per layer: the share of its companies resolved and
the share of its revenue-exposure weight resolved.

Shares use exactly the set profit pools use: a layer's players are the companies with a
membership weight > 0 in it, and one is resolved when the resolver gives a value for the
metric and year; so ``companies_share`` here equals the ``coverage`` of the matching profit
pool cell (tested). The weight share counts each player with its exposure weight in the layer
(``memberships.csv``: how much of the company's revenue belongs to the layer, not how large
the company is). ``resolved_revenue_bn`` is the layer's allocated revenue over the resolved
players (the pools' revenue cell).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import Company
from stackatlas.errors import DataUnavailableError
from stackatlas.resolver import Resolver
from stackatlas.resolver.resolver import CompanyData

COVERAGE_METRICS: tuple[str, ...] = ("revenue", "operating_income", "capex", "operating_cash_flow")
DEFAULT_YEARS = 3
SOURCE_LABELS = {
    "sec-companyfacts": "SEC companyfacts",
    "sec-filing": "SEC filing facts (inline XBRL)",
    "yahoo": "Yahoo Finance (not an SEC filing)",
    "user-csv": "user figures CSV",
    "atlas": "atlas figure",
}
NAMES = {
    "sec-companyfacts": "SEC companyfacts",
    "sec-filing": "SEC filing facts",
    "yahoo": "Yahoo Finance",
    "user-csv": "your figures CSV",
    "atlas": "atlas figures",
}
CELL_COLUMNS = [
    "company",
    "name",
    "layers",
    "metric",
    "year",
    "status",
    "value",
    "source",
    "source_label",
    "evidence",
    "rule",
    "basis",
    "reference",
    "reason",
    "fix",
]
CELL_FIELDS = CELL_COLUMNS[3:]  # one cell's own columns, after the company's
LAYER_COLUMNS = [
    "layer",
    "year",
    "metric",
    "companies",
    "resolved",
    "companies_share",
    "weight",
    "resolved_weight",
    "weight_share",
    "resolved_revenue_bn",
    "missing",
]


def players(atlas: Atlas) -> pd.DataFrame:
    """company, layer, weight: each company's summed exposure weight per layer (weight > 0)."""
    mem = atlas.frame("memberships")
    mem = mem[mem["weight"] > 0].assign(layer=lambda m: m["segment"].map(atlas.layer_of_segment))
    return mem.groupby(["company", "layer"], as_index=False)["weight"].sum()


def default_years(
    resolver: Resolver, company_ids: Sequence[str], n: int = DEFAULT_YEARS
) -> list[int]:
    """The ``n`` calendar years up to the latest one any company resolves from a filing or
    another provider (atlas figures set the window only when nothing else is at hand)."""
    latest, atlas_latest = 0, 0
    for cid in company_ids:
        annual = resolver.company(cid).annual
        if annual.empty:
            continue
        got = annual[annual["value"].notna()]
        if got.empty:
            continue
        years = pd.to_numeric(got["calendar_year"])
        atlas_latest = max(atlas_latest, int(years.max()))
        sourced = years[got["source"] != "atlas"]
        if not sourced.empty:
            latest = max(latest, int(sourced.max()))
    latest = latest or atlas_latest  # only atlas figures at hand: their latest year
    if not latest:
        raise DataUnavailableError(
            "no company resolves any year: sync SEC facts (`stackatlas sync`), set "
            "STACKATLAS_SEC_DIR, or enable a provider (--provider yahoo / csv:FILE)"
        )
    return list(range(latest - n + 1, latest + 1))


def company_cells(
    resolver: Resolver, company: Company, layers: list[str], years: Sequence[int]
) -> list[dict]:
    """One row per metric and year for ``company`` (``CELL_COLUMNS``)."""
    data = resolver.company(company.id)
    annual = data.annual
    rows = []
    for metric in COVERAGE_METRICS:
        for year in years:
            hit = (
                annual[(annual["metric"] == metric) & (annual["period"] == str(year))]
                if not annual.empty
                else annual
            )
            rec = hit.iloc[0].to_dict() if not hit.empty else None
            base = {
                "company": company.id,
                "name": company.name,
                "layers": layers,
                "metric": metric,
                "year": int(year),
            }
            if rec is not None and rec["value"] is not None and not pd.isna(rec["value"]):
                source = str(rec["source"])
                base.update(
                    status="resolved",
                    value=float(rec["value"]),
                    source=source,
                    source_label=" + ".join(SOURCE_LABELS.get(s, s) for s in source.split(" + ")),
                    evidence=str(rec["evidence"]),
                    rule=str(rec["rule"]),
                    basis=_with_source_basis(str(rec["basis"]), data.fiscal, metric, source),
                    reference=None if pd.isna(rec.get("reference")) else rec.get("reference"),
                    reason=None,
                    fix=None,
                )
            else:
                reason, fix = explain(resolver, company, data, metric, year, rec)
                base.update(
                    status="missing",
                    value=None,
                    source=None,
                    source_label=None,
                    evidence="unresolved",
                    rule=None,
                    basis=None if rec is None else str(rec["basis"]),
                    reference=None,
                    reason=reason,
                    fix=fix,
                )
            rows.append(base)
    return rows


def _with_source_basis(basis: str, fiscal: pd.DataFrame, metric: str, source: str) -> str:
    """The calendar rule's basis plus what the provider said of the fiscal year it used (the
    concept, a convenience translation, an FX rate and its source ...)."""
    found = re.search(r"\bFY(\d{4})\b", basis)
    if found is None or fiscal.empty:
        return basis
    hit = fiscal[
        (fiscal["metric"] == metric)
        & (fiscal["source"] == source)
        & (fiscal["fiscal_year"] == int(found.group(1)))
        & fiscal["fiscal_period"].isin(["FY", "CY"])
        & fiscal["value"].notna()
    ]
    if hit.empty or not str(hit.iloc[0]["basis"]).strip():
        return basis
    return f"{basis}: {hit.iloc[0]['basis']}"


def explain(
    resolver: Resolver,
    company: Company,
    data: CompanyData,
    metric: str,
    year: int,
    rec: dict | None,
) -> tuple[str, str]:
    """Why ``metric`` for CY``year`` is missing, and what would resolve it."""
    names = set(resolver.source_names)
    csv_fix = "add it to a figures CSV (--provider csv:FILE, docs/providers.md)"
    if data.unreadable:
        return data.unreadable, "repair or replace the file (`stackatlas sync` fetches it again)"
    if rec is not None and "no FX rate for" in str(rec.get("basis")):
        basis = str(rec["basis"])
        start = basis.index("no FX rate for")
        reason = basis[start:].split(" (", 1)[0]
        return (
            reason,
            "add a sourced annual average for that currency and year (STACKATLAS_FX_FILE)",
        )
    if data.fiscal.empty or (data.fiscal["source"] == "atlas").all():
        reason, fix = _no_source(company, data, names, csv_fix)
        if not data.fiscal.empty:
            atlas_years = sorted({int(y) for y in data.annual["calendar_year"].dropna()})
            held = ", ".join(f"CY{y}" for y in atlas_years) or "no calendar year"
            reason += f" (atlas figures hold {held} only)"
        return reason, fix
    mine = data.fiscal[data.fiscal["metric"] == metric]
    sources = " / ".join(NAMES.get(s, s) for s in dict.fromkeys(map(str, data.fiscal["source"])))
    if mine.empty:
        return (f"{sources}: no {metric.replace('_', ' ')} for any year", csv_fix)
    have = data.annual[data.annual["value"].notna()] if not data.annual.empty else data.annual
    years = sorted({int(y) for y in pd.to_numeric(have["calendar_year"], errors="coerce").dropna()})
    if years and year > years[-1]:
        latest = years[-1]
        fix = "sync again once that year's annual report is filed"
        if company.cik is not None and "yahoo" not in names:
            fix += "; or enable the Yahoo Finance provider (--provider yahoo)"
        return (f"no CY{year} figure yet: {sources} end at CY{latest}", fix)
    if years and year < years[0]:
        return (f"before the first year at hand (CY{years[0]} from {sources})", csv_fix)
    detail = f" ({rec['basis']})" if rec is not None and rec.get("basis") else ""
    return (f"{sources}: no CY{year} {metric.replace('_', ' ')}{detail}", csv_fix)


def _no_source(
    company: Company, data: CompanyData, names: set[str], csv_fix: str
) -> tuple[str, str]:
    if not company.listed:
        return ("private company: no public filings or market statements", csv_fix)
    if company.cik is None:
        if "yahoo" in names:
            why = data.reasons.get("yahoo", "Yahoo Finance has no statements for it")
            return (f"not an SEC filer; {why}", csv_fix)
        return (
            "not an SEC filer",
            "enable the Yahoo Finance provider (--provider yahoo) or " + csv_fix,
        )
    why = data.reasons.get("sec-companyfacts", "no SEC facts at hand")
    return (
        f"SEC filer (CIK {company.cik}) without facts at hand: {why}",
        f"run `stackatlas sync` online, or put CIK{int(company.cik):010d}.json in "
        "$STACKATLAS_SEC_DIR/companyfacts",
    )


def layer_rows(cells: pd.DataFrame, roster: pd.DataFrame, layers: Sequence[str]) -> pd.DataFrame:
    """Per layer, year and metric: players, resolved, shares and the missing (``LAYER_COLUMNS``)."""
    rows = []
    if cells.empty:
        return pd.DataFrame(columns=LAYER_COLUMNS)
    values = cells.set_index(["company", "metric", "year"])["value"]
    for layer in layers:
        members = roster[roster["layer"] == layer]
        weights = dict(zip(members["company"], members["weight"], strict=True))
        for year in sorted(set(cells["year"])):
            for metric in COVERAGE_METRICS:
                got = {
                    c: values.get((c, metric, year))
                    for c in weights
                    if values.get((c, metric, year)) is not None
                    and not pd.isna(values.get((c, metric, year)))
                }
                total_w = sum(weights.values())
                res_w = sum(weights[c] for c in got)
                revenue = (
                    sum(float(v) * weights[c] for c, v in got.items()) / 1e9
                    if metric == "revenue" and got
                    else None
                )
                rows.append(
                    {
                        "layer": layer,
                        "year": int(year),
                        "metric": metric,
                        "companies": len(weights),
                        "resolved": len(got),
                        "companies_share": len(got) / len(weights) if weights else None,
                        "weight": total_w,
                        "resolved_weight": res_w,
                        "weight_share": res_w / total_w if total_w else None,
                        "resolved_revenue_bn": revenue,
                        "missing": sorted(c for c in weights if c not in got),
                    }
                )
    return pd.DataFrame(rows, columns=LAYER_COLUMNS)


def cells_from_inputs(metrics: pd.DataFrame) -> pd.DataFrame:
    """Resolver inputs (company_id, metric, period, value) of calendar years as the
    ``company, metric, year, value`` cells ``layer_rows`` reads (pools and capex cite with it)."""
    annual = metrics[metrics["period"].astype(str).str.fullmatch(r"\d{4}")]
    return pd.DataFrame(
        {
            "company": annual["company_id"].to_numpy(),
            "metric": annual["metric"].to_numpy(),
            "year": annual["period"].astype(int).to_numpy(),
            "value": annual["value"].to_numpy(),
        }
    )


def atlas_layer_rows(atlas: Atlas, metrics: pd.DataFrame) -> pd.DataFrame:
    """``layer_rows`` of every atlas layer from resolver inputs (what pools cite)."""
    return layer_rows(cells_from_inputs(metrics), players(atlas), atlas.layer_ids)


@dataclass(frozen=True)
class CoverageSpec:
    """What to cover: one layer (None = all) and years (None = the recent ones)."""

    layer: str | None = None
    years: tuple[int, ...] | None = None


def compute_coverage(
    atlas: Atlas, resolver: Resolver, spec: CoverageSpec = CoverageSpec()
) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    """(cells, layer rows, years) for the atlas (``coverage`` wraps it in a result)."""
    roster = players(atlas)
    layers = atlas.layer_ids
    ids = list(atlas.companies)
    if spec.layer is not None:
        layer_id = atlas.layer(spec.layer).id
        layers = [layer_id]
        in_layer = set(roster.loc[roster["layer"] == layer_id, "company"])
        ids = [c for c in atlas.companies if c in in_layer]
    years = list(spec.years) if spec.years else default_years(resolver, list(atlas.companies))
    by_company = roster.groupby("company")["layer"].agg(list).to_dict()
    order = {lid: i for i, lid in enumerate(atlas.layer_ids)}
    cells = []
    for cid in ids:
        company_layers = sorted(by_company.get(cid, []), key=lambda lid: order.get(lid, len(order)))
        cells.extend(company_cells(resolver, atlas.companies[cid], company_layers, years))
    frame = pd.DataFrame(cells, columns=CELL_COLUMNS)
    return frame, layer_rows(frame, roster, layers), years
