"""A user's CSV of company figures as a provider (the example of a third source in one module).

Format (UTF-8, header row; one figure per row; ``#`` lines are comments)::

    company,metric,period,value,currency,source[,scale][,start][,end][,evidence][,url][,note]
    samsung,capex,FY2024,53.6,KRW,Samsung Electronics 2024 annual report,trillion

=========== ================================================================================
company     atlas id, ticker, name or alias (``samsung``, ``005930.KS``, ``Samsung``)
metric      ``revenue``, ``gross_profit``, ``operating_income``, ``capex``,
            ``operating_cash_flow`` or ``free_cash_flow``
period      ``FY2024`` (fiscal year, labelled as the company does), ``CY2024`` / ``2024``
            (calendar year), ``Q3 FY2025`` (fiscal quarter; needs start and end)
value       a number in ``currency`` (times ``scale``); capex as a positive outflow
currency    ISO code (``USD``, ``KRW`` ...); other currencies convert with the FX rules
source      where the number comes from: carried on every value (title, filing, URL)
scale       optional: ``1`` (default), ``thousand``, ``million``, ``billion``, ``trillion``
start, end  optional ISO dates of the period (a fiscal year without them is placed by the
            company's fiscal calendar from another provider, else taken for its label year)
evidence    optional: ``reported`` (default: the number as its source states it) or
            ``estimated``
=========== ================================================================================

Every problem is reported with file, line and column, all at once. The file is read again when
it changes (size or modification time). Values come after the SEC providers: a filing wins for
the same metric and period.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import Company
from stackatlas.errors import DataUnavailableError, NotFoundError, Problem, ValidationError
from stackatlas.evidence import Evidence
from stackatlas.resolver.currency import to_usd
from stackatlas.resolver.providers import PROVIDER_COLUMNS, empty_facts
from stackatlas.resolver.sec_providers import MONEY_METRICS

REQUIRED = ("company", "metric", "period", "value", "currency", "source")
OPTIONAL = ("scale", "start", "end", "evidence", "url", "note")
SCALES = {"": 1.0, "1": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_FY = re.compile(r"^FY\s*(\d{4})$", re.IGNORECASE)
_CY = re.compile(r"^(?:CY)?\s*(\d{4})$", re.IGNORECASE)
_Q = re.compile(r"^(Q[1-4])\s+FY\s*(\d{4})$", re.IGNORECASE)


class FiguresCsvProvider:
    """Figures from a user's CSV file (see the module docstring)."""

    name = "user-csv"
    label = "user figures CSV"
    filing = False
    defers_to_filings = False

    def __init__(self, path: Path, atlas: Atlas) -> None:
        self.path = Path(path)
        self.atlas = atlas
        self._rows: dict[str, list[dict]] | None = None
        self._stamp: tuple | None = None

    def version(self, company: Company) -> tuple:
        try:
            st = self.path.stat()
        except OSError:
            return ("absent", str(self.path))
        return (str(self.path), st.st_size, st.st_mtime_ns)

    def rows(self) -> dict[str, list[dict]]:
        """The file's figures by atlas company id (read again when the file changes)."""
        stamp = self.version(next(iter(self.atlas.companies.values())))
        if self._rows is None or stamp != self._stamp:
            self._rows, self._stamp = read_figures(self.path, self.atlas), stamp
        return self._rows

    def fetch(
        self, company: Company, metrics: Sequence[str], periods: Sequence[str]
    ) -> pd.DataFrame:
        mine = [r for r in self.rows().get(company.id, []) if r["metric"] in metrics]
        wanted = {"FY", "CY"} if "annual" in periods else set()
        if "quarterly" in periods:
            wanted |= {"Q1", "Q2", "Q3", "Q4"}
        mine = [r for r in mine if r["fiscal_period"] in wanted]
        if not mine:
            raise DataUnavailableError(f"no figures for {company.id} in {self.path}")
        parts = []
        for currency in dict.fromkeys(r["currency"] for r in mine):
            rows = [{k: r[k] for k in PROVIDER_COLUMNS} for r in mine if r["currency"] == currency]
            parts.append(to_usd(pd.DataFrame(rows, columns=PROVIDER_COLUMNS), currency))
        return pd.concat(parts, ignore_index=True) if parts else empty_facts()


def read_figures(path: Path, atlas: Atlas) -> dict[str, list[dict]]:
    """Parse and check the whole file; ``ValidationError`` lists every located problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(
            Problem(str(path), None, None, f"unreadable figures CSV: {exc}")
        ) from exc
    lines = [
        (i, ln)
        for i, ln in enumerate(text.splitlines(), start=1)
        if not ln.lstrip().startswith("#")
    ]
    if not lines:
        raise ValidationError(Problem(str(path), None, None, "empty figures CSV (no header row)"))
    reader = csv.DictReader([ln for _, ln in lines])
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationError(
            Problem(str(path), lines[0][0], None, f"missing column(s): {', '.join(missing)}")
        )
    problems: list[Problem] = []
    out: dict[str, list[dict]] = {}
    for (lineno, _), raw in zip(lines[1:], reader, strict=False):
        rec = {str(k).strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        row = _parse(rec, atlas, str(path), lineno, problems)
        if row is not None:
            out.setdefault(row.pop("company_id"), []).append(row)
    if problems:
        raise ValidationError(problems)
    return out


def _parse(rec: dict, atlas: Atlas, file: str, line: int, problems: list[Problem]) -> dict | None:
    def bad(column: str, message: str) -> None:
        problems.append(Problem(file, line, column, message))

    before = len(problems)
    for col in REQUIRED:
        if not rec.get(col):
            bad(col, "required")
    if len(problems) > before:
        return None
    try:
        company = atlas.find_company(rec["company"])
    except NotFoundError as exc:
        bad("company", str(exc))
        company = None
    if rec["metric"] not in MONEY_METRICS:
        bad("metric", f"unknown metric {rec['metric']!r} (use {', '.join(MONEY_METRICS)})")
    scale = SCALES.get(rec.get("scale", "").lower())
    if scale is None:
        bad("scale", f"unknown scale {rec['scale']!r} (use {', '.join(s for s in SCALES if s)})")
    try:
        value = float(rec["value"].replace(",", "")) * (scale or 1.0)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError
    except ValueError:
        bad("value", f"not a number: {rec['value']!r}")
        value = None
    currency = rec["currency"].upper()
    if not (len(currency) == 3 and currency.isalpha()):
        bad("currency", f"not a 3-letter ISO code: {rec['currency']!r}")
    evidence = rec.get("evidence", "").lower() or "reported"
    if evidence not in ("reported", "estimated"):
        bad("evidence", "use 'reported' or 'estimated'")
    start, end = _date(rec.get("start"), "start", bad), _date(rec.get("end"), "end", bad)
    period = _period(rec["period"], start, end, bad)
    if len(problems) > before or company is None or period is None:
        return None
    year, slot = period
    if slot == "CY" and start is None:
        start, end = date(year, 1, 1), date(year, 12, 31)
    where = rec["source"] + (f" <{rec['url']}>" if rec.get("url") else "")
    note = f"; {rec['note']}" if rec.get("note") else ""
    return {
        "company_id": company.id,
        "metric": rec["metric"],
        "fiscal_year": year,
        "fiscal_period": slot,
        "start": start,
        "end": end,
        "value": value,
        "evidence": Evidence(evidence),
        "reference": f"{Path(file).name}:{line}",
        "basis": f"{evidence} — {where} (user figures, not an SEC filing){note}",
        "currency": currency,
    }


def _date(text: str | None, column: str, bad: Callable[[str, str], None]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        bad(column, f"not an ISO date (YYYY-MM-DD): {text!r}")
        return None


def _period(
    text: str, start: date | None, end: date | None, bad: Callable[[str, str], None]
) -> tuple[int, str] | None:
    if m := _FY.match(text):
        return int(m.group(1)), "FY"
    if m := _CY.match(text):
        return int(m.group(1)), "CY"
    if m := _Q.match(text):
        if start is None or end is None:
            bad("period", f"a fiscal quarter ({text}) needs start and end dates")
            return None
        return int(m.group(2)), m.group(1).upper()
    bad("period", f"period {text!r} not understood: use FY2024, CY2024 (or 2024), Q3 FY2025")
    return None
