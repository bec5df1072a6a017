"""The supply network: companies as nodes, supplier -> customer edges with two weights.

``input_share`` is the share of the customer's input in one *input group* (foundry, memory,
power ...) that comes from the supplier; ``revenue_share`` is the share of the supplier's
revenue that comes from the customer. A customer's output is limited by its worst input group
(Leontief minimum), so edges are aggregated into (customer, group) *pairs*.

Build one from the atlas with ``build_network(atlas)`` (see ``atlas_network.py``) or from plain
arrays with ``SupplyNetwork.from_edges`` (tests, benchmarks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from stackatlas.errors import ValidationError


@dataclass(frozen=True)
class Pairs:
    """(customer, input group) pairs sorted by customer, with the sparse input matrix."""

    P: sp.csr_matrix  # (n_pairs, n_nodes) input shares
    customer: np.ndarray  # customer node of each pair
    group: np.ndarray  # group index of each pair
    exposure: np.ndarray  # share of the customer's output that needs this input group
    starts: np.ndarray  # first pair of each customer that has pairs (for reduceat)
    customers_with_pairs: np.ndarray
    edge_pair: np.ndarray  # pair index of every edge


@dataclass(frozen=True, eq=False)
class SupplyNetwork:
    """Nodes and edges as numpy arrays; sparse operators are derived lazily."""

    ids: np.ndarray  # node ids (str)
    revenue: np.ndarray  # baseline annual revenue, USD billions (NaN = unknown)
    supplier: np.ndarray  # int edge arrays
    customer: np.ndarray
    input_share: np.ndarray
    revenue_share: np.ndarray
    group: np.ndarray  # int index into group_names
    group_names: tuple[str, ...]
    edge_exposure: np.ndarray  # share of the customer's output needing this edge's group
    edge_origin: np.ndarray  # where each edge came from: market:<id>, flow:<id>, dependency ...
    edge_kind: np.ndarray  # explicit (dependencies.csv) / flow (flows.csv) / inferred (links)
    names: np.ndarray | None = None
    layer: np.ndarray | None = None  # primary layer per node ("" unknown)
    segment: np.ndarray | None = None  # primary segment per node
    margin: np.ndarray | None = None  # contribution margin per node (NaN = use default)
    segment_weights: pd.DataFrame | None = None  # node x segment revenue-exposure weights
    segment_active: pd.DataFrame | None = None  # node x segment: connected in the network
    revenue_basis: np.ndarray | None = None  # evidence / source note of each revenue
    notes: list[str] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)  # extensions' node data (eto_network)

    @property
    def n_nodes(self) -> int:
        return len(self.ids)

    @property
    def n_edges(self) -> int:
        return len(self.supplier)

    @cached_property
    def index(self) -> dict[str, int]:
        return {str(cid): i for i, cid in enumerate(self.ids)}

    @cached_property
    def pairs(self) -> Pairs:
        n, g = self.n_nodes, max(len(self.group_names), 1)
        key = self.customer.astype(np.int64) * g + self.group
        uniq, edge_pair = np.unique(key, return_inverse=True)
        cust = (uniq // g).astype(np.int64)
        P = sp.csr_matrix((self.input_share, (edge_pair, self.supplier)), shape=(len(uniq), n))
        P.sum_duplicates()
        exposure = np.zeros(len(uniq))
        np.maximum.at(exposure, edge_pair, self.edge_exposure)
        starts = (
            np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]])
            if len(cust)
            else np.zeros(0, dtype=np.int64)
        )
        return Pairs(
            P,
            cust,
            (uniq % g).astype(np.int64),
            np.minimum(exposure, 1.0),
            starts,
            cust[starts],
            edge_pair,
        )

    @cached_property
    def R(self) -> sp.csr_matrix:
        """Revenue shares, rows = suppliers, columns = customers."""
        n = self.n_nodes
        R = sp.csr_matrix((self.revenue_share, (self.supplier, self.customer)), shape=(n, n))
        R.sum_duplicates()
        return R

    @classmethod
    def from_edges(
        cls,
        ids: Sequence[str],
        supplier: Sequence[str],
        customer: Sequence[str],
        input_share: Sequence[float],
        revenue_share: Sequence[float],
        *,
        group: Sequence[str] | None = None,
        revenue: Sequence[float] | None = None,
        exposure: Sequence[float] | None = None,
        **extra: Any,
    ) -> SupplyNetwork:
        """A network from id lists; ``group`` defaults to the supplier's id (one group each)."""
        ids_arr = np.asarray(list(ids), dtype=object)
        index = {c: i for i, c in enumerate(ids_arr)}
        unknown = sorted({x for x in [*supplier, *customer] if x not in index})
        if unknown:
            raise ValidationError(f"edges name unknown node(s): {unknown}")
        sup = np.array([index[s] for s in supplier], dtype=np.int64)
        cus = np.array([index[c] for c in customer], dtype=np.int64)
        groups = list(group) if group is not None else list(supplier)
        names, gidx = np.unique(np.asarray(groups, dtype=object), return_inverse=True)
        return cls.from_arrays(
            ids_arr,
            sup,
            cus,
            np.asarray(input_share, float),
            np.asarray(revenue_share, float),
            gidx.astype(np.int64),
            tuple(str(x) for x in names),
            revenue=None if revenue is None else np.asarray(revenue, float),
            exposure=None if exposure is None else np.asarray(exposure, float),
            **extra,
        )

    @classmethod
    def from_arrays(
        cls,
        ids: np.ndarray,
        supplier: np.ndarray,
        customer: np.ndarray,
        input_share: np.ndarray,
        revenue_share: np.ndarray,
        group: np.ndarray,
        group_names: tuple[str, ...],
        *,
        revenue: np.ndarray | None = None,
        exposure: np.ndarray | None = None,
        origin: np.ndarray | None = None,
        kind: np.ndarray | None = None,
        **extra: Any,
    ) -> SupplyNetwork:
        """Validate and normalise: shares in [0, 1], per-pair input shares and per-supplier
        revenue shares summing to at most 1 (scaled down proportionally when above)."""
        n, m = len(ids), len(supplier)
        for name, arr in (("input_share", input_share), ("revenue_share", revenue_share)):
            if len(arr) != m or np.any(~np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
                raise ValidationError(f"{name} must hold {m} values within [0, 1]")
        if m and (np.any(supplier == customer)):
            raise ValidationError("self-edges (supplier == customer) are not allowed")
        notes: list[str] = list(extra.pop("notes", []) or [])
        ext: dict[str, object] = dict(extra.pop("extra", {}) or {})
        input_share = _cap_sums(input_share, customer * max(len(group_names), 1) + group)
        revenue_share = _cap_sums(revenue_share, supplier)
        return cls(
            ids=ids,
            revenue=np.full(n, np.nan) if revenue is None else revenue,
            supplier=supplier,
            customer=customer,
            input_share=input_share,
            revenue_share=revenue_share,
            group=group,
            group_names=group_names,
            edge_exposure=np.ones(m) if exposure is None else np.clip(exposure, 0, 1),
            edge_origin=np.full(m, "edge", dtype=object) if origin is None else origin,
            edge_kind=np.full(m, "explicit", dtype=object) if kind is None else kind,
            notes=notes,
            extra=ext,
            **extra,
        )

    def edges_frame(self) -> pd.DataFrame:
        """Edges as a DataFrame with node ids and group names."""
        return pd.DataFrame(
            {
                "supplier": self.ids[self.supplier],
                "customer": self.ids[self.customer],
                "group": np.asarray(self.group_names, dtype=object)[self.group]
                if self.group_names
                else "",
                "input_share": self.input_share,
                "revenue_share": self.revenue_share,
                "exposure": self.edge_exposure,
                "origin": self.edge_origin,
                "edge_kind": self.edge_kind,
            }
        )

    def nodes_frame(self) -> pd.DataFrame:
        n = self.n_nodes
        blank = np.full(n, "", dtype=object)
        return pd.DataFrame(
            {
                "company": self.ids,
                "name": self.names if self.names is not None else self.ids,
                "segment": self.segment if self.segment is not None else blank,
                "layer": self.layer if self.layer is not None else blank,
                "revenue_usd_bn": self.revenue,
            }
        )


def _cap_sums(values: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Scale groups of values (by key) whose sum exceeds 1 down to sum 1."""
    if not len(values):
        return values.astype(float)
    uniq, inv = np.unique(key, return_inverse=True)
    sums = np.bincount(inv, weights=values, minlength=len(uniq))
    scale = 1.0 / np.maximum(sums, 1.0)
    return values * scale[inv]
