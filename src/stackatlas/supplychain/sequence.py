"""The supply sequence (``sequence.csv``) as a graph: what is downstream of an input.

Edges run from an input to what it ``goes_into`` and to what it ``is_type_of`` (a kind of
lithography tool flows wherever lithography tools flow). The stage of an input is its own
``stage_id`` or, when it has none, the stages of the first staged nodes downstream of it
(electronic gases feed fabrication materials (S2) and ATP materials (S3)).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cached_property

from stackatlas.supplychain.dataset import EtoData
from stackatlas.supplychain.models import InputType


@dataclass(frozen=True, eq=False)
class SupplySequence:
    """Adjacency of the sequence graph and the traversals built on it."""

    eto: EtoData

    @cached_property
    def out(self) -> dict[str, list[str]]:
        edges: dict[str, list[str]] = {}
        for edge in self.eto.sequence:
            targets = edges.setdefault(edge.input_id, [])
            if edge.target not in targets:
                targets.append(edge.target)
        return edges

    @cached_property
    def into(self) -> dict[str, list[str]]:
        edges: dict[str, list[str]] = {}
        for src, targets in self.out.items():
            for dst in targets:
                edges.setdefault(dst, []).append(src)
        return edges

    def downstream(self, node: str) -> list[str]:
        """Every node reachable from ``node``, nearest first (``node`` itself excluded)."""
        return _bfs(node, self.out)

    def distances(self, node: str) -> dict[str, int]:
        """Steps from ``node`` to every node downstream (``node`` itself at 0)."""
        dist = {node: 0}
        queue = deque([node])
        while queue:
            current = queue.popleft()
            for nxt in self.out.get(current, []):
                if nxt not in dist:
                    dist[nxt] = dist[current] + 1
                    queue.append(nxt)
        return dist

    def upstream(self, node: str) -> list[str]:
        """Every node that reaches ``node``, nearest first."""
        return _bfs(node, self.into)

    def children(self, node: str) -> list[str]:
        """Inputs that are a type of ``node`` (its sub-categories)."""
        return [e.input_id for e in self.eto.sequence if e.is_type_of_id == node]

    def stages_of(self, node: str) -> list[str]:
        """The stage ids of an input (own stage, else the first staged nodes downstream)."""
        own = self.eto.inputs[node].stage_id if node in self.eto.inputs else None
        if own:
            return [own]
        found: list[str] = []
        seen = {node}
        queue = deque(self.out.get(node, []))
        while queue:
            current = queue.popleft()
            if current in seen:
                continue
            seen.add(current)
            stage = self.eto.inputs[current].stage_id if current in self.eto.inputs else None
            if stage:
                if stage not in found:
                    found.append(stage)
                continue  # stop at the first staged node on this path
            queue.extend(self.out.get(current, []))
        return sorted(found)

    def process_path(self, node: str) -> list[str]:
        """The processes (and the final output) downstream of ``node``, nearest first."""
        keep = (InputType.PROCESS, InputType.ULTIMATE_OUTPUT)
        return [n for n in self.downstream(node) if self.eto.inputs[n].type in keep]

    def is_leaf(self, node: str) -> bool:
        """True for a most specific category: no input is a type of ``node`` and no input of
        the same type goes into it (ETO files "Dry etching and cleaning tools" as going into
        "Etch and clean tools", a tool category holding it)."""
        if self.children(node):
            return False
        kind = self.eto.inputs[node].type if node in self.eto.inputs else None
        return not any(
            self.eto.inputs[src].type == kind
            for src in self.into.get(node, [])
            if src in self.eto.inputs
        )


def _bfs(start: str, edges: dict[str, list[str]]) -> list[str]:
    order: list[str] = []
    seen = {start}
    queue = deque(edges.get(start, []))
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        order.append(current)
        queue.extend(edges.get(current, []))
    return order
