"""Cross-check: the vectorised engine equals an independent networkx version of the model."""

from __future__ import annotations

import numpy as np
import pytest

from stackatlas.scenarios.params import model_config
from stackatlas.scenarios.propagate import ModelValues, propagate
from stackatlas.scenarios.run import model_values
from tests.scenarios import networkx_reference


@pytest.fixture(scope="module")
def bench():
    pytest.importorskip("networkx")
    return networkx_reference


def _engine(net, values: ModelValues, supply: np.ndarray) -> np.ndarray:
    zeros = np.zeros_like(supply)
    return propagate(net, supply, zeros, zeros, values).output_loss[:, :, 0]


@pytest.mark.parametrize(
    "values",
    [
        model_values({k: p.default for k, p in model_config().params.items()}),
        ModelValues(0.2, 0.1, 0.05, 0.5, 200, 1e-12),
    ],
)
def test_engine_matches_networkx_reference(bench, values: ModelValues) -> None:
    net = bench.scale_free_network(300, 2_000, seed=4)
    shock = bench.hub_shock(net)
    shock[:, 7, 0] = 0.5  # a second, smaller supplier too
    fast = _engine(net, values, shock)
    slow = bench.networkx_propagation(net, values, shock)
    assert fast.max() > 0.1 and (fast > 0).sum() > 100  # the shock actually spread
    np.testing.assert_allclose(fast, slow, atol=1e-12)


def test_generator_is_scale_free_and_seeded(bench) -> None:
    a = bench.scale_free_network(2_000, 20_000, seed=1)
    b = bench.scale_free_network(2_000, 20_000, seed=1)
    np.testing.assert_array_equal(a.supplier, b.supplier)
    degree = np.bincount(a.supplier, minlength=a.n_nodes)
    assert degree.max() > 50 * np.median(degree[degree > 0])  # heavy-tailed hubs
    assert np.all(a.supplier < a.customer)  # acyclic by construction
