"""One number everywhere: capex, pools, audit and signals agree on every company-year they
share (the issue: capex said Amazon 2024 was unresolved while pools used an atlas figure)."""

from __future__ import annotations

import math

import pytest

from stackatlas.resolver.calendar import calendar_year_of, is_aligned

pytestmark = pytest.mark.realdata
METRICS = ("capex", "operating_cash_flow", "free_cash_flow", "revenue", "operating_income")
SCALE = {"usd_billion": 1e9, "usd_million": 1e6, "usd": 1.0}


def test_capex_pools_audit_and_signals_agree(shared_data, monkeypatch) -> None:
    """Every shared company-year-metric agrees; the audit checks the issue's five claims
    against the filings, and they match."""
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    from stackatlas.analysis.audit import audit_claims
    from stackatlas.analysis.capex import hyperscaler_capex
    from stackatlas.analysis.profit_pools import profit_pools
    from stackatlas.analysis.signals import SignalContext
    from stackatlas.atlas import load_atlas
    from stackatlas.resolver import Resolver

    atlas = load_atlas()
    resolver = Resolver(atlas)
    views: dict[str, dict[tuple[str, str, str], float]] = {}

    tracker = hyperscaler_capex(atlas, resolver=resolver, years=10)
    views["capex"] = {
        (r.entity, m, str(r.period)): getattr(r, m) * 1e9
        for r in tracker.rows[tracker.rows["kind"] == "company"].itertuples()
        for m in ("capex", "operating_cash_flow", "free_cash_flow")
        if getattr(r, m) is not None
    }
    pools = profit_pools(atlas, resolver=resolver, years=10)
    views["pools"] = {
        (r.company_id, r.metric, str(r.period)): float(r.value)
        for r in pools.inputs.itertuples()
        if r.value is not None and not math.isnan(r.value)
    }
    signal_rows = SignalContext(atlas, resolver=resolver).capex_rows
    views["signals"] = {
        (r.entity, m, str(r.period)): getattr(r, m) * 1e9
        for r in signal_rows[signal_rows["kind"] == "company"].itertuples()
        for m in ("capex", "operating_cash_flow", "free_cash_flow")
        if getattr(r, m) is not None
    }
    # the audit's company claims, put in the calendar year their period belongs to
    views["audit"] = {}
    filings = resolver.filings_only()
    audit = audit_claims(atlas, resolver=resolver).rows
    for r in audit.itertuples():
        if r.metric not in METRICS or r.computed is None or r.unit not in SCALE:
            continue
        period = str(r.period)
        if period.startswith("FY"):
            annual, _ = filings.fiscal(r.subject)
            hit = annual[
                (annual["metric"] == r.metric) & (annual["fiscal_year"] == int(period[2:]))
            ]
            start, end = hit.iloc[0]["start"], hit.iloc[0]["end"]
            if not is_aligned(end):
                continue  # a June / September year is not one calendar year
            period = str(calendar_year_of(start, end))
        views["audit"][(r.subject, r.metric, period)] = float(r.computed) * SCALE[r.unit]

    shared = 0
    keys = set().union(*views.values())
    for key in sorted(keys):
        seen = {name: v[key] for name, v in views.items() if key in v}
        if len(seen) < 2:
            continue
        shared += 1
        first = next(iter(seen.values()))
        for value in seen.values():
            assert value == pytest.approx(first, rel=1e-9), (key, seen)
    # Amazon 2024 capex: the 10-K's 82,999 $M in all four views
    assert {n for n, v in views.items() if ("amazon", "capex", "2024") in v} == set(views)
    assert views["capex"][("amazon", "capex", "2024")] == pytest.approx(82_999e6)
    assert shared >= 80, shared  # 88 company-year-metrics on the shared data (measured)

    # The five claims, 'not checkable: no SEC facts' before, although the shipped 10-Ks
    # hold them (neither company has companyfacts here: the inline-XBRL documents are read).
    five = {  # $M: Amazon 10-K 0001018724-25-000004, Salesforce 10-K 0001108524-25-000006
        "amzn-2024-revenue-10k": (637_959, "0001018724-25-000004"),
        "amzn-2024-operating-income-10k": (68_593, "0001018724-25-000004"),
        "amzn-2024-capex-10k": (82_999, "0001018724-25-000004"),
        "amzn-2024-ocf-10k": (115_877, "0001018724-25-000004"),
        "crm-fy2025-revenue-10k": (37_895, "0001108524-25-000006"),
    }
    claims = audit.set_index("figure")
    for fid, (value, accession) in five.items():
        row = claims.loc[fid]
        assert row["status"] == "match", (fid, row["reason"])
        assert row["computed"] == pytest.approx(value) and row["evidence"] == "reported"
        assert accession in row["basis"] and "inline-XBRL filing" in row["basis"]
