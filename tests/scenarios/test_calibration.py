"""Calibration pin: a generic single-supplier disruption under the shipped default parameters.

Target (Barrot & Sauvagnat 2016, QJE, doi:10.1093/qje/qjw018; MIT Sloan press release
2015-03-05): a supplier hit by a natural disaster loses about 5 pp of sales growth over two or
three quarters; its customers lose about 2 pp. See docs/scenario-calibration.md.

Hand check with the defaults (rate 0.5, headroom 0.04, inventory 0.01 quarters): quarter 1
gross shortfall 1.0 x 5% = 5%, minus 0.5 x 4% absorbed, minus 1% from inventory = 2.0%;
quarter 2: 5% - 0.75 x 4% = 2.0% (inventory used up); afterwards 0.
"""

from __future__ import annotations

import numpy as np
import pytest

from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.params import model_config
from stackatlas.scenarios.propagate import propagate
from stackatlas.scenarios.run import model_values
from stackatlas.scenarios.shocks import profile


def _generic(input_share: float | None = None, **changes: float) -> np.ndarray:
    model = model_config()
    cal = model.calibration
    values = {name: spec.default for name, spec in model.params.items()} | changes
    quarters = int(values["horizon_quarters"])
    net = SupplyNetwork.from_edges(
        ["supplier", "customer", "other-supplier"],
        ["supplier", "other-supplier"],
        ["customer", "customer"],
        [input_share or cal["input_share"], 1.0],
        [cal["revenue_share"], cal["revenue_share"]],
        group=["specific", "other-input"],
    )
    shock = np.zeros((quarters, 3, 1))
    shock[:, 0, 0] = (
        cal["supplier_sales_drop"] * profile(quarters, 0, cal["supplier_drop_quarters"], 0)[:, 0]
    )
    zeros = np.zeros_like(shock)
    return propagate(net, shock, zeros, zeros, model_values(values)).output_loss[:, :, 0]


def test_default_parameters_reproduce_barrot_sauvagnat() -> None:
    cal = model_config().calibration
    loss = _generic()
    supplier, customer, other = loss[:, 0], loss[:, 1], loss[:, 2]
    assert supplier.max() == pytest.approx(cal["supplier_sales_drop"])
    low, high = cal["customer_band"]
    assert low <= customer.max() <= high
    assert customer.max() == pytest.approx(cal["customer_sales_drop"], abs=0.0025)
    np.testing.assert_allclose(customer[:3], [0.02, 0.02, 0.0], atol=1e-12)
    # horizontal spillover: the customer's other supplier loses orders (revenue share 0.1)
    assert other.max() == pytest.approx(0.1 * 0.02)


def test_calibration_depends_on_the_calibrated_parameters() -> None:
    """The pin is not vacuous: less substitution or no inventory move the customer loss out
    of the 2 pp point, and a less specific input is absorbed."""
    assert _generic(substitution_headroom=0.01)[:, 1].max() > 0.04
    assert _generic(inventory_quarters=0.0)[:, 1].max() == pytest.approx(0.03)
    assert _generic(input_share=0.5)[:, 1].max() == 0.0
