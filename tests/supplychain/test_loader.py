"""Loading the ETO folder: typed rows, aliases, aggregates, blanks, located errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from stackatlas.errors import DataNotConfiguredError, Problem, ValidationError
from stackatlas.supplychain import load_eto, optional_eto
from stackatlas.supplychain.dataset import EtoData


def test_fixture_loads_with_typed_rows(eto: EtoData) -> None:
    assert len(eto.inputs) == 9 and len(eto.stages) == 3 and len(eto.sequence) == 8
    assert len(eto.provision) == 24
    # "2019.0" (a spreadsheet export) is read as the year 2019; a quoted newline stays text
    assert eto.inputs["N84"].year == 2019
    assert "\n" in (eto.inputs["N19"].description or "")
    assert eto.provision["year"].dtype.kind == "i"


def test_alias_rows_merge_into_one_provider(eto: EtoData) -> None:
    beta = eto.providers["P902"]
    assert beta.name == "Beta Coat" and beta.aliases == ("Beta Coating Works",)
    assert eto.find_provider("beta coating works").id == "P902"
    assert len(eto.providers) == 11  # 12 rows, one of them an alias


def test_placeholders_are_aggregates_never_firms_or_countries(eto: EtoData) -> None:
    assert eto.providers["P370"].kind == "aggregate"  # Various companies
    assert eto.providers["P5"].kind == "aggregate"  # Various countries
    assert eto.providers["P312"].kind == "region"  # EUR
    assert eto.providers["P901"].kind == "firm" and eto.providers["P1"].kind == "country"
    # provision.csv calls P5 "Various" (a pre-correction name): the id decides
    various = eto.provision[eto.provision["provider_id"] == "P5"]
    assert set(various["kind"]) == {"aggregate"}
    assert set(various["provider"]) == {"Various countries"}


def test_blank_share_stays_unknown(eto: EtoData) -> None:
    rows = eto.provision[eto.provision["provided_id"] == "N31"]
    assert rows["share"].isna().all()  # never 0


def test_missing_source_falls_back_to_the_chart_source_and_says_so(eto: EtoData) -> None:
    p = eto.provision
    beta = p[(p["provider_id"] == "P902") & (p["provided_id"] == "N31")].iloc[0]
    assert (beta["source"], beta["source_basis"]) == ("Fixture input source R", "input")
    stage = p[(p["provider_id"] == "P1") & (p["provided_id"] == "S2")].iloc[0]
    assert (stage["source"], stage["source_basis"]) == ("Fixture stage source B", "stage")
    assert p["source"].notna().all()


def test_not_configured_says_how_to_get_the_data() -> None:
    assert optional_eto() is None
    with pytest.raises(DataNotConfiguredError) as info:
        load_eto()
    text = str(info.value)
    assert "STACKATLAS_ETO_DIR" in text and "--eto" in text and "CC BY-NC" in text


def test_env_and_config_file_name_the_folder(
    eto_dir: Path, monkeypatch: pytest.MonkeyPatch, _isolated_home: Path
) -> None:
    _isolated_home.mkdir(parents=True, exist_ok=True)
    (_isolated_home / "config.toml").write_text(f'[eto]\ndir = "{eto_dir}"\n')
    assert load_eto().directory == eto_dir
    monkeypatch.setenv("STACKATLAS_ETO_DIR", str(eto_dir.parent / "nowhere"))
    with pytest.raises(ValidationError, match="ETO folder does not exist"):
        load_eto()


def test_cache_picks_up_an_edited_file(eto_copy: Path) -> None:
    first = load_eto(eto_copy)
    assert load_eto(eto_copy) is first
    path = eto_copy / "provision.csv"
    path.write_text(
        path.read_text().replace(
            "Gamma Dice,P903,Dicing tools,N71,80.0", "Gamma Dice,P903,Dicing tools,N71,81.0"
        )
    )
    again = load_eto(eto_copy)
    assert again is not first and again.version != first.version


def _break(folder: Path, name: str, old: str, new: str) -> list[Problem]:
    path = folder / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ValidationError) as info:
        load_eto(folder)
    return info.value.problems


def test_bad_share_is_located(eto_copy: Path) -> None:
    problems = _break(eto_copy, "provision.csv", "Dicing tools,N71,80.0", "Dicing tools,N71,eighty")
    assert problems == [
        Problem(str(eto_copy / "provision.csv"), 10, "share_provided", "not a number: 'eighty'")
    ]


def test_share_above_100_is_located(eto_copy: Path) -> None:
    problems = _break(eto_copy, "provision.csv", "Dicing tools,N71,80.0", "Dicing tools,N71,180")
    assert problems == [
        Problem(str(eto_copy / "provision.csv"), 10, "share_provided", "must be <= 100, got 180")
    ]


def test_unknown_ids_are_located(eto_copy: Path) -> None:
    problems = _break(eto_copy, "provision.csv", "Gamma Dice,P903,Dicing", "Gamma Dice,P999,Dicing")
    assert problems == [
        Problem(str(eto_copy / "provision.csv"), 10, "provider_id", "unknown provider 'P999'")
    ]
    problems = _break(
        eto_copy,
        "sequence.csv",
        "Dicing tools,N71,Assembly and packaging,N69",
        "Dicing tools,N71,Assembly and packaging,N6",
    )
    assert (
        Problem(str(eto_copy / "sequence.csv"), 8, "goes_into_id", "unknown input 'N6'") in problems
    )


def test_conflicting_alias_rows_are_located(eto_copy: Path) -> None:
    problems = _break(
        eto_copy,
        "providers.csv",
        "Beta Coat,Beta Coating Works,P902,organization,JPN",
        "Beta Coat,Beta Coating Works,P902,organization,KOR",
    )
    assert problems == [
        Problem(
            str(eto_copy / "providers.csv"),
            9,
            "country",
            "P902 has country 'KOR' here but 'JPN' at line 8",
        )
    ]


def test_repeated_row_and_missing_column_and_file(eto_copy: Path) -> None:
    path = eto_copy / "provision.csv"
    path.write_text(path.read_text() + "Gamma Dice,P903,Dicing tools,N71,70.0,2025,x\n")
    (eto_copy / "stages.csv").unlink()
    text = (eto_copy / "inputs.csv").read_text().replace(",type,", ",kind,", 1)
    (eto_copy / "inputs.csv").write_text(text)
    with pytest.raises(ValidationError) as info:
        load_eto(eto_copy)
    shown = [str(p) for p in info.value.problems]
    assert f"{eto_copy / 'stages.csv'}: file is missing" in shown
    assert any("inputs.csv:1 [type]: required column is missing" in s for s in shown)
    assert any(
        s.startswith(f"{eto_copy / 'provision.csv'}:26 [year]: P903 x N71 in 2025 repeats line 10")
        for s in shown
    )


def test_sequence_row_needs_exactly_one_target(eto_copy: Path) -> None:
    problems = _break(
        eto_copy,
        "sequence.csv",
        "Photoresists,N31,Photolithography,N25,,",
        "Photoresists,N31,Photolithography,N25,Lithography tools,N19",
    )
    assert len(problems) == 1 and problems[0].line == 4
    assert "exactly one of goes_into_id and is_type_of_id" in problems[0].message
    assert not math.isnan(4)
