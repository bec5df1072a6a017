"""The supply sequence, AI outputs reached and atlas companies exposed (fixture + atlas)."""

from __future__ import annotations

from stackatlas.atlas import load_atlas
from stackatlas.supplychain.dataset import EtoData
from stackatlas.supplychain.reach import ai_outputs, input_reach, outputs_reached


def test_stages_come_from_the_sequence(eto: EtoData) -> None:
    g = eto.graph
    assert g.stages_of("N20") == ["S2"]  # EUV -> is a type of litho tools -> photolithography
    assert g.stages_of("N84") == ["S1"]  # EDA -> chip design
    assert g.stages_of("N71") == ["S3"]
    assert g.process_path("N20") == ["N25", "N69", "N99"]
    assert g.distances("N20") == {"N20": 0, "N19": 1, "N25": 2, "N69": 3, "N99": 4}
    assert g.children("N19") == ["N20"] and g.is_leaf("N20")


def test_outputs_reached_with_distance(eto: EtoData) -> None:
    assert outputs_reached(eto, "N20") == {
        "advanced-logic-fabrication": 0,
        "dram-hbm": 0,
        "advanced-packaging": 3,
        "discrete-gpus": 4,
        "ai-asics": 4,
    }
    # a design input reaches the chips it helps design first, never memory fabs
    assert outputs_reached(eto, "N84") == {
        "discrete-gpus": 1,
        "ai-asics": 1,
        "advanced-logic-fabrication": 2,
        "advanced-packaging": 3,
    }
    assert outputs_reached(eto, "N71") == {
        "advanced-packaging": 1,
        "discrete-gpus": 2,
        "ai-asics": 2,
    }


def test_exposure_tiers_follow_the_sequence_then_the_model_links(eto: EtoData) -> None:
    atlas = load_atlas()
    reach = input_reach(eto, atlas, "N71")
    tiers: dict[int, set[str]] = {}
    for r in reach.exposed:
        tiers.setdefault(r["tier"], set()).add(r["company"])
    assert {"amkor", "ase-technology", "tsmc"} <= tiers[1]  # packagers
    assert {"nvidia", "amd", "broadcom"} <= tiers[2]  # the chips' designers
    assert {"microsoft", "amazon", "coreweave"} <= tiers[3]  # clouds (model.yaml links)
    assert {"openai", "anthropic"} <= tiers[4]  # labs
    assert not {"asml", "sk-hynix"} & set().union(*tiers.values())


def test_reach_excludes_the_inputs_own_suppliers(eto: EtoData) -> None:
    atlas = load_atlas()
    with_supplier = input_reach(eto, atlas, "N20", {"tsmc"})
    without = input_reach(eto, atlas, "N20")
    assert with_supplier.downstream == without.downstream - 1
    assert 0 < with_supplier.reach < 1


def test_shipped_output_definitions_are_complete() -> None:
    ids = [o.id for o in ai_outputs()]
    assert ids == [
        "advanced-logic-fabrication",
        "dram-hbm",
        "advanced-packaging",
        "discrete-gpus",
        "ai-asics",
    ]
    atlas = load_atlas()
    for o in ai_outputs():
        assert o.basis and set(o.segments) <= set(atlas.segments)
