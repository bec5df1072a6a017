"""Benchmark: the CSET/ETO chip supply chain (``../shared/data/eto``, read in place).

Prints median times of ``load_eto`` cold (read, type-check, cross-check every row) and cached,
the per-input table, the chokepoints with their reach, the full ``supply_chain`` view, the
concentration ranking with the ETO rows, and the ``litho-export-stop`` scenario (point and 500
Monte Carlo draws). Baseline in the same run: ``pandas.read_csv`` of the same five files
without any checking (the cost of typed, located validation), and ``chokepoints`` on the atlas
alone (the cost of adding the ETO inputs).

Run: .venv/bin/python benchmarks/bench_supplychain.py [--eto DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from stackatlas import load_atlas
from stackatlas.analysis.concentration import chokepoints
from stackatlas.scenarios import run_scenario
from stackatlas.supplychain import load_eto
from stackatlas.supplychain.chokepoints import eto_chokepoints
from stackatlas.supplychain.inputs import input_table
from stackatlas.supplychain.loader import FILES, clear_cache
from stackatlas.supplychain.view import supply_chain
from timing import median_seconds  # benchmarks/timing.py

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "eto"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--eto", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.eto.is_dir():
        raise SystemExit(f"no ETO folder at {args.eto} (pass --eto DIR)")
    atlas = load_atlas()
    n = args.repeat

    def cold() -> object:
        clear_cache()
        return load_eto(args.eto)

    def raw() -> object:
        return [pd.read_csv(args.eto / name) for name in FILES]

    t_cold, t_raw = median_seconds(cold, n), median_seconds(raw, n)
    eto = load_eto(args.eto)
    rows = [
        ("load_eto cold (typed + cross-checked)", t_cold),
        ("baseline: pandas.read_csv of the 5 files", t_raw),
        ("load_eto cached", median_seconds(lambda: load_eto(args.eto), n)),
        ("input_table (firm / country HHI per input)", median_seconds(lambda: input_table(eto), n)),
        ("eto_chokepoints (with reach)", median_seconds(lambda: eto_chokepoints(eto, atlas), n)),
        (
            "supply_chain view (CLI / API default)",
            median_seconds(lambda: supply_chain(eto, atlas), n),
        ),
        ("chokepoints, atlas only (baseline)", median_seconds(lambda: chokepoints(atlas), n)),
        ("chokepoints with ETO rows", median_seconds(lambda: chokepoints(atlas, eto=eto), n)),
        (
            "litho-export-stop, point",
            median_seconds(lambda: run_scenario("litho-export-stop", atlas=atlas, eto=eto), n),
        ),
        (
            "litho-export-stop, 500 draws",
            median_seconds(
                lambda: run_scenario("litho-export-stop", atlas=atlas, eto=eto, draws=500), 3
            ),
        ),
    ]
    print(f"ETO: {len(eto.inputs)} inputs, {len(eto.provision)} share rows, {args.eto}")
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"  {name:<{width}}  {seconds * 1000:9.1f} ms")
    print(f"  typed load / raw read ratio: {t_cold / t_raw:.1f}x")


if __name__ == "__main__":
    main()
