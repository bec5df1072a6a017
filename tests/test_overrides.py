"""One KEY=VALUE parser for the CLI's --set and the web forms."""

from __future__ import annotations

import pytest

from stackatlas.errors import Problem, ValidationError
from stackatlas.overrides import OVERRIDES, parse_overrides
from stackatlas.scenarios.params import parse_override


def test_numbers_and_pairs() -> None:
    assert parse_overrides(["growth_2027=0.6", " lag = 2 "]) == {"growth_2027": 0.6, "lag": 2.0}
    assert parse_overrides([("capacity_loss", "0.5")]) == {"capacity_loss": 0.5}
    assert parse_overrides([]) == {}


def test_every_bad_item_is_reported_at_once_under_a_neutral_label() -> None:
    with pytest.raises(ValidationError) as info:
        parse_overrides(["growth_2027", "=1", "lag=soon", "ok=1"], syntax="KEY=NUMBER")
    assert info.value.problems == [
        Problem(OVERRIDES, None, "growth_2027", "expected KEY=NUMBER, got 'growth_2027'"),
        Problem(OVERRIDES, None, None, "expected KEY=NUMBER, got '=1'"),
        Problem(OVERRIDES, None, "lag", "cannot read 'soon' (KEY=NUMBER)"),
    ]


def test_a_value_parser_locates_its_own_problems_at_the_key() -> None:
    spread = parse_overrides(["capex_cut=triangular(0.1,0.3,0.6)"], parse_override)
    assert spread == {"capex_cut": {"kind": "triangular", "low": 0.1, "mode": 0.3, "high": 0.6}}
    with pytest.raises(ValidationError) as info:
        parse_overrides(["capex_cut=beta(1,2)"], parse_override, label="form")
    (problem,) = info.value.problems
    assert (problem.file, problem.column) == ("form", "capex_cut")
    assert problem.message.startswith("cannot read value 'beta(1,2)'")
