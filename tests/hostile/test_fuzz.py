"""Fuzzers: mutated REAL inputs thrown at every parser (issue 11).

Each input starts as a real file (broker fixtures shaped like the real exports, the shipped
example, scenario, atlas and signal files, the shared companyfacts, iShares and price files, the
inline-XBRL fixture), gets a handful of byte-level edits (hostile tokens inserted, bytes
deleted or replaced, lines duplicated, the file cut short), and goes to the parser. The only
acceptable outcomes are a result or ``ValidationError`` / ``NotFoundError`` - which the CLI
prints as one located line with exit code 2 - within a generous deadline (a hang fails).
Example counts are kept small so the whole file runs in a few tens of seconds; for a longer
exploration set ``STACKATLAS_FUZZ_EXAMPLES=500`` (examples per fuzzer, random seed).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stackatlas.errors import NotFoundError, ValidationError
from tests.hostile.hostile_cli import REPO

SHARED = REPO.parent / "shared" / "data"
FIXTURES = REPO / "tests" / "fixtures"
BROKERS = sorted((FIXTURES / "portfolio" / "brokers").glob("*.csv"))
DATA = REPO / "src" / "stackatlas" / "data"
HOSTILE = [
    b"\r", b"\n", b"\r\n", b",", b";", b"\t", b'"', b"\x00", b"\xff\xfe", b"\xe9", b"\xef\xbb\xbf",
    b"-", b"(", b")", b"1e308", b"-1e308", b"nan", b"inf", b"-1", b"0", b"9" * 40, b"1.234,56",
    b"$", b"%", b"--", b"&a ", b"*a", b"[" * 60, b"]", b"{", b"}", b": ", b"- ", b"!!python/none",
    b"9999-12-31", b"0000-00-00", b"<", b"/>", b"&amp;", b"Total", b"Pending Activity",
]  # fmt: skip
EXPLORE = int(os.environ.get("STACKATLAS_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=EXPLORE or 25,
    deadline=timedelta(seconds=20),  # a parse takes milliseconds; only a hang gets near this
    derandomize=not EXPLORE,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
_EDIT = st.tuples(
    st.sampled_from(["insert", "replace", "delete", "dup_line", "truncate"]),
    st.floats(0, 1),
    st.sampled_from(HOSTILE) | st.binary(min_size=1, max_size=8),
)


def mutate(data: bytes, edits: list[tuple[str, float, bytes]]) -> bytes:
    """Apply byte-level edits at relative positions (so they scale with any file)."""
    for op, where, token in edits:
        at = int(where * len(data))
        if op == "insert":
            data = data[:at] + token + data[at:]
        elif op == "replace":
            data = data[:at] + token + data[at + len(token) :]
        elif op == "delete":
            data = data[:at] + data[at + 1 + len(token) :]
        elif op == "dup_line":
            lines = data.split(b"\n")
            i = min(int(where * len(lines)), len(lines) - 1)
            data = b"\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
        else:
            data = data[: max(at, 1)]
    return data


EDITS = st.lists(_EDIT, min_size=1, max_size=5)


def clean(call: Callable[[], Any]) -> Any:
    """Run ``call``; a located refusal is fine, anything else fails the example."""
    try:
        return call()
    except (ValidationError, NotFoundError) as exc:
        assert str(exc).strip(), "an error must say something"
        return None


def _needs_shared() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"needs {SHARED}")


# ---- portfolio ----------------------------------------------------------------------------
@FUZZ
@given(st.sampled_from([*BROKERS, REPO / "examples" / "portfolio.csv"]), EDITS)
def test_fuzz_holdings(source: Path, edits: list) -> None:
    from stackatlas.portfolio.holdings import read_holdings

    clean(lambda: read_holdings(mutate(source.read_bytes(), edits), name=source.name))


@settings(FUZZ, max_examples=EXPLORE or 10)
@given(st.sampled_from([*BROKERS, REPO / "examples" / "portfolio.csv"]), EDITS)
def test_fuzz_portfolio_analysis(source: Path, edits: list) -> None:
    from stackatlas.portfolio.prices import PriceBook
    from stackatlas.portfolio.report import analyze_portfolio

    data = mutate(source.read_bytes(), edits)
    report = clean(lambda: analyze_portfolio(data, prices=PriceBook({}, "none")))
    if report is not None:
        assert abs(report.layers["exposure"].sum() - 1) < 1e-6


@FUZZ
@given(EDITS)
def test_fuzz_etf_holdings(tmp_path: Path, edits: list) -> None:
    _needs_shared()
    from stackatlas.portfolio.etf import read_fund_holdings

    original = SHARED / "etf" / "etf_holdings_SOXX_asof2026-08-03.csv"
    path = tmp_path / "holdings.csv"
    path.write_bytes(mutate(original.read_bytes(), edits))
    clean(lambda: read_fund_holdings(path, "SOXX"))


@FUZZ
@given(EDITS)
def test_fuzz_price_file(tmp_path: Path, edits: list) -> None:
    _needs_shared()
    from stackatlas.portfolio.prices import read_price_file

    path = tmp_path / "NVDA.csv"
    path.write_bytes(mutate((SHARED / "prices" / "recent" / "prices_NVDA.csv").read_bytes(), edits))
    clean(lambda: read_price_file(path))


# ---- atlas overlay ------------------------------------------------------------------------
@FUZZ
@given(EDITS)
def test_fuzz_layers_yaml(edits: list) -> None:
    from stackatlas.atlas.reading import read_layers_yaml
    from stackatlas.safe_yaml import decode_text

    data = mutate((DATA / "atlas" / "layers.yaml").read_bytes(), edits)
    clean(lambda: read_layers_yaml(decode_text(data, "layers.yaml"), "layers.yaml"))


@settings(FUZZ, max_examples=EXPLORE or 8)
@given(st.sampled_from(["layers.yaml", "companies.csv", "memberships.csv", "shares.csv"]), EDITS)
def test_fuzz_overlay_folder(tmp_path: Path, name: str, edits: list) -> None:
    from stackatlas.atlas.loader import clear_cache, load_atlas

    folder = tmp_path / "overlay"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(mutate((DATA / "atlas" / name).read_bytes(), edits))
    clear_cache()
    clean(lambda: load_atlas(folder))


# ---- scenarios and signals ----------------------------------------------------------------
@FUZZ
@given(st.sampled_from(sorted((DATA / "scenarios").glob("*.yaml"))), EDITS)
def test_fuzz_scenario_yaml(tmp_path: Path, source: Path, edits: list) -> None:
    from stackatlas.scenarios import load_scenario

    path = tmp_path / "scenario.yaml"
    path.write_bytes(mutate(source.read_bytes(), edits))
    clean(lambda: load_scenario(path))


@settings(FUZZ, max_examples=EXPLORE or 6)
@given(EDITS)
def test_fuzz_scenario_run(tmp_path: Path, edits: list) -> None:
    from stackatlas.scenarios import run_scenario

    path = tmp_path / "scenario.yaml"
    path.write_bytes(mutate((DATA / "scenarios" / "taiwan-quake.yaml").read_bytes(), edits))
    clean(lambda: run_scenario(path, draws=20))


@FUZZ
@given(EDITS)
def test_fuzz_signals_yaml(tmp_path: Path, edits: list) -> None:
    from stackatlas.analysis.signal_defs import load_signal_definitions

    path = tmp_path / "signals.yaml"
    path.write_bytes(mutate((DATA / "signals.yaml").read_bytes(), edits))
    clean(lambda: load_signal_definitions(path))


# ---- SEC documents ------------------------------------------------------------------------
_JSON_VALUES = st.sampled_from(
    [None, "", "x", -1, 0, 10**30, -(10**30), 1e308, "9999-12-31", "0001-01-01", [], {}, True]
)


@settings(FUZZ, max_examples=EXPLORE or 20)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1),
            st.sampled_from(
                ["end", "start", "filed", "val", "fy", "fp", "form", "accn", "frame", "cik"]
            ),
            _JSON_VALUES,
        ),
        min_size=1,
        max_size=4,
    ),
    EDITS,
)
def test_fuzz_companyfacts(changes: list, edits: list) -> None:
    _needs_shared()
    from stackatlas.fundamentals import compute_metrics
    from stackatlas.sec.companyfacts import parse_companyfacts

    doc = json.loads((SHARED / "sec" / "companyfacts" / "CIK0001326801.json").read_bytes())
    facts = [f for c in doc["facts"]["us-gaap"].values() for u in c["units"].values() for f in u]
    for where, key, value in changes:
        if key == "cik":
            doc["cik"] = value
        else:
            facts[int(where * (len(facts) - 1))][key] = value
    for data in (json.dumps(doc).encode(), mutate(json.dumps(doc).encode(), edits)):
        table = clean(lambda data=data: parse_companyfacts(data, origin="facts.json"))
        if table is not None:
            for period in ("annual", "ttm"):
                clean(lambda table=table, period=period: compute_metrics(table, period))


@FUZZ
@given(st.sampled_from(sorted((FIXTURES / "ixbrl").iterdir())), EDITS)
def test_fuzz_inline_xbrl(source: Path, edits: list) -> None:
    from stackatlas.sec.ixbrl import parse_ixbrl

    clean(lambda: parse_ixbrl(mutate(source.read_bytes(), edits)))


# ---- configuration ------------------------------------------------------------------------
@FUZZ
@given(EDITS)
def test_fuzz_config_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edits: list) -> None:
    from stackatlas import config
    from stackatlas.errors import SecAccessError
    from stackatlas.sec.client import configured_rate

    monkeypatch.setenv("STACKATLAS_HOME", str(tmp_path))
    good = b'[sec]\nuser_agent = "Jane Doe jane@example.org"\nrate_limit = 5\n'
    (tmp_path / "config.toml").write_bytes(mutate(good, edits))
    clean(lambda: config.config_table("sec"))
    try:
        clean(configured_rate)
    except SecAccessError as exc:  # "rate limit ... is not a number": a clear message too
        assert "rate limit" in str(exc)
