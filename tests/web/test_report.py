"""The self-contained HTML report, the CLI commands and the result cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackatlas import load_atlas
from stackatlas.cli.app import app
from stackatlas.errors import ValidationError
from stackatlas.web.report import build_report
from stackatlas.web.state import WebData


def test_report_is_self_contained(tmp_path: Path, web_fixtures: Path) -> None:
    out = build_report(
        tmp_path / "r" / "report.html", portfolio=(web_fixtures / "weights.csv").read_bytes()
    )
    html = out.read_text(encoding="utf-8")
    assert out == tmp_path / "r" / "report.html"
    assert not re.search(r"<script[^>]+src=", html), "report must not load scripts"
    assert not re.search(r"<link[^>]+href=\"https?:", html)
    assert "Plotly" in html and len(html) > 3_000_000  # plotly.js inlined
    for key in (
        "map",
        "flows",
        "pools",
        "capex",
        "concentration",
        "signals",
        "audit",
        "scenarios",
        "portfolio",
        "sources",
    ):
        assert f'<section class="section" id="{key}">' in html, key
    for sid in load_atlas().sources:
        assert f'id="src-{sid}"' in html
    assert 'href="#src-marsbit-2026-03-16"' in html  # in-file source links
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temp file left


def test_report_failure_keeps_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("previous", encoding="utf-8")
    with pytest.raises(ValidationError):
        build_report(target, portfolio=b"no,tickers,here\n1,2,3\n")
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_cli_report_prints_path(tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    result = CliRunner().invoke(app, ["report", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out.resolve())
    assert out.stat().st_size > 3_000_000


def test_cli_report_bad_portfolio_is_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("foo\n1\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["report", "-o", str(tmp_path / "y.html"), "--portfolio", str(bad)]
    )
    assert result.exit_code == 2
    assert "no ticker column" in result.output and "Traceback" not in result.output


def test_cli_serve_help() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "127.0.0.1" in result.output


def test_cache_per_state_and_errors_not_cached(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    data = WebData(store_path=store)
    calls: list[object] = []

    def build(atlas: object, st: object) -> int:
        calls.append(st)
        return len(calls)

    assert data.cached("n", build) == 1
    assert data.cached("n", build) == 1  # warm: served from the cache
    assert data.cached("n", build, "variant") == 2
    from stackatlas.store import Store

    with Store(store) as s:  # another writer changes the store: new state, recomputed
        s.set_meta("k", "v")
    assert data.cached("n", build) == 3
    assert calls[-1] is not None and calls[0] is None  # store opened read-only once it exists

    def failing(atlas: object, st: object) -> int:
        calls.append("fail")
        raise ValidationError("boom")

    for _ in range(2):
        with pytest.raises(ValidationError):
            data.cached("f", failing)
    assert calls.count("fail") == 2


def test_warm_up_fills_the_cache(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from stackatlas.web.app import create_app, warm_up

    app = create_app(store_path=tmp_path / "absent.duckdb")
    data = app.state.data
    assert data.peek("api:pools") is None
    with TestClient(app) as client:
        ok = warm_up("", ("/api/pools", "/flows", "/nope"), client=client)
    assert ok == 2  # /nope answers 404 and is just counted out
    assert data.peek("api:pools") is not None and data.peek("page:flows") is not None
