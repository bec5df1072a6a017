"""Cross-table checks of the merged atlas (row-level types and enums are the models' job).

Rules (each reported with file, line and column):
- keys unique within a file (see ``loader``); a company id is never also a segment or group id
  (flow endpoints may be any of the three; a group and a segment may share an id, e.g.
  ``hyperscalers``, and a flow endpoint naming both means the group); segment ids unique across
  layers; layer ``order`` unique;
- references resolve (``REFS``): every ``source`` to a source; companies / segments / markets /
  groups / parents / figure subjects to their tables. References are checked on the raw cells,
  so a row that failed type checks still has its references checked in the same run;
- a source has a ``url`` (http/https) or a filing ``accession`` (##########-##-######); only
  an ``editorial_estimate`` source may instead point at the package docs (``stackatlas:...``);
- amounts are not negative; ``low <= high``; a point value lies within ``[low, high]`` (a
  bound may be open: "over $400 billion" is ``value=400, low=400``); shares lie in [0, 1];
- shares of one market sum to at most 1 and weights of one company to at most 1
  (tolerance 0.005 for rounding);
- estimates carry a range: a share of kind ``estimate``, and any share, flow or figure whose
  source is an ``editorial_estimate``, must give ``low`` and ``high``. Third-party estimates
  and projections quoted as points (e.g. the article's "$2 trillion by 2030") stay points: the
  atlas records the claim as made.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from stackatlas.atlas.models import EdgeBasis, FigureKind, SourceKind, SubjectType
from stackatlas.atlas.reading import RawRow
from stackatlas.errors import Problem

TOLERANCE = 0.005
_ACCESSION = re.compile(r"^\d{10}-\d{2}-\d{6}$")

# table -> (column, namespace) pairs checked on the raw cells of every row
REFS: dict[str, tuple[tuple[str, str], ...]] = {
    "companies": (("parent", "parent"),),
    "memberships": (("company", "company"), ("segment", "segment"), ("source", "source")),
    "markets": (("segment", "segment"),),
    "shares": (("market", "market"), ("company", "company"), ("source", "source")),
    "groups": (("members", "company"), ("layer", "layer")),
    "flows": (("from", "node"), ("to", "node"), ("source", "source")),
    "figures": (("source", "source"),),
    "dependencies": (
        ("supplier", "company"),
        ("customer", "company"),
        ("source", "source"),
        ("other_sources", "source"),
    ),
    "upstream_exemptions": (("company", "company"), ("source", "source")),
    "eto_providers": (("company", "company"), ("source", "source")),
}
_WHAT = {"parent": "parent company", "node": "company, segment or group"}
_LIST_COLUMNS = {"members", "other_sources"}


@dataclass(frozen=True)
class Located:
    """A validated row and where it was read."""

    row: Any  # the validated pydantic row model
    raw: RawRow

    def problem(self, column: str | None, message: str) -> Problem:
        return Problem(self.raw.file, self.raw.line_of(column), column, message)


def check_atlas(
    layers: list[Located],
    tables: dict[str, list[Located]],
    invalid: dict[str, set[str]] | None = None,
    failed: dict[str, list[RawRow]] | None = None,
) -> list[Problem]:
    """Every cross-table problem of the merged atlas.

    ``failed``: rows (per table) that failed row validation; their references are still
    checked. ``invalid``: ids (per table, plus ``layers`` / ``segments``) of such rows, so
    references *to* them are not reported a second time."""
    c = _Checker(layers, tables, invalid or {}, failed or {})
    c.run()
    return c.problems


class _Checker:
    def __init__(
        self,
        layers: list[Located],
        tables: dict[str, list[Located]],
        invalid: dict[str, set[str]],
        failed: dict[str, list[RawRow]],
    ) -> None:
        self.layers = layers
        self.t = tables
        self.invalid = invalid
        self.failed = failed
        self.problems: list[Problem] = []
        self.sources = {x.row.id: x.row for x in tables["sources"]}
        self.companies = {x.row.id for x in tables["companies"]}
        self.markets = {x.row.id for x in tables["markets"]}
        self.groups = {x.row.id for x in tables["groups"]}
        self.layer_ids = {x.row.id for x in layers}
        self.segments: dict[str, str] = {}

    def add(self, loc: Located, column: str | None, message: str) -> None:
        self.problems.append(loc.problem(column, message))

    def run(self) -> None:
        self.check_layers()  # first: fills self.segments
        self.check_references()
        self.check_namespaces()
        self.check_sources()
        self.check_companies()
        self.check_memberships()
        self.check_shares()
        self.check_groups()
        self.check_flows()
        self.check_figures()
        self.check_dependencies()
        self.check_upstream()

    # ---- references ----------------------------------------------------------------------
    def check_references(self) -> None:
        spaces: dict[str, set[str] | dict] = {
            "company": self.companies,
            "parent": self.companies,
            "segment": self.segments,
            "market": self.markets,
            "source": self.sources,
            "layer": self.layer_ids,
            "node": self.companies | set(self.segments) | self.groups,
        }
        subjects: dict[str, set[str] | dict] = {
            SubjectType.COMPANY.value: self.companies,
            SubjectType.LAYER.value: self.layer_ids,
            SubjectType.SEGMENT.value: self.segments,
            SubjectType.MARKET.value: self.markets,
            SubjectType.GROUP.value: self.groups,
        }
        for table, refs in REFS.items():
            for raw in [loc.raw for loc in self.t[table]] + self.failed.get(table, []):
                for column, space in refs:
                    value = raw.values.get(column)
                    if value is None:
                        continue
                    values = str(value).split(";") if column in _LIST_COLUMNS else [value]
                    for v in (str(x).strip() for x in values):
                        if v:
                            self.ref(raw, column, v, spaces[space], _WHAT.get(space, space))
                if table == "figures":
                    kind = str(raw.values.get("subject_type", ""))
                    subject = raw.values.get("subject")
                    if kind in subjects and subject is not None:
                        self.ref(raw, "subject", str(subject), subjects[kind], kind)

    def ref(self, raw: RawRow, column: str, value: str, known: set[str] | dict, what: str) -> None:
        if value not in known and not any(value in ids for ids in self.invalid.values()):
            self.problems.append(
                Problem(raw.file, raw.line_of(column), column, f"unknown {what} {value!r}")
            )

    # ---- helpers -------------------------------------------------------------------------
    def is_editorial(self, loc: Located) -> bool:
        src = self.sources.get(loc.row.source)
        return src is not None and src.kind == SourceKind.EDITORIAL_ESTIMATE

    def check_range(
        self,
        loc: Located,
        value_col: str,
        value: float | None,
        low: float | None,
        high: float | None,
        *,
        negative_ok: bool = False,
        low_col: str = "low",
    ) -> None:
        high_col = low_col.replace("low", "high")
        for col, v in ((value_col, value), (low_col, low), (high_col, high)):
            if v is not None and v < 0 and not negative_ok:
                self.add(loc, col, f"must not be negative, got {v:g}")
        if low is not None and high is not None and low > high:
            self.add(loc, low_col, f"{low_col} {low:g} is above {high_col} {high:g}")
        elif value is not None and (
            (low is not None and value < low) or (high is not None and value > high)
        ):
            lo = "-inf" if low is None else f"{low:g}"
            hi = "inf" if high is None else f"{high:g}"
            self.add(loc, value_col, f"{value_col} {value:g} is outside [{lo}, {hi}]")

    def require_range(self, loc: Located, why: str) -> None:
        if loc.row.low is None or loc.row.high is None:
            self.add(loc, "low" if loc.row.low is None else "high", f"{why} must give low and high")

    # ---- tables --------------------------------------------------------------------------
    def check_layers(self) -> None:
        orders: dict[int, str] = {}
        for loc in self.layers:
            layer = loc.row
            if layer.order in orders:
                self.add(
                    loc,
                    "order",
                    f"order {layer.order} is also used by layer {orders[layer.order]!r}",
                )
            orders.setdefault(layer.order, layer.id)
            for i, seg in enumerate(layer.segments):
                if seg.id in self.segments:
                    line = _segment_line(loc.raw, i)
                    self.problems.append(
                        Problem(
                            loc.raw.file,
                            line,
                            f"segments.{i}.id",
                            f"segment {seg.id!r} is already defined in layer "
                            f"{self.segments[seg.id]!r}",
                        )
                    )
                else:
                    self.segments[seg.id] = layer.id

    def check_namespaces(self) -> None:
        for loc in self.t["companies"]:
            cid = loc.row.id
            if cid in self.segments:
                self.add(loc, "id", f"company id {cid!r} is also a segment id")
            if cid in self.groups:
                self.add(loc, "id", f"company id {cid!r} is also a group id")

    def check_sources(self) -> None:
        for loc in self.t["sources"]:
            s = loc.row
            if not s.url and not s.accession:
                self.add(loc, "url", "a source needs a url or a filing accession")
            internal = (
                s.kind == SourceKind.EDITORIAL_ESTIMATE
                and s.url
                and s.url.startswith("stackatlas:")
            )
            if s.url and not internal and not s.url.startswith(("http://", "https://")):
                self.add(loc, "url", f"url must start with http:// or https://, got {s.url!r}")
            if s.accession and not _ACCESSION.match(s.accession):
                self.add(
                    loc,
                    "accession",
                    f"accession must look like 0001045810-26-000021, got {s.accession!r}",
                )

    def check_companies(self) -> None:
        tickers: dict[str, str] = {}
        for loc in self.t["companies"]:
            c = loc.row
            if c.parent is not None and c.parent == c.id:
                self.add(loc, "parent", "a company cannot be its own parent")
            for col, values in (("ticker", [c.ticker]), ("other_tickers", c.other_tickers)):
                for t in values:
                    if not t:
                        continue
                    norm = t.upper().replace("-", ".").replace("/", ".")
                    if norm in tickers and tickers[norm] != c.id:
                        self.add(loc, col, f"ticker {t!r} is also used by {tickers[norm]!r}")
                    tickers.setdefault(norm, c.id)

    def check_memberships(self) -> None:
        totals: dict[str, list[Located]] = defaultdict(list)
        for loc in self.t["memberships"]:
            totals[loc.row.company].append(loc)
        self.check_at_most_one(totals, "segment", "weight", "weights of company")

    def check_shares(self) -> None:
        totals: dict[str, list[Located]] = defaultdict(list)
        for loc in self.t["shares"]:
            s = loc.row
            for col, v in (("share", s.share), ("low", s.low), ("high", s.high)):
                if v is not None and v > 1:
                    self.add(loc, col, f"{col} must be a fraction 0-1, got {v:g}")
            self.check_range(loc, "share", s.share, s.low, s.high)
            if s.kind == FigureKind.ESTIMATE:
                self.require_range(loc, "a share of kind estimate")
            elif self.is_editorial(loc):
                self.require_range(loc, "an editorial estimate")
            totals[s.market].append(loc)
        self.check_at_most_one(totals, "company", "share", "shares of market")

    def check_at_most_one(
        self, totals: dict[str, list[Located]], name: str, value: str, what: str
    ) -> None:
        """Fractions of one key (a company's weights, a market's shares) sum to at most 1."""
        for key, locs in totals.items():
            total = sum(getattr(x.row, value) for x in locs)
            if total > 1 + TOLERANCE:
                self.add(
                    locs[-1],
                    value,
                    f"{what} {key!r} sum to {total:.3g} (> 1): {_rows(locs, name, value)}",
                )

    def check_groups(self) -> None:
        for loc in self.t["groups"]:
            if not loc.row.members:
                self.add(loc, "members", "a group needs at least one member")

    def check_flows(self) -> None:
        for loc in self.t["flows"]:
            f = loc.row
            if f.source_node == f.target_node:
                self.add(loc, "to", "a flow cannot go from a node to itself")
            self.check_range(loc, "amount", f.amount, f.low, f.high)
            if self.is_editorial(loc):
                self.require_range(loc, "an editorial estimate")

    def check_figures(self) -> None:
        for loc in self.t["figures"]:
            f = loc.row
            self.check_range(loc, "value", f.value, f.low, f.high, negative_ok=True)
            if self.is_editorial(loc):
                self.require_range(loc, "an editorial estimate")

    def check_dependencies(self) -> None:
        groups = self.input_groups()
        for loc in self.t["dependencies"]:
            d = loc.row
            if d.supplier == d.customer:
                self.add(loc, "customer", "supplier and customer are the same company")
            if d.group and groups and d.group not in groups:
                self.add(
                    loc,
                    "group",
                    f"unknown input group {d.group!r} (segments in layers.yaml declare: "
                    f"{', '.join(sorted(groups))})",
                )
            editorial = self.is_editorial(loc)
            for name in ("input", "revenue"):
                value = getattr(d, f"{name}_share")
                low, high = getattr(d, f"{name}_low"), getattr(d, f"{name}_high")
                self.check_range(loc, f"{name}_share", value, low, high, low_col=f"{name}_low")
                basis = getattr(d, f"{name}_basis")
                if (basis == EdgeBasis.ESTIMATE or editorial) and (low is None or high is None):
                    missing = f"{name}_low" if low is None else f"{name}_high"
                    why = "an estimate" if basis == EdgeBasis.ESTIMATE else "an editorial estimate"
                    self.add(
                        loc, missing, f"{name}_share is {why}: give {name}_low and {name}_high"
                    )

        by_pair: dict[str, list[Located]] = defaultdict(list)
        by_supplier: dict[str, list[Located]] = defaultdict(list)
        for loc in self.t["dependencies"]:
            if loc.row.group:
                by_pair[f"{loc.row.customer}/{loc.row.group}"].append(loc)
            by_supplier[loc.row.supplier].append(loc)
        self.check_at_most_one(
            by_pair, "supplier", "input_share", "explicit input shares of customer/group"
        )
        self.check_at_most_one(
            by_supplier, "customer", "revenue_share", "explicit revenue shares of supplier"
        )

    def input_groups(self) -> set[str]:
        """Input groups declared by the segments of layers.yaml (``inputs``)."""
        return {g for loc in self.layers for seg in loc.row.segments for g in seg.inputs}

    def check_upstream(self) -> None:
        """A company with a weight in a segment that declares ``inputs`` has an explicit
        upstream edge in one of them, or an exemption saying why not."""
        needs: dict[str, set[str]] = {
            seg.id: set(seg.inputs) for loc in self.layers for seg in loc.row.segments if seg.inputs
        }
        edges: dict[str, set[str]] = defaultdict(set)
        for loc in self.t["dependencies"]:
            edges[loc.row.customer].add(loc.row.group or "")
        exempt = {loc.row.company: loc for loc in self.t["upstream_exemptions"]}
        reported: set[str] = set()
        for loc in self.t["memberships"]:
            m = loc.row
            wanted = needs.get(m.segment)
            if not wanted or m.weight <= 0 or m.company in exempt or m.company in reported:
                continue
            # a blank group resolves to the inferred edge's group: accept it here
            if edges[m.company] & (wanted | {""}):
                continue
            reported.add(m.company)
            self.add(
                loc,
                "company",
                f"{m.company!r} is in segment {m.segment!r}, which buys "
                f"{', '.join(sorted(wanted))}, but has no explicit upstream edge in "
                "dependencies.csv: add one (with its source) or a row in "
                "upstream_exemptions.csv saying why not",
            )
        for company, loc in exempt.items():
            if edges.get(company):
                self.add(
                    loc,
                    "company",
                    f"{company!r} has explicit upstream edges in dependencies.csv: "
                    "remove the exemption",
                )


def _segment_line(raw: RawRow, index: int) -> int:
    segs = raw.values.get("segments") or []
    if 0 <= index < len(segs) and isinstance(segs[index], dict):
        return int(segs[index].get("__line__", raw.line))
    return raw.line


def _rows(locs: list[Located], name: str, value: str) -> str:
    """``tsmc 0.7 (base/shares.csv:3), amd 0.25 (line 2)``: the rows behind a total, located
    relative to the last row's file (where the problem is reported)."""
    last = locs[-1].raw.file
    parts = []
    for x in locs:
        where = f"line {x.raw.line}" if x.raw.file == last else f"{x.raw.file}:{x.raw.line}"
        parts.append(f"{getattr(x.row, name)} {getattr(x.row, value):g} ({where})")
    return ", ".join(parts)
