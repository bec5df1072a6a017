"""The shipped company edges (dependencies.csv): coverage, sources, and the numbers they derive
from the shared filings and datasets, recomputed here."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pandas as pd
import pytest
from lxml import etree

from stackatlas.atlas import Atlas, load_atlas
from stackatlas.atlas.models import EdgeBasis, SourceKind
from stackatlas.fundamentals.fx import load_fx_table

# shared documents behind source ids (quotes in `evidence` must appear there verbatim)
DOCUMENTS = {"nvda-10k-fy2025": "sec/filings/nvda-10-k-2025-02-26.html"}


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return load_atlas()


def _edge(atlas: Atlas, supplier: str, customer: str, group: str):
    return next(
        d
        for d in atlas.dependencies
        if (d.supplier, d.customer, d.group) == (supplier, customer, group)
    )


def test_at_least_forty_sourced_edges_across_the_stack(atlas: Atlas) -> None:
    deps = atlas.dependencies
    assert len(deps) >= 40
    assert len({(d.supplier, d.customer, d.group) for d in deps}) == len(deps)
    for d in deps:
        assert d.note, (d.supplier, d.customer)
        for sid in d.sources:
            assert sid in atlas.sources
    # every layer boundary the issue names has edges
    groups = {d.group for d in deps}
    assert {"foundry", "packaging", "memory", "lithography", "fab-equipment"} <= groups
    assert {"accelerators", "compute", "power"} <= groups
    tsmc_customers = {d.customer for d in deps if d.supplier == "tsmc" and d.group == "foundry"}
    expected = {"apple", "nvidia", "amd", "qualcomm", "broadcom", "mediatek", "marvell"}
    assert expected <= tsmc_customers
    # most edges rest on a document other than the editors' own estimate source
    editorial = [d for d in deps if atlas.sources[d.source].kind == SourceKind.EDITORIAL_ESTIMATE]
    assert not editorial


def test_derived_exposures_are_segment_revenue_ratios(atlas: Atlas) -> None:
    """Products / total net sales (Apple FY2024 10-K), QCT / total (Qualcomm FY2024 10-K),
    semiconductor solutions / total (Broadcom FY2024 10-K), from the atlas figures."""
    figs = {f.id: f.value for f in atlas.figures}
    cases = {
        "apple": figs["aapl-fy2024-products-revenue-10k"] / figs["aapl-fy2024-revenue-10k"],
        "qualcomm": figs["qcom-fy2024-qct-revenue-10k"] / figs["qcom-fy2024-revenue-10k"],
        "broadcom": figs["avgo-fy2024-semis-revenue-10k"] / figs["avgo-fy2024-revenue-10k"],
    }
    assert cases["apple"] == pytest.approx(294866 / 391035)
    for cid, ratio in cases.items():
        assert _edge(atlas, "tsmc", cid, "foundry").exposure == pytest.approx(ratio, abs=5e-4)


def test_server_maker_edges_carry_supply_only(atlas: Atlas) -> None:
    """Nvidia's sales to ODMs are the clouds' purchases: the ODM edges carry the supply path
    with revenue share 0 (saying why), so a cloud's purchase cut is not counted twice."""
    odm = [d for d in atlas.dependencies if d.supplier == "nvidia" and d.revenue_share == 0]
    assert {d.customer for d in odm} >= {"foxconn", "quanta-computer", "dell", "super-micro"}
    for d in odm:
        assert "double the demand path" in (d.note or "")


@pytest.mark.realdata
def test_quoted_evidence_is_verbatim_in_the_filing(atlas: Atlas, shared_data: Path) -> None:
    checked = 0
    for sid, rel in DOCUMENTS.items():
        root = etree.parse(str(shared_data / rel), etree.HTMLParser(huge_tree=True)).getroot()
        text = " ".join(" ".join(root.itertext()).split())
        for d in atlas.dependencies:
            if d.source != sid or not d.evidence:
                continue
            for quote in re.findall(r'"([^"]+)"', d.evidence):
                assert quote in text, (d.supplier, d.customer, quote)
                checked += 1
    assert checked >= 10


@pytest.mark.realdata
def test_epoch_derived_input_shares(atlas: Atlas, shared_data: Path) -> None:
    """Input shares with basis 'derived' from epoch-gpu-clusters are NVIDIA's (or the named
    supplier's) share of the H100 equivalents of the owner's existing clusters."""
    clusters = pd.read_csv(shared_data / "epoch" / "epoch_gpu_clusters.csv")
    existing = clusters[clusters["Status"] == "Existing"]
    owners = {
        "microsoft": ["Microsoft", "Microsoft,OpenAI"],
        "amazon": ["Amazon"],
        "alphabet": ["Google"],
        "oracle": ["Oracle"],
        "meta": ["Meta AI"],
        "xai": ["xAI"],
        "coreweave": ["CoreWeave"],
        "nebius": ["Nebius AI"],
        "lambda": ["Lambda Labs"],
        "iren": ["IREN"],
    }
    epoch_supplier = {"nvidia": "NVIDIA", "amd": "AMD", "broadcom": "Google"}  # TPUs
    checked = 0
    for d in atlas.dependencies:
        if d.input_basis != EdgeBasis.DERIVED or "epoch-gpu-clusters" not in d.sources:
            continue
        rows = existing[existing["Owner"].isin(owners[d.customer])]
        by_supplier = rows.groupby("GPU Supplier (primary)")["H100 equivalents"].sum()
        share = by_supplier.get(epoch_supplier[d.supplier], 0.0) / by_supplier.sum()
        assert d.input_share == pytest.approx(share, abs=0.005), (d.supplier, d.customer)
        checked += 1
    assert checked == 12


@pytest.mark.realdata
def test_mediatek_revenue_is_translated_at_the_20f_rate(atlas: Atlas, shared_data: Path) -> None:
    """MediaTek reports in NT$ (NT$530.6 bn for 2024, mediatek-ar-2024); the atlas's USD
    figure (kind estimate) uses the rate of TSMC's own 20-F translation of its 2024 revenue,
    read here from TSMC's companyfacts: NT$2,894,307.7 M / US$88,268 M = 32.79 per US$."""
    facts = orjson.loads((shared_data / "sec/companyfacts/CIK0001046179.json").read_bytes())
    units = facts["facts"]["ifrs-full"]["Revenue"]["units"]

    def fy2024(unit: str) -> float:
        return next(
            r["val"]
            for r in units[unit]
            if r["form"] == "20-F" and (r["start"], r["end"]) == ("2024-01-01", "2024-12-31")
        )

    rate = fy2024("TWD") / fy2024("USD")
    assert rate == pytest.approx(32.79, abs=0.005)
    fig = next(f for f in atlas.figures if f.id == "mediatek-2024-revenue-usd")
    assert fig.kind == "estimate" and fig.unit == "usd_billion"
    assert fig.value == pytest.approx(530.6 / rate, abs=0.005)  # 16.18
    fx = load_fx_table().set_index(["currency", "year"])
    twd_2023 = float(fx.loc[("TWD", 2023), "published_value"])  # Fed G.5A: 31.1525 per US$
    assert fig.high == pytest.approx(530.6 / twd_2023, abs=0.005)  # 17.03
