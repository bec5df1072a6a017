"""One resolver: a company's metric for a period, the same number in every view.

``Resolver(atlas, providers)`` asks its providers (``stackatlas.resolver.providers``) in order
— by default SEC companyfacts, then the inline-XBRL filings at hand, then sourced atlas figures
— and keeps, per company, metric and period, the first that answers. Calendar periods go
through one rule (``stackatlas.resolver.calendar``) per provider before the choice, so a value
is never a mix of two sources' months. Free cash flow is always operating cash flow minus capex
of the chosen values when both resolve (a source's own free-cash-flow figure stands only when
they do not), so ``FCF = OCF - capex`` holds in every view.

Every resolved value carries its ``source`` (provider name), ``evidence``, ``rule`` (as
filed, quarter sum, estimate, OCF - capex, ...), ``basis`` (in words) and ``reference``
(accession, figure id). Pools, capex, audit, signals, the web pages and the report all read
numbers through a ``Resolver``; pass one in to control where numbers come from (tests pass a
``FrameProvider``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from stackatlas import _memo
from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import Company
from stackatlas.errors import DataUnavailableError, NotFoundError, ValidationError
from stackatlas.evidence import Evidence, combine
from stackatlas.resolver.calendar import (
    calendar_annual,
    calendar_quarters,
    drop_stale_ttm,
    trailing_four,
)
from stackatlas.resolver.periods import Period, parse_period
from stackatlas.resolver.providers import PERIOD_KINDS, Provider
from stackatlas.resolver.sec_providers import MONEY_METRICS, NO_FACTS

if TYPE_CHECKING:
    from stackatlas.store import Store

COLUMNS = [
    "company_id",
    "metric",
    "period",
    "calendar_year",
    "value",
    "evidence",
    "basis",
    "source",
    "rule",
    "reference",
]
FISCAL_COLUMNS = [
    "metric",
    "fiscal_year",
    "fiscal_period",
    "start",
    "end",
    "value",
    "evidence",
    "reference",
    "basis",
    "source",
]


@dataclass(frozen=True)
class Resolved:
    """One company's metric for one period: the value (None when unresolved) and why."""

    company: str
    metric: str
    period: str  # as printed: CY2024, FY2025, Q4 FY2026, TTM
    value: float | None
    evidence: Evidence
    source: str | None
    rule: str
    basis: str
    reference: str | None = None

    def to_dict(self) -> dict:
        return {
            "company": self.company,
            "metric": self.metric,
            "period": self.period,
            "value": self.value,
            "unit": "usd",
            "evidence": self.evidence.value,
            "source": self.source,
            "rule": self.rule,
            "basis": self.basis,
            "reference": self.reference,
        }


@dataclass
class MetricInputs:
    """Calendar-aligned metrics of a set of companies (``COLUMNS``), and those not covered
    (with the reason)."""

    annual: pd.DataFrame
    quarterly: pd.DataFrame
    ttm: pd.DataFrame
    not_covered: dict[str, str] = field(default_factory=dict)

    def all_periods(self) -> pd.DataFrame:
        return pd.concat([self.annual, self.ttm], ignore_index=True)


@dataclass
class CompanyData:
    """Everything the providers said about one company (per provider, and the choice)."""

    fiscal: pd.DataFrame  # FISCAL_COLUMNS, every provider's rows, in provider order
    annual: pd.DataFrame  # chosen calendar years
    quarterly: pd.DataFrame  # chosen calendar quarters
    ttm: pd.DataFrame  # trailing four calendar quarters (with last_quarter)
    reasons: dict[str, str] = field(default_factory=dict)  # provider -> why it had nothing
    unreadable: str | None = None


_COMPANIES: dict[tuple, CompanyData] = {}
_COMPANIES_MAX = 2048


def clear_cache(*, disk: bool = False) -> None:
    """Forget every company's resolved numbers (benchmarks time a cold run with it); with
    ``disk``, also the disk memo a later process would read (``stackatlas._memo``)."""
    _COMPANIES.clear()
    if disk:
        _memo.clear()


def _environment() -> tuple:
    """Settings every company's numbers depend on besides its providers: the user's FX file
    (foreign filers are converted with it)."""
    from stackatlas.fundamentals.fx import fx_file

    path = fx_file()
    if path is None:
        return ("fx", None)
    try:
        st = path.stat()
    except OSError:
        return ("fx", str(path), "unreadable")
    return ("fx", str(path), st.st_size, st.st_mtime_ns)


def _keep(key: tuple, data: CompanyData) -> None:
    if len(_COMPANIES) >= _COMPANIES_MAX:
        _COMPANIES.pop(next(iter(_COMPANIES)))
    _COMPANIES[key] = data


def default_providers(
    atlas: Atlas, store: Store | None = None, extra: Sequence[str] | None = None
) -> list[Provider]:
    """SEC companyfacts -> inline-XBRL filings -> the extra providers -> atlas figures.

    ``extra``: provider specs (``yahoo``, ``csv:PATH``, ``none``); None reads
    ``STACKATLAS_PROVIDERS`` / config.toml (``stackatlas.resolver.registry``)."""
    from stackatlas.resolver.atlas_provider import AtlasFiguresProvider
    from stackatlas.resolver.registry import build
    from stackatlas.resolver.sec_providers import CompanyFactsProvider, FilingsProvider

    return [
        CompanyFactsProvider(store),
        FilingsProvider(atlas=atlas),
        *build(atlas, extra),
        AtlasFiguresProvider(atlas),
    ]


class Resolver:
    """Resolves company metrics through an ordered list of providers (module docstring)."""

    def __init__(
        self,
        atlas: Atlas,
        providers: Sequence[Provider] | None = None,
        *,
        store: Store | None = None,
        metrics: Sequence[str] = MONEY_METRICS,
        segments: Callable[[Company], pd.DataFrame | None] | None = None,
    ) -> None:
        self.atlas = atlas
        self.store = store
        self._segments_source = segments
        self.providers = (
            list(providers) if providers is not None else default_providers(atlas, store)
        )
        self.metrics = tuple(metrics)
        seen_other = None
        for p in self.providers:
            if not getattr(p, "filing", False):
                seen_other = seen_other or p.name
            elif seen_other is not None:
                raise ValidationError(
                    f"provider {p.name!r} reads SEC filings and must come before {seen_other!r}: "
                    "no other source is preferred over a filing"
                )
        self._data: dict[str, CompanyData] = {}
        self._segments: dict[str, pd.DataFrame | None] = {}
        self._segments_all: dict[int, pd.DataFrame] | None = None
        self._environment: tuple | None = None

    @property
    def source_names(self) -> list[str]:
        return [p.name for p in self.providers]

    def segments(self, company_id: str) -> pd.DataFrame | None:
        """The company's segment facts (``stackatlas.sec.segments.SEGMENT_SCHEMA``: reported
        segment revenue and operating income), or None: the store's ``sec_segment_facts``,
        else the filings at hand, unless a ``segments`` source was given."""
        if company_id not in self._segments:
            company = self.atlas.companies.get(company_id)
            if company is None:
                raise NotFoundError(f"unknown company {company_id!r}")
            if self._segments_source is not None:
                rows = self._segments_source(company)
            elif company.cik is None:
                rows = None
            else:
                if self._segments_all is None:
                    from stackatlas.sec.segments import segments_by_cik

                    self._segments_all = segments_by_cik(self.store, self.atlas)
                rows = self._segments_all.get(int(company.cik))
            self._segments[company_id] = rows if rows is not None and len(rows) else None
        return self._segments[company_id]

    def filings_only(self) -> Resolver:
        """A resolver over the providers that read SEC filings (what the audit checks claims
        against: an atlas figure is never checked against itself)."""
        return Resolver(
            self.atlas,
            [p for p in self.providers if getattr(p, "filing", False)],
            store=self.store,
            metrics=self.metrics,
            segments=self._segments_source,
        )

    # -- per company ------------------------------------------------------------------------

    def company(self, company_id: str) -> CompanyData:
        """What the providers give for one company: cached for this resolver, and across
        resolvers while every provider reports the same ``version`` for it."""
        if company_id in self._data:
            return self._data[company_id]
        key = self._version(company_id)
        data = _COMPANIES.get(key) if key is not None else None
        if data is None and key is not None:
            data = _memo.recall("resolver", key)
            if data is not None and not isinstance(data, CompanyData):
                data = None
            if data is not None:
                _keep(key, data)
        if data is None:
            data = self._collect(company_id)
            if key is not None:
                _keep(key, data)
                if data.unreadable is None:  # an unreadable file is reported again, not kept
                    _memo.remember("resolver", key, data)
        self._data[company_id] = data
        return data

    def _version(self, company_id: str) -> tuple | None:
        company = self.atlas.companies.get(company_id)
        if company is None:
            return None
        if self._environment is None:
            self._environment = _environment()
        parts: list[object] = [
            company_id,
            company.model_dump_json(),  # an overlay may change any field
            self.metrics,
            self._environment,
        ]
        for p in self.providers:
            version = getattr(p, "version", None)
            v = version(company) if version is not None else None
            if v is None:
                return None
            parts.append((p.name, v))
        return tuple(parts)

    def _collect(self, cid: str) -> CompanyData:
        company = self.atlas.companies.get(cid)
        if company is None:
            raise NotFoundError(f"unknown company {cid!r}")
        fiscal_parts: list[pd.DataFrame] = []
        reasons: dict[str, str] = {}
        for p in self.providers:
            try:
                frame = p.fetch(company, self.metrics, PERIOD_KINDS)
            except DataUnavailableError as exc:
                reasons[p.name] = str(exc)
                continue
            except ValidationError as exc:  # one unreadable file must not sink the others
                where = "; ".join(str(pr) for pr in exc.problems)
                return _unreadable(
                    f"unreadable SEC facts: {where}"
                    if p.filing
                    else f"unreadable {p.label}: {where}",
                    reasons,
                )
            if frame.empty:
                reasons[p.name] = f"no {', '.join(self.metrics)} values"
                continue
            fiscal_parts.append(frame.assign(source=p.name))
        if not fiscal_parts:
            return CompanyData(
                _empty(FISCAL_COLUMNS), _empty(COLUMNS), _empty(COLUMNS), _empty(COLUMNS), reasons
            )
        fiscal = _fill_fiscal_dates(pd.concat(fiscal_parts, ignore_index=True))
        annual_parts, quarter_parts = [], []
        for name, part in fiscal.groupby("source", sort=False):
            fy = part[part["fiscal_period"].isin(["FY", "CY"])]
            q = part[part["fiscal_period"].str.match(r"^Q[1-4]$")]
            annual_parts.append(calendar_annual(fy, q).assign(source=str(name)))
            cq = calendar_quarters(q)
            quarter_parts.append(cq.assign(source=str(name), rule="fiscal quarter"))
        deferring = {p.name for p in self.providers if getattr(p, "defers_to_filings", False)}
        filings = {p.name for p in self.providers if getattr(p, "filing", False)}
        annual = _choose(_defer(annual_parts, deferring, filings))
        quarterly = _choose(_defer(quarter_parts, deferring, filings))
        ttm = trailing_four(quarterly)
        annual, quarterly, ttm = (_fcf(f) for f in (annual, quarterly, ttm))
        return CompanyData(fiscal, annual, quarterly, ttm, reasons)

    def fiscal(self, company_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The chosen fiscal years and fiscal quarters of one company (``FISCAL_COLUMNS``),
        first provider per (metric, fiscal year, period)."""
        fiscal = self.company(company_id).fiscal
        if fiscal.empty:
            raise DataUnavailableError(self.why_not(company_id))
        ordered = fiscal.assign(_missing=fiscal["value"].isna()).sort_values(
            "_missing", kind="stable"
        )
        chosen = (
            ordered.drop_duplicates(["metric", "fiscal_year", "fiscal_period"], keep="first")
            .sort_index()
            .drop(columns="_missing")
        )
        annual = chosen[chosen["fiscal_period"] == "FY"].reset_index(drop=True)
        quarterly = chosen[chosen["fiscal_period"].str.match(r"^Q[1-4]$")].reset_index(drop=True)
        return annual, quarterly

    def why_not(self, company_id: str) -> str:
        """Why a company has no values (the reason printed beside it)."""
        data = self.company(company_id)
        if data.unreadable:
            return data.unreadable
        company = self.atlas.companies[company_id]
        if company.cik is None:
            return "no SEC CIK (not an SEC filer)"
        return NO_FACTS

    # -- many companies ---------------------------------------------------------------------

    def inputs(self, company_ids: Iterable[str]) -> MetricInputs:
        """Calendar years, calendar quarters and TTM of many companies; those without any
        value are ``not_covered`` with the reason."""
        annual, quarterly, ttm = [], [], []
        not_covered: dict[str, str] = {}
        for cid in dict.fromkeys(company_ids):
            data = self.company(cid)
            if data.unreadable or (data.annual.empty and data.quarterly.empty):
                not_covered[cid] = (
                    self.why_not(cid)
                    if data.unreadable or data.fiscal.empty
                    else "no money metrics found"
                )
                continue
            annual.append(data.annual.assign(company_id=cid))
            quarterly.append(data.quarterly.assign(company_id=cid))
            ttm.append(data.ttm.assign(company_id=cid))
        extra_q = ["calendar_quarter", "end"]
        return MetricInputs(
            annual=_concat(annual),
            quarterly=_concat(quarterly, extra_q),
            ttm=drop_stale_ttm(_concat(ttm, ["last_quarter"])),
            not_covered=not_covered,
        )

    # -- one value --------------------------------------------------------------------------

    def resolve(self, company_id: str, metric: str, period: str | int | Period) -> Resolved:
        """One company's ``metric`` for ``period`` (``CY2024``, ``2024``, ``FY2025``,
        ``Q4 FY2026``, ``CY2025Q3``, ``TTM``): value, evidence, source, rule and basis."""
        p = period if isinstance(period, Period) else parse_period(period)
        if metric not in self.metrics:
            raise NotFoundError(f"unknown metric {metric!r}", list(self.metrics))
        data = self.company(company_id)
        if p.kind == "fiscal":
            if data.fiscal.empty:
                return self._missing(company_id, metric, p, self.why_not(company_id))
            annual, quarterly = self.fiscal(company_id)
            frame = annual if p.slot == "FY" else quarterly
            hit = frame[
                (frame["metric"] == metric)
                & (frame["fiscal_year"] == p.year)
                & (frame["fiscal_period"] == p.slot)
            ]
            if hit.empty or pd.isna(hit.iloc[0]["value"]):
                why = f"no {p.label} value from {self._tried()}"
                if not hit.empty:
                    why += f" ({hit.iloc[0]['basis']})"
                return self._missing(company_id, metric, p, why)
            r = hit.iloc[0]
            rule = f"{p.label} as filed ({r['start']}..{r['end']})"
            return Resolved(
                company_id,
                metric,
                p.label,
                float(r["value"]),
                Evidence(r["evidence"]),
                r["source"],
                rule,
                str(r["basis"]),
                _ref(r["reference"]),
            )
        frame = {"ttm": data.ttm}.get(p.kind, data.annual if p.slot == "FY" else data.quarterly)
        hit = (
            frame[(frame["metric"] == metric) & (frame["period"] == p.key)]
            if not frame.empty
            else frame
        )
        if hit.empty or hit.iloc[0]["value"] is None or pd.isna(hit.iloc[0]["value"]):
            why = (
                self.why_not(company_id)
                if data.fiscal.empty
                else f"no {p.label} value from {self._tried()}"
            )
            if not hit.empty:
                why += f" ({hit.iloc[0]['basis']})"
            return self._missing(company_id, metric, p, why)
        r = hit.iloc[0]
        return Resolved(
            company_id,
            metric,
            p.label,
            float(r["value"]),
            Evidence(r["evidence"]),
            r["source"],
            str(r["rule"]),
            str(r["basis"]),
            _ref(r.get("reference")),
        )

    def _tried(self) -> str:
        return " / ".join(self.source_names) or "no provider"

    def _missing(self, cid: str, metric: str, p: Period, why: str) -> Resolved:
        return Resolved(cid, metric, p.label, None, Evidence.UNRESOLVED, None, "unresolved", why)


# -- helpers --------------------------------------------------------------------------------


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns), dtype=object)


def _unreadable(reason: str, reasons: dict[str, str]) -> CompanyData:
    e = _empty(COLUMNS)
    return CompanyData(_empty(FISCAL_COLUMNS), e, e, e, reasons, unreadable=reason)


def _ref(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _fill_fiscal_dates(fiscal: pd.DataFrame) -> pd.DataFrame:
    """Give fiscal-year rows without dates (an atlas ``FY2024`` figure) the dates another
    provider states for that fiscal year of the company."""
    missing = (fiscal["fiscal_period"] == "FY") & (fiscal["start"].isna() | fiscal["end"].isna())
    if not missing.any():
        return fiscal
    known = fiscal[
        (fiscal["fiscal_period"] == "FY") & fiscal["start"].notna() & fiscal["end"].notna()
    ]
    dates = known.drop_duplicates("fiscal_year").set_index("fiscal_year")[["start", "end"]]
    out = fiscal.copy()
    for idx in out.index[missing]:
        year = out.at[idx, "fiscal_year"]
        if year in dates.index:
            out.at[idx, "start"], out.at[idx, "end"] = (
                dates.loc[year, "start"],
                dates.loc[year, "end"],
            )
            out.at[idx, "basis"] = f"{out.at[idx, 'basis']}; dates of FY{year} from the filings"
    return out


def _defer(parts: list[pd.DataFrame], deferring: set[str], filings: set[str]) -> list[pd.DataFrame]:
    """Drop a deferring provider's rows (Yahoo Finance) for every period a filing provider
    has any value for: a company-period an SEC filing covers is never read elsewhere."""
    if not deferring:
        return parts
    covered = {
        str(p)
        for part in parts
        if not part.empty and str(part["source"].iloc[0]) in filings
        for p, v in zip(part["period"], part["value"], strict=True)
        if v is not None and not pd.isna(v)
    }
    out = []
    for part in parts:
        if not part.empty and str(part["source"].iloc[0]) in deferring:
            part = part[~part["period"].astype(str).isin(covered)]
        out.append(part)
    return out


def _choose(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The first provider's row with a value per (metric, period); when no provider has a
    value, the first one's unresolved row (its basis says why, e.g. a missing FX rate)."""
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _empty(COLUMNS[1:])
    frame = pd.concat(parts, ignore_index=True)
    frame["_missing"] = frame["value"].isna()
    frame = frame.sort_values("_missing", kind="stable")
    frame = frame.drop_duplicates(["metric", "period"], keep="first")
    return frame.sort_index().drop(columns="_missing").reset_index(drop=True)


def _fcf(frame: pd.DataFrame) -> pd.DataFrame:
    """Free cash flow = operating cash flow - capex of the chosen values, per period."""
    if frame.empty:
        return frame
    by = {
        (m, p): r
        for m, p, r in zip(frame["metric"], frame["period"], frame.to_dict("records"), strict=True)
    }
    rows = []
    for period in dict.fromkeys(frame["period"]):
        ocf, capex = by.get(("operating_cash_flow", period)), by.get(("capex", period))
        if ocf is None or capex is None or ocf["value"] is None or capex["value"] is None:
            continue
        base = dict(ocf)
        sources = list(dict.fromkeys([ocf["source"], capex["source"]]))
        base.update(
            metric="free_cash_flow",
            value=float(ocf["value"]) - float(capex["value"]),
            evidence=combine([ocf["evidence"], capex["evidence"]]),
            basis=f"operating cash flow ({ocf['basis']}) - capex ({capex['basis']})",
            source=" + ".join(s for s in sources if s),
            rule="OCF - capex",
            reference=", ".join(
                dict.fromkeys(str(r) for r in (ocf.get("reference"), capex.get("reference")) if r)
            )
            or None,
        )
        rows.append(base)
    if not rows:
        return frame
    kept = frame[
        ~((frame["metric"] == "free_cash_flow") & frame["period"].isin([r["period"] for r in rows]))
    ]
    return pd.concat([kept, pd.DataFrame(rows)], ignore_index=True)


def _concat(parts: list[pd.DataFrame], extra: Sequence[str] = ()) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    cols = [*COLUMNS, *extra]
    if not parts:
        return _empty(cols)
    out = pd.concat(parts, ignore_index=True)
    for c in cols:
        if c not in out.columns:
            out[c] = None
    return out[cols]
