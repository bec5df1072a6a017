"""Profit pools by layer / segment: where the money in the AI stack ends up.

Each company's calendar-year numbers come from the one resolver (``stackatlas.resolver``); the
part of them that belongs to a layer or segment is the filing's own segment figure where one
is reported, else an estimate (``stackatlas.analysis.allocation``). Each group's series is
summed over one fixed **panel** of companies — those with data in every year shown — so a
change between years is never a change of company set; the ``full`` view (an option) sums every
company with data per year and marks where the set changes (``stackatlas.analysis.panels``).
Every cell lists its contributors, the estimated ones, the group's companies missing and its
coverage (share of the group's companies, and of its revenue weight where known). A cell with
no contributor has value None and evidence ``unresolved`` — never a zero.

Money values are USD billions; ratios are fractions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from stackatlas.analysis.allocation import allocate
from stackatlas.analysis.panels import Panels, choose, revenue_coverage, sizes
from stackatlas.analysis.pools_view import ProfitPools, period_key
from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import DataUnavailableError, ValidationError
from stackatlas.evidence import Evidence, combine
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
VIEWS = ("panel", "full")
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
    "revenue_coverage",
    "set_change",
]
CHANGE_METRICS = ("revenue", "operating_income", "capex", "free_cash_flow")


def by_group(alloc: pd.DataFrame) -> pd.DataFrame:
    """Allocated rows summed per (company, group, period, metric): a company in two segments
    of one layer counts once, with the weakest evidence of its parts and their rules."""
    if alloc.empty:
        return alloc.assign(rules="")
    keys = ["company_id", "group", "period", "metric"]
    alloc = alloc[alloc["group"].notna()]
    single = alloc.groupby(keys, sort=False)["allocated"].transform("size") == 1
    one = alloc[single].assign(rules=alloc.loc[single, "rule"])
    many = alloc[~single]
    if many.empty:
        return one.reset_index(drop=True)
    merged = many.groupby(keys, as_index=False, sort=False).agg(
        allocated=("allocated", "sum"),
        alloc_evidence=("alloc_evidence", lambda e: combine(e)),
        rules=("rule", lambda r: " + ".join(dict.fromkeys(r))),
        basis=("basis", lambda b: "; ".join(b)),
        segment=("segment", lambda g: " + ".join(g)),
    )
    merged["rule"] = merged["rules"]
    return pd.concat([one, merged], ignore_index=True)


def players_of(memberships: pd.DataFrame, segment_layer: Mapping[str, str], by: str) -> dict:
    """Group -> its companies (memberships with a weight above 0)."""
    groups = (
        memberships["segment"] if by == "segment" else memberships["segment"].map(segment_layer)
    )
    exposed = memberships.assign(group=groups)
    return {
        g: sorted(set(grp.loc[grp["weight"] > 0, "company"])) for g, grp in exposed.groupby("group")
    }


def pool_cells(
    metrics: pd.DataFrame,
    memberships: pd.DataFrame,
    segment_layer: Mapping[str, str],
    *,
    by: str = "layer",
    view: str = "panel",
    resolver: Resolver | None = None,
) -> pd.DataFrame:
    """Per (group, period, metric): sum, evidence and coverage; plus the ``RATIOS``."""
    if by not in ("layer", "segment"):
        raise ValidationError(f"by must be 'layer' or 'segment', not {by!r}")
    alloc = by_group(allocate(metrics, memberships, segment_layer, by=by, resolver=resolver))
    periods = sorted(set(metrics["period"].astype(str)), key=period_key)
    cells, _, _ = build_cells(
        alloc,
        players_of(memberships, segment_layer, by),
        periods,
        view,
        metrics=sorted(set(metrics["metric"])),
    )
    cells["layer"] = cells["group"] if by == "layer" else cells["group"].map(segment_layer)
    return cells


def build_cells(
    alloc: pd.DataFrame,
    players: dict[str, list[str]],
    periods: list[str],
    view: str,
    revenue: pd.DataFrame | None = None,
    metrics: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, Panels]:
    """Cells over the rows ``view`` keeps (``panels.choose``), the rows kept, the panels.
    ``revenue``: allocated revenue of every year known (companies' sizes for the revenue
    coverage; default: the rows of ``alloc``)."""
    if view not in VIEWS:
        raise ValidationError(f"view must be 'panel' or 'full', not {view!r}")
    used, panels = choose(alloc, view)
    size = sizes(alloc if revenue is None else pd.concat([alloc, revenue]), periods)
    base_metrics = metrics if metrics is not None else sorted(set(alloc["metric"]))
    parts = {key: grp for key, grp in used.groupby(["group", "period", "metric"], sort=False)}
    empty = used.iloc[0:0]
    rows = []
    for group, group_players in players.items():
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
                cell = _cell(group, period, metric, part, group_players)
                cell["revenue_coverage"] = revenue_coverage(
                    size, group, period, cell["contributors"], group_players
                )
                cell["set_change"] = panels.changes.get((group, metric, period))
                rows.append(cell)
            for ratio, (num, den) in RATIOS.items():
                cell = _ratio_cell(
                    group, period, ratio, values.get(num, {}), values.get(den, {}), group_players
                )
                cell["revenue_coverage"] = revenue_coverage(
                    size, group, period, cell["contributors"], group_players
                )
                cell["set_change"] = None
                rows.append(cell)
    cells = _nones(
        pd.DataFrame(rows, columns=CELL_COLUMNS), ["value", "revenue_coverage", "set_change"]
    )
    return cells, used, panels


def _cell(group: str, period: str, metric: str, part: pd.DataFrame, players: list[str]) -> dict:
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
    return _pack(group, period, metric, value, "usd_billion", ev, contributors, estimated, players)


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


def changes_table(used: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """The change from the second-latest to the latest year shown, per group and metric, over
    the companies in both years (in the panel view: the panel itself)."""
    cols = ["group", "metric", "from", "to", "value_from", "value_to", "change", "companies"]
    if len(years) < 2 or used.empty:
        return pd.DataFrame(columns=cols)
    a, b = years[-2], years[-1]
    rows = []
    for (group, metric), grp in used[used["metric"].isin(CHANGE_METRICS)].groupby(
        ["group", "metric"], sort=False
    ):
        then = grp[grp["period"].astype(str) == a].groupby("company_id")["allocated"].sum()
        now = grp[grp["period"].astype(str) == b].groupby("company_id")["allocated"].sum()
        both = sorted(set(then.index) & set(now.index))
        if not both:
            continue
        v0, v1 = float(then[both].sum()) / BILLION, float(now[both].sum()) / BILLION
        change = v1 / v0 - 1 if v0 > 0 else None
        rows.append(
            {
                "group": group,
                "metric": metric,
                "from": a,
                "to": b,
                "value_from": v0,
                "value_to": v1,
                "change": change,
                "companies": both,
            }
        )
    return pd.DataFrame(rows, columns=cols)


def thesis_table(layer_cells: pd.DataFrame, layer_order: list[str]) -> pd.DataFrame:
    """The article's thesis as numbers, per layer and period: share of all layers' revenue vs
    share of their operating income, capex intensity, and operating income captured per dollar
    of revenue in the top (end-user) layer. Totals sum the layers with data (``total_covers``);
    each layer's ``coverage`` / ``revenue_coverage`` (of its revenue cell) says how much of the
    layer those sums hold."""
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
            rev_cell = cell.get((layer, "revenue"))
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
                    "coverage": None if rev_cell is None else rev_cell.coverage,
                    "revenue_coverage": None if rev_cell is None else rev_cell.revenue_coverage,
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


def profit_pools(
    atlas: Atlas,
    *,
    by: str = "layer",
    year: int | str | None = None,
    store: Store | None = None,
    years: int = 3,
    resolver: Resolver | None = None,
    view: str = "panel",
) -> ProfitPools:
    """Profit pools of the atlas companies (numbers from the resolver).

    ``year``: one calendar year, or ``"ttm"``; None = the ``years`` latest calendar years with
    SEC data plus the trailing four quarters. ``view``: ``panel`` (default: one fixed set of
    companies per group and metric across the years shown) or ``full`` (every company with
    data in each period; the set may change, and the cells say where).
    """
    from stackatlas.analysis.metric_inputs import resolver_for

    if by not in ("layer", "segment"):
        raise ValidationError(f"by must be 'layer' or 'segment', not {by!r}")
    if view not in VIEWS:
        raise ValidationError(f"view must be 'panel' or 'full', not {view!r}")
    memberships = atlas.frame("memberships")
    if memberships.empty:
        raise ValidationError("the atlas has no memberships to build profit pools from")
    note = None
    resolver = resolver_for(atlas, store=store, resolver=resolver)
    inputs = resolver.inputs(sorted(set(memberships["company"])))
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
                for p, src in zip(metrics["period"], metrics["source"], strict=True)
                if str(p).isdigit() and str(src) != "atlas"
            }
        )
        keep = {str(y) for y in sec_years[-years:]} | {"TTM"}
        if not sec_years:
            note = _no_sec_years(metrics)
        metrics = metrics[metrics["period"].isin(keep)]
    memberships["basis"] = memberships["basis"].astype(str)
    layer_of = atlas.layer_of_segment
    periods = sorted(set(metrics["period"].astype(str)), key=period_key)

    every_year = inputs.annual[inputs.annual["metric"] == "revenue"]

    def cells_for(grouping: str) -> tuple[pd.DataFrame, pd.DataFrame, Panels]:
        alloc = by_group(allocate(metrics, memberships, layer_of, by=grouping, resolver=resolver))
        revenue = by_group(
            allocate(every_year, memberships, layer_of, by=grouping, resolver=resolver)
        )
        cells, used, panels = build_cells(
            alloc,
            players_of(memberships, layer_of, grouping),
            periods,
            view,
            revenue,
            metrics=sorted(set(metrics["metric"])),
        )
        cells["layer"] = cells["group"] if grouping == "layer" else cells["group"].map(layer_of)
        order = {
            g: i
            for i, g in enumerate(atlas.layer_ids if grouping == "layer" else list(atlas.segments))
        }
        cells = cells.sort_values(
            ["period", "group"],
            key=lambda s: s.map(order) if s.name == "group" else s.map(period_key),
        ).reset_index(drop=True)
        return cells, used, panels

    cells, used, panels = cells_for(by)
    layer_cells = cells if by == "layer" else cells_for("layer")[0]
    thesis = thesis_table(layer_cells, atlas.layer_ids) if len(metrics) else pd.DataFrame()
    from stackatlas.analysis.coverage import atlas_layer_rows

    return ProfitPools(
        coverage=atlas_layer_rows(atlas, metrics),
        by=by,
        view=view,
        cells=cells,
        thesis=thesis,
        inputs=metrics.reset_index(drop=True),
        not_covered=inputs.not_covered,
        allocations=used,
        panels=panels,
        changes=changes_table(used, panels.years),
        note=note,
    )


def _no_sec_years(metrics: pd.DataFrame) -> str:
    """Why the default periods are empty: no company has SEC money metrics yet."""
    atlas_years = sorted({str(p) for p in metrics["period"] if str(p).isdigit()})
    text = (
        "No atlas company has SEC money metrics yet, so there is no year to show by default: "
        "run `stackatlas sync` (or set STACKATLAS_SEC_DIR to a folder of recorded "
        "companyfacts)."
    )
    if atlas_years:
        text += (
            " The atlas's own sourced figures cover "
            + ", ".join(f"CY{y}" for y in atlas_years)
            + f": choose one with --year (e.g. --year {atlas_years[0]})."
        )
    return text


def _nones(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Missing numbers as None (object columns), so they never read as a number."""
    for col in columns:
        series = frame[col].astype(object)
        frame[col] = series.where(frame[col].notna(), None)
    return frame
