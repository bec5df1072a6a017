"""Results in Jupyter: every result type renders as HTML and gives its DataFrames; the example
notebook in docs/ runs from top to bottom (nbclient + ipykernel), so it cannot rot."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
from pathlib import Path

import pandas as pd
import pytest

import stackatlas
from stackatlas import export, load_atlas
from stackatlas.analysis import market_concentration
from stackatlas.atlas import company_profile, stack_map
from stackatlas.notebook import Tabular, html_tables

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "docs" / "notebooks" / "ai-stack.ipynb"


def _result_types() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(stackatlas.__path__, "stackatlas."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and obj.__module__ == module.__name__
                and hasattr(obj, "__rich__")
                and hasattr(obj, "to_dict")
            ):
                found.append(obj)
    return found


def test_every_result_type_renders_in_jupyter() -> None:
    """A type with a rich view and ``to_dict`` (a result) also has ``_repr_html_``,
    ``to_frame`` and ``to_frames`` (new result types included)."""
    types = _result_types()
    assert len(types) >= 25
    missing = [t.__qualname__ for t in types if not issubclass(t, Tabular)]
    assert missing == []


def test_html_shows_evidence_marks_and_dashes_for_unknowns() -> None:
    frame = pd.DataFrame(
        {
            "layer": ["chips", "energy"],
            "revenue": [321.94, None],
            "year": [2025.0, 2025.0],
            "evidence": ["estimated", "unresolved"],
        }
    )
    html = html_tables("Profit pools", {"cells": frame})
    assert "<td>○ estimated</td>" in html and "<td>? unresolved</td>" in html
    assert ">321.9</td>" in html
    assert ">—</td>" in html and ">0</td>" not in html  # unknown is a dash, never 0
    assert ">2025</td>" in html  # a year, not 2,025
    assert "● reported" in html  # the legend


def test_html_escapes_text() -> None:
    html = html_tables("<t>", {"rows": pd.DataFrame({"note": ["<script>x</script>"]})})
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_to_frame_is_the_main_table_the_export_writes() -> None:
    """``to_frame()`` is the first of ``to_frames()``, and ``--csv`` writes those tables."""
    atlas = load_atlas()
    for result in (market_concentration(atlas), stack_map(atlas), company_profile(atlas, "tsmc")):
        frames = result.to_frames()
        tables = export.result_tables(result)
        assert list(tables) == list(frames)
        main = next(iter(frames.values()))
        pd.testing.assert_frame_equal(result.to_frame(), main)
        buffer = io.StringIO()
        export.write_csv(tables, "-", stdout=buffer)
        assert len(pd.read_csv(io.StringIO(buffer.getvalue()))) == len(main)


def test_a_result_draws_its_own_numbers() -> None:
    """EUV lithography: ASML alone, HHI 10,000 (the atlas's 100% share)."""
    html = market_concentration(load_atlas())._repr_html_()
    assert "<h4>Concentration</h4>" in html
    row = next(r for r in html.split("<tr>") if "<td>euv-lithography</td>" in r)
    assert ">10,000</td>" in row


def test_the_company_profile_leads_with_the_company() -> None:
    profile = company_profile(load_atlas(), "tsmc")
    frame = profile.to_frame()
    assert list(frame["id"]) == ["tsmc"] and list(frame["ticker"]) == ["TSM"]
    assert "memberships" in profile.to_frames()


@pytest.mark.realdata
@pytest.mark.slow
def test_the_example_notebook_runs(shared_data: Path, tmp_path: Path, monkeypatch) -> None:
    """Executed top to bottom in a fresh kernel on the recorded SEC files."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,  # a loaded shared machine; correctness, not speed
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("<h4>Profit pools</h4>" in h for h in html)  # a result drew itself
    text = [o["data"].get("text/plain", "") for o in outputs if "data" in o]
    # NVIDIA 10-K for the fiscal year ended 2026-01-25: revenue $215,938 million
    assert any("Nvidia FY2026 revenue: 215,938 $M" in t for t in text)
