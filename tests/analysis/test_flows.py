"""Money-flow graph: layer collapsing, cycles and burn destinations on a hand-built atlas.

Expected numbers are worked out by hand from network_atlas() in tests/builders.py
(see the comments next to each assertion).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackatlas.analysis.burn import burn_destinations
from stackatlas.analysis.cycles import find_cycles, simple_cycles
from stackatlas.analysis.flows import flow_graph, node_split, node_type, period_years
from tests.builders import FLOWS, network_atlas


def _totals(frame):
    return {(r.source, r.target): r for r in frame.itertuples()}


def test_layer_totals_by_hand():
    # msft memberships: hyperscalers 0.4 + enterprise-software 0.4 -> cloud 0.5 / apps 0.5.
    # f1 msft->oai equity 10 (no hint): cloud->models 5, applications->models 5.
    # f2 oai->msft cloud commitment 6 (payee hint cloud) + f8 revenue share 2.6 (hint
    #   cloud/models; msft only has cloud) -> models->cloud 8.6.
    # f3 msft->nvda capex 20 [16, 24] (payer hint cloud) -> cloud->chips 20.
    # f4 nvda->tsmc 8 + f7 tsmc->asml 3 -> chips->chips 11; f5 nvda->oai 4 -> chips->models 4.
    # f6 oai->util power 1 -> models->energy 1.
    totals = _totals(flow_graph(network_atlas()).layer_totals())
    assert set(totals) == {
        ("applications", "models"),
        ("cloud", "models"),
        ("cloud", "chips"),
        ("chips", "chips"),
        ("chips", "models"),
        ("models", "cloud"),
        ("models", "energy"),
    }
    assert totals[("applications", "models")].mid == pytest.approx(5)
    assert totals[("cloud", "models")].mid == pytest.approx(5)
    assert totals[("models", "cloud")].mid == pytest.approx(8.6)
    assert totals[("models", "cloud")].n_flows == 2
    cloud_chips = totals[("cloud", "chips")]
    assert (cloud_chips.low, cloud_chips.mid, cloud_chips.high) == (16, 20, 24)
    assert cloud_chips.evidence == "reported"  # f3, from a filing, lands whole on one pair
    assert totals[("chips", "chips")].mid == pytest.approx(11)
    assert totals[("chips", "chips")].evidence == "estimated"
    assert totals[("models", "energy")].mid == pytest.approx(1)
    # conservation: the layer totals add up to the sum of all flows (54.6)
    assert sum(r.mid for r in totals.values()) == pytest.approx(sum(f[4] for f in FLOWS))


def test_segment_level_and_sankey_tables():
    graph = flow_graph(network_atlas())
    seg = _totals(graph.collapse("segment"))
    assert seg[("hyperscalers", "design-gpu")].mid == pytest.approx(20)
    assert seg[("enterprise-software", "frontier-labs")].mid == pytest.approx(5)
    drawn = graph.sankey("layer")
    assert drawn.year == "2025"
    # payers on the left: down the stack from applications to energy
    assert list(drawn.nodes["id"]) == ["applications", "models", "cloud", "chips", "energy"]
    pairs = set(zip(drawn.links["source"], drawn.links["target"], strict=True))
    assert ("chips", "chips") not in pairs  # money inside a layer is in the tables only
    # money going up the stack (equity into the lab) would close loops: drawn apart
    assert pairs == {
        ("applications", "models"),
        ("models", "cloud"),
        ("cloud", "chips"),
        ("models", "energy"),
    }
    assert set(zip(drawn.upward["source"], drawn.upward["target"], strict=True)) == {
        ("cloud", "models"),
        ("chips", "models"),
    }
    row = drawn.links[(drawn.links["source"] == "cloud") & (drawn.links["target"] == "chips")]
    row = row.iloc[0]
    nodes = drawn.nodes
    assert (nodes["id"][row.source_index], nodes["id"][row.target_index]) == ("cloud", "chips")


def test_group_expands_equally_and_unresolved_amount_propagates():
    flows = [
        ("g1", "big", "nvda", "capex_purchase", 10, None, None, "2025", "art"),
        ("g2", "oai", "msft", "cloud_commitment", None, None, None, "2025", "art"),
    ]
    graph = flow_graph(network_atlas(flows))
    totals = _totals(graph.layer_totals())
    # big = msft + amzn; capex payer hint cloud: both are cloud -> cloud->chips 10
    assert totals[("cloud", "chips")].mid == pytest.approx(10)
    assert pd.isna(totals[("models", "cloud")].mid)  # never a zero that looks right
    assert totals[("models", "cloud")].evidence == "unresolved"
    # without a hint the group splits as the mean of its members: msft (0.5/0.5), amzn (cloud 1)
    assert node_split(network_atlas(), "big") == pytest.approx(
        {"cloud": 0.75, "applications": 0.25}
    )


def test_group_payee_keeps_members_in_the_hinted_layer_and_debt_is_left_out():
    flows = [
        ("m1", "oai", "mix", "cloud_commitment", 10, None, None, "2025", "art"),
        ("m2", "oai", "mix", "services", 4, None, None, "2025", "art"),
        ("d1", "msft", "nvda", "debt", 5, None, None, "2025", "art"),
    ]
    totals = _totals(flow_graph(network_atlas(flows)).layer_totals())
    # mix = amzn (cloud) + util (energy): cloud spend goes to amzn only; services split 2 / 2
    assert totals[("models", "cloud")].mid == pytest.approx(10 + 2)
    assert totals[("models", "energy")].mid == pytest.approx(2)
    assert ("applications", "chips") not in totals  # debt is financing: not counted twice
    with_debt = _totals(flow_graph(network_atlas(flows), include_debt=True).layer_totals())
    assert with_debt[("applications", "chips")].mid == pytest.approx(2.5)


def test_kind_hints_on_the_payer_side():
    flows = [
        ("k1", "msft", "amzn", "cloud_commitment", 4, None, None, "2025", "art"),
        ("k2", "msft", "oai", "equity_investment", 2, None, None, "2025", "art"),
    ]
    totals = _totals(flow_graph(network_atlas(flows)).layer_totals())
    # a cloud buying capacity from another: msft's cloud business pays (not its apps)
    assert totals[("cloud", "cloud")].mid == pytest.approx(4)
    # equity has no payer hint: msft's 50/50 cloud/apps split applies
    assert totals[("cloud", "models")].mid == pytest.approx(1)
    assert totals[("applications", "models")].mid == pytest.approx(1)


def test_node_type_follows_atlas_node_kind():
    """flows places nodes with ``Atlas.node_kind`` (one rule: a group shadows a segment of the
    same id, as in the shipped atlas's ``hyperscalers``), plus layers and unknown ids."""
    from stackatlas.atlas.models import Group

    atlas = network_atlas()
    atlas.groups["hyperscalers"] = Group(id="hyperscalers", name="H", members=["msft", "amzn"])
    assert [
        node_type(atlas, n)
        for n in ("msft", "big", "hyperscalers", "design-gpu", "cloud", "nowhere")
    ] == ["company", "group", "group", "segment", "layer", "unknown"]
    assert node_split(atlas, "hyperscalers") == node_split(atlas, "big")  # expanded as a group


def test_unknown_node_is_listed_not_silently_totalled():
    flows = [("x1", "oai", "nowhere", "services", 5, None, None, "2025", "art")]
    graph = flow_graph(network_atlas(flows))
    assert graph.unmapped == ["x1"]
    assert graph.layer_totals().empty


@pytest.mark.parametrize(
    ("label", "years"),
    [
        ("2025", 1),
        ("2026E", 1),
        ("FY2026", 1),
        ("2019-2032", 14),
        ("2025-30", 6),
        ("Q4 FY2026", 0.25),
        ("H1 2025", 0.5),
        ("sometime", None),
    ],
)
def test_period_years(label, years):
    assert period_years(label) == years


def test_multi_year_commitments_stay_apart_and_annualise_only_over_a_stated_term():
    flows = [
        ("c1", "oai", "msft", "cloud_commitment", 250, None, None, "2025-2034", "art"),
        ("c2", "oai", "util", "power_purchase", 2, None, None, "until 2032", "art"),
        ("a1", "oai", "msft", "cloud_commitment", 6, None, None, "2025", "art"),
    ]
    graph = flow_graph(network_atlas(flows))
    # annual views hold only the annual flow; the commitments are listed as stated
    totals = _totals(graph.layer_totals())
    assert set(totals) == {("models", "cloud")} and totals[("models", "cloud")].mid == 6
    commitments = graph.commitments().set_index("id")
    assert list(commitments.index) == ["c1", "c2"]
    assert commitments.loc["c1", "mid"] == 250  # as stated, never added to 2025
    assert commitments.loc["c1", "per_year_mid"] == pytest.approx(25)  # 250 / 10 years
    assert commitments.loc["c1", "term"] == "10 years (2025-2034)"
    assert pd.isna(commitments.loc["c2", "per_year_mid"])  # no stated term: not annualised
    assert commitments.loc["c2", "term"] == "term not disclosed"
    # per_year: c1 adds 25 to each year of its term (the article source: estimated)
    annual = flow_graph(network_atlas(flows), per_year=True)
    assert annual.not_annualised == ["c2"]
    by_year = annual.layer_totals().set_index("year")
    assert by_year.loc["2025", "mid"] == pytest.approx(6 + 25)
    assert by_year.loc["2034", "mid"] == pytest.approx(25)
    assert "2025-2034 (annualised)" in by_year.loc["2034", "periods"]
    assert list(annual.years()) == [str(y) for y in range(2025, 2035)]


def test_annualised_filing_amount_is_derived_and_years_are_never_summed():
    flows = [
        ("e1", "msft", "oai", "equity_investment", 13, None, None, "2019-2026", "filing"),
        ("y1", "oai", "msft", "cloud_commitment", 8.4, None, None, "2025", "art"),
        ("y2", "oai", "msft", "cloud_commitment", 14.1, None, None, "2026E", "art"),
    ]
    graph = flow_graph(network_atlas(flows), per_year=True)
    company = graph.collapse("company")
    rows = {(r.source, r.target, r.year): r for r in company.itertuples()}
    assert rows[("oai", "msft", "2025")].mid == pytest.approx(8.4)  # 2025 and 2026 apart
    assert rows[("oai", "msft", "2026")].mid == pytest.approx(14.1)
    stake = rows[("msft", "oai", "2025")]
    assert stake.mid == pytest.approx(13 / 8)  # 2019-2026: 8 years
    assert stake.evidence == "derived"  # a filing amount divided by a term: a formula
    assert graph.default_year() == "2025"  # the latest year that is not a projection


def test_partly_unknown_aggregates_keep_a_lower_bound():
    from stackatlas.display import amount_text

    flows = [
        ("a", "oai", "msft", "cloud_commitment", 250, None, None, "2025", "art"),
        ("b", "oai", "msft", "revenue_share", None, None, None, "2025", "art"),
        ("c", "msft", "oai", "equity_investment", 13, None, None, "2025", "filing"),
    ]
    atlas = network_atlas(flows)
    totals = _totals(flow_graph(atlas).layer_totals())
    models_cloud = totals[("models", "cloud")]
    assert pd.isna(models_cloud.mid) and models_cloud.known == pytest.approx(250)
    assert models_cloud.n_unresolved == 1
    assert amount_text(models_cloud._asdict()) == "≥ 250.0 (+1 not disclosed)"
    # c (a filing) is split 50/50 over msft's cloud / apps: a split is a formula -> derived
    assert totals[("cloud", "models")].mid == pytest.approx(6.5)
    assert totals[("cloud", "models")].evidence == "derived"
    drawn = flow_graph(atlas).sankey("layer")
    link = drawn.links[(drawn.links["source"] == "models") & (drawn.links["target"] == "cloud")]
    assert link.iloc[0].value == pytest.approx(250) and not link.iloc[0].complete
    # the loop msft -> oai (13) -> msft (250 + unknown >= 250): bottleneck is 13 for sure
    (cycle,) = find_cycles(atlas).cycles
    assert cycle.year == "2025"
    assert cycle.bottleneck["mid"] == pytest.approx(13)
    assert cycle.evidence == "estimated"
    returns = cycle.returns.set_index("node")
    assert pd.isna(returns.loc["oai", "return_share"])  # oai's outflow is not fully known
    assert returns.loc["msft", "return_share"] == pytest.approx(1.0)  # msft only pays oai


@pytest.mark.parametrize(
    ("rec", "text"),
    [
        ({"mid": 13.0, "low": 13.0, "high": 13.0}, "13.0"),
        ({"mid": 450.0, "low": 450.0, "high": 525.0}, "450.0 (450.0–525.0)"),
        ({"mid": None, "known": 8.4, "n_unresolved": 2}, "≥ 8.4 (+2 not disclosed)"),
        ({"mid": None, "known": 0.0, "n_unresolved": 3}, "not disclosed"),  # never "≥ 0.0"
        ({"mid": None, "known": 0.004, "n_unresolved": 1}, "≥ 0.004 (+1 not disclosed)"),
        ({"mid": None}, "not disclosed"),
    ],
)
def test_amount_text_never_prints_an_unknown_as_zero(rec, text):
    from stackatlas.display import amount_text

    assert amount_text(rec) == text


def test_loop_with_a_multi_year_hop_has_no_bottleneck_unless_annualised():
    # the bug: a 2019-2026 stake (13) compared with one year's revenue
    flows = [
        ("e1", "msft", "oai", "equity_investment", 13, None, None, "2019-2026", "filing"),
        ("y1", "oai", "msft", "cloud_commitment", 8.4, None, None, "2025", "art"),
        ("c1", "oai", "msft", "cloud_commitment", 250, None, None, "from 2025", "art"),
    ]
    (cycle,) = find_cycles(network_atlas(flows)).cycles
    assert cycle.year is None and cycle.bottleneck["mid"] is None
    assert cycle.returns["revenue_share"].isna().all()
    assert "msft → oai (multi-year only: equity_investment 2019-2026: 13.0)" in cycle.basis
    (annual,) = find_cycles(network_atlas(flows), per_year=True).cycles
    # 2025: msft -> oai 13 / 8 = 1.625 (derived); oai -> msft 8.4 (the 250 has no term)
    assert annual.year == "2025"
    assert annual.bottleneck["mid"] == pytest.approx(1.625)
    hops = annual.edges.set_index("source")
    assert hops.loc["oai", "mid"] == pytest.approx(8.4)
    assert "cloud_commitment from 2025: 250.0" in hops.loc["oai", "stated"]


def test_planted_cycles_found_with_amounts():
    report = find_cycles(network_atlas(), per_year=False)
    paths = [c.path for c in report.cycles]
    assert paths == ["msft → oai → msft", "msft → nvda → oai → msft"]
    loop, triangle = report.cycles
    # msft->oai 10, oai->msft 6 + 2.6 = 8.6 -> bottleneck 8.6
    assert loop.bottleneck == pytest.approx({"low": 8.6, "mid": 8.6, "high": 8.6})
    returns = loop.returns.set_index("node")
    # outflows: msft 10 + 20 = 30; oai 6 + 1 + 2.6 = 9.6
    assert returns.loc["msft", "outflow"] == pytest.approx(30)
    assert returns.loc["msft", "return_share"] == pytest.approx(8.6 / 30)
    assert returns.loc["oai", "return_share"] == pytest.approx(8.6 / 9.6)
    assert loop.pass_through == pytest.approx((10 / 30) * (8.6 / 9.6))
    # msft->nvda 20 [16, 24], nvda->oai 4, oai->msft 8.6 -> bottleneck 4 (nvda's equity)
    assert triangle.bottleneck["mid"] == pytest.approx(4)
    assert triangle.pass_through == pytest.approx((20 / 30) * (4 / 12) * (8.6 / 9.6))
    assert triangle.evidence == "estimated"  # f3 reported, the rest estimated -> weakest
    kinds = list(triangle.edges["kinds"])
    assert kinds == ["capex_purchase", "equity_investment", "cloud_commitment;revenue_share"]
    table = report.table()
    assert list(table["max_return_node"]) == ["oai", "oai"]


def test_cycle_through_group_only_when_expanded():
    flows = [
        ("g1", "big", "oai", "equity_investment", 10, None, None, "2025", "art"),
        ("g2", "oai", "msft", "cloud_commitment", 3, None, None, "2025", "art"),
    ]
    assert find_cycles(network_atlas(flows), per_year=False).cycles == []
    report = find_cycles(network_atlas(flows), per_year=False, expand_groups=True)
    (cycle,) = report.cycles
    assert cycle.path == "msft → oai → msft"  # msft's outflow 5 > oai's 3, so it leads
    assert cycle.bottleneck["mid"] == pytest.approx(3)  # min(10 / 2 members, 3)
    assert cycle.evidence == "scenario"  # the equal split is an assumption


@settings(max_examples=80, deadline=None)
@given(
    st.sets(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=22),
    st.sampled_from([None, 2, 3]),
)
def test_simple_cycles_match_networkx(edges, max_length):
    nx = pytest.importorskip("networkx")
    adjacency: dict[str, set[str]] = {}
    for a, b in edges:
        adjacency.setdefault(f"n{a}", set()).add(f"n{b}")
    found = simple_cycles(adjacency, max_length)
    graph = nx.DiGraph([(f"n{a}", f"n{b}") for a, b in edges])
    theirs = {_canonical(c) for c in nx.simple_cycles(graph, length_bound=max_length)}
    assert {_canonical(c) for c in found} == theirs
    assert len(found) == len(theirs)  # each cycle once
    assert all(c[0] == min(c) for c in found)  # rooted at the smallest node


def _canonical(cycle: list[str]) -> tuple[str, ...]:
    i = cycle.index(min(cycle))
    return tuple(cycle[i:] + cycle[:i])


def test_burn_destinations_by_layer():
    burn = burn_destinations(network_atlas(), "oai")
    by_layer = burn.by_layer.set_index("layer")
    # oai cost outflows: cloud commitment 6 + revenue share 2.6 -> cloud 8.6; power 1 -> energy
    assert list(by_layer.index) == ["energy", "cloud"]
    assert by_layer.loc["cloud", "mid"] == pytest.approx(8.6)
    assert by_layer.loc["cloud", "share"] == pytest.approx(8.6 / 9.6)
    assert by_layer.loc["energy", "share"] == pytest.approx(1 / 9.6)
    assert burn.excluded.empty
    # ...and down the stack: msft buys GPUs (hop 2), nvda pays tsmc (3), tsmc buys from asml (4);
    # equity flows (f1, f5) are financing and never part of the chain
    hops = dict(zip(burn.downstream["flow_id"], burn.downstream["hop"], strict=True))
    assert hops == {"f2": 1, "f6": 1, "f8": 1, "f3": 2, "f4": 3, "f7": 4}
    msft = burn_destinations(network_atlas(), "msft")
    assert list(msft.excluded["id"]) == ["f1"]  # the equity investment is financing, not cost
    assert msft.by_layer.set_index("layer").loc["chips", "mid"] == pytest.approx(20)


def test_sankey_figure_fades_partial_links_and_draws_undisclosed_ones_as_such():
    from stackatlas.charts.network import flow_sankey

    flows = [
        ("a", "oai", "msft", "cloud_commitment", 6, None, None, "2025", "art"),
        ("b", "msft", "nvda", "capex_purchase", None, None, None, "2025", "art"),
        ("c", "msft", "nvda", "capex_purchase", 3, None, None, "2025", "art"),
        ("d", "oai", "util", "power_purchase", None, None, None, "2025", "art"),
    ]
    fig = flow_sankey(flow_graph(network_atlas(flows)), "layer")
    link = fig.data[0].link
    labels = list(link.customdata)
    # cloud->chips: the known part of 2 flows; models->cloud 6; models->energy not disclosed
    # (nominal width: 2% of the 9 disclosed)
    assert list(link.value) == pytest.approx([3, 6, 9 * 0.02])
    assert labels[0].startswith("≥ 3.0 (+1 not disclosed) bn")
    assert labels[2].startswith("amount not disclosed")
    assert not any("≥ 0" in text for text in labels)
    company = flow_sankey(flow_graph(network_atlas()), "company")
    # 8 flows, 7 company pairs (f2 + f8 share one); the 2 equity flows into the lab go up
    assert len(company.data[0].link.value) == 5


def test_cli_flows_json_on_shipped_atlas():
    import json

    from typer.testing import CliRunner

    from stackatlas.cli.app import app

    runner = CliRunner()
    default = runner.invoke(app, ["flows", "--json"])
    assert default.exit_code == 0, default.output
    assert {"edges", "per_year", "period"} <= set(json.loads(default.output))
    result = runner.invoke(app, ["flows", "--layers", "--cycles", "--burn", "openai", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert {r["source"] for r in payload["layers"]} <= {
        "energy",
        "chips",
        "cloud",
        "models",
        "applications",
    }
    # the article's loop: Microsoft invests in OpenAI, OpenAI buys Azure
    loops = [set(c["nodes"]) for c in payload["cycles"]["cycles"]]
    assert {"microsoft", "openai"} in loops
    assert payload["burn"]["lab"] == "openai"
    assert "cloud" in {r["layer"] for r in payload["burn"]["by_layer"]}
    rich = runner.invoke(app, ["flows", "--cycles"])
    assert rich.exit_code == 0 and "Circular money flows" in rich.output
    seg = json.loads(runner.invoke(app, ["flows", "--segments", "--json"]).output)
    assert seg["segments"] and "edges" not in seg


def test_cycle_revenue_share_uses_same_year_revenue_never_arr():
    import dataclasses

    from stackatlas.atlas.models import Figure

    def fig(fid, subject, metric, value, unit, period):
        return Figure(
            id=fid,
            subject_type="company",
            subject=subject,
            metric=metric,
            value=value,
            unit=unit,
            period=period,
            kind="actual",
            source="art",
        )

    figures = [
        fig("m1", "msft", "revenue", 200.0, "usd_billion", "FY2024"),
        fig("m2", "msft", "revenue", 250_000.0, "usd_million", "FY2025"),
        fig("m3", "msft", "revenue", 70.0, "usd_billion", "Q4 FY2025"),  # a quarter
        fig("o1", "oai", "annualized_revenue", 20.0, "usd_billion", "2025"),
    ]
    atlas = dataclasses.replace(network_atlas(), figures=figures)
    loop = find_cycles(atlas).cycles[0]
    returns = loop.returns.set_index("node")
    assert returns.loc["msft", "revenue"] == pytest.approx(250)  # FY2025 in $M -> 250 bn
    assert returns.loc["msft", "revenue_period"] == "FY2025"
    assert returns.loc["msft", "revenue_share"] == pytest.approx(8.6 / 250)
    assert pd.isna(returns.loc["oai", "revenue_share"])  # ARR is not revenue
    row = find_cycles(atlas).table().iloc[0]
    assert (row["max_revenue_node"], row["max_revenue_share"]) == ("msft", pytest.approx(0.0344))


NODES = [
    "msft",
    "oai",
    "nvda",
    "tsmc",
    "asml",
    "util",
    "amzn",
    "goog",
    "amd",
    "big",
    "mix",
    "utilities",
    "foundry",
    "cloud",
]
KINDS = [
    "capex_purchase",
    "cloud_commitment",
    "revenue_share",
    "equity_investment",
    "power_purchase",
    "services",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(NODES),
            st.sampled_from(NODES),
            st.sampled_from(KINDS),
            st.floats(0.01, 500),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_collapsing_conserves_money(rows):
    # whatever the kinds and endpoints (companies, groups, segments, a layer), every dollar of
    # every placeable flow lands in exactly one layer pair and one segment pair
    flows = [
        (f"r{i}", a, b, k, amt, None, None, "2025", "art") for i, (a, b, k, amt) in enumerate(rows)
    ]
    graph = flow_graph(network_atlas(flows))
    placed = sum(amt for i, (_, _, _, amt) in enumerate(rows) if f"r{i}" not in graph.unmapped)
    assert graph.layer_totals()["mid"].sum() == pytest.approx(placed)
    assert graph.collapse("company")["mid"].sum() == pytest.approx(sum(r[3] for r in rows))
    segment_flows = [f for f in flows if f[1] != "cloud" and f[2] != "cloud"]  # a layer node
    if len(segment_flows) == len(flows):  # has no segment
        assert graph.collapse("segment")["mid"].sum() == pytest.approx(placed)
