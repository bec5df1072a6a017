"""SEC EDGAR documents stackatlas reads: companyfacts, submissions, the ticker map, frames.

Each function takes an optional ``SecClient`` (a default one is made and closed otherwise).
``STACKATLAS_SEC_DIR=DIR`` serves companyfacts from ``DIR/companyfacts/CIK##########.json``
and the ticker map from ``DIR/company_tickers.json`` without any network or cache access.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson
import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, Field

from stackatlas import config
from stackatlas.errors import DataUnavailableError, NotFoundError, ValidationError
from stackatlas.sec.client import SecClient, Source
from stackatlas.sec.companyfacts import invalid, parse_companyfacts

COMPANYFACTS_URL = "https://data.sec.gov/api/xbrl/companyfacts/CIK{cik10}.json"
SUBMISSIONS_URL = "https://data.sec.gov/submissions/CIK{cik10}.json"
TICKERS_URL = "https://www.sec.gov/files/company_tickers.json"
FRAMES_URL = "https://data.sec.gov/api/xbrl/frames/{taxonomy}/{concept}/{unit}/{period}.json"
_PERIOD = re.compile(r"^CY\d{4}(Q[1-4]I?)?$")
_NAME = re.compile(r"^[A-Za-z0-9_\-/]+$")
T = TypeVar("T")


def cik10(cik: int | str) -> str:
    """A CIK as SEC's zero-padded 10-digit string ('CIK' prefix and padding accepted)."""
    text = str(cik).strip().upper().removeprefix("CIK")
    if not text.isdigit() or not 0 < int(text) < 10**10:
        raise ValidationError(f"not a CIK: {cik!r} (expected up to 10 digits)")
    return f"{int(text):010d}"


@contextmanager
def _client(client: SecClient | None, offline: bool | None = None) -> Iterator[SecClient]:
    if client is not None:
        yield client
        return
    with SecClient(offline=offline) as own:
        yield own


@dataclass(frozen=True)
class CompanyFacts:
    """A parsed companyfacts document (FACTS_SCHEMA table) and where it came from."""

    cik: int
    entity_name: str
    facts: pa.Table
    source: Source
    origin: str  # URL or file path
    fetched_at: datetime
    note: str = ""


def companyfacts_path(cik: int | str, sec_dir: Path | None = None) -> Path | None:
    """``SEC_DIR/companyfacts/CIK##########.json`` when STACKATLAS_SEC_DIR is set, else None."""
    root = sec_dir if sec_dir is not None else config.sec_dir()
    return None if root is None else root / "companyfacts" / f"CIK{cik10(cik)}.json"


def companyfacts(
    cik: int | str,
    *,
    client: SecClient | None = None,
    offline: bool | None = None,
    allow_stale: bool = True,
) -> CompanyFacts:
    """One company's XBRL facts, normalized. Reads STACKATLAS_SEC_DIR when set."""
    padded = cik10(cik)
    path = companyfacts_path(padded)
    if path is not None:
        if not path.is_file():
            raise DataUnavailableError(f"CIK {padded}: not in SEC_DIR ({path} does not exist)")
        table = parse_companyfacts(path.read_bytes(), origin=str(path))
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        return _checked(_facts(table, "dir", str(path), mtime, ""), padded)
    url = COMPANYFACTS_URL.format(cik10=padded)
    with _client(client, offline) as sec:
        resp = sec.get_json(
            url,
            what=f"companyfacts for CIK {padded}",
            allow_stale=allow_stale,
            check=lambda doc: companyfacts_problem(doc, int(padded)),
        )
    if not isinstance(resp.doc, dict):
        raise invalid(url, "companyfacts is not a JSON object")
    table = parse_companyfacts(resp.doc, origin=url)
    return _checked(_facts(table, resp.source, url, resp.fetched_at, resp.note), padded)


def _checked(got: CompanyFacts, padded: str) -> CompanyFacts:
    if got.cik != int(padded):
        raise invalid(got.origin, f"document is for CIK {got.cik}, not {padded}")
    return got


def _facts(table: pa.Table, source: Source, origin: str, when: datetime, note: str) -> CompanyFacts:
    meta = table.schema.metadata or {}
    return CompanyFacts(
        int(meta[b"cik"]), meta.get(b"entity_name", b"").decode(), table, source, origin, when, note
    )


class FormerName(BaseModel):
    name: str
    from_: date | None = Field(None, alias="from")
    to: date | None = None


class Submissions(BaseModel):
    """Identity facts from SEC's submissions document."""

    cik: int
    name: str
    tickers: list[str] = []
    exchanges: list[str | None] = []
    sic: str | None = None
    sic_description: str | None = None
    fiscal_year_end: str | None = None  # "MMDD" as SEC gives it, e.g. "0126"
    state_of_incorporation: str | None = None
    former_names: list[FormerName] = []

    @property
    def fiscal_year_end_month(self) -> int | None:
        return int(self.fiscal_year_end[:2]) if self.fiscal_year_end else None


def submissions(
    cik: int | str, *, client: SecClient | None = None, offline: bool | None = None
) -> Submissions:
    """Names, tickers, fiscal-year end and former names of a filer."""
    padded = cik10(cik)
    url = SUBMISSIONS_URL.format(cik10=padded)
    with _client(client, offline) as sec:
        doc = sec.get_json(
            url,
            what=f"submissions for CIK {padded}",
            allow_stale=True,
            check=lambda doc: submissions_problem(doc, int(padded)),
        ).doc
    return _model(url, lambda: parse_submissions(doc))


def parse_submissions(doc: dict[str, Any]) -> Submissions:
    """Build ``Submissions`` from a decoded submissions document."""
    former = [
        {"name": f.get("name"), "from": _day(f.get("from")), "to": _day(f.get("to"))}
        for f in doc.get("formerNames") or []
    ]
    return Submissions.model_validate(
        {
            "cik": int(doc["cik"]),
            "name": doc["name"],
            "tickers": doc.get("tickers") or [],
            "exchanges": doc.get("exchanges") or [],
            "sic": doc.get("sic") or None,
            "sic_description": doc.get("sicDescription") or None,
            "fiscal_year_end": doc.get("fiscalYearEnd") or None,
            "state_of_incorporation": doc.get("stateOfIncorporation") or None,
            "former_names": former,
        }
    )


def ticker_map(*, client: SecClient | None = None, offline: bool | None = None) -> pd.DataFrame:
    """SEC's ticker -> CIK map: columns ticker, cik, title (from SEC_DIR when present)."""
    root = config.sec_dir()
    local = root / "company_tickers.json" if root is not None else None
    if local is not None and local.is_file():
        origin, doc = str(local), _load_json(local)
    else:
        with _client(client, offline) as sec:
            resp = sec.get_json(
                TICKERS_URL, what="SEC ticker map", allow_stale=True, check=ticker_map_problem
            )
        origin, doc = TICKERS_URL, resp.doc
    return _model(origin, lambda: parse_ticker_map(doc))


def parse_ticker_map(doc: dict[str, Any]) -> pd.DataFrame:
    rows = doc.values() if isinstance(doc, dict) else doc
    frame = pd.DataFrame.from_records(list(rows), columns=["cik_str", "ticker", "title"])
    frame = frame.rename(columns={"cik_str": "cik"})
    frame["cik"] = frame["cik"].astype("int64")
    return frame[["ticker", "cik", "title"]]


def cik_for_ticker(ticker: str, **kwargs: Any) -> int:
    """CIK of a ticker via the SEC map (NotFoundError with close tickers on a miss)."""
    frame = ticker_map(**kwargs)
    hit = frame.loc[frame["ticker"].str.upper() == ticker.strip().upper(), "cik"]
    if hit.empty:
        close = [t for t in frame["ticker"] if t.startswith(ticker.strip().upper()[:2])][:3]
        raise NotFoundError(f"ticker {ticker!r} is not in SEC's ticker map", close)
    return int(hit.iloc[0])


def frames(
    concept: str,
    unit: str,
    period: str,
    *,
    taxonomy: str = "us-gaap",
    client: SecClient | None = None,
    offline: bool | None = None,
) -> pd.DataFrame:
    """One concept for every filer in one calendar period (e.g. ``CY2024Q2``, ``CY2024Q4I``).

    Columns: taxonomy, concept, unit, period, cik, entity_name, loc, start, end, value, accession.
    """
    if not _PERIOD.match(period):
        raise ValidationError(
            f"frames period {period!r} must look like CY2024, CY2024Q2 or CY2024Q2I (instant)"
        )
    for label, value in (("taxonomy", taxonomy), ("concept", concept), ("unit", unit)):
        if not _NAME.match(value):
            raise ValidationError(f"frames {label} {value!r} has characters SEC never uses")
    url = FRAMES_URL.format(taxonomy=taxonomy, concept=concept, unit=unit, period=period)
    with _client(client, offline) as sec:
        doc = sec.get_json(
            url, what=f"frame {concept}/{unit}/{period}", allow_stale=True, check=frames_problem
        ).doc
    return _model(url, lambda: parse_frames(doc))


def parse_frames(doc: dict[str, Any]) -> pd.DataFrame:
    """Normalize a decoded frames document."""
    data = pd.DataFrame.from_records(
        doc["data"], columns=["accn", "cik", "entityName", "loc", "start", "end", "val"]
    )
    out = pd.DataFrame(
        {
            "taxonomy": doc["taxonomy"],
            "concept": doc["tag"],
            "unit": doc["uom"],
            "period": doc["ccp"],
            "cik": data["cik"].astype("int64"),
            "entity_name": data["entityName"],
            "loc": data["loc"],
            "start": pd.to_datetime(data["start"], format="%Y-%m-%d").dt.date,
            "end": pd.to_datetime(data["end"], format="%Y-%m-%d").dt.date,
            "value": data["val"].astype("float64"),
            "accession": data["accn"],
        },
        index=data.index,
    )
    return out


# ---- document checks: what a 200 must hold before it may replace a cached copy ----------
def companyfacts_problem(doc: Any, cik: int) -> str | None:
    """Why ``doc`` is not the companyfacts document of ``cik`` (None when it is)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("facts"), dict):
        return "a document that is not companyfacts (no 'facts' object)"
    return _cik_problem(doc, cik, "companyfacts")


def submissions_problem(doc: Any, cik: int) -> str | None:
    """Why ``doc`` is not the submissions document of ``cik`` (None when it is)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
        return "a document that is not a submissions document (no 'name')"
    return _cik_problem(doc, cik, "submissions")


def ticker_map_problem(doc: Any) -> str | None:
    """Why ``doc`` is not SEC's ticker map (None when it is)."""
    rows = list(doc.values()) if isinstance(doc, dict) else None
    if not rows or not all(isinstance(r, dict) and "cik_str" in r for r in rows[:50]):
        return "a document that is not the ticker map (no entries with 'cik_str')"
    return None


def frames_problem(doc: Any) -> str | None:
    """Why ``doc`` is not a frames document (None when it is)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list) or "tag" not in doc:
        return "a document that is not a frame (no 'tag' and 'data' list)"
    return None


def _cik_problem(doc: dict[str, Any], cik: int, kind: str) -> str | None:
    try:
        got = int(doc.get("cik"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"a {kind} document without a valid 'cik'"
    return None if got == cik else f"{kind} for CIK {got}, not {cik:010d}"


def _model(origin: str, build: Callable[[], T]) -> T:
    """Run a parser and turn shape errors into a ValidationError naming the document."""
    try:
        return build()
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise invalid(origin, f"unexpected document shape: {exc!r}") from exc


def _load_json(path: Path) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise invalid(str(path), f"invalid JSON: {exc}") from exc


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None
