"""CLI: ``sync``, ``sec bulk``, ``sec metrics`` (the --json contract)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackatlas.cli.app import app
from stackatlas.cli.sec_cmds import SEC_METRICS_KEYS

runner = CliRunner()
NVIDIA = "CIK0001045810.json"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_help_texts() -> None:
    for args in (
        ["sync", "--help"],
        ["sec", "--help"],
        ["sec", "bulk", "--help"],
        ["sec", "metrics", "--help"],
    ):
        code, out = run(*args)
        assert code == 0 and "Usage" in out


def test_metrics_key_contract() -> None:
    assert SEC_METRICS_KEYS == (
        "metric",
        "fiscal_year",
        "fiscal_period",
        "start",
        "end",
        "value",
        "unit",
        "concept",
        "accession",
        "derivation",
    )


@pytest.mark.realdata
def test_sec_metrics_json_contract_nvidia(shared_data: Path) -> None:
    code, out = run(
        "sec", "metrics", "--file", str(shared_data / "sec" / "companyfacts" / NVIDIA), "--json"
    )
    assert code == 0, out
    records = json.loads(out)
    assert records and all(set(r) == set(SEC_METRICS_KEYS) for r in records)
    by_key = {(r["metric"], r["fiscal_year"], r["fiscal_period"]): r for r in records}
    revenue = by_key[("revenue", 2026, "FY")]
    # NVIDIA FY2026 10-K (year ended 2026-01-25): revenue $215,938 million (shared README)
    assert revenue["value"] == 215_938_000_000
    assert (revenue["start"], revenue["end"], revenue["unit"]) == (
        "2025-01-27",
        "2026-01-25",
        "USD",
    )
    assert by_key[("revenue", 2025, "FY")]["value"] == 130_497_000_000
    capex = by_key[("capex", 2026, "FY")]
    assert (capex["value"], capex["concept"]) == (
        6_042_000_000,
        "PaymentsToAcquireProductiveAssets",
    )


@pytest.mark.realdata
def test_sec_metrics_quarterly_q4_is_derived(shared_data: Path) -> None:
    code, out = run(
        "sec",
        "metrics",
        "--file",
        str(shared_data / "sec" / "companyfacts" / NVIDIA),
        "--period",
        "quarterly",
        "--json",
    )
    assert code == 0, out
    q4 = [
        r
        for r in json.loads(out)
        if r["metric"] == "revenue" and r["fiscal_year"] == 2026 and r["fiscal_period"] == "Q4"
    ]
    # Q4 = FY 215,938 - Q1 44,062 - Q2 46,743 - Q3 57,006 = 68,127 ($M, shared README)
    assert [r["value"] for r in q4] == [68_127_000_000]
    assert q4[0]["derivation"] != "reported"


def test_sec_metrics_bad_file_is_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"cik": 1, "facts": {"us-gaap": ')
    code, out = run("sec", "metrics", "--file", str(bad), "--json")
    assert code == 2 and "bad.json" in out and "invalid JSON" in out
    assert "Traceback" not in out


@pytest.mark.realdata
def test_sync_offline_with_sec_dir_json(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    code, out = run("sync", "--companies", "nvda,msft", "--offline", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["counts"] == {"local": 2}
    # the Microsoft file is trimmed to 18 concepts: 589 facts (test_companyfacts.py)
    assert [(c["company"], c["facts"]) for c in data["companies"]] == [
        ("nvidia", 26903),
        ("microsoft", 589),
    ]


def test_sync_offline_miss_and_strict(tmp_path: Path) -> None:
    code, out = run("sync", "--companies", "nvda", "--offline")
    assert code == 0 and "failed" in out
    code, _ = run("sync", "--companies", "nvda", "--offline", "--strict")
    assert code == 1


def test_sync_online_without_identity_explains(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKATLAS_OFFLINE", "0")
    code, out = run("sync", "--companies", "nvda")
    assert code == 1
    assert "STACKATLAS_SEC_USER_AGENT" in out and "sec.user_agent" in out


def test_sync_unknown_company(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run("sync", "--companies", "nvdaa-not-real", "--offline")
    assert code == 2 and "no company matches" in out


def test_sec_bulk_json(tmp_path: Path, fixtures: Path) -> None:
    archive = tmp_path / "companyfacts.zip"
    body = (fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("CIK0000000101.json", body)
        zf.writestr("CIK0000000102.json", b"{")
    code, out = run("sec", "bulk", str(archive), "--workers", "0", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert (data["ingested"], data["facts"]) == (1, 6)
    assert data["failures"][0]["member"] == "CIK0000000102.json"


def test_readme_documents_every_sec_command() -> None:
    readme = (
        Path(__file__).resolve().parents[2] / "docs" / "commands" / "fundamentals.md"
    ).read_text()
    for command in ("stackatlas sync", "stackatlas sec bulk", "stackatlas sec metrics"):
        assert command in readme, command
    for key in SEC_METRICS_KEYS:  # the --json contract is spelled out
        assert key in readme.split("sec metrics --json` is a **stable contract**")[1][:400]
