"""Fill node revenue and margins from SEC fundamentals where the atlas has no figure.

Used by ``build_network`` when SEC facts are at hand: the local store's ``sec_facts`` table
(after ``stackatlas sync``) or ``STACKATLAS_SEC_DIR``. Takes the latest fiscal-year ``revenue``
and ``gross_profit`` from ``stackatlas.fundamentals.company_metrics`` (values reported in
filings, converted to USD); a company without facts keeps NaN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackatlas import config
from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import StackAtlasError

if TYPE_CHECKING:
    from stackatlas.store import Store


def sec_available() -> bool:
    """True when fundamentals can be read without the network."""
    return config.sec_dir() is not None or config.store_path().is_file()


def fundamentals_revenue(
    atlas: Atlas, company_ids: list[str], store: Store | None = None
) -> dict[str, tuple[float, float | None, str]]:
    """company -> (annual revenue USD bn, gross margin or None, accession) for the given ids
    that have a CIK and SEC facts."""
    from stackatlas.fundamentals import company_metrics

    opened = None
    if store is None:
        from stackatlas.store import Store

        opened = store = Store.open_existing()
    out: dict[str, tuple[float, float | None, str]] = {}
    try:
        for cid in company_ids:
            cik = atlas.companies[cid].cik
            if cik is None:
                continue
            try:
                rows = company_metrics(cik, "annual", ["revenue", "gross_profit"], store=store)
            except StackAtlasError:
                continue
            rows = rows[rows["fiscal_period"] == "FY"]
            rev = rows[rows["metric"] == "revenue"].sort_values("end")
            if rev.empty or not rev["value"].iloc[-1] > 0:
                continue
            last = rev.iloc[-1]
            gp = rows[(rows["metric"] == "gross_profit") & (rows["end"] == last["end"])]
            margin = float(gp["value"].iloc[0] / last["value"]) if not gp.empty else None
            out[cid] = (float(last["value"]) / 1e9, margin, str(last.get("accession", "")))
    finally:
        if opened is not None:
            opened.close()
    return out
