"""Views behind map / company / sources / run: values and the documented JSON shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

import stackatlas
from stackatlas.atlas import load_atlas
from stackatlas.atlas.render import fmt_amount, fmt_share
from stackatlas.atlas.views import (
    atlas_summary,
    company_profile,
    source_list,
    stack_map,
)
from stackatlas.errors import NotFoundError


@pytest.fixture
def atlas(fixtures: Path):
    return load_atlas(base=fixtures / "atlas")


def _render(obj) -> str:
    console = Console(width=160, record=True, color_system=None)
    console.print(obj)
    return console.export_text()


def test_stack_map_tree(atlas) -> None:
    m = stack_map(atlas).to_dict()
    assert list(m) == ["atlas_version", "layers"]
    assert [x["id"] for x in m["layers"]] == ["energy", "chips", "cloud"]
    chips = m["layers"][1]
    assert (chips["level"], chips["level_name"]) == (2, "boss fight")
    gpu = chips["segments"][0]
    assert [c["id"] for c in gpu["companies"]] == ["nvidia", "amd"]  # by weight
    nvidia = gpu["companies"][0]
    assert nvidia["weight"] == 0.91
    assert nvidia["key_share"] == {
        "market": "ai-accelerators",
        "market_name": "AI accelerators",
        "share": 0.92,
        "as_of": "2026-03-16",
        "kind": "actual",
        "source": "marsbit-2026-03-16",
    }
    assert gpu["companies"][1]["key_share"] is None
    # headline figures: the energy layer figure and the group figure placed in cloud
    assert [f["id"] for f in m["layers"][0]["figures"]] == ["ai-dc-power-2026"]
    assert [f["id"] for f in m["layers"][2]["figures"]] == ["big4-capex-2026"]
    assert m["layers"][2]["figures"][0]["low"] == 650


def test_stack_map_one_layer_and_unknown_layer(atlas) -> None:
    assert [x.id for x in stack_map(atlas, layer="cloud").layers] == ["cloud"]
    with pytest.raises(NotFoundError, match="did you mean: chips"):
        stack_map(atlas, layer="chip")


def test_stack_map_renders(atlas) -> None:
    text = _render(stack_map(atlas))
    assert "NVIDIA (NVDA)  weight 0.91  92% of AI accelerators" in text
    assert "capex 2026E: $675B ($650-700B)" in text
    assert text.index("3. Cloud") < text.index("2. Chips") < text.index("1. Energy")


def test_company_profile(atlas) -> None:
    p = company_profile(atlas, "NVDA").to_dict()
    assert p["company"]["id"] == "nvidia" and p["company"]["cik"] == 1045810
    assert [(m["layer"], m["segment"], m["weight"]) for m in p["memberships"]] == [
        ("chips", "design-gpu", 0.91)
    ]
    assert [(s["market"], s["share"]) for s in p["shares"]] == [("ai-accelerators", 0.92)]
    # money naming Nvidia is kept apart from money naming a segment it belongs to (issue 10:
    # TSMC / Nvidia pages listed group capex and group debt as paid to the company)
    flows = [(f["id"], f["counterparty"], f["via"]) for f in p["flows_in"]]
    assert flows == [("azure-nvidia", "microsoft", None)]
    via = [(f["id"], f["counterparty"], f["via"]) for f in p["group_flows_in"]]
    assert via == [("hyperscalers-chips", "hyperscalers", "design-gpu")]
    assert p["group_flows_in"][0]["counterparty_kind"] == "group"
    assert p["flows_out"] == [] and p["group_flows_out"] == []
    assert [(f["id"], f["value"], f["source"]) for f in p["figures"]] == [
        ("nvidia-revenue-fy2026", 215.9, "marsbit-2026-03-16"),
        ("nvidia-revenue-fy2026-10k", 215.938, "nvda-10k-fy2026"),
    ]
    assert [s["id"] for s in p["sources"]] == ["marsbit-2026-03-16", "nvda-10k-fy2026"]
    assert p["sources"][1]["accession"] == "0001045810-26-000021"


def test_company_profile_via_group_and_miss(atlas) -> None:
    p = company_profile(atlas, "Azure")  # alias
    assert p.company.id == "microsoft" and p.groups == ["hyperscalers"]
    assert [(f.id, f.via) for f in p.flows_out] == [("azure-nvidia", None)]
    assert [(f.id, f.via) for f in p.group_flows_out] == [("hyperscalers-chips", "hyperscalers")]
    with pytest.raises(NotFoundError) as info:
        company_profile(atlas, "nvidea")
    assert "nvidia" in info.value.suggestions


def test_company_profile_renders(atlas) -> None:
    text = _render(company_profile(atlas, "nvidia"))
    for expected in (
        "NVIDIA  [nvidia]  NVDA (NASDAQ)",
        "Market shares",
        "92%",
        "Money in",
        "$215.9B",
        "0001045810-26-000021",
    ):
        assert expected in text


def test_source_list_counts_citations(atlas) -> None:
    s = source_list(atlas).to_dict()
    counts = {x["id"]: x["cited_by"] for x in s["sources"]}
    # fixture rows citing the article: 2 memberships + 3 shares + 2 flows + 4 figures
    assert counts == {"nvda-10k-fy2026": 1, "marsbit-2026-03-16": 11, "editors": 5}
    assert "NVIDIA Corporation Form 10-K" in _render(source_list(atlas))


def test_atlas_summary(atlas) -> None:
    s = atlas_summary(atlas)
    assert s.tables["companies"] == 7 and s.tables["segments"] == 4
    by_layer = {x.layer: (x.companies, x.flows, x.figures) for x in s.layers}
    # chips: nvidia, amd, tsmc, samsung; both flows end in chips; 3 company figures
    assert by_layer == {"energy": (1, 0, 1), "chips": (4, 2, 3), "cloud": (2, 2, 1)}


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((215.9, "usd_billion"), "$215.9B"),
        ((675, "usd_billion", 650, 700), "$675B ($650-700B)"),
        ((400, "usd_billion", 400, None), ">$400B"),
        ((None, "usd_billion", 5, 10), "$5-10B"),
        ((75, "percent"), "75%"),
        ((90, "twh"), "90 TWh"),
        ((215938, "usd_million"), "$215,938M"),
        ((3, "count"), "3 count"),
        ((None, "usd_billion"), "n/a"),
        # regression: OpenAI's "2029 or 2030" printed as '2,030 year (2,029-2,030 year)'
        ((2029.5, "year", 2029, 2030), "2029-2030"),
        ((2032, "year"), "2032"),
    ],
)
def test_fmt_amount(args, text) -> None:
    assert fmt_amount(*args) == text


def test_fmt_share() -> None:
    assert (fmt_share(0.92), fmt_share(0.072)) == ("92%", "7.2%")


def test_shipped_nvidia_profile() -> None:
    """Done-criterion of issue 2: Nvidia in chips/design-gpu, 92% AI-accelerator share, the
    article's FY2026 revenue ($215.9B) with its source."""
    atlas = stackatlas.load_atlas()
    p = company_profile(atlas, "nvidia").to_dict()
    assert ("chips", "design-gpu") in [(m["layer"], m["segment"]) for m in p["memberships"]]
    share = next(s for s in p["shares"] if s["market"] == "ai-accelerators")
    assert share["share"] == 0.92 and share["source"] == "marsbit-2026-03-16"
    revenue = [
        f
        for f in p["figures"]
        if f["metric"] == "revenue"
        and f["period"] == "FY2026"
        and f["source"] == "marsbit-2026-03-16"
    ]
    assert [f["value"] for f in revenue] == [215.9]
    article = next(s for s in p["sources"] if s["id"] == "marsbit-2026-03-16")
    assert article["publisher"] == "MarsBit" and article["published"] == "2026-03-16"


def test_shipped_map_has_five_layers_with_companies() -> None:
    m = stack_map(stackatlas.load_atlas())
    assert [x.id for x in m.layers] == ["energy", "chips", "cloud", "models", "applications"]
    for layer in m.layers:
        assert sum(len(s.companies) for s in layer.segments) > 0, layer.id


def test_json_shapes_are_pinned(atlas) -> None:
    """The documented --json keys (README, section atlas); renaming one must fail here."""
    m = stack_map(atlas).to_dict()
    layer = m["layers"][1]
    assert set(layer) == {
        "id",
        "name",
        "order",
        "level",
        "level_name",
        "risk",
        "figures",
        "segments",
    }
    assert set(layer["segments"][0]) == {"id", "name", "description", "companies"}
    assert set(layer["segments"][0]["companies"][0]) == {
        "id",
        "name",
        "ticker",
        "weight",
        "key_share",
    }
    figure_keys = {
        "id",
        "subject_type",
        "subject",
        "metric",
        "value",
        "low",
        "high",
        "unit",
        "period",
        "kind",
        "source",
        "quote",
        "note",
    }
    assert set(m["layers"][0]["figures"][0]) == figure_keys
    p = company_profile(atlas, "microsoft").to_dict()
    assert set(p) == {
        "atlas_version",
        "company",
        "parent_name",
        "subsidiaries",
        "groups",
        "memberships",
        "shares",
        "flows_in",
        "flows_out",
        "group_flows_in",
        "group_flows_out",
        "figures",
        "upstream",
        "downstream",
        "customer_concentration",
        "sources",
    }
    edge = (p["upstream"] + p["downstream"])[0]
    assert set(edge) == {
        "supplier",
        "supplier_name",
        "customer",
        "customer_name",
        "group",
        "edge_kind",
        "input_share",
        "input_low",
        "input_high",
        "input_basis",
        "revenue_share",
        "revenue_low",
        "revenue_high",
        "revenue_basis",
        "exposure",
        "as_of",
        "evidence",
        "note",
        "sources",
        "origin",
    }
    assert set(p["company"]) == {
        "id",
        "name",
        "ticker",
        "exchange",
        "other_tickers",
        "cik",
        "country",
        "listed",
        "parent",
        "aliases",
        "description",
    }
    assert set(p["memberships"][0]) == {
        "layer",
        "layer_name",
        "segment",
        "segment_name",
        "weight",
        "as_of",
        "basis",
        "source",
        "note",
    }
    assert set(p["flows_out"][0]) == {
        "id",
        "direction",
        "counterparty",
        "counterparty_kind",
        "counterparty_name",
        "via",
        "kind",
        "amount",
        "low",
        "high",
        "period",
        "horizon",
        "confidence",
        "source",
        "note",
    }
    share_keys = {
        "market",
        "market_name",
        "share",
        "low",
        "high",
        "as_of",
        "kind",
        "source",
        "note",
    }
    assert set(company_profile(atlas, "tsmc").to_dict()["shares"][0]) == share_keys
    s = source_list(atlas).to_dict()
    assert set(s["sources"][0]) == {
        "id",
        "title",
        "publisher",
        "url",
        "accession",
        "published",
        "kind",
        "note",
        "cited_by",
    }
    summary = atlas_summary(atlas).to_dict()
    assert set(summary) == {"atlas_version", "tables", "layers"}
    assert set(summary["layers"][0]) == {
        "layer",
        "name",
        "companies",
        "flows",
        "figures",
        "sources",
    }


def test_shipped_profiles_keep_group_money_and_debt_apart() -> None:
    """Issue 10: TSMC listed 'Money in: Big-4 hyperscalers capex $450B' and Nvidia 'Paid to
    Nvidia: Hyperscalers debt 400' - group money and a buyer's debt shown as the company's."""
    from stackatlas.atlas import load_atlas

    shipped = load_atlas()
    tsmc = company_profile(shipped, "tsmc")
    assert "big4-ai-capex-2026" not in {f.id for f in tsmc.flows_in}
    group = {f.id: f.via for f in tsmc.group_flows_in}
    assert group["big4-ai-capex-2026"] == "ai-infra-suppliers"
    nvidia = company_profile(shipped, "nvidia")
    every = nvidia.flows_in + nvidia.flows_out + nvidia.group_flows_in + nvidia.group_flows_out
    assert not [f.id for f in every if f.kind == "debt"]
    assert {f.id for f in nvidia.flows_in} <= {
        f.id for f in shipped.flows if f.target_node == "nvidia"
    }
    text = _render(nvidia)
    assert "Money in: paid to Nvidia by name" in text
    assert "n/a" not in text.split("Figures")[0]  # an undisclosed amount says so
    assert "not disclosed" in text
