"""Segment claims (data-center revenue and share, cloud revenue, cloud operating income) checked
against the dimensional facts of the filings themselves.

SEC companyfacts carries company totals only, so these figures are recomputed from segment rows
(``stackatlas.sec.segments.company_segments``): the store table ``sec_segment_facts`` when it
holds the company, else the documents in ``$STACKATLAS_SEC_DIR/filings/``. The member a claim
refers to is named in ``SEGMENT_MEMBERS`` (business-segment axis preferred over the product
axis); the period must be covered by a filing at hand, otherwise the claim is "not checkable"
with the periods that are. Atlas membership weights taken from filings are checked the same way
(``MEMBERSHIP_MEMBERS``: the summed share of the members that make up the segment).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from stackatlas.atlas.models import Figure, FigureKind, Membership, SubjectType

# figure metric -> (member family, measure: value | share | growth, segment metric)
SEGMENT_METRICS: dict[str, tuple[str, str, str]] = {
    "data_center_revenue": ("data_center", "value", "revenue"),
    "data_center_revenue_share": ("data_center", "share", "revenue"),
    "data_center_revenue_share_rounded": ("data_center", "share", "revenue"),
    "data_center_revenue_growth_yoy": ("data_center", "growth", "revenue"),
    "cloud_revenue": ("cloud", "value", "revenue"),
    "cloud_operating_income": ("cloud", "value", "operating_income"),
}
SEGMENT_MEMBERS: dict[str, tuple[str, ...]] = {
    "data_center": ("DataCenterMember", "DataCenterSegmentMember"),
    "cloud": (
        "AmazonWebServicesSegmentMember",
        "AmazonWebServicesMember",
        "GoogleCloudMember",
        "IntelligentCloudSegmentMember",
        "IntelligentCloudMember",
    ),
}
NO_SEGMENTS = (
    "a segment figure: no segment facts for this company (store table "
    "sec_segment_facts, or inline-XBRL filings in $STACKATLAS_SEC_DIR/filings; "
    "add one with `stackatlas segments FILE --store`)"
)


def _unreadable(rows: pd.DataFrame) -> str:
    """Filings at hand that could not be read (``segments_from_dir`` names them), as a note."""
    skipped = rows.attrs.get("skipped") or []
    if not skipped:
        return ""
    names = ", ".join(str(s).split(":", 1)[0] for s in skipped)
    return f"; unreadable filing(s) left out: {names}"


def _label(r: pd.Series) -> str:
    slot = r["fiscal_period"]
    if slot == "FY":
        return f"FY{r['fiscal_year']}"
    return f"{slot} FY{r['fiscal_year']}" if str(slot).startswith("Q") else f"{slot} to {r['end']}"


def _member_rows(rows: pd.DataFrame, family: str, metric: str) -> pd.DataFrame:
    local = rows["member"].str.split(":").str[-1]
    hit = rows[local.isin(SEGMENT_MEMBERS[family]) & (rows["metric"] == metric)].copy()
    # business-segment axis first, then the latest filing (restated comparatives win)
    hit["_axis"] = (hit["axis"] != "segment").astype(int)
    hit["_filed"] = hit["filed"].map(lambda d: d if isinstance(d, date) else date.min)
    hit = hit.sort_values(["_axis", "_filed"], ascending=[True, False], kind="stable")
    return hit.drop_duplicates(["start", "end"]).drop(columns=["_axis", "_filed"])


def _in_period(rows: pd.DataFrame, kind: str, year: int, slot: str) -> pd.DataFrame:
    if kind == "fiscal":
        return rows[(rows["fiscal_year"] == year) & (rows["fiscal_period"] == slot)]
    starts, ends = pd.to_datetime(rows["start"]), pd.to_datetime(rows["end"])
    return rows[(rows["fiscal_period"] == "FY") & (starts.dt.year == year) & (ends.dt.year == year)]


def _measure(rows: pd.DataFrame, r: pd.Series, how: str) -> float | None:
    if how == "value":
        return float(r["value"])
    if how == "share":
        return None if pd.isna(r["share"]) else float(r["share"])
    prior = rows[
        (rows["fiscal_year"] == r["fiscal_year"] - 1)
        & (rows["fiscal_period"] == r["fiscal_period"])
    ]
    if prior.empty or not prior.iloc[0]["value"]:
        return None
    return float(r["value"]) / float(prior.iloc[0]["value"]) - 1


def audit_segment_figure(
    fig: Figure,
    rows: pd.DataFrame | None,
    base: dict,
    period: tuple[str, int, str] | None,
    scale: float,
    tol: float,
) -> dict:
    """Fill one audit row (``base`` has the claim columns) from segment rows."""
    from stackatlas.evidence import Evidence

    family, how, metric = SEGMENT_METRICS[fig.metric]
    if rows is None:
        return {**base, "reason": NO_SEGMENTS}
    members = _member_rows(rows, family, metric)
    if members.empty:
        return {
            **base,
            "reason": f"the filings at hand report no {family.replace('_', ' ')} "
            f"{metric.replace('_', ' ')} member for {fig.subject}",
        }
    if period is None:
        return {
            **base,
            "reason": f"period {fig.period!r} is not a fiscal quarter / year or a calendar year",
        }
    hit = _in_period(members, *period)
    if hit.empty:
        covered = ", ".join(
            dict.fromkeys(
                _label(r)
                for _, r in members.iterrows()
                if str(r["fiscal_period"]).startswith(("Q", "FY"))
            )
        )
        return {
            **base,
            "reason": f"not checkable with the filings at hand: none covers "
            f"{fig.period} (segment facts cover {covered})"
            f"{_unreadable(members)}",
        }
    r = hit.iloc[0]
    value = _measure(members, r, how)
    if value is None:
        return {
            **base,
            "reason": "the prior-year period needed for growth is not in the filings at hand"
            if how == "growth"
            else "no total revenue",
        }
    shown = value / scale
    evidence = Evidence.REPORTED if how == "value" else Evidence.DERIVED
    what = {
        "value": "",
        "share": f" / total {r['total'] / 1e6:,.0f} $M",
        "growth": " vs the prior-year period",
    }[how]
    basis = (
        f"{_label(r)} ({r['start']}..{r['end']}) {r['concept']} {r['axis']} axis "
        f"{r['member']} = {r['value'] / 1e6:,.0f} $M{what}, {r['accession']}"
    )
    row = {**base, "computed": shown, "evidence": evidence.value, "basis": basis}
    if math.isclose(shown, fig.value, abs_tol=tol + 1e-9) or (
        fig.low is not None and fig.high is not None and fig.low <= shown <= fig.high
    ):
        return {**row, "status": "match", "reason": f"within rounding (±{tol:g} {fig.unit})"}
    reason = f"filings give {shown:,.4g} vs claimed {fig.value:g} {fig.unit}"
    for idx, other in members.iterrows():
        alt = None if idx == r.name else _measure(members, other, how)
        if alt is not None and math.isclose(alt / scale, fig.value, abs_tol=tol + 1e-9):
            return {
                **row,
                "status": "differs",
                "reason": f"{reason}; the claim matches {_label(other)} "
                f"({alt / scale:,.4g}), so it likely describes a different period",
            }
    return {
        **row,
        "status": "differs",
        "reason": f"{reason}; the claim may round, use another period or segment "
        "definition, or count a different member",
    }


# atlas segment id -> filing members whose revenue makes up a company's weight in it
MEMBERSHIP_MEMBERS: dict[str, tuple[str, ...]] = {
    "hyperscalers": SEGMENT_MEMBERS["cloud"],
    "consumer-platforms": (
        "NorthAmericaSegmentMember",
        "InternationalSegmentMember",
        "GoogleServicesMember",
        "FamilyOfAppsMember",
        "RealityLabsMember",
    ),
    "design-gpu": SEGMENT_MEMBERS["data_center"],
}


def membership_figure(m: Membership) -> Figure:
    """An atlas membership weight as a claim (percent of the company's revenue)."""
    return Figure(
        id=f"membership:{m.company}/{m.segment}",
        subject_type=SubjectType.COMPANY,
        subject=m.company,
        metric="membership_weight",
        value=round(m.weight * 100, 6),
        unit="percent",
        period=f"as of {m.as_of}",
        kind=FigureKind.ACTUAL,
        source=m.source,
        note=m.note,
    )


def audit_membership(
    fig: Figure, segment: str, as_of: date, rows: pd.DataFrame | None, base: dict, tol: float
) -> dict:
    """A membership weight vs the filing: the summed revenue share of the segment's members
    for the period ending on the membership's ``as_of`` (a fiscal year, else a quarter)."""
    from stackatlas.evidence import Evidence

    if rows is None:
        return {**base, "reason": NO_SEGMENTS.replace("a segment figure", "a segment weight")}
    local = rows["member"].str.split(":").str[-1]
    hit = rows[local.isin(MEMBERSHIP_MEMBERS[segment]) & (rows["metric"] == "revenue")]
    if (hit["axis"] == "segment").any():
        hit = hit[hit["axis"] == "segment"]
    if hit.empty:
        return {
            **base,
            "reason": f"the filings at hand report no {segment} member for {fig.subject}",
        }
    hit = hit.assign(_f=hit["filed"].map(lambda d: d if isinstance(d, date) else date.min))
    hit = hit.sort_values("_f", ascending=False, kind="stable").drop_duplicates(
        ["member", "start", "end"]
    )
    at = hit[hit["end"] == as_of]
    if at.empty:
        ends = ", ".join(sorted({str(e) for e in hit["end"]}, reverse=True))
        return {
            **base,
            "reason": f"not checkable with the filings at hand: no period ends on "
            f"{as_of} (segment facts end on {ends}){_unreadable(rows)}",
        }
    months = 12 if (at["months"] == 12).any() else int(at["months"].min())
    at = at[at["months"] == months]
    value, total = float(at["value"].sum()), float(at.iloc[0]["total"])
    shown = value / total * 100
    parts = " + ".join(f"{r.label} {r.value / 1e6:,.0f}" for r in at.itertuples())
    r = at.iloc[0]
    row = {
        **base,
        "computed": shown,
        "evidence": Evidence.DERIVED.value,
        "basis": f"{_label(r)} ({r['start']}..{r['end']}): ({parts}) / {total / 1e6:,.0f} $M, "
        f"{r['accession']}",
    }
    if math.isclose(shown, fig.value, abs_tol=tol + 1e-9):
        return {**row, "status": "match", "reason": f"within rounding (±{tol:g} percent)"}
    return {
        **row,
        "status": "differs",
        "reason": f"filings give {shown:,.4g}% vs the atlas weight {fig.value:g}%; the "
        "weight may count other members or another period",
    }
