"""``infra`` in every interface: CLI (rich / JSON / exit 2 without data), API, page, report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from stackatlas.cli.app import app
from stackatlas.web.app import create_app

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "infra"


def test_cli_json_and_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["infra", "--epoch", str(FIXTURE), "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.output)
    assert payload["source"].startswith("Epoch AI")
    assert payload["as_of"] == "2025-03-01"
    assert payload["utilization"]["basis"].startswith("assumption")
    last = payload["by_year"][-1]
    assert last["year"] == 2025 and last["power_gw"] == pytest.approx(0.34)
    rich = runner.invoke(app, ["infra", "--epoch", str(FIXTURE)], env={"COLUMNS": "160"})
    assert rich.exit_code == 0
    assert "Planned clusters (not in the figures above)" in rich.output
    assert "Epoch AI" in rich.output


def test_cli_without_data_exits_2_saying_how() -> None:
    out = CliRunner().invoke(app, ["infra"])
    assert out.exit_code == 2
    assert "STACKATLAS_EPOCH_DIR" in out.output and "epoch.ai" in out.output


def test_config_file_names_the_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from stackatlas.config import home_dir

    (home_dir() / "config.toml").write_text(f'[epoch]\ndir = "{FIXTURE}"\n')
    out = CliRunner().invoke(app, ["infra", "--json"])
    assert out.exit_code == 0 and json.loads(out.output)["as_of"] == "2025-03-01"


def test_api_and_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with TestClient(create_app(store_path=tmp_path / "absent.duckdb")) as client:
        missing = client.get("/api/infra")
        assert missing.status_code == 422
        assert "STACKATLAS_EPOCH_DIR" in missing.text
        page = client.get("/infra")
        assert page.status_code == 200 and "Epoch AI cluster data not configured" in page.text
    monkeypatch.setenv("STACKATLAS_EPOCH_DIR", str(FIXTURE))
    with TestClient(create_app(store_path=tmp_path / "absent2.duckdb")) as client:
        body = client.get("/api/infra").json()
        assert body["layers"][0]["value"] == pytest.approx(0.34)
        page = client.get("/infra")
        assert page.status_code == 200
        assert 'data-figure="fig-infra-power"' in page.text
        assert 'data-figure="fig-infra-suppliers"' in page.text
        assert "Data on GPU Clusters" in page.text  # the atlas source row, cited


def test_report_has_the_infra_chapter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from stackatlas.web.report import build_report

    monkeypatch.setenv("STACKATLAS_EPOCH_DIR", str(FIXTURE))
    html = build_report(tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="infra"' in html and "fig-infra-power" in html
