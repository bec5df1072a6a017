"""Profit pools by layer / segment: where the money in the AI stack ends up.

Each company's calendar-year metrics (``metric_inputs``) are allocated to the segments it is a
member of by its revenue-exposure weight, then summed per segment or layer (a weight of 0 —
"member without separately reported revenue" — contributes nothing and is not counted as a
known player). A weight of 1 (the
whole company in one segment) keeps the metric's evidence, and so does a weight from a filing
in the calendar year it describes; any other fractional weight makes the allocated value
``estimated``. Sums cover only the companies with data: every cell lists its
contributors, which of them are estimates, the known players missing and the share covered.
A cell with no contributor has value None and evidence ``unresolved`` — never a zero.

Money values are USD billions; ratios are fractions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from rich.table import Table
from rich.text import Text

from stackatlas.atlas.atlas import Atlas
from stackatlas.display import fmt_num, fmt_pct, records
from stackatlas.errors import DataUnavailableError, ValidationError
from stackatlas.evidence import Evidence, combine, weakest
from stackatlas.resolver import Resolver

if TYPE_CHECKING:
    from stackatlas.store import Store

RATIOS: dict[str, tuple[str, str]] = {
    "gross_margin": ("gross_profit", "revenue"),
    "operating_margin": ("operating_income", "revenue"),
    "fcf_margin": ("free_cash_flow", "revenue"),
    "capex_intensity": ("capex", "revenue"),
    "capex_to_ocf": ("capex", "operating_cash_flow"),
}
BILLION = 1e9
CELL_COLUMNS = [
    "group",
    "layer",
    "period",
    "metric",
    "value",
    "unit",
    "evidence",
    "symbol",
    "contributors",
    "estimated",
    "missing",
    "coverage",
]


def allocate(
    metrics: pd.DataFrame,
    memberships: pd.DataFrame,
    segment_layer: Mapping[str, str],
    *,
    by: str = "layer",
) -> pd.DataFrame:
    """Company metrics x membership weights -> one row per (company, group, period, metric).

    ``metrics``: company_id, metric, period, value (USD), evidence.
    ``memberships``: company, segment, weight, basis ("actual" / "estimate").
    """
    if by not in ("layer", "segment"):
        raise ValidationError(f"by must be 'layer' or 'segment', not {by!r}")
    cols = ["company", "segment", "weight", "basis"]
    mem = memberships.loc[
        memberships["weight"] > 0, cols + (["as_of"] if "as_of" in memberships.columns else [])
    ].copy()
    mem["group"] = mem["segment"] if by == "segment" else mem["segment"].map(segment_layer)
    mem["whole"] = mem["weight"] == 1.0
    mem["actual"] = mem["basis"].astype(str) == "actual"
    # a filed weight describes the twelve months before its as_of date: it is exact only for the
    # calendar year holding most of them (Alphabet's 2024 Cloud share is not its 2019 share)
    mem["weight_year"] = (
        weight_years(mem["as_of"])
        if "as_of" in mem.columns
        else pd.Series(pd.NA, index=mem.index, dtype="Int64")
    )
    mem = mem.groupby(["company", "group"], as_index=False).agg(
        weight=("weight", "sum"),
        whole=("whole", "all"),
        actual=("actual", "all"),
        weight_year=("weight_year", lambda y: y.iloc[0] if y.nunique() == 1 else pd.NA),
    )
    df = metrics.merge(mem, left_on="company_id", right_on="company", how="inner")
    df = df[df["value"].notna()].copy()
    dated = "as_of" in memberships.columns  # without dates an actual weight fits every period
    df["weight_exact"] = df["whole"] | (df["actual"] & (_same_year(df) if dated else True))
    df["allocated"] = df["value"] * df["weight"]
    df["alloc_evidence"] = [
        Evidence(ev) if exact else weakest([ev, Evidence.ESTIMATED])
        for ev, exact in zip(df["evidence"], df["weight_exact"], strict=True)
    ]
    return df[
        ["company_id", "group", "period", "metric", "allocated", "alloc_evidence", "weight"]
    ].reset_index(drop=True)


def weight_years(as_of: pd.Series) -> pd.Series:
    """Calendar year a membership weight as of ``as_of`` describes (midpoint of the year to it)."""
    return (pd.to_datetime(as_of) - pd.Timedelta(days=182)).dt.year.astype("Int64")


def _same_year(df: pd.DataFrame) -> pd.Series:
    """Rows whose period is the weight's year (TTM: the year of its last quarter)."""
    period = pd.to_numeric(
        df["period"].where(df["period"].astype(str).str.isdigit()), errors="coerce"
    )
    if "calendar_year" in df.columns:
        period = period.fillna(pd.to_numeric(df["calendar_year"], errors="coerce"))
    return (period == df["weight_year"].astype("Float64")).fillna(False).astype(bool)


def pool_cells(
    metrics: pd.DataFrame,
    memberships: pd.DataFrame,
    segment_layer: Mapping[str, str],
    *,
    by: str = "layer",
) -> pd.DataFrame:
    """Per (group, period, metric): sum, evidence and coverage; plus the ``RATIOS``."""
    alloc = allocate(metrics, memberships, segment_layer, by=by)
    groups = (
        memberships["segment"] if by == "segment" else memberships["segment"].map(segment_layer)
    )
    exposed = memberships.assign(group=groups)
    known = {
        g: sorted(set(grp.loc[grp["weight"] > 0, "company"])) for g, grp in exposed.groupby("group")
    }
    periods = sorted(set(metrics["period"].astype(str)), key=_period_key)
    base_metrics = sorted(set(metrics["metric"]))
    rows = []
    parts = {key: grp for key, grp in alloc.groupby(["group", "period", "metric"], sort=False)}
    empty = alloc.iloc[0:0]
    for group, players in known.items():
        for period in periods:
            values: dict[str, dict[str, tuple[float, Evidence]]] = {}
            for metric in base_metrics:
                part = parts.get((group, period, metric), empty)
                values[metric] = {
                    c: (v, Evidence(e))
                    for c, v, e in zip(
                        part["company_id"], part["allocated"], part["alloc_evidence"], strict=True
                    )
                }
                rows.append(_cell(group, period, metric, part, players, "usd_billion"))
            for ratio, (num, den) in RATIOS.items():
                rows.append(
                    _ratio_cell(
                        group, period, ratio, values.get(num, {}), values.get(den, {}), players
                    )
                )
    cells = _nones(pd.DataFrame(rows, columns=CELL_COLUMNS), ["value"])
    cells["layer"] = cells["group"] if by == "layer" else cells["group"].map(segment_layer)
    return cells


def _cell(
    group: str, period: str, metric: str, part: pd.DataFrame, players: list[str], unit: str
) -> dict:
    contributors = sorted(set(part["company_id"]))
    estimated = sorted(
        set(
            part.loc[
                part["alloc_evidence"].map(lambda e: Evidence(e).rank >= Evidence.ESTIMATED.rank),
                "company_id",
            ]
        )
    )
    if contributors:
        value: float | None = float(part["allocated"].sum()) / BILLION
        ev = (
            Evidence(part["alloc_evidence"].iloc[0])
            if len(part) == 1
            else combine(part["alloc_evidence"])
        )
    else:
        value, ev = None, Evidence.UNRESOLVED
    return _pack(group, period, metric, value, unit, ev, contributors, estimated, players)


def _ratio_cell(
    group: str,
    period: str,
    ratio: str,
    num: dict[str, tuple[float, Evidence]],
    den: dict[str, tuple[float, Evidence]],
    players: list[str],
) -> dict:
    """Ratio over the companies that have both numerator and denominator."""
    common = sorted(set(num) & set(den))
    denominator = sum(den[c][0] for c in common)
    if not common or denominator == 0:
        return _pack(group, period, ratio, None, "ratio", Evidence.UNRESOLVED, [], [], players)
    value = sum(num[c][0] for c in common) / denominator
    evs = [num[c][1] for c in common] + [den[c][1] for c in common]
    estimated = [
        c for c in common if max(num[c][1].rank, den[c][1].rank) >= Evidence.ESTIMATED.rank
    ]
    return _pack(group, period, ratio, value, "ratio", combine(evs), common, estimated, players)


def _pack(
    group: str,
    period: str,
    metric: str,
    value: float | None,
    unit: str,
    ev: Evidence,
    contributors: list[str],
    estimated: list[str],
    players: list[str],
) -> dict:
    return {
        "group": group,
        "layer": None,
        "period": period,
        "metric": metric,
        "value": value,
        "unit": unit,
        "evidence": ev.value,
        "symbol": ev.symbol,
        "contributors": contributors,
        "estimated": estimated,
        "missing": [p for p in players if p not in contributors],
        "coverage": len(contributors) / len(players) if players else 0.0,
    }


def thesis_table(layer_cells: pd.DataFrame, layer_order: list[str]) -> pd.DataFrame:
    """The article's thesis as numbers, per layer and period: share of all layers' revenue vs
    share of their operating income, capex intensity, and operating income captured per dollar
    of revenue in the top (end-user) layer. Totals sum the layers with data (``total_covers``)."""
    top = layer_order[-1]
    rows = []
    for period, grp in layer_cells.groupby("period", sort=False):
        cell = {(r.group, r.metric): r for r in grp.itertuples()}

        def val(layer: str, metric: str, cell: dict = cell) -> tuple[float | None, str]:
            r = cell.get((layer, metric))
            return (None, Evidence.UNRESOLVED.value) if r is None else (r.value, r.evidence)

        revs = [val(lay, "revenue") for lay in layer_order]
        ois = [val(lay, "operating_income") for lay in layer_order]
        rev_total = _total(revs)
        oi_total = _total(ois)
        top_rev = val(top, "revenue")
        covers = [lay for lay, r in zip(layer_order, ois, strict=True) if r[0] is not None]
        for layer, rev, oi in zip(layer_order, revs, ois, strict=True):
            capex = val(layer, "capex_intensity")
            rows.append(
                {
                    "period": period,
                    "layer": layer,
                    "revenue": rev[0],
                    "operating_income": oi[0],
                    "revenue_share": _div(rev, rev_total),
                    "operating_profit_share": _div(oi, oi_total),
                    "capex_intensity": capex[0],
                    "profit_per_end_user_dollar": _div(oi, top_rev),
                    "total_covers": covers,
                }
            )
            ev = combine([rev[1], oi[1], rev_total[1], oi_total[1], top_rev[1]])
            rows[-1].update({"evidence": ev.value, "symbol": ev.symbol})
            for key in ("revenue_share", "operating_profit_share", "profit_per_end_user_dollar"):
                rows[-1][key] = rows[-1][key][0]
    frame = pd.DataFrame(rows)
    return _nones(
        frame,
        [
            c
            for c in frame.columns
            if c not in ("period", "layer", "evidence", "symbol", "total_covers")
        ],
    )


def _nones(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Missing numbers as None (object columns), so they never read as a number."""
    for col in columns:
        series = frame[col].astype(object)
        frame[col] = series.where(frame[col].notna(), None)
    return frame


def _total(items: list[tuple[float | None, str]]) -> tuple[float | None, str]:
    """Sum over the layers that have a value (``total_covers`` in the thesis names them)."""
    known = [(v, e) for v, e in items if v is not None]
    if not known:
        return None, Evidence.UNRESOLVED.value
    return sum(v for v, _ in known), combine(e for _, e in known).value


def _div(a: tuple[float | None, str], b: tuple[float | None, str]) -> tuple[float | None, str]:
    if a[0] is None or b[0] is None or b[0] == 0:
        return None, Evidence.UNRESOLVED.value
    return a[0] / b[0], combine([a[1], b[1]]).value


def _period_key(period: str) -> tuple[int, str]:
    return (9999, period) if not period.isdigit() else (int(period), "")


@dataclass
class ProfitPools:
    """Profit-pool cells (long format), the thesis table (layers only) and coverage notes."""

    by: str
    cells: pd.DataFrame
    thesis: pd.DataFrame
    inputs: pd.DataFrame
    not_covered: dict[str, str] = field(default_factory=dict)
    allocations: pd.DataFrame = field(default_factory=pd.DataFrame)  # per company and group

    @property
    def periods(self) -> list[str]:
        return sorted(set(self.cells["period"]), key=_period_key)

    def wide(
        self,
        period: str | None = None,
        metrics: tuple[str, ...] = (
            "revenue",
            "operating_income",
            "operating_margin",
            "capex",
            "capex_intensity",
            "free_cash_flow",
        ),
    ) -> pd.DataFrame:
        """One row per group for one period (default: latest calendar year)."""
        period = period or next(
            (p for p in reversed(self.periods) if p.isdigit()),
            self.periods[-1] if self.periods else "",
        )
        sub = self.cells[(self.cells["period"] == period) & self.cells["metric"].isin(metrics)]
        table = sub.pivot_table(
            index="group",
            columns="metric",
            values="value",
            aggfunc="first",
            dropna=False,
            sort=False,
        )
        table = table.reindex(columns=list(metrics))
        rev = sub[sub["metric"] == "revenue"].set_index("group")
        table["symbol"] = rev["symbol"]
        table["coverage"] = rev["coverage"]
        table.insert(0, "period", period)
        return table.reset_index()

    def to_dict(self) -> dict:
        return {
            "by": self.by,
            "unit": "usd_billion (money), fraction (ratios)",
            "cells": records(self.cells),
            "thesis": records(self.thesis),
            "not_covered": self.not_covered,
        }

    def __rich__(self) -> Table:
        wide = self.wide()
        period = wide["period"].iloc[0] if len(wide) else ""
        table = Table(title=f"Profit pools by {self.by}, {period} (USD bn)")
        for col in ["", self.by, "revenue", "op.inc", "margin", "capex", "capex/rev", "FCF", "cov"]:
            table.add_column(
                col,
                justify="left" if col in ("", self.by) else "right",
                no_wrap=col in ("", self.by),
                min_width=max(1, len(col)),
            )
        for r in wide.itertuples():
            table.add_row(
                str(r.symbol),
                Text(str(r.group)),
                fmt_num(r.revenue),
                fmt_num(r.operating_income),
                fmt_pct(r.operating_margin),
                fmt_num(r.capex),
                fmt_pct(r.capex_intensity),
                fmt_num(r.free_cash_flow),
                fmt_pct(r.coverage),
            )
        return table


def profit_pools(
    atlas: Atlas,
    *,
    by: str = "layer",
    year: int | str | None = None,
    store: Store | None = None,
    years: int = 4,
    resolver: Resolver | None = None,
) -> ProfitPools:
    """Profit pools of the atlas companies from SEC fundamentals and atlas figures.

    ``year``: one calendar year, or ``"ttm"``; None = the ``years`` latest calendar years with
    SEC data plus the trailing four quarters.
    """
    from stackatlas.analysis.metric_inputs import gather

    if by not in ("layer", "segment"):
        raise ValidationError(f"by must be 'layer' or 'segment', not {by!r}")
    memberships = atlas.frame("memberships")
    if memberships.empty:
        raise ValidationError("the atlas has no memberships to build profit pools from")
    inputs = gather(atlas, sorted(set(memberships["company"])), store=store, resolver=resolver)
    metrics = inputs.all_periods()
    if year is not None:
        wanted = "TTM" if str(year).lower() == "ttm" else str(int(year))
        metrics = metrics[metrics["period"] == wanted]
        if metrics.empty:
            raise DataUnavailableError(
                f"no atlas company has money metrics for {wanted} "
                "(sync SEC data with `stackatlas sync`)"
            )
    else:
        sec_years = sorted(
            {
                int(p)
                for p, b in zip(metrics["period"], metrics["source"], strict=True)
                if p.isdigit() and str(b) != "atlas"
            }
        )
        keep = {str(y) for y in sec_years[-years:]} | {"TTM"}
        metrics = metrics[metrics["period"].isin(keep)]
    memberships["basis"] = memberships["basis"].astype(str)
    cells = pool_cells(metrics, memberships, atlas.layer_of_segment, by=by)
    order = {g: i for i, g in enumerate(atlas.layer_ids if by == "layer" else list(atlas.segments))}
    cells = cells.sort_values(
        ["period", "group"], key=lambda s: s.map(order) if s.name == "group" else s.map(_period_key)
    ).reset_index(drop=True)
    layer_cells = (
        cells if by == "layer" else pool_cells(metrics, memberships, atlas.layer_of_segment)
    )
    thesis = thesis_table(layer_cells, atlas.layer_ids) if len(metrics) else pd.DataFrame()
    return ProfitPools(
        by=by,
        cells=cells,
        thesis=thesis,
        inputs=metrics.reset_index(drop=True),
        not_covered=inputs.not_covered,
        allocations=allocate(metrics, memberships, atlas.layer_of_segment, by=by),
    )
