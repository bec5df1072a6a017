"""Where things live: plotly only in ``charts``, no utility imports of ``sec``, one palette."""

from __future__ import annotations

import ast
from pathlib import Path

import stackatlas
from stackatlas.atlas import load_atlas
from stackatlas.charts.theme import LAYER_COLORS, LAYERS, rgba, rich_style

SRC = Path(stackatlas.__file__).parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_plotly_is_imported_only_in_charts() -> None:
    outside = [
        str(p.relative_to(SRC))
        for p in _modules(SRC)
        if "charts" not in p.relative_to(SRC).parts
        and any(name.split(".")[0] == "plotly" for name in _imports(p))
    ]
    assert outside == []


def test_scenarios_report_and_portfolio_do_not_import_sec() -> None:
    """Atomic writes and data paths live in ``_io``: these need nothing of ``sec``."""
    modules = [*_modules(SRC / "scenarios"), *_modules(SRC / "portfolio"), SRC / "web/report.py"]
    assert (SRC / "web/report.py").is_file()  # the HTML report, beside the sections it renders
    users = [
        str(p.relative_to(SRC))
        for p in modules
        if any(name.startswith("stackatlas.sec") for name in _imports(p))
    ]
    assert users == []


def test_the_palette_covers_the_atlas_layers_in_stack_order() -> None:
    atlas = load_atlas()
    assert list(LAYERS) == sorted(atlas.layer_ids, key=lambda lid: atlas.layer(lid).order)
    assert set(LAYER_COLORS) == set(LAYERS)
    assert len(set(LAYER_COLORS.values())) == len(LAYERS)  # no two layers share a colour
    assert rgba(LAYER_COLORS["chips"], 0.5) == "rgba(118, 185, 0, 0.500)"
    assert rich_style("chips") == "bold #76b900" and rich_style("other", False) == "default"
