"""display: JSON-safe records, one dash for missing values, the one "did you mean"."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from stackatlas.display import (
    DASH,
    LEGEND_TEXT,
    amount_text,
    fmt_money,
    fmt_num,
    fmt_pct,
    fmt_range,
    records,
    suggest,
)


def test_records_are_json_safe() -> None:
    frame = pd.DataFrame(
        {
            "n": np.array([1, 2], dtype="int64"),
            "x": [1.5, math.nan],
            "inf": [math.inf, 0.25],
            "day": [pd.Timestamp("2025-01-26"), pd.NaT],
            "date": [dt.date(2024, 12, 31), None],
        }
    )
    rows = records(frame)
    assert rows == [
        {"n": 1, "x": 1.5, "inf": None, "day": "2025-01-26T00:00:00", "date": "2024-12-31"},
        {"n": 2, "x": None, "inf": 0.25, "day": None, "date": None},
    ]
    assert type(rows[0]["n"]) is int
    assert records(frame, ["n"]) == [{"n": 1}, {"n": 2}]
    assert records(pd.DataFrame()) == [] and records(None) == []


def test_one_dash_for_every_missing_value() -> None:
    for missing in (None, math.nan, np.float64("nan"), math.inf, pd.NA):
        assert fmt_num(missing) == fmt_pct(missing) == fmt_money(missing) == DASH == "—"
    assert fmt_num(1234.56) == "1,234.6" and fmt_num("n/a") == "n/a"
    assert fmt_pct(0.125, 1) == "12.5%" and fmt_pct(12.5, 0, scale=0.01) == "12%"
    assert fmt_money(0.4249) == "$0.42" and fmt_money(-3.14, 1, suffix="B") == "-$3.1B"
    assert fmt_range(1, None) == "(≥ 1.0)" and fmt_range(None, None) == ""


def test_amount_text_never_prints_an_unknown_as_zero() -> None:
    assert amount_text({"mid": 13.0, "low": 13.0, "high": 13.0}) == "13.0"
    assert amount_text({"mid": 450.0, "low": 450.0, "high": 525.0}) == "450.0 (450.0–525.0)"
    assert amount_text({"mid": None, "known": 250.0}) == "≥ 250.0"
    assert amount_text({"mid": math.nan, "known": 0}) == "not disclosed"  # never "≥ 0.0"
    assert amount_text({"mid": None, "known": 8.4, "n_unresolved": 2}) == (
        "≥ 8.4 (+2 not disclosed)"
    )


def test_legend_lists_every_evidence_status() -> None:
    assert LEGEND_TEXT == "● reported  ◐ derived  ○ estimated  △ scenario  ? unresolved"


def test_suggest_keeps_only_names_about_as_close_as_the_best() -> None:
    names = ["nvidia", "nuscale", "amd", "ase-technology"]
    assert suggest("nvdia", names) == ["nvidia"]
    assert suggest("NVDIA", names) == ["nvidia"]  # case-insensitive, original spelling back
    assert suggest("zzz", names) == []
    assert suggest("capx_cut", ["capex_cut", "demand_cut", "lag"]) == ["capex_cut"]
    assert suggest("taiwan-quak", ["taiwan-quake", "deepseek-shock"]) == ["taiwan-quake"]
    assert len(suggest("a", [f"a{i}" for i in range(9)], limit=None, spread=None)) == 9
