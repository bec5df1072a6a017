"""The real CSET/ETO dataset in ../shared/data/eto (read in place, never copied).

Golden values read by hand from provision.csv (snapshot of 2026-08-14): EUV lithography tools
ASML 100.0 (2025), resist processing tools Tokyo Electron 92.6 (2025), dicing tools Disco 87.0
(2025), defect inspection tools KLA 85.9 (2025).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from stackatlas.atlas import load_atlas
from stackatlas.supplychain.chokepoints import eto_chokepoints
from stackatlas.supplychain.countries import ISO3_TO_ISO2
from stackatlas.supplychain.dataset import EtoData
from stackatlas.supplychain.shares import side_shares
from stackatlas.supplychain.view import supply_chain

pytestmark = pytest.mark.realdata


def test_counts(real_eto: EtoData) -> None:
    assert len(real_eto.inputs) == 126  # 145 lines: descriptions hold quoted newlines
    assert len(real_eto.provision) == 1300 and len(real_eto.sequence) == 139
    assert len(real_eto.stages) == 3
    assert real_eto.provision["share"].isna().sum() == 246  # blank stays unknown


@pytest.mark.parametrize(
    ("name", "leader", "share", "hhi"),
    [
        ("EUV lithography tools", "ASML", 100.0, 10_000.0),
        ("Resist processing tools", "Tokyo Electron", 92.6, None),
        ("Dicing tools", "Disco", 87.0, None),
        ("Defect inspection tools", "KLA", 85.9, None),
    ],
)
def test_golden_leaders(
    real_eto: EtoData, name: str, leader: str, share: float, hhi: float | None
) -> None:
    item = real_eto.find_input(name)
    s = side_shares(real_eto, item.input_id, "firm")
    assert (s.leader, s.cr1, s.year) == (leader, share, 2025)
    if hhi is not None:
        assert s.hhi == hhi


def test_resist_processing_hhi_by_hand(real_eto: EtoData) -> None:
    # TEL 92.6, Screen 2.6, SEMES 1.9, Lam Research 1.4; Various companies 1.5 (remainder)
    s = side_shares(real_eto, "N32", "firm")
    assert s.hhi == pytest.approx(92.6**2 + 2.6**2 + 1.9**2 + 1.4**2)
    assert s.remainder == pytest.approx(1.5) and s.cr3 == pytest.approx(97.1)


def test_chokepoints_never_name_a_placeholder(real_eto: EtoData) -> None:
    found = eto_chokepoints(real_eto, load_atlas())
    # 54 inputs have a top provider >= 50% in the latest year; two of those are the
    # "Various companies" placeholder (spin-on deposition, ion milling), which never count
    assert len(found.firms) == 52
    assert not found.firms["provider"].str.contains("Various").any()
    assert not found.countries["provider"].str.contains("Various").any()
    top = found.firms.iloc[0]
    assert (top["input"], top["provider"], top["company"], top["share"]) == (
        "EUV lithography tools",
        "ASML",
        "asml",
        100.0,
    )
    assert found.firms["year"].notna().all() and found.firms["source"].notna().all()


def test_json_view_done_when(real_eto: EtoData) -> None:
    view = supply_chain(real_eto, load_atlas()).to_dict()
    rows = {r["input"]: r for r in view["inputs"]}
    euv = rows["EUV lithography tools"]["firms"]
    assert (euv["leader"], euv["cr1"], euv["hhi"], euv["leader_company"]) == (
        "ASML",
        100.0,
        10_000.0,
        "asml",
    )
    assert rows["Resist processing tools"]["firms"]["cr1"] == 92.6
    assert rows["Dicing tools"]["firms"]["leader"] == "Disco"
    assert rows["Dicing tools"]["firms"]["cr1"] == 87.0
    for r in view["inputs"]:
        for side in ("firms", "countries"):
            for s in r[side]["shares"]:
                assert s["year"] and s["source"], (r["input"], s)
    assert "CSET / Emerging Technology Observatory" in view["credit"]["citation"]


def test_the_shipped_provider_mapping_matches_the_dataset(shared_data: Path) -> None:
    """Review of eto_providers.csv: each id exists with that exact name, and the atlas
    company's country is the provider's home country."""
    with (shared_data / "eto" / "providers.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_id: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_id.setdefault(row["provider_id"], []).append(row)
    atlas = load_atlas()
    assert len(atlas.eto_providers) >= 15
    for link in atlas.eto_providers:
        found = by_id.get(link.provider_id)
        assert found, link.provider_id
        assert found[0]["provider_name"] == link.provider_name
        assert found[0]["provider_type"] == "organization"
        iso2 = ISO3_TO_ISO2[found[0]["country"]]
        assert atlas.companies[link.company].country == iso2, link
        assert atlas.sources[link.source].kind == "dataset"


def test_provider_and_country_views(real_eto: EtoData) -> None:
    atlas = load_atlas()
    asml = supply_chain(real_eto, atlas, provider="ASML").provider
    assert asml is not None and asml["company"] == "asml"
    euv = next(r for r in asml["supplies"] if r["input"] == "EUV lithography tools")
    assert (euv["share"], euv["rank"], euv["year"]) == (100.0, 1, 2025)
    japan = supply_chain(real_eto, atlas, country="JP").country
    assert japan is not None and japan["country"] == "JPN"
    fab = next(r for r in japan["stages"] if r["input"] == "Fabrication")
    assert (fab["share"], fab["year"]) == (17.0, 2022)  # SIA capacity share by site
    dicing = next(r for r in japan["inputs"] if r["input"] == "Dicing tools")
    assert dicing["share"] == 95.0
    assert any(f["provider"] == "Disco" for f in japan["firms"])
