"""The shipped atlas carries every number of the seed article, and its references hold together.

Expected values below were typed by hand from the article text
(``../shared/seeds/000_7851209bd98e7725.txt``, "From Power to Chips ...", marsbit, 2026-03-16);
the section of the article each one comes from is noted beside it. Filing values were read by
hand from the SEC companyfacts files in ``../shared/data/sec/companyfacts`` and the golden
figures in ``../shared/data/README.md``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pytest

from stackatlas import Atlas, load_atlas
from stackatlas.atlas.models import FigureKind, SourceKind

ARTICLE = "marsbit-2026-03-16"

# id -> (subject, metric, period, value, low, high, unit) as printed in the article
ARTICLE_FIGURES: dict[str, tuple[str, str, str, float, float | None, float | None, str]] = {
    # II. Tracking the flow of capital
    "big4-capex-2026": ("big4-hyperscalers", "capex", "2026", 675, 650, 700, "usd_billion"),
    "big4-capex-ai-share-2026": (
        "big4-hyperscalers",
        "capex_ai_share",
        "2026",
        75,
        None,
        None,
        "percent",
    ),
    "big4-capex-ai-2026": ("big4-hyperscalers", "capex_ai", "2026", 450, None, None, "usd_billion"),
    "ai-infra-capex-annual": (
        "world",
        "ai_infrastructure_capex",
        "2026",
        700,
        None,
        None,
        "usd_billion",
    ),
    "non-application-share": (
        "ai-stack",
        "non_application_share",
        "2026",
        80,
        None,
        None,
        "percent",
    ),
    "openai-arr-2023": ("openai", "annualized_revenue", "2023", 2, None, None, "usd_billion"),
    "openai-arr-2024": ("openai", "annualized_revenue", "2024", 6, None, None, "usd_billion"),
    "openai-arr-2025": ("openai", "annualized_revenue", "2025", 20, None, None, "usd_billion"),
    "openai-arr-growth-2023-2025": (
        "openai",
        "annualized_revenue_growth_multiple",
        "2023-2025",
        10,
        None,
        None,
        "multiple",
    ),
    "openai-burn-2025": ("openai", "cash_burn", "2025", 9, None, None, "usd_billion"),
    "openai-burn-2026": ("openai", "cash_burn", "2026", 17, None, None, "usd_billion"),
    "openai-inference-2025": ("openai", "inference_cost", "2025", 8.4, None, None, "usd_billion"),
    "openai-inference-2026": ("openai", "inference_cost", "2026", 14.1, None, None, "usd_billion"),
    "openai-cash-flow-positive": (
        "openai",
        "first_positive_cash_flow_year",
        "2029-2030",
        2029.5,
        2029,
        2030,
        "year",
    ),
    "openai-revenue-share-microsoft": (
        "openai",
        "revenue_share_to_microsoft",
        "until 2032",
        20,
        None,
        None,
        "percent",
    ),
    # III. You've actually seen this before
    "nvda-fy2026-revenue": ("nvidia", "revenue", "FY2026", 215.9, None, None, "usd_billion"),
    "nvda-fy2026-revenue-growth": (
        "nvidia",
        "revenue_growth_yoy",
        "FY2026",
        65,
        None,
        None,
        "percent",
    ),
    "nvda-dc-revenue-q4fy2026": (
        "nvidia",
        "data_center_revenue",
        "Q4 FY2026",
        62.3,
        None,
        None,
        "usd_billion",
    ),
    "nvda-dc-revenue-growth-q4fy2026": (
        "nvidia",
        "data_center_revenue_growth_yoy",
        "Q4 FY2026",
        75,
        None,
        None,
        "percent",
    ),
    "nvda-dc-share": (
        "nvidia",
        "data_center_revenue_share",
        "Q4 FY2026",
        91,
        None,
        None,
        "percent",
    ),
    "nvda-q4fy2026-revenue": ("nvidia", "revenue", "Q4 FY2026", 68, None, None, "usd_billion"),
    "nvda-dc-share-rounded": (
        "nvidia",
        "data_center_revenue_share_rounded",
        "Q4 FY2026",
        90,
        None,
        None,
        "percent",
    ),
    "tsmc-foundry-share-2025": ("tsmc", "market_share", "2025", 70, None, None, "percent"),
    "tsmc-sales-2025": ("tsmc", "revenue", "2025", 122.5, None, None, "usd_billion"),
    "samsung-foundry-share-2025": ("samsung", "market_share", "2025", 7.2, None, None, "percent"),
    # IV. The part no one wants to hear
    "nvda-gross-margin": ("nvidia", "gross_margin", "Q4 FY2026", 75, None, None, "percent"),
    # V. Investor map, layers 1-5
    "ai-dc-electricity-2026": ("energy", "electricity_consumption", "2026", 90, None, None, "twh"),
    "ai-dc-electricity-growth-2022-2026": (
        "energy",
        "electricity_consumption_growth_multiple",
        "2022-2026",
        10,
        None,
        None,
        "multiple",
    ),
    "nvda-ai-gpu-share": ("nvidia", "market_share", "2025", 92, None, None, "percent"),
    "asml-euv-share": ("asml", "market_share", "2025", 100, None, None, "percent"),
    "aws-cloud-share": ("amazon", "market_share", "2025", 31, None, None, "percent"),
    "azure-cloud-share": ("microsoft", "market_share", "2025", 24, None, None, "percent"),
    "google-cloud-share": ("alphabet", "market_share", "2025", 11, None, None, "percent"),
    "oracle-capex-2026": ("oracle", "capex", "2026", 50, None, None, "usd_billion"),
    "foxconn-ai-server-share": ("foxconn", "market_share", "2025", 40, None, None, "percent"),
    "credo-stock-return-2025": ("credo", "stock_return", "2025", 117, None, None, "percent"),
    "hyperscaler-capex-ocf-2025": (
        "hyperscalers",
        "capex_to_ocf",
        "2025",
        65,
        None,
        None,
        "percent",
    ),
    "hyperscaler-capex-ocf-2026": (
        "hyperscalers",
        "capex_to_ocf",
        "2026",
        90,
        None,
        None,
        "percent",
    ),
    "hyperscaler-debt-2025": (
        "hyperscalers",
        "debt_issuance",
        "2025",
        165,
        None,
        None,
        "usd_billion",
    ),
    "hyperscaler-debt-2026": (
        "hyperscalers",
        "debt_issuance",
        "2026",
        400,
        400,
        None,
        "usd_billion",
    ),  # "over $400 billion": open upper bound
    "anthropic-arr-2026": (
        "anthropic",
        "annualized_revenue",
        "2026",
        19,
        None,
        None,
        "usd_billion",
    ),
    "anthropic-round-2026": ("anthropic", "funding_round", "2026", 5, None, None, "usd_billion"),
    "anthropic-valuation-2026": ("anthropic", "valuation", "2026", 170, None, None, "usd_billion"),
    "ai-app-market-2030s": (
        "applications",
        "market_size",
        "early 2030s",
        2000,
        2000,
        None,
        "usd_billion",
    ),  # "could exceed $2 trillion"
    # VI. AI risk
    "dotcom-demand-lag": ("internet", "infrastructure_demand_lag", "dot-com era", 6, 5, 7, "years"),
    "openai-wau-added-2025": (
        "openai",
        "weekly_active_users_added",
        "2025-03/2025-10",
        400,
        None,
        None,
        "million_users",
    ),
    "tech-dc-spend-2026": ("world", "data_center_capex", "2026", 650, 650, None, "usd_billion"),
    "tsmc-global-chip-share": ("tsmc", "share_of_global_chips", "2026", 70, None, None, "percent"),
    "mckinsey-dc-investment-2030": (
        "world",
        "data_center_investment_cumulative",
        "through 2030",
        6700,
        None,
        None,
        "usd_billion",
    ),
    "pwc-ai-gdp-2030": ("world", "ai_gdp_contribution", "2030", 15700, None, None, "usd_billion"),
    "idc-ai-economic-impact": (
        "world",
        "ai_economic_impact_cumulative",
        "cumulative (year not stated)",
        22300,
        None,
        None,
        "usd_billion",
    ),
}

# Every company, lab and product owner the article names (sections I-VI), by atlas id.
ARTICLE_COMPANIES = [
    "nvidia",
    "amd",
    "broadcom",
    "qualcomm",
    "alphabet",
    "amazon",
    "microsoft",
    "meta",
    "tsmc",
    "samsung",
    "intel",
    "asml",
    "applied-materials",
    "lam-research",
    "tokyo-electron",
    "sk-hynix",
    "micron",
    "oracle",
    "foxconn",
    "arista",
    "credo",
    "vertiv",
    "equinix",
    "digital-realty",
    "openai",
    "anthropic",
    "google-deepmind",
    "mistral",
    "xai",
    "deepseek",
    "perplexity",
    "github",
    "salesforce",
    "bloomberg",
    "epic-systems",
    "netflix",
    "cisco",
    "corning",
]
# The ones a user expects beside them (issue 2).
EXPECTED_COMPANIES = [
    "kla",
    "cadence",
    "synopsys",
    "marvell",
    "arm",
    "dell",
    "super-micro",
    "hpe",
    "coreweave",
    "nebius",
    "constellation",
    "vistra",
    "nrg",
    "ge-vernova",
    "eaton",
    "schneider-electric",
    "quanta-services",
    "cameco",
    "oklo",
    "nuscale",
    "coherent",
    "lumentum",
    "servicenow",
    "palantir",
    "snowflake",
    "adobe",
    "ibm",
    "applied-digital",
    "iren",
]
# Products the article names -> the company that owns them.
PRODUCT_ALIASES = {
    "ChatGPT": "openai",
    "Claude": "anthropic",
    "Gemini": "google-deepmind",
    "AWS": "amazon",
    "Azure": "microsoft",
    "Llama": "meta",
    "Grok": "xai",
    "TPU": "alphabet",
    "Trainium": "amazon",
    "Maia": "microsoft",
    "CoWoS": "tsmc",
    "Copilot": "microsoft",
    "GitHub Copilot": "github",
    "Meta AI": "meta",
    "Hon Hai": "foxconn",
}


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return load_atlas()  # raises AtlasValidationError on any problem in the shipped files


def _figures(atlas: Atlas) -> dict:
    return {f.id: f for f in atlas.figures}


@pytest.mark.parametrize("fid", sorted(ARTICLE_FIGURES))
def test_article_figure_is_in_the_atlas_with_the_article_value(atlas: Atlas, fid: str) -> None:
    subject, metric, period, value, low, high, unit = ARTICLE_FIGURES[fid]
    fig = _figures(atlas).get(fid)
    assert fig is not None, f"figure {fid} missing"
    assert fig.source == ARTICLE
    assert (fig.subject, fig.metric, fig.period, fig.unit) == (subject, metric, period, unit)
    assert fig.value == pytest.approx(value)
    assert fig.low == (pytest.approx(low) if low is not None else None)
    assert fig.high == (pytest.approx(high) if high is not None else None)
    assert fig.quote, f"{fid} must quote the article sentence"


def test_every_article_figure_row_is_enumerated_here(atlas: Atlas) -> None:
    """A new article row must be added to the table above (and so checked by hand)."""
    in_atlas = {f.id for f in atlas.figures if f.source == ARTICLE}
    assert in_atlas == set(ARTICLE_FIGURES)


def test_future_values_are_projections_and_past_ones_are_not(atlas: Atlas) -> None:
    figs = _figures(atlas)
    for fid in (
        "big4-capex-2026",
        "openai-burn-2026",
        "openai-inference-2026",
        "hyperscaler-capex-ocf-2026",
        "hyperscaler-debt-2026",
        "oracle-capex-2026",
        "ai-dc-electricity-2026",
        "pwc-ai-gdp-2030",
        "ai-app-market-2030s",
    ):
        assert figs[fid].kind == FigureKind.PROJECTION, fid
    for fid in (
        "nvda-fy2026-revenue",
        "openai-arr-2025",
        "tsmc-sales-2025",
        "credo-stock-return-2025",
    ):
        assert figs[fid].kind == FigureKind.ACTUAL, fid


@pytest.mark.realdata
def test_article_quotes_are_verbatim(atlas: Atlas, shared_data: Path) -> None:
    seed = shared_data.parent / "seeds" / "000_7851209bd98e7725.txt"
    if not seed.is_file():
        pytest.skip(f"seed article {seed} is absent")
    text = seed.read_text(encoding="utf-8").split("Related Questions")[0]
    norm = " ".join(text.split())
    for fig in atlas.figures:
        if fig.source == ARTICLE:
            assert fig.quote and " ".join(fig.quote.split()) in norm, fig.id


def test_article_figures_agree_with_the_filing_figures(atlas: Atlas) -> None:
    """Article numbers vs. the SEC-derived rows shipped beside them (hand-checked both)."""
    figs = _figures(atlas)
    # $215.9B vs 215,938 $M (Nvidia FY2026 10-K, accession 0001045810-26-000021)
    assert figs["nvda-fy2026-revenue"].value == pytest.approx(
        figs["nvda-fy2026-revenue-10k"].value / 1000, abs=0.05
    )
    # +65% vs 215,938 / 130,497 - 1 = 65.5%
    growth = figs["nvda-fy2026-revenue-10k"].value / figs["nvda-fy2025-revenue-10k"].value - 1
    assert growth * 100 == pytest.approx(figs["nvda-fy2026-revenue-growth"].value, abs=1)
    # "$68 billion in quarterly revenue" vs Q4 = 68,127 $M
    assert figs["nvda-q4fy2026-revenue"].value == pytest.approx(
        figs["nvda-q4fy2026-revenue-10k"].value / 1000, abs=0.5
    )
    # 91% data-center share = $62.3B / $68.1B in the quarter
    assert 62.3 / (figs["nvda-q4fy2026-revenue-10k"].value / 1000) == pytest.approx(0.91, abs=0.01)
    # "gross margin near 75%" vs Q4 FY2026 GAAP 75.0%; the full year is 71.1%
    assert figs["nvda-q4fy2026-gross-margin-10k"].value == pytest.approx(75, abs=0.5)
    assert figs["nvda-fy2026-gross-margin-10k"].value == pytest.approx(
        100 * 153463 / 215938, abs=0.01
    )


@pytest.mark.realdata
def test_filing_figures_match_companyfacts(atlas: Atlas, shared_data: Path) -> None:
    """Every usd_million figure from a companyfacts-backed filing equals the SEC value."""
    concepts = {
        "revenue": ("Revenues", "RevenueFromContractWithCustomerExcludingAssessedTax"),
        "capex": (
            "PaymentsToAcquirePropertyPlantAndEquipment",
            "PaymentsToAcquireProductiveAssets",
        ),
        "operating_cash_flow": ("NetCashProvidedByUsedInOperatingActivities",),
        "gross_profit": ("GrossProfit",),
        "operating_income": ("OperatingIncomeLoss",),
    }
    ifrs = {
        "revenue": ("Revenue",),
        "capex": ("PurchaseOfPropertyPlantAndEquipmentClassifiedAsInvestingActivities",),
    }
    checked = 0
    for fig in atlas.figures:
        src = atlas.sources[fig.source]
        if (
            src.kind != SourceKind.FILING
            or fig.unit != "usd_million"
            or fig.metric not in concepts
            or fig.period.startswith("Q")
        ):
            continue
        cik = atlas.companies[fig.subject].cik
        path = shared_data / "sec" / "companyfacts" / f"CIK{cik:010d}.json"
        if not path.is_file():
            continue
        all_facts = json.loads(path.read_bytes())["facts"]
        # a 20-F filer (TSMC) reports in ifrs-full; its USD values are the 20-F's convenience
        # translation
        facts = all_facts.get("us-gaap") or all_facts["ifrs-full"]
        values = {
            f["val"]
            for c in concepts[fig.metric] + ifrs.get(fig.metric, ())
            if c in facts
            for f in facts[c]["units"].get("USD", [])
            if f["accn"] == src.accession and f.get("fp") == "FY"
        }
        assert round(fig.value * 1e6) in values, fig.id
        checked += 1
    assert checked >= 12  # Nvidia, Alphabet, Meta, Microsoft rows


def test_at_least_60_companies_spanning_all_five_layers(atlas: Atlas) -> None:
    assert len(atlas.companies) >= 60
    per_layer: dict[str, set[str]] = defaultdict(set)
    for m in atlas.memberships:
        per_layer[atlas.layer_of_segment[m.segment]].add(m.company)
    assert atlas.layer_ids == ["energy", "chips", "cloud", "models", "applications"]
    for layer in atlas.layer_ids:
        assert len(per_layer[layer]) >= 5, layer
    every_company_placed = {m.company for m in atlas.memberships}
    assert set(atlas.companies) == every_company_placed


def test_article_and_expected_companies_exist(atlas: Atlas) -> None:
    missing = [c for c in ARTICLE_COMPANIES + EXPECTED_COMPANIES if c not in atlas.companies]
    assert not missing
    assert atlas.companies["google-deepmind"].parent == "alphabet"
    assert atlas.companies["github"].parent == "microsoft"
    for private in (
        "openai",
        "anthropic",
        "xai",
        "mistral",
        "deepseek",
        "bloomberg",
        "epic-systems",
        "perplexity",
    ):
        c = atlas.companies[private]
        assert not c.listed and c.ticker is None and c.cik is None, private


def test_products_resolve_to_their_owner(atlas: Atlas) -> None:
    for alias, cid in PRODUCT_ALIASES.items():
        owners = [
            c.id
            for c in atlas.companies.values()
            if alias.lower() in (a.lower() for a in c.aliases)
        ]
        assert owners == [cid], alias


def test_tickers_and_ciks(atlas: Atlas) -> None:
    c = atlas.companies
    assert (c["tsmc"].ticker, c["tsmc"].other_tickers, c["tsmc"].cik) == (
        "TSM",
        ["2330.TW"],
        1046179,
    )
    assert (c["alphabet"].ticker, c["alphabet"].other_tickers) == ("GOOGL", ["GOOG"])
    assert c["asml"].other_tickers == ["ASML.AS"]
    assert c["samsung"].ticker == "005930.KS" and c["samsung"].cik is None
    assert c["sk-hynix"].ticker == "000660.KS"
    assert c["tokyo-electron"].ticker == "8035.T"
    assert c["schneider-electric"].ticker == "SU.PA"
    assert c["foxconn"].ticker == "2317.TW"
    assert c["nvidia"].cik == 1045810 and c["microsoft"].cik == 789019
    tickers = [t for x in c.values() for t in ([x.ticker] if x.ticker else []) + x.other_tickers]
    assert len(tickers) == len(set(tickers)), "a ticker names two companies"


@pytest.mark.realdata
def test_ciks_match_the_sec_ticker_map(atlas: Atlas, shared_data: Path) -> None:
    sec = {
        v["ticker"]: v["cik_str"]
        for v in json.loads((shared_data / "sec" / "company_tickers.json").read_bytes()).values()
    }
    for c in atlas.companies.values():
        if c.cik is not None:
            assert sec.get(c.ticker) == c.cik, c.id
        elif c.exchange in ("NASDAQ", "NYSE", "NYSE American"):
            pytest.fail(f"{c.id} trades on {c.exchange} but has no CIK")


def test_every_row_cites_a_known_source(atlas: Atlas) -> None:
    rows = [*atlas.figures, *atlas.flows, *atlas.shares, *atlas.memberships]
    unknown = {r.source for r in rows} - set(atlas.sources)
    assert not unknown
    assert atlas.sources[ARTICLE].published.isoformat() == "2026-03-16"
    accession = re.compile(r"^\d{10}-\d{2}-\d{6}$")
    for s in atlas.sources.values():
        if s.kind == SourceKind.FILING:
            assert s.accession and accession.match(s.accession), s.id
            assert s.url and s.accession.replace("-", "") in s.url, s.id


def test_article_market_shares(atlas: Atlas) -> None:
    shares = {(s.market, s.company): s.share for s in atlas.shares}
    assert shares[("ai-accelerators", "nvidia")] == 0.92
    assert shares[("foundry", "tsmc")] == 0.70
    assert shares[("foundry", "samsung")] == 0.072
    assert shares[("euv-lithography", "asml")] == 1.0
    assert shares[("ai-server-assembly", "foxconn")] == 0.40
    assert [shares[("cloud-infrastructure", c)] for c in ("amazon", "microsoft", "alphabet")] == [
        0.31,
        0.24,
        0.11,
    ]
    by_market: dict[str, float] = defaultdict(float)
    for s in atlas.shares:
        by_market[s.market] += s.share
    assert max(by_market.values()) <= 1.0 + 1e-9


def test_weights_reflect_the_filings(atlas: Atlas) -> None:
    w = {(m.company, m.segment): m.weight for m in atlas.memberships}
    assert w[("nvidia", "design-gpu")] == 0.91  # article: data center is 91% of revenue
    assert w[("amazon", "hyperscalers")] == pytest.approx(107556 / 637959, abs=1e-4)
    assert w[("alphabet", "hyperscalers")] == pytest.approx(43229 / 350018, abs=1e-4)
    assert w[("microsoft", "hyperscalers")] == pytest.approx(106265 / 281724, abs=1e-4)
    assert w[("microsoft", "frontier-labs")] == 0.0  # the OpenAI stake is equity, not revenue
    totals: dict[str, float] = defaultdict(float)
    for m in atlas.memberships:
        totals[m.company] += m.weight
    assert max(totals.values()) <= 1.0 + 1e-9


def test_the_article_flows_exist_and_form_the_circular_chain(atlas: Atlas) -> None:
    edges = {(f.source_node, f.target_node, f.kind.value) for f in atlas.flows}
    for edge in [
        ("microsoft", "openai", "equity_investment"),
        ("openai", "microsoft", "cloud_commitment"),
        ("openai", "microsoft", "revenue_share"),
        ("microsoft", "nvidia", "capex_purchase"),
        ("big4-hyperscalers", "ai-infra-suppliers", "capex_purchase"),
        ("nvidia", "tsmc", "services"),
        ("tsmc", "asml", "capex_purchase"),
        ("hyperscalers", "utilities", "power_purchase"),
        ("hyperscalers", "ipp", "power_purchase"),
        ("oracle", "ai-infra-suppliers", "capex_purchase"),
    ]:
        assert edge in edges, edge
    flows = {f.id: f for f in atlas.flows}
    assert (flows["big4-ai-capex-2026"].amount, flows["big4-ai-capex-2026"].low) == (450, 450)
    # debt issuance is a group figure, not a flow: the lenders are not atlas nodes, and a
    # borrower's debt is never money paid to its suppliers (issue 10)
    assert not [f for f in atlas.flows if f.kind == "debt"]
    figures = {f.id: f for f in atlas.figures}
    assert figures["hyperscaler-debt-2025"].value == 165
    assert figures["hyperscaler-debt-2026"].value == 400
    assert flows["oracle-capex-2026"].amount == 50
    graph = nx.DiGraph(
        [
            (f.source_node, f.target_node)
            for f in atlas.flows
            if f.source_node in atlas.companies and f.target_node in atlas.companies
        ]
    )
    cycles = [set(c) for c in nx.simple_cycles(graph)]
    assert {"microsoft", "openai"} in cycles
    assert any({"microsoft", "openai", "nvidia"} <= c for c in cycles)


@pytest.mark.realdata
def test_epoch_figures_match_the_dataset(atlas: Atlas, shared_data: Path) -> None:
    """Cluster figures citing Epoch AI equal the rows of the shared snapshot (CC BY 4.0)."""
    import pandas as pd

    clusters = pd.read_csv(shared_data / "epoch" / "epoch_gpu_clusters.csv").set_index("Name")
    figs = _figures(atlas)
    expected = {  # figure id -> (cluster name, column)
        "xai-colossus-h100e": ("xAI Colossus Memphis Phase 3", "H100 equivalents"),
        "xai-colossus-power": ("xAI Colossus Memphis Phase 3", "Power Capacity (MW)"),
        "msft-openai-goodyear-h100e": ("OpenAI/Microsoft Goodyear Arizona", "H100 equivalents"),
        "meta-100k-h100e": ("Meta 100k", "H100 equivalents"),
        "msft-mt-pleasant-planned-power": (
            '"OpenAI/Microsoft Mt Pleasant, Wisconsin Phase 2"',
            "Power Capacity (MW)",
        ),
    }
    for fid, (name, column) in expected.items():
        assert figs[fid].source == "epoch-gpu-clusters"
        assert figs[fid].value == pytest.approx(float(clusters.loc[name, column]), rel=1e-3), fid
    existing = clusters[clusters["Status"] == "Existing"]
    assert existing["H100 equivalents"].idxmax() == "xAI Colossus Memphis Phase 3"


@pytest.mark.realdata
def test_filing_figures_are_tagged_values_of_the_inline_xbrl(
    atlas: Atlas, shared_data: Path
) -> None:
    """usd_million figures citing a filing in ../shared/data/sec/filings appear there as tagged
    ix:nonFraction values (segment facts such as AWS or Google Cloud included)."""
    documents = {
        "amzn-10k-2024": "amzn-10-k-2025-02-07.html",
        "googl-10k-2024": "googl-10-k-2025-02-05.html",
        "meta-10k-2024": "meta-10-k-2025-01-30.html",
        "crm-10k-fy2025": "crm-10-k-2025-03-05.html",
        "nvda-10k-fy2025": "nvda-10-k-2025-02-26.html",
        "nvda-10q-q2fy2026": "nvda-10-q-2025-08-27.html",
    }
    checked = 0
    for source, name in documents.items():
        html = (shared_data / "sec" / "filings" / name).read_text(encoding="utf-8")
        tagged = set(re.findall(r"<ix:nonFraction[^>]*>([\d,]+)</ix:nonFraction>", html))
        for fig in atlas.figures:
            if fig.source == source and fig.unit == "usd_million":
                assert f"{fig.value:,.0f}" in tagged, fig.id
                checked += 1
    assert checked >= 15


def test_atlas_readme_row_counts_are_current(atlas: Atlas) -> None:
    readme = (
        Path(__file__).resolve().parents[2] / "src" / "stackatlas" / "data" / "atlas" / "README.md"
    ).read_text(encoding="utf-8")
    counts = {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"^\| `(\w+)\.csv` \| (\d+) \|", readme, re.M)
    }
    actual = {
        "sources": len(atlas.sources),
        "companies": len(atlas.companies),
        "memberships": len(atlas.memberships),
        "markets": len(atlas.markets),
        "shares": len(atlas.shares),
        "groups": len(atlas.groups),
        "flows": len(atlas.flows),
        "figures": len(atlas.figures),
        "eto_providers": len(atlas.eto_providers),
        "dependencies": len(atlas.dependencies),
        "upstream_exemptions": len(atlas.upstream_exemptions),
    }
    assert counts == actual
