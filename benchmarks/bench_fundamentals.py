"""Benchmark: compute_metrics on the shared companyfacts files.

Prints, per file, the median time of ``compute_metrics`` for annual / quarterly / ttm (all 15
metrics) next to two baselines run in the same process on the same facts:
- ``parse``: ``read_companyfacts`` (orjson + Arrow) of the file - the cost of getting the facts;
- ``py-loop``: a plain per-fact Python loop that only keeps the latest filed value per
  (concept, unit, start, end) - the first step of a row-by-row implementation.

Run: .venv/bin/python benchmarks/bench_fundamentals.py [../shared/data/sec/companyfacts]
"""

from __future__ import annotations

import sys
from pathlib import Path

from stackatlas.fundamentals import compute_metrics
from stackatlas.sec.companyfacts import read_companyfacts
from timing import median_seconds  # benchmarks/timing.py

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sec" / "companyfacts"


def _py_loop(rows: list[dict]) -> int:
    latest: dict[tuple, dict] = {}
    for row in rows:
        key = (row["concept"], row["unit"], row["start"], row["end"])
        kept = latest.get(key)
        if kept is None or row["filed"] >= kept["filed"]:
            latest[key] = row
    return len(latest)


def main(folder: Path) -> None:
    compute_metrics(read_companyfacts(next(folder.glob("CIK*.json"))), "annual")  # warm-up
    print(
        f"{'file':<20}{'facts':>8}{'parse s':>9}{'py-loop s':>11}"
        f"{'annual s':>10}{'quarterly s':>13}{'ttm s':>8}{'ttm/parse':>11}"
    )
    for path in sorted(folder.glob("CIK*.json")):
        facts = read_companyfacts(path)
        parse = median_seconds(lambda p=path: read_companyfacts(p))
        rows = facts.to_pylist()
        loop = median_seconds(lambda r=rows: _py_loop(r))
        timings = [
            median_seconds(lambda p=p, f=facts: compute_metrics(f, p))
            for p in ("annual", "quarterly", "ttm")
        ]
        print(
            f"{path.name:<20}{facts.num_rows:>8}{parse:>9.3f}{loop:>11.3f}"
            f"{timings[0]:>10.3f}{timings[1]:>13.3f}{timings[2]:>8.3f}"
            f"{timings[2] / parse:>11.2f}"
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
