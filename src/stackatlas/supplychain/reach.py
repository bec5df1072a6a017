"""Downstream reach of an ETO input: the AI outputs it feeds and the atlas companies exposed.

Rules (``data/supplychain/outputs.yaml`` holds the output definitions and their basis):

1. **Path**: the processes downstream of the input in ``sequence.csv`` (``sequence.py``).
2. **AI outputs reached**: advanced logic fabrication, DRAM / HBM, advanced packaging, discrete
   GPUs, AI ASICs, each when one of its ``via`` nodes or stages is on the path.
3. **Exposed atlas companies**, by tier: tier 1 makes a reached output (membership weight > 0
   in its segments); later tiers follow the scenario model's supplier -> customer segment links
   (``model.yaml``: foundry -> chip designers -> clouds -> labs).
4. **Reach** (for chokepoint scores, as in ``analysis.concentration``): the exposed companies
   plus every company placed in a layer above chips, over all placed companies, less the
   input's own atlas providers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import ValidationError
from stackatlas.scenarios.yamlmarks import load_marked
from stackatlas.supplychain.dataset import EtoData

OUTPUTS_FILE = "outputs.yaml"


class Via(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    nodes: list[str] = Field(default_factory=list)
    stages: list[str] = Field(default_factory=list)


class AiOutput(BaseModel):
    """One AI-relevant output of the chip supply chain."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name: str
    via: Via
    entry_stages: list[str] = Field(default_factory=list)
    segments: list[str]
    eto_node: str | None = None
    basis: str


@cache
def ai_outputs() -> tuple[AiOutput, ...]:
    """The shipped output definitions (validated; problems name file, line and field)."""
    entry = resources.files("stackatlas").joinpath("data", "supplychain", OUTPUTS_FILE)
    doc = load_marked(
        entry.read_text(encoding="utf-8"), f"stackatlas/data/supplychain/{OUTPUTS_FILE}"
    )
    raw = doc.data.get("outputs") if isinstance(doc.data, dict) else None
    if not isinstance(raw, list):
        raise ValidationError(doc.problem(("outputs",), "expected a list of outputs"))
    out, problems = [], []
    for i, item in enumerate(raw):
        try:
            out.append(AiOutput.model_validate(item))
        except PydanticError as exc:
            for err in exc.errors():
                problems.append(doc.problem(("outputs", i, *err["loc"]), err["msg"]))
    if problems:
        raise ValidationError(problems)
    return tuple(out)


@dataclass(frozen=True)
class Reach:
    """Where one input leads."""

    input_id: str
    stages: list[str]
    path: list[str]  # process ids downstream, nearest first
    outputs: dict[str, int]  # AI output id -> steps along the sequence
    exposed: list[dict[str, Any]]  # company, name, segment, tier, via; by tier
    reach: float  # share of placed atlas companies downstream (0..1)
    downstream: int  # how many companies that is

    def to_dict(self, eto: EtoData) -> dict[str, Any]:
        return {
            "stages": self.stages,
            "path": [eto.name_of(n) for n in self.path],
            "ai_outputs": list(self.outputs),
            "exposed_companies": self.exposed,
            "reach": self.reach,
            "downstream_companies": self.downstream,
        }


def outputs_reached(eto: EtoData, input_id: str) -> dict[str, int]:
    """AI outputs an input reaches (rule 2), each with its distance along the sequence (the
    steps to its nearest ``via`` node; 0 when the input enters at one of its stages)."""
    graph = eto.graph
    dist = graph.distances(input_id)
    own = set(graph.stages_of(input_id))
    hits: dict[str, int] = {}
    for out in ai_outputs():
        if out.entry_stages and not own & set(out.entry_stages):
            continue
        steps = [dist[n] for n in out.via.nodes if n in dist]
        steps += [
            d
            for n, d in dist.items()
            if n in eto.inputs and eto.inputs[n].stage_id in out.via.stages
        ]
        if own & set(out.via.stages):
            steps.append(0)
        if steps:
            hits[out.id] = min(steps)
    return dict(sorted(hits.items(), key=lambda kv: kv[1]))


@dataclass(frozen=True)
class AtlasExposure:
    """The atlas side of reach: segment members, segment links, layers (cached per atlas)."""

    members: dict[str, list[str]]  # segment -> companies with weight > 0
    links: dict[str, list[str]]  # supplier segment -> customer segments (model.yaml)
    placed: dict[str, int]  # company -> highest layer index it is placed in
    chips_level: int
    exposed: dict[tuple, list[dict[str, Any]]] = field(default_factory=dict)  # _exposed cache


def atlas_exposure(atlas: Atlas) -> AtlasExposure:
    key = atlas.version or str(id(atlas))
    if key not in _EXPOSURE:
        _EXPOSURE.clear()
        _EXPOSURE[key] = _build_exposure(atlas)
    return _EXPOSURE[key]


_EXPOSURE: dict[str, AtlasExposure] = {}


def _build_exposure(atlas: Atlas) -> AtlasExposure:
    from stackatlas.scenarios.params import model_config

    members: dict[str, list[str]] = {}
    order = {lid: i for i, lid in enumerate(atlas.layer_ids)}
    placed: dict[str, int] = {}
    for m in atlas.memberships:
        if m.weight <= 0 or m.segment not in atlas.layer_of_segment:
            continue
        members.setdefault(m.segment, []).append(m.company)
        level = order[atlas.layer_of_segment[m.segment]]
        placed[m.company] = max(placed.get(m.company, -1), level)
    links: dict[str, list[str]] = {}
    for link in model_config().network.get("links", []):
        market = link.get("market")
        suppliers = (
            [atlas.markets[market].segment] if market in atlas.markets else link.get("segments", [])
        )
        for seg in suppliers:
            for cust in link.get("customers", []):
                if cust != seg and cust not in links.setdefault(seg, []):
                    links[seg].append(cust)
    return AtlasExposure(members, links, placed, order.get("chips", 1))


def exposed_companies(atlas: Atlas, outputs: dict[str, int]) -> list[dict[str, Any]]:
    """Atlas companies exposed through the reached outputs (cached per atlas and outputs);
    see ``_exposed``."""
    key = tuple(outputs.items())
    cache = atlas_exposure(atlas).exposed
    if key not in cache:
        cache[key] = _exposed(atlas, outputs)
    return cache[key]


def _exposed(atlas: Atlas, outputs: dict[str, int]) -> list[dict[str, Any]]:
    """Atlas companies exposed through the reached outputs (rule 3). Tiers follow the
    sequence: the nearest output's makers are tier 1, the next output's tier 2 ...; segments
    the model links lead to after that (clouds, labs) come next, one tier per link."""
    ex = atlas_exposure(atlas)
    by_id = {o.id: o for o in ai_outputs()}
    rows: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()

    def add(seg: str, tier: int, via: str) -> None:
        for company in ex.members.get(seg, []):
            if company not in rows:
                name = atlas.companies[company].name
                rows[company] = {
                    "company": company,
                    "name": name,
                    "segment": seg,
                    "tier": tier,
                    "via": via,
                }

    ranks = {d: i + 1 for i, d in enumerate(sorted(set(outputs.values())))}
    for oid, steps in outputs.items():
        for seg in by_id[oid].segments:
            if seg not in seen:
                seen.add(seg)
                add(seg, ranks[steps], oid)
    frontier = [(seg, seg) for seg in list(seen)]
    tier = len(ranks) + 1
    while frontier:
        nxt = []
        for seg, _ in frontier:
            for cust in ex.links.get(seg, []):
                if cust not in seen:
                    seen.add(cust)
                    add(cust, tier, f"segment:{seg}")
                    nxt.append((cust, seg))
        frontier, tier = nxt, tier + 1
    return sorted(rows.values(), key=lambda r: (r["tier"], r["company"]))


def input_reach(
    eto: EtoData, atlas: Atlas, input_id: str, suppliers: set[str] | None = None
) -> Reach:
    """Path, outputs, exposed companies and reach of one input (module doc)."""
    graph = eto.graph
    outputs = outputs_reached(eto, input_id)
    exposed = exposed_companies(atlas, outputs)
    ex = atlas_exposure(atlas)
    suppliers = suppliers or set()
    above = {c for c, level in ex.placed.items() if level > ex.chips_level}
    names = {r["company"] for r in exposed}
    downstream = (above | names) - suppliers
    universe = (set(ex.placed) | names) - suppliers
    reach = len(downstream) / len(universe) if universe else 0.0
    return Reach(
        input_id,
        graph.stages_of(input_id),
        graph.process_path(input_id),
        outputs,
        exposed,
        reach,
        len(downstream),
    )
