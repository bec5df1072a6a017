"""The layering rule: imports between stackatlas packages run one way, down the stack
(docs/architecture.md). Every package or top-level module has a rank; a module may import its
own package and anything ranked lower. The few upward imports that exist are named below with
their reason: a new one fails this test until it is moved down or argued into the list."""

from __future__ import annotations

import ast
from pathlib import Path

import stackatlas

SRC = Path(stackatlas.__file__).parent

# Lowest first. Units on one line share a rank and may not import each other (except as allowed
# by a lower rank); ``charts.theme`` (the palette, no plotly) sits with the foundation.
RANKS: list[tuple[str, ...]] = [
    ("_version", "errors", "evidence", "_lazy"),
    ("config", "display", "_io", "overrides", "safe_yaml", "scale", "charts.theme"),
    ("outputs", "notebook", "_memo"),
    ("atlas",),
    ("store",),
    ("sec",),
    ("fundamentals",),
    ("resolver", "infra"),
    ("supplychain",),
    ("analysis",),
    ("scenarios",),
    ("portfolio",),
    ("charts",),
    ("export",),
    ("bundle", "web"),
    ("pipeline",),
    ("mcp_server",),
    ("cli",),
    ("__init__",),
]
RANK = {unit: i for i, units in enumerate(RANKS) for unit in units}

# (importing module, imported unit): the upward imports that stand, each with its reason.
UPWARD = {
    # a company profile lists its supply-network edges and its filings' major customers
    ("atlas/views.py", "scenarios"),
    ("atlas/views.py", "sec"),
    # the ETO input table names a concentration band (the DoJ/FTC thresholds of analysis)
    ("supplychain/inputs.py", "analysis"),
    # the ETO reach file is read with the scenarios' line-marking YAML loader and model config
    ("supplychain/reach.py", "scenarios"),
}


def _unit(module: str) -> str:
    """``stackatlas.charts.theme`` -> ``charts.theme``; ``stackatlas.sec.bulk`` -> ``sec``."""
    parts = module.split(".")[1:]
    if parts[:2] == ["charts", "theme"]:
        return "charts.theme"
    return parts[0] if parts else "__init__"


def _own_unit(path: Path) -> str:
    rel = path.relative_to(SRC)
    if rel.parts[:2] == ("charts", "theme.py"):
        return "charts.theme"
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported_units(path: Path) -> set[str]:
    units: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "stackatlas":  # from stackatlas import config
                names = [f"stackatlas.{alias.name}" for alias in node.names]
        else:
            continue
        units.update(_unit(n) for n in names if n.startswith("stackatlas."))
    return units


def _upward_imports() -> set[tuple[str, str]]:
    found = set()
    for path in sorted(SRC.rglob("*.py")):
        own = _own_unit(path)
        for unit in _imported_units(path) - {own}:
            if unit.split(".")[0] == own.split(".")[0] and own != "charts.theme":
                continue  # charts importing charts.theme: its own package
            if RANK[unit] >= RANK[own]:
                found.add((str(path.relative_to(SRC)), unit))
    return found


def test_every_module_has_a_rank() -> None:
    units = {_own_unit(p) for p in SRC.rglob("*.py")}
    assert units - set(RANK) == set()


def test_imports_run_down_the_stack() -> None:
    assert _upward_imports() == UPWARD


def test_a_lower_unit_importing_a_higher_one_is_caught(tmp_path: Path) -> None:
    """The check itself can fail: a made-up store module importing the web app is upward."""
    assert RANK["web"] > RANK["store"]
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from stackatlas.web.app import create_app\n")
    assert _imported_units(probe) == {"web"}
