"""Run every ``benchmarks/bench_*.py`` in turn, each in its own process, and summarize.

    .venv/bin/python benchmarks/run_all.py [--only ingest,bulk] [--timeout 900] [-- extra args]

Each script prints its own figures and ratios against the baseline it names; this runner adds
a header per script, its wall time and exit status, and a final table. Exit status 1 when any
script failed or timed out. Arguments after ``--`` are passed to every script.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma list of names, e.g. ingest,bulk (bench_<name>.py)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per script")
    parser.add_argument("extra", nargs=argparse.REMAINDER, help="-- args for every script")
    args = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    extra = args.extra[1:] if args.extra[:1] == ["--"] else args.extra
    results: list[tuple[str, str, float]] = []
    for script in scripts:
        print(f"\n{'=' * 78}\n{script.name}\n{'=' * 78}", flush=True)
        start = time.perf_counter()
        try:
            code = subprocess.run(
                [sys.executable, str(script), *extra],
                cwd=HERE.parent,
                timeout=args.timeout,
                check=False,
            ).returncode
            status = "ok" if code == 0 else f"exit {code}"
        except subprocess.TimeoutExpired:
            status = f"timeout after {args.timeout:g} s"
        results.append((script.name, status, time.perf_counter() - start))
    print(f"\n{'script':<28}{'status':<24}{'wall s':>8}")
    for name, status, seconds in results:
        print(f"{name:<28}{status:<24}{seconds:>8.1f}")
    return 0 if all(status == "ok" for _, status, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
