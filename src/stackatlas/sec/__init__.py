"""SEC EDGAR: one HTTP client (identity, rate limit, retries, cache), the endpoints, the
companyfacts parser, the facts table in the store, sync, bulk ingestion and inline-XBRL
segments.

    sync_companies(atlas, companies)   fetch + store companyfacts (-> SyncReport)
    ingest_bulk(archive)               the bulk companyfacts.zip (-> BulkReport)
    read_companyfacts(path)            one companyfacts JSON as an Arrow table of facts
    load_facts(store, cik)             the stored facts of a company
    filing_segments(file)              segment revenue of one 10-K / 10-Q document
    segment_table(file)                the same as a result object (``segments`` command)
    SecClient                          transport, sleep and rate limiter injectable

The endpoint functions (``companyfacts``, ``submissions``, ``ticker_map``, ``frames``) live in
``stackatlas.sec.endpoints``.

The names are loaded on first use (``import stackatlas.sec.filings`` does not pay for the
HTTP client or the bulk ingester).
"""

import typing

from stackatlas import _lazy

if typing.TYPE_CHECKING:
    from stackatlas.sec.bulk import BulkReport, ingest_bulk
    from stackatlas.sec.cache import SecCache
    from stackatlas.sec.client import SecClient
    from stackatlas.sec.companyfacts import FACTS_SCHEMA, parse_companyfacts, read_companyfacts
    from stackatlas.sec.facts_store import ingest_facts, ingested_ciks, load_facts, sync_log
    from stackatlas.sec.segment_view import SegmentTable, segment_table
    from stackatlas.sec.segments import filing_segments, load_segments
    from stackatlas.sec.sync import SyncReport, sync_companies

__all__ = [
    "FACTS_SCHEMA",
    "BulkReport",
    "SecCache",
    "SecClient",
    "SegmentTable",
    "SyncReport",
    "filing_segments",
    "ingest_bulk",
    "ingest_facts",
    "ingested_ciks",
    "load_facts",
    "load_segments",
    "parse_companyfacts",
    "read_companyfacts",
    "segment_table",
    "sync_companies",
    "sync_log",
]

_LAZY = {
    "BulkReport": "stackatlas.sec.bulk",
    "ingest_bulk": "stackatlas.sec.bulk",
    "SecCache": "stackatlas.sec.cache",
    "SecClient": "stackatlas.sec.client",
    "FACTS_SCHEMA": "stackatlas.sec.companyfacts",
    "parse_companyfacts": "stackatlas.sec.companyfacts",
    "read_companyfacts": "stackatlas.sec.companyfacts",
    "ingest_facts": "stackatlas.sec.facts_store",
    "ingested_ciks": "stackatlas.sec.facts_store",
    "load_facts": "stackatlas.sec.facts_store",
    "sync_log": "stackatlas.sec.facts_store",
    "SegmentTable": "stackatlas.sec.segment_view",
    "segment_table": "stackatlas.sec.segment_view",
    "filing_segments": "stackatlas.sec.segments",
    "load_segments": "stackatlas.sec.segments",
    "SyncReport": "stackatlas.sec.sync",
    "sync_companies": "stackatlas.sec.sync",
}


__getattr__, __dir__ = _lazy.lazy_names(__name__, _LAZY, globals())
