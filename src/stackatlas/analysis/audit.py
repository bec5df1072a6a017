"""Claims audit: atlas figures recomputed from SEC facts, side by side, never overwritten.

Each figure gets a status: ``match`` (within the claim's rounding: half a unit of its last
digit, a full unit when its quote says "near / about / ~", or inside its low-high range),
``differs`` (both values and the likely reason), or ``not checkable`` (why). The mapping from a
figure's metric to standard SEC metrics is the explicit table ``AUDIT_METRICS``; figure periods
``FY2026`` / ``Q4 FY2026`` are fiscal, ``2025`` is a calendar year. Segment figures (data-center
share, cloud revenue ...) are checked against the filings' dimensional facts instead
(``stackatlas.analysis.segment_audit``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.table import Table

from stackatlas.analysis.segment_audit import (
    MEMBERSHIP_MEMBERS,
    SEGMENT_METRICS,
    audit_membership,
    audit_segment_figure,
    membership_figure,
)
from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import Figure, FigureKind, SubjectType
from stackatlas.atlas.render import fmt_amount
from stackatlas.display import records
from stackatlas.errors import INPUT, Problem, ValidationError
from stackatlas.evidence import Evidence, combine
from stackatlas.notebook import Tabular
from stackatlas.resolver import Resolver
from stackatlas.resolver.periods import period_label
from stackatlas.sec.segments import company_segments

if TYPE_CHECKING:
    from stackatlas.store import Store

# figure metric -> (numerator, denominator or None, kind: value | ratio | growth)
AUDIT_METRICS: dict[str, tuple[str, str | None, str]] = {
    "revenue": ("revenue", None, "value"),
    "gross_profit": ("gross_profit", None, "value"),
    "operating_income": ("operating_income", None, "value"),
    "net_income": ("net_income", None, "value"),
    "operating_cash_flow": ("operating_cash_flow", None, "value"),
    "capex": ("capex", None, "value"),
    "free_cash_flow": ("free_cash_flow", None, "value"),
    "gross_margin": ("gross_profit", "revenue", "ratio"),
    "operating_margin": ("operating_income", "revenue", "ratio"),
    "capex_to_ocf": ("capex", "operating_cash_flow", "ratio"),
    "revenue_growth_yoy": ("revenue", None, "growth"),
}
_SEGMENT = (
    "a segment figure: segment revenue is a dimensional XBRL fact, and SEC companyfacts "
    "carries only company totals"
)
NOT_CHECKABLE: dict[str, str] = {
    "data_center_revenue": _SEGMENT,
    "data_center_revenue_share": _SEGMENT,
    "data_center_revenue_share_rounded": _SEGMENT,
    "data_center_revenue_growth_yoy": _SEGMENT,
    "cloud_revenue": _SEGMENT,
    "cloud_operating_income": _SEGMENT,
    "market_share": "market shares come from third-party research, not from filings",
    "debt_issuance": "debt issuance is not among the standard SEC metrics",
    "annualized_revenue": "annualized revenue (ARR) is a run rate, not an SEC fact",
}
UNIT_SCALE = {"usd_billion": 1e9, "usd_million": 1e6, "usd": 1.0, "percent": 0.01}
_UNIT_SHORT = {"usd_billion": "$B", "usd_million": "$M", "percent": "%"}
_APPROX = re.compile(r"\b(near|nearly|about|approximately|around|roughly)\b|~", re.I)
_PERIOD = re.compile(r"^(?:(Q[1-4])\s+)?(FY)?(\d{4})$", re.I)
MetricsFor = Callable[[str], tuple[pd.DataFrame, ...] | None]


def parse_period(period: str) -> tuple[str, int, str] | None:
    """``FY2026`` -> (fiscal, 2026, FY); ``Q4 FY2026`` -> (fiscal, 2026, Q4); ``2025`` ->
    (calendar, 2025, FY); anything else (ranges, ``2026E``) -> None."""
    m = _PERIOD.match(period.strip())
    if not m:
        return None
    quarter, fy, year = m.groups()
    if quarter and not fy:
        return None
    return ("fiscal" if fy else "calendar", int(year), (quarter or "FY").upper())


def tolerance(fig: Figure) -> float:
    """Half a unit of the claim's last digit (a full unit for approximate wording). Integers
    count as exact to the unit: 700 is not assumed to be rounded to hundreds."""
    text = f"{fig.value:.6f}".rstrip("0").rstrip(".")
    unit = 10.0 ** -len(text.split(".")[1]) if "." in text else 1.0
    approx = bool(_APPROX.search(f"{fig.quote or ''} {fig.note or ''}"))
    return unit if approx else unit / 2


def _calendar(frames: tuple) -> pd.DataFrame:
    """Calendar years of a company: the resolver's own rows when given (third item), else
    the one calendar rule applied to the fiscal frames."""
    from stackatlas.resolver.calendar import calendar_annual

    if len(frames) > 2 and frames[2] is not None:
        return frames[2]
    return calendar_annual(frames[0], frames[1])


def _pick(
    frames: tuple, metric: str, kind: str, year: int, slot: str
) -> tuple[float | None, Evidence, str]:
    """One metric value for a fiscal slot or calendar year, with evidence and basis."""
    annual, quarterly = frames[0], frames[1]
    if kind == "calendar":
        cal = _calendar(frames)
        hit = cal[(cal["metric"] == metric) & (cal["period"] == str(year))]
        if hit.empty or hit.iloc[0]["value"] is None or pd.isna(hit.iloc[0]["value"]):
            return None, Evidence.UNRESOLVED, ""
        r = hit.iloc[0]
        return float(r["value"]), Evidence(r["evidence"]), f"CY{year}: {r['basis']}"
    frame = annual if slot == "FY" else quarterly
    hit = frame[
        (frame["metric"] == metric)
        & (frame["fiscal_year"] == year)
        & (frame["fiscal_period"] == slot)
    ]
    if hit.empty or pd.isna(hit.iloc[0]["value"]):
        return None, Evidence.UNRESOLVED, ""
    r = hit.iloc[0]
    label = "FY" if slot == "FY" else f"{slot} FY"
    what = r.get("basis", r.get("concept", ""))
    ref = r.get("reference", r.get("accession", ""))
    source = {"sec-filing": " (inline-XBRL filing at hand)"}.get(str(r.get("source", "")), "")
    basis = f"{label}{year} ({r['start']}..{r['end']}) {what} {ref}{source}"
    return float(r["value"]), Evidence(r["evidence"]), basis.strip()


def compute_claim(
    metric: str, frames: tuple[pd.DataFrame, ...], kind: str, year: int, slot: str
) -> tuple[float | None, Evidence, str]:
    """The filing-derived value of a figure's metric (ratios as fractions, money in USD)."""
    num, den, how = AUDIT_METRICS[metric]
    value, ev, basis = _pick(frames, num, kind, year, slot)
    if value is None:
        return None, Evidence.UNRESOLVED, ""
    if how == "value":
        return value, ev, basis
    if how == "growth":
        prev, ev2, basis2 = _pick(frames, num, kind, year - 1, slot)
        if not prev:
            return None, Evidence.UNRESOLVED, ""
        return value / prev - 1, combine([ev, ev2]), f"{basis} / {basis2}"
    other, ev2, _ = _pick(frames, den, kind, year, slot)  # type: ignore[arg-type]
    if not other:
        return None, Evidence.UNRESOLVED, ""
    return value / other, combine([ev, ev2]), f"{num} / {den}, {basis}"


def audit_figure(
    fig: Figure, frames: tuple[pd.DataFrame, ...] | None, unavailable: str = ""
) -> dict:
    """Audit one company figure against its company's metric frames (annual, quarterly)."""
    row = {
        "figure": fig.id,
        "subject": fig.subject,
        "metric": fig.metric,
        "period": fig.period,
        "claimed": fig.value,
        "low": fig.low,
        "high": fig.high,
        "unit": fig.unit,
        "computed": None,
        "status": "not checkable",
        "evidence": Evidence.UNRESOLVED.value,
        "basis": "",
        "reason": "",
        "source": fig.source,
    }
    reason = _uncheckable(fig)
    period = parse_period(fig.period)
    if reason is None and period is None:
        reason = f"period {fig.period!r} is not a fiscal quarter / year or a calendar year"
    if reason is None and frames is None:
        reason = unavailable or "no SEC facts for this company"
    if reason is not None or period is None or frames is None:
        return {**row, "reason": reason}
    kind, year, slot = period
    value, ev, basis = compute_claim(fig.metric, frames, kind, year, slot)
    if value is None:
        why = (
            "a projection for a period not yet reported"
            if fig.kind == FigureKind.PROJECTION
            else "no filed value for this period yet"
        )
        return {**row, "reason": why}
    shown = value / UNIT_SCALE[fig.unit]
    row.update(computed=shown, evidence=ev.value, basis=basis)
    tol = tolerance(fig)
    if _within(fig, shown, tol):
        return {**row, "status": "match", "reason": f"within rounding (±{tol:g} {fig.unit})"}
    return {
        **row,
        "status": "differs",
        "reason": _likely_reason(fig, shown, frames, kind, year, slot, tol),
    }


def _within(fig: Figure, shown: float, tol: float) -> bool:
    if fig.low is not None and fig.high is not None and fig.low <= shown <= fig.high:
        return True
    return math.isclose(shown, fig.value, abs_tol=tol + 1e-9)


def _uncheckable(fig: Figure) -> str | None:
    if fig.metric in NOT_CHECKABLE:
        return NOT_CHECKABLE[fig.metric]
    if fig.metric not in AUDIT_METRICS:
        return f"metric {fig.metric!r} has no SEC equivalent in the audit table"
    if fig.unit not in UNIT_SCALE:
        return f"unit {fig.unit!r} is not comparable with SEC values"
    return None


def _likely_reason(
    fig: Figure,
    shown: float,
    frames: tuple[pd.DataFrame, ...],
    kind: str,
    year: int,
    slot: str,
    tol: float,
) -> str:
    diff = shown - fig.value
    base = f"filings give {shown:,.4g} vs claimed {fig.value:g} {fig.unit} ({diff:+.3g})"
    scale = UNIT_SCALE[fig.unit]
    # the same number for another period of that fiscal year (a quarter, or the full year)?
    alternatives = [("fiscal", year, s) for s in ("FY", "Q1", "Q2", "Q3", "Q4") if s != slot]
    alternatives += (
        [("calendar", year, "FY")]
        if kind == "fiscal"
        else [("fiscal", year, "FY"), ("fiscal", year + 1, "FY")]
    )
    for k, y, s in alternatives:
        value, _, _ = compute_claim(fig.metric, frames, k, y, s)
        if value is not None and math.isclose(value / scale, fig.value, abs_tol=tol + 1e-9):
            what = (
                f"CY{y}"
                if k == "calendar"
                else (f"fiscal year FY{y}" if s == "FY" else f"the single quarter {s} FY{y}")
            )
            return (
                f"{base}; the claim matches {what} ({value / scale:,.4g}), so it likely "
                "describes a different period"
            )
    if fig.subject_type == SubjectType.GROUP:
        return (
            f"{base}; the claim's source may count other members, fiscal instead of "
            "calendar years, or be an estimate"
        )
    if AUDIT_METRICS[fig.metric][2] == "ratio":
        return (
            f"{base}; filings give GAAP values — the claim may be non-GAAP (excluding "
            "stock-based compensation, acquisition costs or one-off charges) or rounded up"
        )
    return f"{base}; possibly GAAP vs non-GAAP, a restatement, or a different period definition"


STATUSES = ("match", "differs", "not checkable")


def audit_status(status: str | None) -> str | None:
    """``status`` as a row status (``not-checkable`` -> ``not checkable``); ValidationError if
    it is not one of ``STATUSES``."""
    if status is None:
        return None
    wanted = status.replace("-", " ")
    if wanted not in STATUSES:
        raise ValidationError(
            Problem(
                INPUT, None, "status", f"must be match, differs or not-checkable, not {status!r}"
            )
        )
    return wanted


@dataclass
class AuditReport(Tabular):
    """One row per atlas figure: claim, filing-derived value, status and reason."""

    rows: pd.DataFrame
    not_covered: dict[str, str] = field(default_factory=dict)
    status: str | None = None  # rows kept (match / differs / not checkable); None: all
    totals: dict[str, int] = field(default_factory=dict)  # counts over every figure

    def counts(self) -> dict[str, int]:
        return {k: int(v) for k, v in self.rows["status"].value_counts().items()}

    def only(self, status: str | None) -> AuditReport:
        """The rows of one status (``not-checkable`` = ``not checkable``); totals kept."""
        wanted = audit_status(status)
        if wanted is None:
            return self
        rows = self.rows[self.rows["status"] == wanted].reset_index(drop=True)
        return AuditReport(rows, self.not_covered, wanted, self.totals or self.counts())

    def to_dict(self) -> dict:
        return {"counts": self.counts(), "figures": records(self.rows)}

    def __rich__(self) -> Table:
        c = self.counts()
        table = Table(
            title=f"Claims audit: {c.get('match', 0)} match, {c.get('differs', 0)} "
            f"differ, {c.get('not checkable', 0)} not checkable"
        )
        for col in ("", "figure", "period", "claimed", "computed", "status", "reason"):
            table.add_column(
                col,
                overflow="fold",
                no_wrap=col in ("", "status"),
                max_width=26 if col == "figure" else None,
            )
        style = {"match": "green", "differs": "bold yellow", "not checkable": "dim"}
        for r in self.rows.itertuples():
            computed = "—" if r.computed is None or pd.isna(r.computed) else f"{r.computed:,.6g}"
            table.add_row(
                Evidence(r.evidence).symbol,
                r.figure,
                period_label(r.period),
                _claimed_text(r.claimed, r.unit, r.low, r.high),
                computed,
                f"[{style[r.status]}]{r.status}[/]",
                r.reason,
            )
        return table


def _claimed_text(value: float, unit: str, low: Any, high: Any) -> str:
    """A claim as stated: years without separators (``2029-2030``), other units short."""
    if unit == "year":
        bounds = [None if b is None or pd.isna(b) else float(b) for b in (low, high)]
        return fmt_amount(value, unit, *bounds)
    return f"{value:,g} {_UNIT_SHORT.get(unit, unit)}"


def _group_frames(
    atlas: Atlas, fig: Figure, metrics_for: MetricsFor, unavailable: dict[str, str]
) -> tuple[tuple | None, str]:
    """Members' frames summed into one pseudo-company (every member is needed)."""
    group = atlas.groups.get(fig.subject)
    if group is None:
        return None, f"unknown group {fig.subject!r}"
    frames = {m: metrics_for(m) for m in group.members}
    missing = [m for m, f in frames.items() if f is None]
    if missing:
        unreadable = [
            f"{m} ({unavailable[m]})"
            for m in missing
            if unavailable.get(m, "").startswith("unreadable")
        ]
        if unreadable:
            return None, "; ".join(unreadable)
        return None, "no SEC facts for " + ", ".join(missing)
    # calendar values only: sum each member's calendar-year metric (the resolver's years)
    cals = {m: _calendar(f) for m, f in frames.items() if f is not None}
    period = parse_period(fig.period)
    if period is not None and period[0] == "calendar" and fig.metric in AUDIT_METRICS:
        num, den, how = AUDIT_METRICS[fig.metric]
        years = [period[1], period[1] - 1] if how == "growth" else [period[1]]
        wanted = [(m, y) for m in (num, den) if m for y in years]
        lacking = [
            m
            for m, cal in cals.items()
            if any(
                cal[
                    (cal["metric"] == metric) & (cal["period"] == str(y)) & cal["value"].notna()
                ].empty
                for metric, y in wanted
            )
        ]
        if lacking:
            return None, f"no CY{period[1]} values in the filings at hand for " + ", ".join(lacking)
    cal = pd.concat(list(cals.values()), ignore_index=True)
    cal = cal[cal["value"].notna()]
    summed = cal.groupby(["metric", "period"], as_index=False).agg(
        value=("value", "sum"),
        n=("value", "count"),
        evidence=("evidence", lambda s: combine(s).value),
    )
    summed = summed[summed["n"] == len(frames)]
    calendar = summed.assign(basis="sum of " + ", ".join(group.members))
    empty = pd.DataFrame(
        columns=["metric", "fiscal_year", "fiscal_period", "start", "end", "value", "evidence"]
    )
    return (empty, empty, calendar), ""


def audit_claims(
    atlas: Atlas,
    *,
    store: Store | None = None,
    status: str | None = None,
    resolver: Resolver | None = None,
) -> AuditReport:
    """Audit every atlas figure against the filings: companyfacts, else the inline-XBRL
    filings at hand (never against atlas figures); groups when every member has data; the
    rest not checkable with the reason. ``status`` keeps the rows of one status
    (``report.totals`` still counts them all)."""
    wanted = audit_status(status)  # a bad status fails before any work
    from stackatlas.analysis.metric_inputs import resolver_for

    filings = resolver_for(atlas, store=store, resolver=resolver).filings_only()
    cache: dict[str, tuple | None] = {}
    unavailable: dict[str, str] = {}

    def metrics_for(cid: str) -> tuple[pd.DataFrame, ...] | None:
        if cid not in cache:
            company = atlas.companies.get(cid)
            if company is None or company.cik is None:
                unavailable[cid] = "not an SEC filer (no CIK)"
                cache[cid] = None
            else:
                data = filings.company(cid)
                if data.unreadable or data.fiscal.empty:
                    unavailable[cid] = filings.why_not(cid)
                    cache[cid] = None
                else:
                    cache[cid] = (*filings.fiscal(cid), data.annual)
        return cache[cid]

    segments: dict[int, pd.DataFrame | None] = {}

    def segment_row(fig: Figure) -> dict:
        row = audit_figure(fig, None)
        company = atlas.companies.get(fig.subject)
        if company is None or company.cik is None:
            return {**row, "reason": "not an SEC filer (no CIK)"}
        if fig.unit not in UNIT_SCALE:
            return {**row, "reason": f"unit {fig.unit!r} is not comparable with SEC values"}
        if company.cik not in segments:
            segments[company.cik] = company_segments(company.cik, store, atlas)
        return audit_segment_figure(
            fig,
            segments[company.cik],
            row,
            parse_period(fig.period),
            UNIT_SCALE[fig.unit],
            tolerance(fig),
        )

    rows = []
    for fig in atlas.figures:
        if fig.subject_type == SubjectType.COMPANY and fig.metric in SEGMENT_METRICS:
            rows.append(segment_row(fig))
        elif fig.subject_type == SubjectType.COMPANY:
            frames = metrics_for(fig.subject) if _uncheckable(fig) is None else None
            rows.append(audit_figure(fig, frames, unavailable.get(fig.subject, "")))
        elif fig.subject_type == SubjectType.GROUP and _uncheckable(fig) is None:
            frames, why = _group_frames(atlas, fig, metrics_for, unavailable)
            period = parse_period(fig.period)
            if frames is not None and period is not None and period[0] == "fiscal":
                frames, why = None, "group figures are checked for calendar years only"
            rows.append(audit_figure(fig, frames, why))
        else:
            rows.append(
                audit_figure(
                    fig,
                    None,
                    f"subject is a {fig.subject_type.value}, not a company with SEC filings",
                )
            )
    for m in atlas.memberships:  # filing-based segment weights (AWS 16.86 % of Amazon ...)
        company = atlas.companies.get(m.company)
        if (
            m.segment not in MEMBERSHIP_MEMBERS
            or company is None
            or company.cik is None
            or m.basis != FigureKind.ACTUAL
        ):
            continue
        fig = membership_figure(m)
        if company.cik not in segments:
            segments[company.cik] = company_segments(company.cik, store, atlas)
        rows.append(
            audit_membership(
                fig,
                m.segment,
                m.as_of,
                segments[company.cik],
                audit_figure(fig, None),
                tolerance(fig),
            )
        )
    order = {"match": 0, "differs": 1, "not checkable": 2}
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame = frame.sort_values("status", key=lambda s: s.map(order), kind="stable")
        frame["computed"] = frame["computed"].astype(object).where(frame["computed"].notna(), None)
    return AuditReport(frame.reset_index(drop=True), unavailable).only(wanted)
