"""Loader: shipped + fixture atlas, overlays merge by key, caching, version hash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stackatlas
from stackatlas.atlas import Atlas, load_atlas
from stackatlas.atlas.loader import _merge_rows, clear_cache
from stackatlas.atlas.models import TABLES
from stackatlas.atlas.reading import RawRow
from stackatlas.errors import AtlasValidationError


def test_fixture_atlas_loads(fixtures: Path) -> None:
    atlas = load_atlas(base=fixtures / "atlas")
    assert isinstance(atlas, Atlas)
    assert atlas.layer_ids == ["energy", "chips", "cloud"]
    assert set(atlas.companies) == {
        "nvidia",
        "amd",
        "tsmc",
        "samsung",
        "microsoft",
        "alphabet",
        "constellation",
    }
    assert atlas.layer_of_segment["design-gpu"] == "chips"
    assert atlas.groups["hyperscalers"].members == ["microsoft", "alphabet"]
    flow = atlas.flows[0]
    assert (flow.source_node, flow.target_node) == ("microsoft", "nvidia")
    assert atlas.find_company("NVDA").id == "nvidia"
    assert atlas.companies["tsmc"].other_tickers == ["2330.TW"]
    assert len(atlas.version) == 12


def test_shipped_atlas_loads_and_is_cached() -> None:
    first = stackatlas.load_atlas()
    assert first.layer_ids == ["energy", "chips", "cloud", "models", "applications"]
    assert "marsbit-2026-03-16" in first.sources
    assert stackatlas.load_atlas() is first  # cached: same object


def test_cache_notices_edits(fixtures: Path, tmp_path: Path) -> None:
    base = tmp_path / "atlas"
    shutil.copytree(fixtures / "atlas", base)
    first = load_atlas(base=base)
    assert load_atlas(base=base) is first
    path = base / "companies.csv"
    path.write_text(path.read_text() + "intel,Intel,INTC,NASDAQ,,50863,US,true,,,\n")
    second = load_atlas(base=base)
    assert second is not first and "intel" in second.companies
    assert second.version != first.version
    clear_cache()
    assert load_atlas(base=base) is not second


def test_overlay_replaces_and_adds_rows(fixtures: Path, tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "shares.csv").write_text(
        "market,company,share,low,high,as_of,source,kind,note\n"
        "ai-accelerators,nvidia,0.80,0.75,0.85,2026-06-30,editors,estimate,corrected\n"
        "ai-accelerators,amd,0.08,0.05,0.10,2026-06-30,editors,estimate,added\n"
    )
    base = load_atlas(base=fixtures / "atlas")
    merged = load_atlas(overlay, base=fixtures / "atlas")
    shares = {(s.market, s.company): s for s in merged.shares}
    assert shares["ai-accelerators", "nvidia"].share == 0.80  # replaced
    assert shares["ai-accelerators", "amd"].share == 0.08  # added
    assert shares["foundry", "tsmc"].share == 0.70  # untouched
    assert len(merged.shares) == len(base.shares) + 1
    assert merged.version != base.version


def test_overlay_from_environment(
    fixtures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "companies.csv").write_text(
        "id,name,ticker,exchange,other_tickers,cik,country,listed,parent,aliases,description\n"
        "nvidia,NVIDIA Corp (renamed),NVDA,NASDAQ,,1045810,US,true,,,\n"
    )
    monkeypatch.setenv("STACKATLAS_ATLAS_OVERLAY", str(overlay))
    assert load_atlas(base=fixtures / "atlas").companies["nvidia"].name == "NVIDIA Corp (renamed)"


def test_overlay_layers_merge_by_id(fixtures: Path, tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "layers.yaml").write_text(
        "- id: chips\n"
        "  risk: Overlay risk text.\n"
        "  segments:\n"
        "    - id: memory\n"
        "      name: Memory\n"
        "      description: HBM and DRAM.\n"
        "- id: models\n"
        "  name: Models\n  order: 4\n  level: 4\n  level_name: expert\n"
        "  risk: Cash burn.\n  description: Labs.\n  segments: []\n"
    )
    atlas = load_atlas(overlay, base=fixtures / "atlas")
    chips = atlas.layer("chips")
    assert chips.risk == "Overlay risk text."
    assert chips.name == "Chips"  # kept from the base file
    assert [s.id for s in chips.segments] == ["design-gpu", "foundry", "memory"]
    assert atlas.layer_ids == ["energy", "chips", "cloud", "models"]


def test_missing_overlay_dir_is_an_error(fixtures: Path, tmp_path: Path) -> None:
    with pytest.raises(AtlasValidationError, match="overlay directory does not exist"):
        load_atlas(tmp_path / "nope", base=fixtures / "atlas")


def test_public_surface_is_short_and_sorted() -> None:
    assert stackatlas.__all__ == sorted(stackatlas.__all__)
    assert len(stackatlas.__all__) <= 10
    for name in stackatlas.__all__:
        assert getattr(stackatlas, name) is not None


def test_atlas_node_helpers(fixtures: Path) -> None:
    atlas = load_atlas(base=fixtures / "atlas")
    # 'hyperscalers' is both a group and a segment in the fixture: the group wins
    assert [atlas.node_kind(x) for x in ("nvidia", "hyperscalers", "foundry", "nope")] == [
        "company",
        "group",
        "segment",
        None,
    ]
    assert atlas.primary_layer("nvidia") == "chips"
    assert atlas.layers_of("hyperscalers", "group") == ["cloud"]  # microsoft + alphabet
    assert atlas.layers_of("ai-accelerators", "market") == ["chips"]
    assert atlas.layers_of("world", "economy") == []
    assert atlas.suggest_companies("nvdia") == ["nvidia"]


@settings(max_examples=60, deadline=None)
@given(
    base=st.lists(st.sampled_from("abcdef"), unique=True),
    overlay=st.lists(st.sampled_from("defgh"), unique=True),
)
def test_merge_rows_replaces_by_key_and_appends_new(base, overlay) -> None:
    spec = next(s for s in TABLES if s.name == "companies")
    rows = [RawRow({"id": k, "name": "base"}, "base.csv", i + 2) for i, k in enumerate(base)]
    extra = [RawRow({"id": k, "name": "overlay"}, "ov.csv", i + 2) for i, k in enumerate(overlay)]
    merged = _merge_rows(rows, extra, spec)
    expected = base + [k for k in overlay if k not in base]
    assert [r.values["id"] for r in merged] == expected
    for r in merged:
        assert r.values["name"] == ("overlay" if r.values["id"] in overlay else "base")


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("nvdia", ["nvidia"]),  # was nvidia, ge-vernova, amazon (60-point partial hits)
        ("antropic", ["anthropic"]),  # was anthropic, epic-systems, tsmc
        ("broadcomm", ["broadcom"]),
        ("micorsoft", ["microsoft"]),  # aliases of the same company collapse into one id
    ],
)
def test_suggestions_on_the_shipped_atlas_stay_close(typo: str, expected: list[str]) -> None:
    assert load_atlas().suggest_companies(typo) == expected


def test_a_group_or_segment_id_is_named_as_such() -> None:
    """'stackatlas company hyperscalers' suggested nvidia, nuscale, ase-technology; a group or
    segment id now says what it is and lists its companies."""
    from stackatlas.errors import NotFoundError

    atlas = load_atlas()
    with pytest.raises(NotFoundError, match="'hyperscalers' is a group, not a company") as info:
        atlas.find_company("Hyperscalers")
    assert info.value.suggestions == ["amazon", "microsoft", "alphabet", "meta", "oracle"]
    with pytest.raises(NotFoundError, match="'eda' is a segment") as info:
        atlas.find_company("eda")
    assert set(info.value.suggestions) == {"cadence", "synopsys"}


def test_layer_by_any_case_or_level_number() -> None:
    atlas = load_atlas()
    assert atlas.layer("CHIPS").id == "chips"
    assert atlas.layer("2").id == "chips"  # the article's level 2, "boss fight"
    assert atlas.layer(" Applications ").level == 5
    from stackatlas.errors import NotFoundError

    with pytest.raises(NotFoundError, match="unknown layer '6'"):
        atlas.layer("6")


# ---- hostile overlays (issue 11) ------------------------------------------------------------
def test_overlay_segments_not_a_list_is_one_located_problem(tmp_path: Path) -> None:
    (tmp_path / "layers.yaml").write_text("- id: energy\n  segments: 5\n", encoding="utf-8")
    with pytest.raises(AtlasValidationError) as err:
        load_atlas(tmp_path)
    # one problem, no cascade of "unknown segment" errors from the shipped memberships
    (problem,) = err.value.problems
    assert (problem.line, problem.column) == (2, "segments")
    assert "expected a list of segments, got 5" in problem.message


def test_overlay_billion_laughs_and_deep_nesting_are_refused(tmp_path: Path) -> None:
    pairs = zip("abcdefgh", "bcdefghi", strict=True)
    laughs = "a: &a [lol, lol, lol]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in pairs
    )
    (tmp_path / "layers.yaml").write_text(laughs, encoding="utf-8")
    with pytest.raises(AtlasValidationError, match=r"layers.yaml:2: invalid YAML: alias \*a"):
        load_atlas(tmp_path)
    (tmp_path / "layers.yaml").write_text("- id: energy\n  name: " + "[" * 5000 + "]" * 5000)
    with pytest.raises(AtlasValidationError, match="nested more than 40 levels"):
        load_atlas(tmp_path)


def test_overlay_non_utf8_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "layers.yaml").write_bytes("- id: energy\n  name: \u00c9nergie\n".encode("latin-1"))
    with pytest.raises(AtlasValidationError, match=r"layers.yaml:2: not UTF-8 text \(byte 0xc9\)"):
        load_atlas(tmp_path)
