"""Hyperscaler capex tracker: capex, operating cash flow, capex / OCF and free cash flow.

Per company (the ``hyperscalers`` group: Amazon, Microsoft, Alphabet, Meta, plus Oracle) and
per group (``big4-hyperscalers``, ``hyperscalers``), by calendar year (+ trailing four quarters)
or calendar quarter, with the atlas's AI share of capex applied as a labelled estimate and the
article's claims set beside the filing-derived numbers.

A group total needs every member: if one is missing the total is None (``unresolved``) and a
separate ``partial`` row sums the members that have data, naming those missing.
Money is USD billions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Group as RichGroup
from rich.table import Table
from rich.text import Text

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import SubjectType
from stackatlas.display import fmt_num, fmt_pct, records
from stackatlas.errors import ValidationError
from stackatlas.evidence import Evidence, combine
from stackatlas.notebook import Tabular
from stackatlas.resolver import Resolver
from stackatlas.resolver.periods import period_label

if TYPE_CHECKING:
    from stackatlas.store import Store

BILLION = 1e9
TRACKED_GROUPS = ("big4-hyperscalers", "hyperscalers")
AI_SHARE_METRICS = ("capex_ai_share", "ai_capex_share", "ai_share_of_capex")
AI_CAPEX_METRICS = ("capex_ai", "ai_capex")
ROW_COLUMNS = [
    "entity",
    "kind",
    "period",
    "capex",
    "operating_cash_flow",
    "capex_to_ocf",
    "free_cash_flow",
    "ai_capex_est",
    "evidence",
    "symbol",
    "capex_evidence",
    "ocf_evidence",
    "fcf_evidence",
    "ai_evidence",
    "members",
    "missing",
    "basis",
]


@dataclass(frozen=True)
class AiShare:
    """Share of capex spent on AI infrastructure (an estimate from an atlas figure)."""

    value: float
    figure_id: str
    evidence: Evidence = Evidence.ESTIMATED


def ai_share_from_atlas(atlas: Atlas) -> AiShare | None:
    """The atlas's AI share of hyperscaler capex: an explicit share figure, else the ratio of an
    ``ai_capex`` figure to a ``capex`` figure for the same group and period."""
    figs = [
        f
        for f in atlas.figures
        if f.subject_type == SubjectType.GROUP and f.subject in TRACKED_GROUPS
    ]
    for f in figs:
        if f.metric in AI_SHARE_METRICS:
            value = f.value / 100 if f.unit == "percent" else f.value
            return AiShare(value, f.id)
    capex = {(f.subject, f.period): f for f in figs if f.metric == "capex"}
    for f in figs:
        if f.metric in AI_CAPEX_METRICS and (f.subject, f.period) in capex:
            total = capex[(f.subject, f.period)]
            return AiShare(f.value / total.value, f"{f.id} / {total.id}")
    return None


def capex_rows(
    metrics: pd.DataFrame, groups: Mapping[str, list[str]], ai_share: AiShare | None = None
) -> pd.DataFrame:
    """Company and group rows from ``metrics`` (company_id, metric, period, value USD,
    evidence) holding ``capex`` and ``operating_cash_flow`` (``free_cash_flow`` optional)."""
    rows = []
    per_company: dict[tuple[str, str], dict] = {}
    for (cid, period), grp in metrics.groupby(["company_id", "period"], sort=False):
        vals = {
            m: (v, e)
            for m, v, e in zip(grp["metric"], grp["value"], grp["evidence"], strict=True)
            if v is not None and not pd.isna(v)
        }
        row = _row(
            cid,
            "company",
            period,
            vals.get("capex"),
            vals.get("operating_cash_flow"),
            vals.get("free_cash_flow"),
            ai_share,
            [cid],
            [],
        )
        if "basis" in grp.columns:
            capex_basis = grp.loc[grp["metric"] == "capex", "basis"]
            row["basis"] = str(capex_basis.iloc[0]) if len(capex_basis) else ""
        per_company[(cid, period)] = row
        rows.append(row)
    periods = list(dict.fromkeys(metrics["period"]))
    for gid, members in groups.items():
        for period in periods:
            have = [m for m in members if _complete(per_company.get((m, period)))]
            missing = [m for m in members if m not in have]
            if not have:
                continue
            capex = _sum([per_company[(m, period)] for m in have], "capex")
            ocf = _sum([per_company[(m, period)] for m in have], "operating_cash_flow")
            if missing:
                rows.append(
                    _row(gid, "group", period, None, None, None, ai_share, members, missing)
                )
                rows.append(
                    _row(
                        f"{gid} (partial)",
                        "partial",
                        period,
                        capex,
                        ocf,
                        None,
                        ai_share,
                        have,
                        missing,
                    )
                )
            else:
                rows.append(_row(gid, "group", period, capex, ocf, None, ai_share, members, []))
    frame = pd.DataFrame(rows, columns=ROW_COLUMNS)
    for col in ("capex", "operating_cash_flow", "capex_to_ocf", "free_cash_flow", "ai_capex_est"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def _complete(row: dict | None) -> bool:
    return row is not None and row["capex"] is not None and row["operating_cash_flow"] is not None


def _sum(rows: list[dict], col: str) -> tuple[float, Evidence]:
    return (sum(r[col] for r in rows) * BILLION, combine(Evidence(r["_ev"][col]) for r in rows))


def _row(
    entity: str,
    kind: str,
    period: str,
    capex: tuple | None,
    ocf: tuple | None,
    fcf: tuple | None,
    ai_share: AiShare | None,
    members: list[str],
    missing: list[str],
) -> dict:
    """One row; values arrive as (USD value, evidence) and leave as USD billions."""
    evs: dict[str, Evidence] = {}

    def take(name: str, item: tuple | None) -> float | None:
        evs[name] = Evidence(item[1]) if item else Evidence.UNRESOLVED
        return item[0] / BILLION if item else None

    capex_bn, ocf_bn = take("capex", capex), take("operating_cash_flow", ocf)
    fcf_bn = take("free_cash_flow", fcf)
    if fcf_bn is None and capex_bn is not None and ocf_bn is not None:
        fcf_bn = ocf_bn - capex_bn
        evs["free_cash_flow"] = combine([evs["capex"], evs["operating_cash_flow"]])
    ratio = capex_bn / ocf_bn if capex_bn is not None and ocf_bn else None
    ai = capex_bn * ai_share.value if capex_bn is not None and ai_share else None
    ai_ev = (
        combine([evs["capex"], ai_share.evidence])
        if ai is not None and ai_share
        else Evidence.UNRESOLVED
    )
    ev = (
        combine([evs["capex"], evs["operating_cash_flow"]])
        if ratio is not None
        else (Evidence.UNRESOLVED)
    )
    return {
        "entity": entity,
        "kind": kind,
        "period": period,
        "capex": capex_bn,
        "operating_cash_flow": ocf_bn,
        "capex_to_ocf": ratio,
        "free_cash_flow": fcf_bn,
        "ai_capex_est": ai,
        "evidence": ev.value,
        "symbol": ev.symbol,
        "capex_evidence": evs["capex"].value,
        "ocf_evidence": evs["operating_cash_flow"].value,
        "fcf_evidence": evs["free_cash_flow"].value,
        "ai_evidence": ai_ev.value,
        "members": members,
        "missing": missing,
        "basis": "sum of members" if kind != "company" else "",
        "_ev": evs,
    }


def _recent(annual: pd.DataFrame, years: int) -> pd.DataFrame:
    """The ``years`` latest calendar years of capex / OCF (the years the tracker shows)."""
    sub = annual[annual["metric"].isin(["capex", "operating_cash_flow"])]
    recent = sorted({int(p) for p in sub["period"]})[-years:]
    return sub[sub["period"].isin([str(y) for y in recent])]


def group_coverage(annual: pd.DataFrame, groups: Mapping[str, list[str]]) -> pd.DataFrame:
    """Per tracked group and calendar year: how many members resolve both capex and operating
    cash flow (``stackatlas.analysis.coverage`` cells, so the counts match ``coverage``)."""
    from stackatlas.analysis.coverage import cells_from_inputs

    cells = cells_from_inputs(annual)
    have = cells[cells["value"].notna() & cells["metric"].isin(["capex", "operating_cash_flow"])]
    both = have.groupby(["company", "year"])["metric"].nunique()
    rows = []
    for year in sorted(set(cells["year"])):
        for gid, members in groups.items():
            ok = [m for m in members if both.get((m, year), 0) == 2]
            rows.append(
                {
                    "group": gid,
                    "year": int(year),
                    "companies": len(members),
                    "resolved": len(ok),
                    "missing": [m for m in members if m not in ok],
                }
            )
    return pd.DataFrame(rows, columns=["group", "year", "companies", "resolved", "missing"])


# (figure id, claim, entity to compare, column, period to compare; None = not computable)
CLAIMS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("big4-capex-2026", "Big-4 capex 2026: $650-700B", "big4-hyperscalers", "capex", "TTM"),
    (
        "hyperscaler-capex-ocf-2025",
        "capex / OCF 65% in 2025",
        "hyperscalers",
        "capex_to_ocf",
        "2025",
    ),
    (
        "hyperscaler-capex-ocf-2026",
        "capex / OCF 90% in 2026",
        "hyperscalers",
        "capex_to_ocf",
        "TTM",
    ),
    ("hyperscaler-debt-2025", "debt issuance $165B in 2025", "hyperscalers", "debt", None),
    ("hyperscaler-debt-2026", "debt issuance $400B in 2026", "hyperscalers", "debt", None),
    (
        "amazon-fcf-2026",
        "Amazon free cash flow could turn negative",
        "amazon",
        "free_cash_flow",
        "TTM",
    ),
)
ARTICLE = "marsbit-2026-03-16"


def claims_table(atlas: Atlas, rows: pd.DataFrame) -> pd.DataFrame:
    """The article's capex claims (atlas figures, never changed) beside computed values."""
    figures = {f.id: f for f in atlas.figures}
    out = []
    for fid, claim, entity, column, period in CLAIMS:
        f = figures.get(fid)
        claimed = None if f is None else (f.value / 100 if f.unit == "percent" else f.value)
        if f is None:
            claimed_text = "qualitative (article)" if column == "free_cash_flow" else "not in atlas"
        else:
            rng = f" ({f.low:g}-{f.high:g})" if f.low is not None and f.high is not None else ""
            claimed_text = f"{f.value:g}{rng} {f.unit}, {f.period} [{f.kind.value}]"
        computed, ev, text, comparison = _computed(rows, entity, column, period, claimed)
        out.append(
            {
                "figure": fid,
                "claim": claim,
                "claimed": claimed,
                "claimed_text": claimed_text,
                "source": f.source if f else ARTICLE,
                "computed": computed,
                "computed_evidence": ev.value,
                "computed_text": text,
                "comparison": comparison,
            }
        )
    return pd.DataFrame(out)


def _computed(
    rows: pd.DataFrame, entity: str, column: str, period: str | None, claimed: float | None
) -> tuple[float | None, Evidence, str, str]:
    if period is None or column == "debt":
        return (
            None,
            Evidence.UNRESOLVED,
            "—",
            "not checkable: debt issuance is not among the SEC standard metrics",
        )
    hits = rows[(rows["entity"].isin([entity, f"{entity} (partial)"])) & (rows["period"] == period)]
    full = hits[hits["entity"] == entity]
    part = hits[hits["entity"] == f"{entity} (partial)"]
    if not full.empty and full.iloc[0][column] is not None:
        r, scope = full.iloc[0], "all members"
    elif not part.empty and part.iloc[0][column] is not None:
        r = part.iloc[0]
        scope = f"partial: {', '.join(r['members'])}; missing {', '.join(r['missing'])}"
    else:
        return None, Evidence.UNRESOLVED, "—", f"unresolved: no SEC data for {entity} {period}"
    value = float(r[column])
    ev = Evidence(r["fcf_evidence"] if column == "free_cash_flow" else r["evidence"])
    text = f"{value:.1%}" if column == "capex_to_ocf" else f"{value:,.1f} bn"
    when = "trailing four quarters" if period == "TTM" else f"CY{period}"
    note = f"{when}, {scope}"
    if claimed is not None and period == "TTM":
        note += "; the claim is a full-year projection, shown for context"
    elif claimed is not None:
        diff = value - claimed
        gap = (
            f"{abs(diff) * 100:.1f} points" if column == "capex_to_ocf" else f"{abs(diff):,.1f} bn"
        )
        note += f"; computed {'above' if diff > 0 else 'below'} the claim by {gap}"
    elif column == "free_cash_flow":
        note += "; negative now" if value < 0 else "; still positive"
    return value, ev, text, note


@dataclass
class CapexTracker(Tabular):
    """Rows per company / group and period, plus the article's claims beside them."""

    period: str
    rows: pd.DataFrame
    claims: pd.DataFrame
    ai_share: AiShare | None
    not_covered: dict[str, str] = field(default_factory=dict)
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)  # group, year, members ...

    def coverage_lines(self) -> list[str]:
        """Per group and calendar year: members with both capex and operating cash flow, as
        ``stackatlas coverage`` counts them."""
        out = []
        for r in self.coverage.itertuples():
            miss = f" (missing: {', '.join(r.missing)})" if r.missing else ""
            out.append(
                f"coverage CY{r.year} {r.group}: capex and OCF for {r.resolved} of "
                f"{r.companies}{miss}"
            )
        return out

    def row(self, entity: str, period: str) -> dict:
        hit = self.rows[(self.rows["entity"] == entity) & (self.rows["period"] == period)]
        if hit.empty:
            raise KeyError((entity, period))
        return hit.iloc[0].to_dict()

    def to_dict(self) -> dict:
        rows = self.rows
        return {
            "period": self.period,
            "unit": "usd_billion",
            "ai_share": None
            if self.ai_share is None
            else {
                "value": self.ai_share.value,
                "figure": self.ai_share.figure_id,
                "evidence": self.ai_share.evidence.value,
            },
            "rows": records(rows),
            "claims": records(self.claims),
            "coverage": records(self.coverage),
            "not_covered": self.not_covered,
        }

    def __rich__(self) -> RichGroup:
        table = Table(title=f"Hyperscaler capex vs operating cash flow ({self.period}, USD bn)")
        for col in ("", "entity", "period", "capex", "OCF", "capex/OCF", "FCF", "AI capex○"):
            table.add_column(
                col,
                justify="right" if col not in ("", "entity") else "left",
                no_wrap=col in ("", "period"),
                min_width=max(1, len(col)),
            )
        for r in self.rows.itertuples():
            table.add_row(
                r.symbol,
                Text(str(r.entity)),
                period_label(r.period),
                fmt_num(r.capex),
                fmt_num(r.operating_cash_flow),
                fmt_pct(r.capex_to_ocf, 1),
                fmt_num(r.free_cash_flow),
                fmt_num(r.ai_capex_est),
            )
        claims = Table(title="The article's claims vs the filings")
        for col in ("claim", "claimed", "computed", "comparison"):
            claims.add_column(col)
        for c in self.claims.itertuples():
            # plain Text: "[projection]" in a claim is data, not rich markup (it vanished)
            claims.add_row(
                *(Text(str(x)) for x in (c.claim, c.claimed_text, c.computed_text, c.comparison))
            )
        return RichGroup(table, claims)


def hyperscaler_capex(
    atlas: Atlas,
    *,
    period: str = "annual",
    store: Store | None = None,
    years: int = 3,
    resolver: Resolver | None = None,
) -> CapexTracker:
    """The tracker for the hyperscalers, numbers from the resolver (SEC companyfacts, then
    the filings at hand, then sourced atlas figures)."""
    from stackatlas.analysis.metric_inputs import gather

    if period not in ("annual", "quarterly"):
        raise ValidationError(f"period must be 'annual' or 'quarterly', not {period!r}")
    groups = {g: list(atlas.groups[g].members) for g in TRACKED_GROUPS if g in atlas.groups}
    members = list(dict.fromkeys(m for ms in groups.values() for m in ms))
    inputs = gather(atlas, members, store=store, resolver=resolver)
    want = ("capex", "operating_cash_flow", "free_cash_flow")
    if period == "annual":
        annual = inputs.annual[inputs.annual["metric"].isin(want)]
        recent = sorted({int(p) for p in annual["period"]})[-years:]
        frame = pd.concat(
            [
                annual[annual["period"].isin([str(y) for y in recent])],
                inputs.ttm[inputs.ttm["metric"].isin(want)],
            ],
            ignore_index=True,
        )
    else:
        q = inputs.quarterly[inputs.quarterly["metric"].isin(want)]
        recent_q = sorted(set(q["period"]))[-4 * years :]
        frame = q[q["period"].isin(recent_q)].sort_values("period")
    ai_share = ai_share_from_atlas(atlas)
    rows = capex_rows(frame, groups, ai_share)
    annual_rows = (
        rows
        if period == "annual"
        else capex_rows(pd.concat([inputs.annual, inputs.ttm], ignore_index=True), groups, ai_share)
    )
    return CapexTracker(
        coverage=group_coverage(_recent(inputs.annual, years), groups),
        period=period,
        rows=rows,
        claims=claims_table(atlas, annual_rows),
        ai_share=ai_share,
        not_covered=inputs.not_covered,
    )
