"""One palette: a layer has the same colour on every page, chart, report section and terminal
table (``charts/theme.LAYER_COLORS``). Each check reads the colours a layer actually got from
the rendered output (figure JSON in the HTML, rich segments in the terminal) and also requires
that layers were found, so it cannot pass by finding nothing."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from stackatlas.atlas import load_atlas
from stackatlas.charts.theme import LAYER_COLORS, LAYERS

WEB_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "web"
_BLOCK = re.compile(r'<script type="application/json" id="(fig-[^"]+)">(.*?)</script>', re.S)
_RGBA = re.compile(r"rgba?\((\d+),\s*(\d+),\s*(\d+)")
_DOT = re.compile(r'<span class="layer-dot" style="color: ([^"]+)">●</span>\s*([\w-]+)')

Colours = dict[str, set[str]]


def _names() -> dict[str, str]:
    """Lower-case layer id or display name -> layer id."""
    atlas = load_atlas()
    out = {lid: lid for lid in LAYERS}
    out |= {atlas.layer(lid).name.lower(): lid for lid in LAYERS}
    return out


def _hex(colour: Any) -> str:
    text = str(colour).strip().lower()
    if match := _RGBA.match(text):
        return "#" + "".join(f"{int(v):02x}" for v in match.groups())
    return text


def figure_colours(fig: dict[str, Any], names: dict[str, str]) -> Colours:
    """The colours each layer is drawn in: sunburst slices and Sankey nodes named after a
    layer, bars and lines of a layer series, bars on a layer axis."""
    out: Colours = defaultdict(set)

    def add(label: Any, colour: Any) -> None:
        lid = names.get(str(label).lower())
        if lid is not None and isinstance(colour, str):
            out[lid].add(_hex(colour))

    for trace in fig.get("data", []):
        kind = trace.get("type")
        marker = trace.get("marker") or {}
        if kind == "sunburst":
            for key, colour in zip(trace.get("ids", []), marker.get("colors") or [], strict=False):
                add(key, colour)
        elif kind == "sankey":
            node = trace.get("node") or {}
            for label, colour in zip(node.get("label", []), node.get("color") or [], strict=False):
                add(label, colour)
        elif kind == "bar":
            colour = marker.get("color")
            if isinstance(colour, list):
                for x, c in zip(trace.get("x") or [], colour, strict=False):
                    add(x, c)
            else:
                add(trace.get("name"), colour)
        elif kind == "scatter":
            add(trace.get("name"), (trace.get("line") or {}).get("color"))
    return out


def html_colours(html: str, names: dict[str, str]) -> Colours:
    """Layer colours of every figure in a page, and of the layer dots in its tables."""
    out: Colours = defaultdict(set)
    for _, block in _BLOCK.findall(html):
        for lid, colours in figure_colours(json.loads(block), names).items():
            out[lid] |= colours
    for colour, label in _DOT.findall(html):
        if (lid := names.get(label.lower())) is not None:
            out[lid].add(_hex(colour))
    return out


def section_colours(html: str, names: dict[str, str]) -> dict[str, Colours]:
    """``html_colours`` of each ``<section id=...>`` of a report."""
    parts = re.split(r'<section class="section" id="([^"]+)"', html)
    return {
        sid: html_colours(body, names) for sid, body in zip(parts[1::2], parts[2::2], strict=True)
    }


def terminal_colours(renderables: Iterable[Any], names: dict[str, str]) -> Colours:
    """Colours of terminal text that names a layer (``chips`` or ``2. Chips``)."""
    console = Console(width=220, color_system="truecolor", force_terminal=True)
    out: Colours = defaultdict(set)
    for renderable in renderables:
        for segment in console.render(renderable):
            label = re.sub(r"^\d+\.\s*", "", segment.text.strip()).lower()
            lid = names.get(label)
            color = segment.style.color if segment.style else None
            if lid is not None and color is not None and color.triplet is not None:
                out[lid].add(color.triplet.hex)
    return out


def _assert_palette(found: Colours, where: str, at_least: int) -> None:
    wrong = {lid: c for lid, c in found.items() if c != {LAYER_COLORS[lid]}}
    assert wrong == {}, f"{where}: layers drawn off-palette: {wrong}"
    assert len(found) >= at_least, f"{where}: only {sorted(found)} found"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from stackatlas.web.app import create_app

    store = tmp_path_factory.mktemp("palette") / "absent.duckdb"
    with TestClient(create_app(store_path=store)) as c:
        yield c


@pytest.mark.parametrize(
    ("path", "at_least"),
    [("/", 5), ("/flows", 5), ("/scenarios", 5)],
)
def test_pages(client: Any, path: str, at_least: int) -> None:
    r = client.get(path)
    assert r.status_code == 200
    _assert_palette(html_colours(r.text, _names()), path, at_least)


def test_portfolio_page(client: Any) -> None:
    files = {"file": ("weights.csv", (WEB_FIXTURES / "weights.csv").read_bytes(), "text/csv")}
    r = client.post("/portfolio", files=files, data={"profile": "balanced"})
    assert r.status_code == 200
    _assert_palette(html_colours(r.text, _names()), "/portfolio", 3)


def test_report_sections(tmp_path: Path) -> None:
    from stackatlas.web import build_report

    path = build_report(tmp_path / "r.html", portfolio=(WEB_FIXTURES / "weights.csv").read_bytes())
    html = path.read_text(encoding="utf-8")
    names = _names()
    _assert_palette(html_colours(html, names), "report", 5)
    found = section_colours(html, names)
    # the sections that colour by layer without SEC data (the scenario summary colours by
    # scenario, concentration by severity, capex by series); coverage dots every layer's row
    coloured = {sid for sid, colours in found.items() if colours}
    assert coloured == {"map", "flows", "portfolio", "coverage"}
    _assert_palette(found["coverage"], "report coverage", 5)


@pytest.mark.realdata
def test_sec_and_epoch_sections(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the recorded SEC facts and Epoch's clusters, the profit-pool chart and the infra
    tables join the others, in the same colours on their pages and in the report."""
    from stackatlas.web import build_report
    from stackatlas.web.app import create_app

    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    monkeypatch.setenv("STACKATLAS_EPOCH_DIR", str(shared_data / "epoch"))
    names = _names()
    with TestClient(create_app(store_path=tmp_path / "absent.duckdb")) as c:
        for path, at_least in (("/pools", 5), ("/infra", 2)):
            r = c.get(path)
            assert r.status_code == 200
            _assert_palette(html_colours(r.text, names), path, at_least)
    html = build_report(tmp_path / "r.html").read_text(encoding="utf-8")
    found = section_colours(html, names)
    for sid in ("pools", "infra"):
        _assert_palette(found[sid], f"report {sid}", 2)


def test_terminal_tables() -> None:
    from stackatlas.atlas import company_list, stack_map
    from stackatlas.portfolio import analyze_holdings
    from stackatlas.scenarios import run_scenario

    atlas = load_atlas()
    names = _names()
    views = {
        "atlas map": [stack_map(atlas)],
        "scenario run": [run_scenario("taiwan-quake", atlas=atlas)],
        "portfolio": [analyze_holdings(atlas, None, (WEB_FIXTURES / "weights.csv").read_bytes())],
    }
    for where, renderables in views.items():
        _assert_palette(terminal_colours(renderables, names), where, 3)
    listing = terminal_colours([company_list(atlas)], names)
    _assert_palette(listing, "company list", 5)


def test_the_palette_is_the_one_in_the_docs() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "architecture.md").read_text()
    for lid, colour in LAYER_COLORS.items():
        assert f"| {lid} | `{colour}`" in doc
