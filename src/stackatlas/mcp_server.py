"""A Model Context Protocol server: stackatlas's read-only analyses as tools for AI agents.

``stackatlas mcp`` serves it over stdio (install the ``[mcp]`` extra). Every tool is one library
call, returns JSON and carries, beside the result, the units it is in, the evidence legend and
the atlas sources its rows cite, so an agent can quote a number with its provenance instead of
guessing. Nothing is written: the store is opened read-only (or SEC facts are read from
``STACKATLAS_SEC_DIR``); scenario draws and inline holdings are bounded. Bad arguments become a
tool error with the library's message (file / field and suggestions), never a crash.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal

import orjson

from stackatlas._version import __version__
from stackatlas.errors import NotFoundError, StackAtlasError, did_you_mean

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from stackatlas.atlas import Atlas
    from stackatlas.store import Store

MAX_DRAWS = 2000
MAX_HOLDINGS = 500
EVIDENCE = {
    "reported": "straight from a filing",
    "derived": "a formula over reported values",
    "estimated": "atlas estimate, allocation or third-party figure",
    "scenario": "a model or user assumption",
    "unresolved": "an input is missing; the value is null (never zero)",
}
MONEY = "money in USD billions unless a field says otherwise ($M in fundamentals)"
INSTRUCTIONS = (
    "stackatlas: the five-layer AI stack (energy -> chips -> cloud -> models -> applications) "
    "as sourced data. Every number carries an evidence status (reported / derived / estimated / "
    "scenario / unresolved) and a source; unknown values are null, never zero. Years are "
    "calendar years (CY) unless labelled fiscal (FY). Quote the evidence and source with a "
    "number. Educational analysis, not investment advice."
)


def build_server(atlas: Atlas | None = None, store: Store | None = None) -> MCPServer:
    """The MCP server over ``atlas`` (default: the shipped atlas + overlay) and ``store``
    (default: the existing store, read-only, else ``STACKATLAS_SEC_DIR``)."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer(
        "stackatlas", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    context = _Context(atlas, store)
    for tool in _tools(context):
        server.add_tool(tool, description=tool.__doc__)
    _add_resources(server, context)
    return server


class _Context:
    """The atlas and store, loaded on first use (listing tools costs nothing)."""

    def __init__(self, atlas: Atlas | None, store: Store | None) -> None:
        self._atlas, self._store, self._store_checked = atlas, store, store is not None

    def atlas(self) -> Atlas:
        if self._atlas is None:
            from stackatlas.atlas import load_atlas

            self._atlas = load_atlas()
        return self._atlas

    def store(self) -> Store | None:
        if not self._store_checked:
            from stackatlas.store import Store

            self._store, self._store_checked = Store.open_existing(), True
        return self._store

    def answer(self, payload: Any, units: str) -> dict[str, Any]:
        """``payload`` as JSON-safe data, with units, the evidence legend and cited sources."""
        data = orjson.loads(
            orjson.dumps(
                payload,
                default=_default,
                option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS,
            )
        )
        atlas = self.atlas()
        cited = sorted({sid for sid in _source_ids(data) if sid in atlas.sources})
        return {
            "result": data,
            "units": units,
            "evidence_legend": EVIDENCE,
            "sources": [
                {
                    "id": sid,
                    "title": atlas.sources[sid].title,
                    "publisher": atlas.sources[sid].publisher,
                    "published": str(atlas.sources[sid].published),
                    "url": atlas.sources[sid].url,
                    "accession": atlas.sources[sid].accession,
                }
                for sid in cited
            ],
        }


def _default(obj: Any) -> Any:
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return str(obj)


def _source_ids(data: Any) -> Iterator[str]:
    """Every atlas source id a result cites (``source`` / ``sources`` fields, ``;`` lists)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("source", "sources", "source_id", "source_ids") and isinstance(value, str):
                yield from (s.strip() for s in value.replace(",", ";").split(";") if s.strip())
            else:
                yield from _source_ids(value)
    elif isinstance(data, list):
        for item in data:
            yield from _source_ids(item)


def _guard(func: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Library errors become tool errors carrying the library's message (and suggestions)."""
    import functools

    from mcp.server.mcpserver.exceptions import ToolError

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return func(*args, **kwargs)
        except NotFoundError as exc:
            text = str(exc)
            if "did you mean" not in text.lower():
                text += did_you_mean(exc.suggestions)
            raise ToolError(text) from None
        except StackAtlasError as exc:
            raise ToolError(str(exc)) from None

    return wrapper


def _tools(ctx: _Context) -> list[Callable[..., dict[str, Any]]]:
    """The tool functions (their docstrings are the tool descriptions agents read)."""

    @_guard
    def stack_map(layer: str | None = None) -> dict[str, Any]:
        """The AI stack as a tree: layers (energy, chips, cloud, models, applications, or the
        article's level 1-5) -> segments -> companies with revenue-exposure weights (0-1, share
        of a company's revenue in the segment; most are editorial estimates, see evidence) and
        the layer's headline figures with sources."""
        from stackatlas.atlas.views import stack_map as build

        return ctx.answer(build(ctx.atlas(), layer=layer).to_dict(), "weights 0-1; " + MONEY)

    @_guard
    def company_profile(name_or_ticker: str) -> dict[str, Any]:
        """One company by id, ticker, name or alias (e.g. 'NVDA', 'Azure', 'ChatGPT'): its
        layers and segment weights, market shares, money in and out (flows naming it, or a group
        / segment it belongs to, marked 'via'), supplier and customer edges, figures and every
        source cited. Unknown names return suggestions."""
        from stackatlas.atlas.views import company_profile as build

        return ctx.answer(build(ctx.atlas(), name_or_ticker).to_dict(), MONEY)

    @_guard
    def fundamentals(
        company: str,
        period: Literal["annual", "quarterly", "ttm"] = "annual",
        metrics: list[str] | None = None,
        years: int | None = 5,
    ) -> dict[str, Any]:
        """SEC EDGAR fundamentals of a company (atlas id / ticker / name or a CIK): revenue,
        gross profit, operating income, net income, operating cash flow, capex, free cash flow,
        R&D ... per FISCAL period (end dates given), each with its XBRL concept, the filing's
        accession and evidence. Values in USD (full units, not millions) unless 'unit' says
        otherwise. ``years`` keeps the last N years (1-30)."""
        from stackatlas.fundamentals.company import company_fundamentals

        if years is not None and not 1 <= years <= 30:
            raise _invalid("years must be 1-30")
        result = company_fundamentals(
            company, period, metrics, years=years, atlas=ctx.atlas(), store=ctx.store()
        )
        return ctx.answer(result.to_dict(), "USD (full units); fiscal periods")

    @_guard
    def profit_pools(
        year: str | None = None, by: Literal["layer", "segment"] = "layer"
    ) -> dict[str, Any]:
        """Profit pools of the stack per layer (or segment) and calendar year (or 'ttm'):
        revenue, operating income, margin, capex, free cash flow from filings (segment-reported
        where a filing reports the segment, else allocated by exposure weight: evidence
        'estimated'), with the companies and coverage behind every cell."""
        from stackatlas.analysis.profit_pools import profit_pools as build

        result = build(ctx.atlas(), by=by, year=year, store=ctx.store())
        return ctx.answer(result.to_dict(), MONEY + "; calendar years (CY)")

    @_guard
    def hyperscaler_capex(period: str | None = None) -> dict[str, Any]:
        """Capital expenditure of the hyperscalers per calendar year (or quarter), from the
        filings (cash paid for property and equipment), with the atlas's AI-capex estimates
        beside them and the evidence of each value."""
        from stackatlas.analysis.capex import hyperscaler_capex as build

        result = build(ctx.atlas(), period=period or "annual", store=ctx.store())
        return ctx.answer(result.to_dict(), MONEY)

    @_guard
    def coverage(
        layer: str | None = None,
        year: int | None = None,
        provider: Literal["configured", "yahoo", "none"] = "configured",
    ) -> dict[str, Any]:
        """Which atlas company numbers resolve: every company x revenue, operating income,
        capex, operating cash flow x calendar year (default: the 3 latest) with status,
        value (USD, full units), source (SEC companyfacts, SEC filing, Yahoo Finance, a user's
        figures CSV, atlas figure), evidence and basis, or for a gap the reason and what would
        resolve it; per layer the share of companies and of exposure weight resolved (the same
        shares profit pools and capex cite). ``provider``: 'configured' (STACKATLAS_PROVIDERS /
        config.toml), 'yahoo' (Yahoo Finance statements, never preferred over a filing) or
        'none' (SEC and atlas figures only)."""
        from stackatlas.analysis.coverage_result import coverage as build

        atlas, store = ctx.atlas(), ctx.store()
        resolver = None
        if provider != "configured":
            from stackatlas.resolver import Resolver, default_providers

            providers = default_providers(atlas, store, [provider])
            resolver = Resolver(atlas, providers, store=store)
        result = build(atlas, layer=layer, year=year, store=store, resolver=resolver)
        return ctx.answer(result.to_dict(), "USD (full units); shares 0-1; calendar years (CY)")

    @_guard
    def money_flows(include_cycles: bool = True) -> dict[str, Any]:
        """The money-flow graph between companies (payer -> payee: capex purchases, equity
        investments, cloud commitments, revenue shares, debt), each flow with its amount or
        low/high range or 'amount not disclosed' (null, never zero), its period and source;
        optionally the circular-financing cycles (e.g. Microsoft -> OpenAI -> Azure)."""
        from stackatlas.analysis.cycles import find_cycles
        from stackatlas.analysis.flows import flow_graph

        graph = flow_graph(ctx.atlas())
        payload: dict[str, Any] = {
            "edges": graph.collapse("company"),
            "layers": graph.layer_totals(),
        }
        if include_cycles:
            payload["cycles"] = find_cycles(ctx.atlas()).to_dict()
        return ctx.answer(payload, MONEY)

    @_guard
    def concentration(market: str | None = None) -> dict[str, Any]:
        """Market concentration (HHI 0-10,000, CR1, CR3 in percent, DOJ/FTC 2023 band) of the
        atlas markets (AI accelerators, foundry, EUV lithography, cloud, HBM ...) and the
        chokepoint ranking (share x downstream reach), single points of failure flagged."""
        from stackatlas.analysis.concentration import chokepoints, market_concentration

        atlas = ctx.atlas()
        payload = {
            "concentration": market_concentration(atlas, market).to_dict(),
            "chokepoints": chokepoints(atlas).to_dict(),
        }
        return ctx.answer(payload, "shares and CRs in percent; HHI in points (0-10,000)")

    @_guard
    def signals() -> dict[str, Any]:
        """The watch list: each signal measures one of the article's claims (capex intensity,
        burn to revenue, concentration ...) against watch and alert thresholds, with status,
        period, value, unit and evidence."""
        from stackatlas.analysis.signals import evaluate_signals

        return ctx.answer(evaluate_signals(ctx.atlas(), store=ctx.store()).to_dict(), MONEY)

    @_guard
    def audit_claims(
        status: Literal["match", "mismatch", "not checkable"] | None = None,
    ) -> dict[str, Any]:
        """The article's and the atlas's figures checked against the filings: each claim with
        its computed value, the difference, status (match / mismatch / not checkable, with the
        reason) and sources."""
        from stackatlas.analysis.audit import audit_claims as build

        return ctx.answer(build(ctx.atlas(), store=ctx.store(), status=status).to_dict(), MONEY)

    @_guard
    def payback(overrides: dict[str, float] | None = None) -> dict[str, Any]:
        """What must be true: the end-user AI revenue the hyperscalers' AI capex needs each
        calendar year to earn its cost of capital (Sequoia's "$600B question" method), beside
        the AI revenue the atlas can source, the gap, the implied payback period and a
        sensitivity grid (useful life x cost of capital). Every parameter sourced or marked an
        assumption with a range; ``overrides`` fix parameters (name -> number)."""
        from stackatlas.analysis.payback import payback as build

        result = build(ctx.atlas(), store=ctx.store(), overrides=overrides or None)
        return ctx.answer(result.to_dict(), MONEY + "; calendar years (CY)")

    @_guard
    def physical_stack() -> dict[str, Any]:
        """The physical stack from Epoch AI's GPU-cluster data (needs STACKATLAS_EPOCH_DIR):
        operating and planned AI cluster power (GW), H100-equivalents, implied energy at a
        stated utilization assumption, chip-supplier shares of disclosed compute, owners and
        countries. Third-party estimates (Epoch AI, CC BY 4.0)."""
        from stackatlas.infra import infra_summary, load_clusters

        return ctx.answer(
            infra_summary(ctx.atlas(), load_clusters()).to_dict(), "GW, TWh/yr, millions of H100e"
        )

    @_guard
    def chip_supply_chain(
        input: str | None = None, provider: str | None = None, country: str | None = None
    ) -> dict[str, Any]:
        """The chip supply chain from CSET/ETO's dataset (needs STACKATLAS_ETO_DIR; CC BY-NC):
        per input (tool, material, design resource) the firm and country shares (percent),
        HHI and CR1/CR3, year and source; filter by input, provider or country."""
        from stackatlas.supplychain import load_eto
        from stackatlas.supplychain.view import supply_chain

        view = supply_chain(
            load_eto(None), ctx.atlas(), input=input, provider=provider, country=country
        )
        return ctx.answer(view.to_dict(), "shares in percent; HHI in points (0-10,000)")

    @_guard
    def list_scenarios() -> dict[str, Any]:
        """The shipped stress scenarios (name, title, description) for run_scenario."""
        from stackatlas.scenarios import list_scenarios as build

        return ctx.answer({"scenarios": build()}, "")

    @_guard
    def run_scenario(
        name: str,
        draws: int = 0,
        seed: int = 0,
        overrides: dict[str, float] | None = None,
        edge_shares: str = "point",
    ) -> dict[str, Any]:
        """Run a stress scenario (see list_scenarios) through the supplier/customer network:
        revenue and operating profit at risk by layer, company and quarter, as a share of the
        horizon's baseline revenue (evidence 'scenario'). ``draws`` Monte Carlo draws (0-2000)
        add p5 / p50 / p95 bands; ``overrides`` fix parameters (name -> number);
        ``edge_shares`` 'low' / 'high' runs the sourced company edges at their bounds, 'draw'
        (with draws) draws them from their ranges in each draw."""
        from stackatlas.scenarios import load_scenario
        from stackatlas.scenarios import run_scenario as run
        from stackatlas.scenarios.atlas_network import EDGE_CHOICES

        if not 0 <= draws <= MAX_DRAWS:
            raise _invalid(f"draws must be 0-{MAX_DRAWS}")
        if seed < 0:
            raise _invalid("seed must be >= 0")
        if edge_shares not in EDGE_CHOICES:
            raise _invalid(f"edge_shares must be one of {', '.join(EDGE_CHOICES)}")
        spec = load_scenario(name)
        eto = _eto_if_needed(spec)
        result = run(
            spec,
            atlas=ctx.atlas(),
            overrides=overrides or {},
            draws=draws,
            seed=seed,
            eto=eto,
            edge_shares=edge_shares,
        )
        return ctx.answer(result.to_dict(), "shares of baseline revenue; " + MONEY)

    @_guard
    def analyze_portfolio(
        holdings: list[dict[str, Any]], profile: str = "balanced"
    ) -> dict[str, Any]:
        """Map holdings onto the stack: exposure by layer and segment, chokepoint dependence and
        the gap to a risk profile (conservative / balanced / aggressive). ``holdings`` is a list
        of {"ticker": ..., "weight": 0-1} or {"ticker": ..., "value": USD} (at most 500)."""
        from stackatlas.portfolio.offline import analyze_holdings

        body = _holdings_csv(holdings)
        report = analyze_holdings(ctx.atlas(), ctx.store(), body, profile=profile)
        return ctx.answer(report.to_dict(), "weights 0-1; values USD")

    tools: list[Callable[..., dict[str, Any]]] = [
        stack_map,
        company_profile,
        fundamentals,
        profit_pools,
        hyperscaler_capex,
        coverage,
        money_flows,
        concentration,
        signals,
        audit_claims,
        payback,
        physical_stack,
        chip_supply_chain,
        list_scenarios,
        run_scenario,
        analyze_portfolio,
    ]
    return tools


def _invalid(message: str) -> StackAtlasError:
    from stackatlas.errors import ValidationError

    return ValidationError(message)


def _eto_if_needed(spec: Any) -> Any:
    from stackatlas.scenarios.eto_network import needs_eto

    if not needs_eto(spec):
        return None
    from stackatlas.supplychain import optional_eto

    return optional_eto(None)


def _holdings_csv(holdings: list[dict[str, Any]]) -> bytes:
    """Inline holdings as the CSV the portfolio reader takes (bounded, columns checked)."""
    if not holdings:
        raise _invalid("holdings is empty")
    if len(holdings) > MAX_HOLDINGS:
        raise _invalid(f"at most {MAX_HOLDINGS} holdings, got {len(holdings)}")
    columns = ["ticker", *sorted({k for h in holdings for k in h} - {"ticker"})]
    allowed = {"ticker", "weight", "value", "shares", "name"}
    if extra := set(columns) - allowed:
        raise _invalid(f"unknown holding fields {sorted(extra)}; use {sorted(allowed)}")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(holdings)
    return out.getvalue().encode("utf-8")


def _add_resources(server: MCPServer, ctx: _Context) -> None:
    """``stackatlas://atlas/{table}``: each atlas table as CSV (every row cites a source id)."""

    from stackatlas.atlas.tables import atlas_arrow_tables

    def table(name: str) -> str:
        return atlas_arrow_tables(ctx.atlas())[name].to_pandas().to_csv(index=False)

    for name in atlas_arrow_tables(ctx.atlas()):
        server.resource(
            f"stackatlas://atlas/{name}",
            name=f"atlas-{name}",
            description=f"The atlas table {name} (CSV; every row cites a source id).",
            mime_type="text/csv",
        )(_bind(table, name))


def _bind(func: Callable[[str], str], name: str) -> Callable[[], str]:
    def read() -> str:
        return func(name)

    read.__name__ = f"atlas_{name}"
    return read


def serve_stdio(atlas: Atlas | None = None) -> None:
    """Run the server over stdio (what ``stackatlas mcp`` does), over ``atlas`` if given."""
    build_server(atlas).run("stdio")
