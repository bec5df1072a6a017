"""Scenario files: shipped library, validation errors with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackatlas.errors import NotFoundError, ValidationError
from stackatlas.scenarios import list_scenarios, load_scenario
from stackatlas.scenarios.expr import parse_expr
from stackatlas.scenarios.params import data_dir, model_config, parse_override

SHIPPED = {
    "taiwan-quake",
    "efficiency-shock",
    "capex-pullback",
    "power-crunch",
    "ai-revenue-shortfall",
    "litho-export-stop",
    "japan-materials-curb",
}


def test_shipped_library() -> None:
    assert {s["name"] for s in list_scenarios()} == SHIPPED


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_parameter_has_default_range_and_basis(name: str) -> None:
    spec = load_scenario(name)
    assert spec.params, "each shipped scenario has parameters"
    for p in spec.all_params().values():
        assert p.low <= p.default <= p.high
        assert p.description
        assert p.basis.assumption or (p.basis.title and (p.basis.url or p.basis.doi))
        if p.distribution is not None:
            assert p.low <= p.distribution.center <= p.high


def test_model_yaml_links_have_coverage_and_basis() -> None:
    network = model_config().network
    for link in network["links"]:
        assert 0 < link["coverage"] <= 1
        assert link["basis"]
    fill = network["unknown_revenue_usd_bn"]
    assert fill["range"][0] <= fill["value"] <= fill["range"][1] and fill["basis"]


def test_no_bare_model_numbers_in_engine() -> None:
    """Model parameters come from YAML: the engine modules hold no tuning constants beyond
    0, 1, 2 (midpoints), 4 (quarters per year), 100 (percent) and unit conversions."""
    import re

    allowed = {
        "0",
        "1",
        "0.0",
        "1.0",
        "2",
        "4",
        "4.0",
        "100",  # structure, percent
        "1e-9",
        "1e-3",
        "0.01",
    }  # unit conversions (usd, usd_million, percent), display
    for module in (
        "propagate.py",
        "shocks.py",
        "network.py",
        "run.py",
        "atlas_network.py",
        "eto_network.py",
    ):
        text = (data_dir().parent.parent / "scenarios" / module).read_text()
        code = "\n".join(
            line.split("#")[0]
            for line in text.splitlines()
            if not line.strip().startswith(('"', "'"))
        )
        numbers = set(re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])", code))
        assert numbers <= allowed, (module, numbers - allowed)


def test_errors_name_file_line_and_field(fixtures: Path) -> None:
    path = fixtures / "scenarios" / "bad-scenario.yaml"
    with pytest.raises(ValidationError) as info:
        load_scenario(path)
    found = {(p.line, p.column) for p in info.value.problems}
    assert (5, "parameters.cut.default") in found  # default 1.5 outside [0, 1]
    assert (15, "parameters.spread.distribution.kind") in found  # gamma is not supported
    assert (20, "shocks.0.size") in found  # unknown parameter nosuch
    assert (21, "shocks.1.kind") in found
    assert (23, "shocks.1.size") in found  # a function call is refused
    assert all(p.file == str(path) for p in info.value.problems)
    assert "outside the range" in str(info.value)


def test_unknown_company_is_located(fixtures: Path) -> None:
    from stackatlas.atlas.loader import load_atlas
    from stackatlas.scenarios import run_scenario

    with pytest.raises(ValidationError) as info:
        run_scenario(fixtures / "scenarios" / "unknown-company.yaml", atlas=load_atlas())
    (problem,) = info.value.problems
    assert problem.line == 7
    assert problem.column == "shocks.0.targets.companies.1"
    assert "nvidiaa" in problem.message and "nvidia" in problem.message


def test_unknown_scenario_suggests() -> None:
    with pytest.raises(NotFoundError) as info:
        load_scenario("taiwan-quak")
    assert "taiwan-quake" in info.value.suggestions
    with pytest.raises(NotFoundError):
        load_scenario("model")  # the model file is not a scenario


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: x\nshocks:\n  - kind: supply\n    targets: {companies: [a]\n")
    with pytest.raises(ValidationError) as info:
        load_scenario(bad)
    assert info.value.problems[0].line is not None
    assert info.value.problems[0].file == str(bad)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{kind: normal, mean: 0.3}", "needs a number 'sd'"),
        ("{kind: uniform, low: 0.5, high: 0.2}", "must be below high"),
        ("{kind: lognormal, median: 0.3, sigma: -1}", "must be positive"),
        ("{kind: uniform, low: 0.1, high: 2.0}", "leaves the parameter's range"),
        ("[0.1, 0.2]", "must be a mapping"),
    ],
)
def test_bad_distribution_specs(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "dist.yaml"
    path.write_text(f"""name: dist
parameters:
  x:
    default: 0.3
    range: [0, 1]
    description: test
    basis: {{assumption: test}}
    distribution: {text}
shocks:
  - {{kind: supply, targets: {{companies: [tsmc]}}, size: x}}
""")
    with pytest.raises(ValidationError) as info:
        load_scenario(path)
    assert message in str(info.value)
    assert info.value.problems[0].line == 8


def test_source_basis_needs_url_or_doi(tmp_path: Path) -> None:
    path = tmp_path / "basis.yaml"
    path.write_text("""name: b
parameters:
  x: {default: 0.3, range: [0, 1], description: d, basis: {title: T, publisher: P, year: 2020}}
shocks:
  - {kind: supply, targets: {companies: [tsmc]}, size: x}
""")
    with pytest.raises(ValidationError, match="url or doi"):
        load_scenario(path)


def test_parse_override() -> None:
    assert parse_override("0.25") == 0.25
    assert parse_override("triangular(0.1, 0.3, 0.6)") == {
        "kind": "triangular",
        "low": 0.1,
        "mode": 0.3,
        "high": 0.6,
    }
    with pytest.raises(ValidationError, match="takes 2 arguments"):
        parse_override("uniform(0.1)")
    with pytest.raises(ValidationError):
        parse_override("gamma(1, 2)")


def test_expressions_are_safe() -> None:
    assert parse_expr("min(a, 2) * (1 - b) ** t").names == {"a", "b", "t"}
    for bad in ("__import__('os')", "a.b", "[1, 2]", "a if b else c", "'text'"):
        with pytest.raises(ValueError):
            parse_expr(bad)


# ---- hostile scenario files (issue 11) ------------------------------------------------------
def _quake_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (data_dir() / "taiwan-quake.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "edited.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_3000_term_expression_is_a_located_error(tmp_path: Path) -> None:
    long_sum = "+".join(["capacity_loss"] * 3000)
    path = _quake_with(tmp_path, "size: capacity_loss\n", f"size: {long_sum}\n")
    with pytest.raises(ValidationError) as err:
        load_scenario(path)
    (problem,) = err.value.problems
    assert problem.column == "shocks.0.size" and problem.line is not None
    assert "41,999 characters long" in problem.message


def test_deep_brackets_in_an_expression_are_refused() -> None:
    with pytest.raises(ValueError, match=r"too many nested parentheses|nested"):
        parse_expr("(" * 400 + "x" + ")" * 400)
    with pytest.raises(ValueError, match="nested more than 40 levels"):
        parse_expr("-" * 60 + "x")


def test_negative_constant_duration_is_refused_when_loaded(tmp_path: Path) -> None:
    path = _quake_with(tmp_path, "duration: outage_quarters\n", "duration: -5\n")
    with pytest.raises(ValidationError) as err:
        load_scenario(path)
    (problem,) = err.value.problems
    assert problem.column == "shocks.0.duration" and problem.line == 44
    assert "0 or more, got -5" in problem.message


def test_non_finite_size_is_refused_before_the_run(tmp_path: Path) -> None:
    from stackatlas.scenarios import run_scenario

    path = _quake_with(tmp_path, "size: capacity_loss\n", "size: capacity_loss/0\n")
    with pytest.raises(ValidationError) as err:
        run_scenario(path)
    (problem,) = err.value.problems
    assert (problem.column, problem.line) == ("shocks.0.size", 43)
    assert "'capacity_loss/0' gives inf at the default parameters" in problem.message


def test_expression_negative_only_in_some_draws_is_refused(tmp_path: Path) -> None:
    from stackatlas.scenarios import run_scenario

    # outage_quarters: default 1, drawn from uniform(0.5, 3): 'outage_quarters - 1' is 0 at
    # the default and negative in about a fifth of the draws
    path = _quake_with(tmp_path, "duration: outage_quarters\n", "duration: outage_quarters - 1\n")
    run_scenario(path)
    with pytest.raises(ValidationError, match="duration must be 0 or more"):
        run_scenario(path, draws=50)


@pytest.mark.parametrize(("draws", "seed", "field"), [(0, -1, "seed"), (-1, 0, "draws")])
def test_seed_and_draws_out_of_range(draws: int, seed: int, field: str) -> None:
    from stackatlas.scenarios import run_scenario

    with pytest.raises(ValidationError) as err:
        run_scenario("taiwan-quake", draws=draws, seed=seed)
    assert err.value.problems[0].column == field


def test_non_utf8_and_aliased_scenario_files(tmp_path: Path) -> None:
    text = (data_dir() / "taiwan-quake.yaml").read_text(encoding="utf-8")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(text.replace("Taiwan earthquake", "Ta\u00efwan quake").encode("latin-1"))
    with pytest.raises(ValidationError, match=r"latin.yaml:2: not UTF-8"):
        load_scenario(latin)
    laughs = tmp_path / "laughs.yaml"
    laughs.write_text(text + "x: &x [1, 2]\ny: [*x, *x]\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="repeats a list or mapping"):
        load_scenario(laughs)
