"""The physical stack from Epoch AI's clusters: hand-computed aggregates on a small fixture,
and facts read off the real file (``../shared/data/epoch``, CC BY 4.0, Epoch AI)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stackatlas import load_atlas
from stackatlas.errors import ValidationError
from stackatlas.infra import infra_summary, load_clusters

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "infra"


@pytest.fixture(scope="module")
def summary():
    return infra_summary(load_atlas(), load_clusters(FIXTURE))


def _year(summary, year: int) -> dict:
    return summary.by_year.set_index("year").loc[year].to_dict()


def test_operating_stock_by_year_by_hand(summary) -> None:
    # standard basis: Alpha 1 + 2, Beta, Gamma, Theta (undated) and decommissioned Epsilon;
    # Delta is a possible duplicate, Iota is outside Epoch's standard analysis
    assert _year(summary, 2021)["power_gw"] == pytest.approx(0.020)  # Epsilon 20 MW
    y2022 = _year(summary, 2022)  # Epsilon + Gamma (no power stated)
    assert y2022["clusters"] == 2 and y2022["power_known"] == 1
    assert y2022["power_gw"] == pytest.approx(0.020) and y2022["h100e_m"] == pytest.approx(0.011)
    assert _year(summary, 2023)["power_gw"] == pytest.approx(0.120)  # + Alpha 1 (100 MW)
    # 2024: Epsilon decommissioned (2024-02); Alpha 2 supersedes Alpha 1 (not counted twice)
    y2024 = _year(summary, 2024)
    assert y2024["clusters"] == 3  # Gamma, Alpha 2, Beta
    assert y2024["power_gw"] == pytest.approx(0.310)  # 250 + 60 MW
    assert y2024["h100e_m"] == pytest.approx(0.200)  # 10k + 150k + 40k
    assert y2024["net_added_gw"] == pytest.approx(0.190)  # 0.310 - 0.120
    # 2025 (the file's newest date is 2025-03-01): the undated Theta counts only here
    y2025 = _year(summary, 2025)
    assert y2025["partial_year"] is True
    assert y2025["clusters"] == 4 and y2025["power_known"] == 3
    assert y2025["power_gw"] == pytest.approx(0.340)
    assert y2025["energy_twh"] == pytest.approx(0.340 * 8766 * 0.7 / 1000)  # 2.0863 TWh


def test_planned_are_apart_by_certainty(summary) -> None:
    planned = summary.planned.set_index("certainty")
    assert planned.loc["confirmed", "clusters"] == 0
    assert planned.loc["likely", "power_gw"] == pytest.approx(1.0)  # Zeta
    assert planned.loc["unlikely", "power_gw"] == pytest.approx(2.0)  # Eta
    layers = summary.layers.set_index("measure")["value"]
    assert layers["planned AI cluster power, confirmed + likely (GW)"] == pytest.approx(1.0)
    assert layers["AI cluster power in operation (GW, stated by Epoch)"] == pytest.approx(0.34)


def test_supplier_shares_exclude_the_undisclosed(summary) -> None:
    by = summary.by_supplier.set_index("supplier")
    # known suppliers: NVIDIA 150k (Alpha 2) + 20k (Theta), Google 40k (Beta); Gamma anonymized
    assert by.loc["NVIDIA", "share_of_known"] == pytest.approx(170 / 210)
    assert by.loc["Google", "company"] == "alphabet"
    undisclosed = by.loc["(not disclosed: anonymized or unknown)"]
    assert undisclosed["h100e_m"] == pytest.approx(0.010)
    assert pd.isna(undisclosed["share_of_known"])  # no share: it is nobody's known compute
    row = next(r for r in summary.to_dict()["by_supplier"] if r["company"] is None)
    assert row["share_of_known"] is None and row["evidence"] == "unresolved"  # JSON: null
    nvidia = summary.layers.set_index("measure")["value"]
    assert nvidia["Nvidia share of operational compute (H100e, supplier known)"] == pytest.approx(
        170 / 210
    )


def test_shared_owners_are_split_evenly_and_joined_to_atlas(summary) -> None:
    owners = summary.by_owner.set_index("owner")
    # Microsoft: Alpha 2 (250 MW, 150k) + half of Beta (30 MW, 20k)
    assert owners.loc["Microsoft", "operational_gw"] == pytest.approx(0.280)
    assert owners.loc["Microsoft", "operational_h100e_m"] == pytest.approx(0.170)
    assert owners.loc["Microsoft", "h100e_share"] == pytest.approx(170 / 220)
    assert owners.loc["OpenAI", "company"] == "openai"
    assert owners.loc["Microsoft", "company"] == "microsoft"
    assert owners.loc["xAI", "planned_gw"] == pytest.approx(1.0)
    assert owners.loc["Oracle", "planned_gw"] == pytest.approx(0.0)  # Eta is unlikely
    assert "(owner not disclosed)" in owners.index  # Gamma: unknown, never dropped
    assert set(summary.by_owner["evidence"]) == {"estimated"}


def test_cost_per_mw_by_hand(summary) -> None:
    cost = summary.cost_per_mw.set_index("year")["cost_per_mw_musd"]
    assert cost[2023] == pytest.approx(20.0)  # $2.0bn / 100 MW
    assert cost[2024] == pytest.approx(24.0)  # $6.0bn / 250 MW


def test_all_basis_adds_non_standard_clusters_but_never_duplicates() -> None:
    wide = infra_summary(load_atlas(), load_clusters(FIXTURE), basis="all")
    assert _year(wide, 2025)["power_gw"] == pytest.approx(0.380)  # + Iota 40 MW, not Delta


def test_utilization_is_an_assumption_in_range() -> None:
    low = infra_summary(load_atlas(), load_clusters(FIXTURE), utilization=0.5)
    assert _year(low, 2025)["energy_twh"] == pytest.approx(0.340 * 8766 * 0.5 / 1000)
    with pytest.raises(ValidationError, match="utilization"):
        infra_summary(load_atlas(), load_clusters(FIXTURE), utilization=1.5)


def test_located_errors(tmp_path: Path) -> None:
    text = (FIXTURE / "epoch_gpu_clusters.csv").read_text(encoding="utf-8")
    # Beta's note spans two physical lines, so the row after it (Gamma) starts on line 6
    bad = text.replace(
        "Gamma,Existing,Confirmed,Unclear,10000", "Gamma,Operating,Confirmed,Unclear,ten"
    )
    (tmp_path / "epoch_gpu_clusters.csv").write_text(bad, encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_clusters(tmp_path)
    text = str(err.value)
    assert "epoch_gpu_clusters.csv:6 [Status]: 'Operating' is not one of" in text
    assert "epoch_gpu_clusters.csv:6 [H100 equivalents]: 'ten' is not a number" in text


def test_missing_folder_says_how_to_get_the_data(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"epoch\.ai/data/gpu-clusters"):
        load_clusters()
    with pytest.raises(ValidationError, match="not found in this folder"):
        load_clusters(tmp_path)


@pytest.mark.realdata
def test_real_file_counts_colossus_once(shared_data: Path) -> None:
    """xAI Colossus Memphis: Phase 1 (150 MW, 2024-09-02) is superseded by Phase 2 (280.28 MW,
    2025-02-18), superseded by Phase 3 (352.352 MW, 2025-07-22) - read off the file."""
    summary = infra_summary(load_atlas(), load_clusters(shared_data / "epoch"))
    owners = summary.by_owner.set_index("owner")
    assert owners.loc["xAI", "operational_gw"] == pytest.approx(0.352352)
    assert owners.loc["xAI", "company"] == "xai"
    assert str(summary.as_of) == "2025-10-15"  # the newest first-operational date
    latest = summary.by_year.iloc[-1]
    assert latest["year"] == 2025 and latest["partial_year"]
    # planned clusters never enter the operating figures
    assert summary.planned["clusters"].sum() == 170  # 171 planned, one possible duplicate
    nvidia = summary.by_supplier.set_index("company").loc["nvidia"]
    assert 0.5 < nvidia["share_of_known"] < 1  # Nvidia dominates the disclosed compute
