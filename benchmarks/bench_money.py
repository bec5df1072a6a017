"""Money-analysis benchmark: profit pools, capex tracker, signals, claims audit and coverage.

Runs on the shipped atlas with ``STACKATLAS_SEC_DIR`` pointing at ``../shared/data/sec`` (the
shared companyfacts files and the inline-XBRL filings). Baseline in the same run: each analysis
cold (the in-memory caches and the disk memo cleared, so every company's facts and filing
documents are parsed and resolved again); then as a new process would run it (in-memory caches
cleared, the disk memo of ``stackatlas._memo`` kept); then warm (everything reused in memory, as
in the web app or a report that calls several analyses). Prints seconds per analysis and the
cold / new-process and cold / warm ratios.

    .venv/bin/python benchmarks/bench_money.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

SHARED_SEC = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sec"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["STACKATLAS_SEC_DIR"] = str(SHARED_SEC)
    os.environ["STACKATLAS_HOME"] = tempfile.mkdtemp(prefix="bench-money-")
    os.environ["STACKATLAS_OFFLINE"] = "1"

    from stackatlas.analysis.audit import audit_claims
    from stackatlas.analysis.capex import hyperscaler_capex
    from stackatlas.analysis.coverage_result import coverage
    from stackatlas.analysis.profit_pools import profit_pools
    from stackatlas.analysis.signals import evaluate_signals
    from stackatlas.atlas import load_atlas
    from stackatlas.resolver import resolver as resolver_module
    from stackatlas.resolver import sec_providers
    from stackatlas.sec import filings, segments

    def forget(*, disk: bool) -> None:
        sec_providers.clear_cache()
        filings.clear_cache()
        segments.clear_cache()
        resolver_module.clear_cache(disk=disk)

    atlas = load_atlas()
    jobs = {
        "profit_pools": lambda: profit_pools(atlas),
        "hyperscaler_capex": lambda: hyperscaler_capex(atlas),
        "evaluate_signals": lambda: evaluate_signals(atlas),
        "audit_claims": lambda: audit_claims(atlas),
        "coverage": lambda: coverage(atlas),
    }
    print(
        f"atlas: {len(atlas.companies)} companies, {len(atlas.figures)} figures; "
        f"SEC dir: {SHARED_SEC}"
    )
    head = f"{'analysis':<20} {'cold s':>8} {'memo s':>8} {'warm s':>8} {'cold/memo':>10}"
    print(f"{head} {'cold/warm':>10}")
    totals = [0.0, 0.0, 0.0]
    for name, job in jobs.items():
        times: list[list[float]] = [[], [], []]
        for _ in range(args.repeat):
            for i, disk in enumerate((True, False, None)):  # cold, new process, warm
                if disk is not None:
                    forget(disk=disk)
                t0 = time.perf_counter()
                job()
                times[i].append(time.perf_counter() - t0)
        c, m, w = (min(t) for t in times)
        totals = [totals[0] + c, totals[1] + m, totals[2] + w]
        print(f"{name:<20} {c:8.3f} {m:8.3f} {w:8.3f} {c / m:9.1f}x {c / w:9.1f}x")
    c, m, w = totals
    print(f"{'all five':<20} {c:8.3f} {m:8.3f} {w:8.3f} {c / m:9.1f}x {c / w:9.1f}x")


if __name__ == "__main__":
    main()
