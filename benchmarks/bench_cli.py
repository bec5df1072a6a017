"""CLI start-up benchmark: how long ``stackatlas <command>`` takes from exec to exit.

Each command runs as its own process (the installed ``stackatlas`` console script of this
interpreter), round-robin with the baselines so load from other processes hits all alike, in a
temporary ``STACKATLAS_HOME`` whose store is built first (``run --quiet --no-report``, then
``sync --offline`` with the recorded SEC files of ``../shared/data/sec`` when present).

Baselines in the same run: ``python -c pass`` (the interpreter alone), ``python -c "import
typer"`` (the CLI framework) and ``python -c "import pandas"`` (what every command paid before
the imports were made lazy). Prints per command the median wall time, the median CPU time
(user + sys of the child, which other processes' load disturbs less) and both as ratios to
``python -c pass``; then whether each start-up target holds: ``--help``, ``map``, ``company``,
``sources`` <= 0.25 s; ``pools``, ``capex``, ``signals``, ``audit`` <= 1 s.

    .venv/bin/python benchmarks/bench_cli.py [--runs 7] [--only map,sources]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_SEC = REPO.parent / "shared" / "data" / "sec"
CLI = str(Path(sys.executable).parent / "stackatlas")

BASELINES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import typer": [sys.executable, "-c", "import typer"],
    "import pandas": [sys.executable, "-c", "import pandas"],
}
# name -> (arguments, target seconds)
COMMANDS: dict[str, tuple[list[str], float]] = {
    "--help": (["--help"], 0.25),
    "--version": (["--version"], 0.25),
    "map": (["map"], 0.25),
    "company nvidia": (["company", "nvidia"], 0.25),
    "sources": (["sources"], 0.25),
    "pools": (["pools"], 1.0),
    "capex": (["capex"], 1.0),
    "signals": (["signals"], 1.0),
    "audit": (["audit"], 1.0),
}


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run; fails loudly on a non-zero exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def build_home(env: dict[str, str]) -> None:
    subprocess.run([CLI, "run", "--quiet", "--no-report"], env=env, check=True)
    if SHARED_SEC.is_dir():
        subprocess.run([CLI, "sync", "--offline"], env=env, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (median)")
    parser.add_argument("--only", help="comma list of command names, e.g. map,sources")
    args = parser.parse_args()
    commands = COMMANDS
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        commands = {k: v for k, v in COMMANDS.items() if k in wanted or k.split()[0] in wanted}
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as home:
        env = {**os.environ, "STACKATLAS_HOME": home, "STACKATLAS_OFFLINE": "1"}
        env.pop("STACKATLAS_ATLAS_OVERLAY", None)
        if SHARED_SEC.is_dir():
            env["STACKATLAS_SEC_DIR"] = str(SHARED_SEC)
        build_home(env)
        jobs = {**BASELINES, **{name: [CLI, *argv] for name, (argv, _) in commands.items()}}
        for cmd in jobs.values():  # one unmeasured run each: page cache and .pyc files warm
            timed(cmd, env)
        walls: dict[str, list[float]] = {name: [] for name in jobs}
        cpus: dict[str, list[float]] = {name: [] for name in jobs}
        for _ in range(args.runs):
            for name, cmd in jobs.items():
                wall, cpu = timed(cmd, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    report(walls, cpus, commands, args.runs)


def report(
    walls: dict[str, list[float]],
    cpus: dict[str, list[float]],
    commands: dict[str, tuple[list[str], float]],
    runs: int,
) -> None:
    base_wall = statistics.median(walls["python -c pass"])
    base_cpu = statistics.median(cpus["python -c pass"])
    print(f"median of {runs} runs each, round-robin; baseline: python -c pass")
    head = f"{'command':<18} {'wall s':>7} {'x pass':>7} {'cpu s':>7} {'x pass':>7} {'target':>7}"
    print(head)
    print("-" * len(head))
    missed = []
    for name in walls:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        target = commands[name][1] if name in commands else None
        mark = ""
        if target is not None:
            ok = wall <= target
            mark = f"{'<=' if ok else '>'}{target:g} s"
            if not ok:
                missed.append(name)
        print(
            f"{name:<18} {wall:>7.3f} {wall / base_wall:>7.1f} {cpu:>7.3f} "
            f"{cpu / max(base_cpu, 1e-3):>7.1f} {mark:>7}"
        )
    print()
    pandas = statistics.median(walls["import pandas"])
    print(f"import pandas alone: {pandas:.3f} s (what each command paid before lazy imports)")
    print("targets met" if not missed else f"targets missed (wall): {', '.join(missed)}")


if __name__ == "__main__":
    main()
