"""Chokepoints from the fixture, the atlas mapping and the merge into analysis.concentration."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from stackatlas.analysis.concentration import chokepoints, market_concentration
from stackatlas.atlas import load_atlas
from stackatlas.supplychain.chokepoints import eto_chokepoints
from stackatlas.supplychain.dataset import EtoData

LINKS = "provider_id,provider_name,company,relation,source,note\n"


def _atlas_with_links(tmp_path: Path, rows: list[str]):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "eto_providers.csv").write_text(LINKS + "\n".join(rows) + "\n")
    return load_atlas(overlay)


def test_majority_firms_and_countries(eto: EtoData) -> None:
    found = eto_chokepoints(eto, load_atlas())
    firms = found.firms.set_index("input_id")
    # EUV 100 (sole), dicing 80, litho tools 70; photoresists and EDA have no known firm share
    assert set(firms.index) == {"N20", "N71", "N19"}
    assert (firms.loc["N20", "provider"], firms.loc["N20", "role"]) == (
        "Alpha Litho",
        "sole supplier",
    )
    assert firms.loc["N71", "share"] == 80.0 and firms.loc["N71", "role"] == "majority supplier"
    assert (
        firms.loc["N20", "year"] == 2025 and firms.loc["N20", "source"] == "Fixture row source 2025"
    )
    assert list(found.firms["rank"]) == [1, 2, 3]
    countries = found.countries.set_index("input_id")
    assert set(countries.index) == {"N20", "N71", "N84"}  # NLD 100, JPN 95, USA 90
    assert countries.loc["N84", "provider"] == "United States (USA)"
    assert countries.loc["N84", "year"] == 2019


def test_a_placeholder_is_never_a_chokepoint(eto_copy: Path) -> None:
    from stackatlas.supplychain import load_eto

    path = eto_copy / "provision.csv"
    text = (
        path.read_text()
        .replace(
            "Various companies,P370,Dicing tools,N71,5.0",
            "Various companies,P370,Dicing tools,N71,60.0",
        )
        .replace("Gamma Dice,P903,Dicing tools,N71,80.0", "Gamma Dice,P903,Dicing tools,N71,30.0")
    )
    text = text.replace(
        "Beta Coat,P902,Dicing tools,N71,15.0", "Beta Coat,P902,Dicing tools,N71,10.0"
    )
    path.write_text(text)
    found = eto_chokepoints(load_eto(eto_copy), load_atlas())
    assert "N71" not in set(found.firms["input_id"])  # "Various companies" 60% is not a firm
    assert "Various" not in " ".join(found.firms["provider"])


def test_score_is_share_times_reach(eto: EtoData) -> None:
    found = eto_chokepoints(eto, load_atlas())
    for r in found.firms.itertuples():
        assert abs(r.score - r.share / 100 * r.reach) < 1e-12


def test_mapped_provider_shows_as_the_atlas_company(eto: EtoData, tmp_path: Path) -> None:
    atlas = _atlas_with_links(
        tmp_path, ["P901,Alpha Litho,asml,same,cset-eto-chip-dataset,fixture mapping"]
    )
    found = eto_chokepoints(eto, atlas).firms.set_index("input_id")
    assert found.loc["N20", "company"] == "asml" and found.loc["N20", "relation"] == "same"
    unmapped = eto_chokepoints(eto, load_atlas()).firms.set_index("input_id")
    # the input's own atlas supplier is not counted downstream of it
    assert found.loc["N20", "downstream"] <= unmapped.loc["N20", "downstream"]


def test_concentration_merges_eto_rows_beside_atlas_markets(eto: EtoData, tmp_path: Path) -> None:
    atlas = _atlas_with_links(
        tmp_path, ["P901,Alpha Litho,asml,same,cset-eto-chip-dataset,fixture mapping"]
    )
    plain = chokepoints(atlas)
    merged = chokepoints(atlas, eto=eto)
    assert set(plain.table["basis"]) == {"atlas"} and plain.countries is None
    assert len(merged.table) == len(plain.table) + 3
    eto_rows = merged.table[merged.table["basis"] == "eto"].set_index("market")
    assert eto_rows.loc["eto:N20", "company"] == "asml"
    assert pd.isna(eto_rows.loc["eto:N71", "company"])  # Gamma Dice is not an atlas company
    as_json = {r["market"]: r for r in merged.to_dict()["chokepoints"]}
    assert as_json["eto:N71"]["company"] is None and as_json["eto:N71"]["supplier"] == "Gamma Dice"
    assert eto_rows.loc["eto:N71", "supplier_id"] == "eto:P903"
    assert eto_rows.loc["eto:N20", "share"] == 1.0 and bool(eto_rows.loc["eto:N20", "single_point"])
    assert list(merged.table["rank"]) == list(range(1, len(merged.table) + 1))
    assert merged.table["score"].is_monotonic_decreasing
    # ranking keeps one row per supplier: asml once, Gamma Dice once
    ranking = merged.ranking()
    assert ranking["supplier_id"].is_unique
    conc = market_concentration(atlas, eto=eto)
    assert conc.inputs is not None and "eto_inputs" in conc.to_dict()
    one = market_concentration(atlas, "eto:N71", eto=eto)
    assert list(one.inputs["input_id"]) == ["N71"] and one.table.empty
