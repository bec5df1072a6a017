"""Every hostile case of issue 11, through the CLI: exit 0 or 2, a located message, no traceback.

Each case builds its input from a real file (shipped scenario / atlas / signals files, the
shared companyfacts, the broker fixtures) with one hostile edit, then checks the exit code and
the message a user sees.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from stackatlas.analysis.signal_defs import SHIPPED as SIGNALS_FILE
from stackatlas.scenarios.params import data_dir
from tests.hostile.hostile_cli import REPO, invoke

SHARED = REPO.parent / "shared" / "data"
BROKERS = REPO / "tests" / "fixtures" / "portfolio" / "brokers"
QUAKE = data_dir() / "taiwan-quake.yaml"
SIGNALS = data_dir().parent.parent / "data" / SIGNALS_FILE
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
Case = Callable[[Path], list[str]]
NEEDS_SHARED = {"companyfacts-cik-10e30", "companyfacts-end-9999", "companyfacts-tsmc-ttm"}


def _write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def _quake(tmp: Path, old: str, new: str, encoding: str = "utf-8") -> list[str]:
    text = QUAKE.read_text(encoding="utf-8")
    assert old in text
    path = _write(tmp / "scenario.yaml", text.replace(old, new, 1).encode(encoding))
    return ["scenario", "run", str(path)]


def _portfolio(tmp: Path, data: str | bytes, *extra: str) -> list[str]:
    return ["portfolio", "analyze", str(_write(tmp / "holdings.csv", data)), *extra]


def _overlay(tmp: Path, name: str, data: str | bytes) -> list[str]:
    folder = tmp / "overlay"
    folder.mkdir(exist_ok=True)
    _write(folder / name, data)
    return ["validate", "--atlas-overlay", str(folder)]


def _signals(tmp: Path, data: str | bytes) -> list[str]:
    return ["signals", "--file", str(_write(tmp / "signals.yaml", data))]


def _companyfacts(tmp: Path, edit: Callable[[dict], None], *extra: str) -> list[str]:
    doc = json.loads((SHARED / "sec" / "companyfacts" / "CIK0001326801.json").read_text())
    edit(doc)
    return ["sec", "metrics", "--file", str(_write(tmp / "facts.json", json.dumps(doc))), *extra]


def _far_end(doc: dict) -> None:
    facts = next(iter(doc["facts"]["us-gaap"].values()))
    next(iter(facts["units"].values()))[0]["end"] = "9999-12-31"


# (id, build args from a temp folder, expected exit code, text the user must see)
CASES: list[tuple[str, Case, int, str]] = [
    # ---- YAML: aliases, nesting, encoding -------------------------------------------------
    (
        "scenario-billion-laughs",
        lambda t: _quake(t, "references:", LAUGHS + "references:"),
        2,
        "alias *a repeats a list or mapping",
    ),
    (
        "scenario-5000-brackets",
        lambda t: _quake(t, "references:", "x: " + "[" * 5000 + "]" * 5000 + "\nreferences:"),
        2,
        "nested more than 40",
    ),
    (
        "scenario-3000-terms",
        lambda t: _quake(
            t, "size: capacity_loss\n", "size: " + "+".join(["capacity_loss"] * 3000) + "\n"
        ),
        2,
        "[shocks.0.size]: expression is 41,999 characters",
    ),
    (
        "scenario-deep-expression",
        lambda t: _quake(
            t, "size: capacity_loss\n", "size: " + "(" * 300 + "capacity_loss" + ")" * 300 + "\n"
        ),
        2,
        "[shocks.0.size]",
    ),
    (
        "scenario-not-utf8",
        lambda t: _quake(t, "Taiwan earthquake", "Ta\u00efwan quake", "latin-1"),
        2,
        "scenario.yaml:2: not UTF-8 text",
    ),
    (
        "scenario-size-nan",
        lambda t: _quake(t, "size: capacity_loss\n", "size: capacity_loss/0\n"),
        2,
        "scenario.yaml:43 [shocks.0.size]: 'capacity_loss/0' gives inf",
    ),
    (
        "scenario-negative-duration",
        lambda t: _quake(t, "duration: outage_quarters\n", "duration: -5\n"),
        2,
        "scenario.yaml:44 [shocks.0.duration]: duration is in quarters and must be 0 or more",
    ),
    (
        "scenario-infinite-default",
        lambda t: _quake(t, "default: 0.3", "default: .inf"),
        2,
        "capacity_loss",
    ),
    (
        "scenario-seed-negative",
        lambda t: ["scenario", "run", "taiwan-quake", "--seed", "-1"],
        2,
        "--seed",
    ),
    (
        "scenario-draws-huge",
        lambda t: ["scenario", "run", "taiwan-quake", "--draws", "10000000"],
        2,
        "[draws] must be between 0 and 20,000",
    ),
    (
        "overlay-billion-laughs",
        lambda t: _overlay(t, "layers.yaml", LAUGHS),
        2,
        "layers.yaml:2: invalid YAML: alias *a",
    ),
    (
        "overlay-5000-brackets",
        lambda t: _overlay(
            t, "layers.yaml", "- id: energy\n  name: " + "[" * 5000 + "]" * 5000 + "\n"
        ),
        2,
        "nested more than 40",
    ),
    (
        "overlay-segments-5",
        lambda t: _overlay(t, "layers.yaml", "- id: energy\n  segments: 5\n"),
        2,
        "layers.yaml:2 [segments]: expected a list of segments, got 5",
    ),
    (
        "overlay-not-utf8",
        lambda t: _overlay(t, "layers.yaml", "- id: energy\n  name: \u00c9\n".encode("latin-1")),
        2,
        "layers.yaml:2: not UTF-8",
    ),
    (
        "overlay-csv-200kb-cell",
        lambda t: _overlay(t, "sources.csv", "id,title\nx," + "y" * 200_000 + "\n"),
        2,
        "sources.csv:2",
    ),
    (
        "signals-billion-laughs",
        lambda t: _signals(t, LAUGHS + "signals: []\n"),
        2,
        "repeats a list or mapping",
    ),
    (
        "signals-5000-brackets",
        lambda t: _signals(t, "signals: " + "[" * 5000 + "]" * 5000),
        2,
        "nested more than 40",
    ),
    (
        "signals-not-utf8",
        lambda t: _signals(
            t,
            SIGNALS.read_text(encoding="utf-8")
            .replace("signals:", "# caf\u00e9\nsignals:", 1)
            .encode("latin-1"),
        ),
        2,
        "not UTF-8",
    ),
    # ---- portfolio files ----------------------------------------------------------------
    (
        "portfolio-cr-only",
        lambda t: _portfolio(t, "Symbol,Weight\rNVDA,0.6\rMSFT,0.4\r"),
        0,
        "Exposure by layer",
    ),
    (
        "portfolio-200kb-cell",
        lambda t: _portfolio(t, "ticker,weight\nNVDA," + "1" * 200_000),
        2,
        "holdings.csv:2: unreadable CSV: a cell is longer than 131,072 characters",
    ),
    (
        "portfolio-decimal-comma",
        lambda t: _portfolio(t, 'ticker,value\nNVDA,"1.234,56"\nMSFT,"2.000,00"\n', "--json"),
        0,
        '"amount": 1234.56',
    ),
    (
        "portfolio-mixed-decimals",
        lambda t: _portfolio(t, 'ticker,value\nNVDA,"1.234,56"\nMSFT,"1,234.56"\n'),
        2,
        "numbers mix decimal styles",
    ),
    (
        "portfolio-negative-price",
        lambda t: _portfolio(t, "ticker,shares,price\nNVDA,10,(5)\nMSFT,5,100\n"),
        2,
        "holdings.csv:2 [price]: negative price: '(5)'",
    ),
    (
        "portfolio-1e308",
        lambda t: _portfolio(t, "ticker,value\nNVDA,1e308\nMSFT,1e308\n"),
        2,
        "holdings.csv:2 [value]: not a finite number below 1e15",
    ),
    (
        "portfolio-utf16",
        lambda t: _portfolio(t, "ticker,weight\nNVDA,1\n".encode("utf-16")),
        2,
        "UTF-16",
    ),
    (
        "portfolio-nul-bytes",
        lambda t: _portfolio(t, b"ticker,weight\nNV\x00DA,1\n"),
        2,
        "NUL bytes",
    ),
    ("portfolio-directory", lambda t: ["portfolio", "analyze", str(t)], 2, "cannot read file"),
    (
        "portfolio-columns-unknown",
        lambda t: _portfolio(t, "a,b\nNVDA,1\n", "--columns", "ticker=a,weight=zz"),
        2,
        "--columns weight='zz': no such column",
    ),
    (
        "portfolio-fidelity-export",
        lambda t: ["portfolio", "analyze", str(BROKERS / "fidelity_positions.csv")],
        0,
        "line 10: skipped, pending activity",
    ),
    (
        "portfolio-fidelity-strict",
        lambda t: ["portfolio", "analyze", str(BROKERS / "fidelity_positions.csv"), "--strict"],
        2,
        "--strict refuses the file",
    ),
    (
        "portfolio-example-no-prices",
        lambda t: ["portfolio", "analyze", str(REPO / "examples" / "portfolio.csv")],
        0,
        "the exposure above needs none",
    ),
    (
        "etf-holdings-1e308",
        lambda t: [
            "portfolio",
            "analyze",
            str(REPO / "examples" / "portfolio_etf.csv"),
            "--etf-holdings",
            "SOXX=" + str(_write(t / "soxx.csv", "Ticker,Weight (%)\nNVDA,1e308\n")),
        ],
        2,
        "soxx.csv:2 [Weight (%)]",
    ),
    # ---- SEC files ----------------------------------------------------------------------
    (
        "companyfacts-cik-10e30",
        lambda t: _companyfacts(t, lambda d: d.update(cik=10**30)),
        2,
        "is not a SEC CIK",
    ),
    (
        "companyfacts-end-9999",
        lambda t: _companyfacts(t, _far_end),
        2,
        "date 9999-12-31, outside 1900-2200",
    ),
    (
        "companyfacts-not-json",
        lambda t: [
            "sec",
            "metrics",
            "--file",
            str(_write(t / "f.json", "<html>Service maintenance</html>")),
        ],
        2,
        "invalid JSON",
    ),
    (
        "companyfacts-tsmc-ttm",
        lambda t: [
            "sec",
            "metrics",
            "--file",
            str(SHARED / "sec" / "companyfacts" / "CIK0001046179.json"),
            "--period",
            "ttm",
        ],
        0,
        "no ttm income or cash-flow figures",
    ),
    (
        "ixbrl-truncated",
        lambda t: [
            "segments",
            str(
                _write(
                    t / "f.html",
                    (
                        REPO / "tests" / "fixtures" / "ixbrl" / "exco-10-k-2025-02-14.html"
                    ).read_bytes()[:3000],
                )
            ),
        ],
        2,
        "f.html",
    ),
    # ---- output paths and the store ---------------------------------------------------------
    ("report-to-directory", lambda t: ["report", "-o", str(t)], 2, "is a directory"),
    ("report-to-device", lambda t: ["report", "-o", "/dev/full"], 2, "is not a regular file"),
    (
        "report-under-a-file",
        lambda t: ["report", "-o", str(_write(t / "f", "x") / "r.html")],
        2,
        "a folder on its path is a file",
    ),
    (
        "scenario-html-to-directory",
        lambda t: ["scenario", "run", "taiwan-quake", "--html", str(t)],
        2,
        "is a directory",
    ),
    ("run-report-to-directory", lambda t: ["run", "--report", str(t), "-q"], 2, "is a directory"),
]


@pytest.mark.parametrize(
    ("build", "code", "needle"),
    [pytest.param(b, c, n, id=i) for i, b, c, n in CASES],
)
def test_hostile_case(
    request: pytest.FixtureRequest, tmp_path: Path, build: Case, code: int, needle: str
) -> None:
    if request.node.callspec.id in NEEDS_SHARED and not SHARED.is_dir():
        pytest.skip(f"needs {SHARED} (../shared beside the repo)")
    outcome = invoke(build(tmp_path))
    assert outcome.exit_code == code, outcome.output
    assert needle in " ".join(outcome.output.split()), outcome.output
