"""companyfacts ingestion benchmark: stackatlas vs the orjson floor vs edgartools, same run.

For each shared companyfacts file (``../shared/data/sec/companyfacts``), from bytes in memory:

- floor:      ``orjson.loads`` alone (the least any JSON-based ingestion must do)
- stackatlas: ``parse_companyfacts`` (parse + normalize to Arrow) and, separately, the same
              plus ``ingest_facts`` into a DuckDB store (replace the company's rows + log)
- edgartools: ``EntityFactsParser.parse_company_facts`` building its company-facts object
              (``EntityFacts``) from the same bytes, decoded (a) with ``json.loads`` as
              edgartools' own local loader does and (b) with ``orjson.loads`` (generous to it);
              fully offline: socket connects are blocked while the benchmark runs

The methods run round-robin (``--repeats`` rounds) so load from other processes hits them
alike; figures are medians (best-of-rounds also shown). The insert is a durable DuckDB commit:
it is measured with the store on disk and, to show the disk's fsync latency separately, on
tmpfs (/dev/shm). Prints MB/s and facts/s per file and in total, and the ratios.

Per batch (second table): all five files as one round, (a) one transaction per file as above
and (b) parsed, then written by ONE ``ingest_batch`` transaction (one commit for all, as
``sec bulk`` does), against the floor for the same five files; medians, best and means of the
rounds (means include the checkpoints DuckDB runs whenever its WAL passes 16 MiB).
Also (issue 14): the same parsed facts stored as a durable CIK Parquet partition (encode,
write, fsync, rename) plus its ``sec_sync_log`` row in one small transaction - the path
``sec bulk --engine ray`` takes per company - per file and per batch (one log transaction).
Targets: parse + normalize + durable store <= 2x the floor (issue 14; was <= 3x in issue 3),
>= 5x faster than edgartools.

    .venv/bin/python benchmarks/bench_ingest.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import gc
import json
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from stackatlas.sec.companyfacts import parse_companyfacts
from stackatlas.sec.facts_store import ingest_batch, ingest_facts
from stackatlas.sec.partitions import store_partitions
from stackatlas.store import Store

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sec" / "companyfacts"


def interleaved(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Run every function once per round, round-robin, so that load from other processes
    hits all of them alike; returns each one's list of seconds (after one warm-up round)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for round_no in range(repeats + 1):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            if round_no:
                times[name].append(time.perf_counter() - start)
    return times


def _blocked_connect(self: socket.socket, address: object, *args: object) -> None:
    raise OSError(f"network access blocked in this benchmark (tried {address})")


def edgartools_parser() -> tuple[Callable[..., object] | None, str]:
    """edgartools' offline companyfacts parser, or None and the reason it is unavailable."""
    try:
        from edgar import __version__
        from edgar.entity.parser import EntityFactsParser
    except ImportError as exc:
        return None, f"edgartools not importable: {exc}"

    def parse(raw: bytes, loads: Callable[[bytes], object] = json.loads) -> object:
        facts = EntityFactsParser.parse_company_facts(loads(raw))
        if facts is None:
            raise RuntimeError("edgartools returned no EntityFacts")
        return facts

    return parse, f"edgartools {__version__} EntityFactsParser.parse_company_facts"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    files = sorted(SHARED.glob("CIK*.json"))
    if not files:
        sys.exit(f"shared companyfacts files not found in {SHARED}")
    edgar_parse, edgar_label = edgartools_parser()
    real_connect = socket.socket.connect
    socket.socket.connect = _blocked_connect  # type: ignore[method-assign]

    shm = Path("/dev/shm")
    keys = [
        "floor",
        "floor_nogc",
        "parse",
        "ingest",
        "ingest_tmpfs",
        "partition",
        "edgar",
        "edgar_orjson",
    ]
    totals = {stat: dict.fromkeys(keys, 0.0) for stat in ("median", "min")}
    mb_total, facts_total = 0.0, 0
    print(
        f"{'file':<20}{'MB':>6}{'facts':>8}  {'orjson':>8}{'parse':>8}{'+insert':>9}"
        f"{'+parquet':>9}{'edgar':>8}   (median ms of {args.repeats} interleaved rounds)"
    )
    edgar_error = ""
    with (
        tempfile.TemporaryDirectory() as tmp,
        Store(Path(tmp) / "bench.duckdb") as store,
        tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as tmp2,
        Store(Path(tmp2) / "bench.duckdb") as store_tmpfs,
        Store(Path(tmp) / "parts.duckdb") as store_parts,
    ):
        for path in files:
            raw = path.read_bytes()
            table = parse_companyfacts(raw)
            fns: dict[str, Callable[[], object]] = {
                "floor": lambda raw=raw: orjson.loads(raw),
                "floor_nogc": lambda raw=raw: _nogc(orjson.loads, raw),
                "parse": lambda raw=raw: parse_companyfacts(raw),
                "ingest": lambda raw=raw: ingest_facts(store, parse_companyfacts(raw)),
                "ingest_tmpfs": lambda raw=raw: ingest_facts(store_tmpfs, parse_companyfacts(raw)),
                "partition": lambda raw=raw, name=path.name: store_partitions(
                    store_parts, [parse_companyfacts(raw)], [name]
                ),
            }
            if edgar_parse is not None and not edgar_error:
                try:
                    edgar_parse(raw)
                    fns["edgar"] = lambda raw=raw: edgar_parse(raw)
                    fns["edgar_orjson"] = lambda raw=raw: edgar_parse(raw, orjson.loads)
                except Exception as exc:  # report, never hide, why the baseline is missing
                    edgar_error = f"{type(exc).__name__}: {exc}"
            times = interleaved(fns, args.repeats)
            med = {k: statistics.median(v) for k, v in times.items()}
            mb = len(raw) / 1e6
            print(
                f"{path.name:<20}{mb:>6.2f}{table.num_rows:>8,}  {med['floor'] * 1e3:>8.1f}"
                f"{med['parse'] * 1e3:>8.1f}{med['ingest'] * 1e3:>9.1f}"
                f"{med['partition'] * 1e3:>9.1f}"
                f"{med.get('edgar', float('nan')) * 1e3:>8.1f}"
            )
            mb_total += mb
            facts_total += table.num_rows
            for key in keys:
                values = times.get(key) or [float("nan")]
                totals["median"][key] += statistics.median(values)
                totals["min"][key] += min(values)
        batch = batch_rounds([p.read_bytes() for p in files], tmp, args.repeats)
    socket.socket.connect = real_connect  # type: ignore[method-assign]

    print(
        f"\nall {len(files)} files: {mb_total:.1f} MB, {facts_total:,} facts "
        "(throughput from the sum of per-file medians; best-of-rounds in brackets)"
    )
    labels = (
        ("orjson.loads (floor)", "floor"),
        ("stackatlas parse+normalize", "parse"),
        ("stackatlas parse+normalize+insert (store on disk)", "ingest"),
        ("stackatlas parse+normalize+insert (store on tmpfs)", "ingest_tmpfs"),
        ("stackatlas parse+normalize+Parquet partition+log (on disk)", "partition"),
        (f"{edgar_label} (json.loads)", "edgar"),
        (f"{edgar_label} (orjson.loads)", "edgar_orjson"),
    )
    for label, key in labels:
        secs, best = totals["median"][key], totals["min"][key]
        if secs != secs:  # NaN: edgartools unavailable
            print(f"  {label:<70} unavailable: {edgar_error or edgar_label}")
            continue
        print(
            f"  {label:<70} {mb_total / secs:>6.1f} MB/s {facts_total / secs:>10,.0f} facts/s"
            f"  [{facts_total / best:,.0f}]"
        )
    for stat in ("median", "min"):
        t = totals[stat]
        print(
            f"\n{stat}: parse+normalize+insert / orjson floor = {t['ingest'] / t['floor']:.2f}x"
            f" on disk, {t['ingest_tmpfs'] / t['floor']:.2f}x on tmpfs (target <= 2x); "
            f"parse+normalize alone = {t['parse'] / t['floor']:.2f}x; vs orjson with GC paused "
            f"= {t['ingest'] / t['floor_nogc']:.2f}x"
        )
        print(
            f"{stat}: parse+normalize+durable Parquet partition+log row / orjson floor = "
            f"{t['partition'] / t['floor']:.2f}x (target <= 2x)"
        )
        if t["edgar"] == t["edgar"]:
            for key, how in (("edgar", "json.loads"), ("edgar_orjson", "orjson.loads")):
                print(
                    f"{stat}: edgartools ({how}) / stackatlas = "
                    f"{t[key] / t['ingest']:.1f}x incl. insert on disk, "
                    f"{t[key] / t['ingest_tmpfs']:.1f}x on tmpfs, "
                    f"{t[key] / t['parse']:.1f}x parse only (target >= 5x)"
                )
        else:
            print(f"edgartools baseline unavailable: {edgar_error or edgar_label}")
    report_batch(batch, mb_total, facts_total)


def batch_rounds(raws: list[bytes], tmp: str, repeats: int) -> dict[str, list[float]]:
    """All files per round: one transaction per file vs one ``ingest_batch`` for all."""
    names = [f"member-{i}" for i in range(len(raws))]
    with (
        Store(Path(tmp) / "per_file.duckdb") as per_file,
        Store(Path(tmp) / "batch.duckdb") as batch,
        Store(Path(tmp) / "batch_parts.duckdb") as batch_parts,
    ):
        return interleaved(
            {
                "floor": lambda: [orjson.loads(raw) for raw in raws],
                "per_file": lambda: [
                    ingest_facts(per_file, parse_companyfacts(raw)) for raw in raws
                ],
                "batch": lambda: ingest_batch(
                    batch, [parse_companyfacts(raw) for raw in raws], source="dir"
                ),
                "partitions": lambda: store_partitions(
                    batch_parts, [parse_companyfacts(raw) for raw in raws], names
                ),
            },
            repeats,
        )


def report_batch(times: dict[str, list[float]], mb: float, facts: int) -> None:
    print(
        f"\nper batch: all {mb:.1f} MB / {facts:,} facts as one round, {len(times['floor'])} "
        "rounds (ratios to the floor's same statistic)"
    )
    floor = {
        "median": statistics.median(times["floor"]),
        "min": min(times["floor"]),
        "mean": statistics.mean(times["floor"]),
    }
    for key, label in (
        ("floor", "orjson.loads of all the files (floor)"),
        ("per_file", "parse+normalize+insert, one transaction per file"),
        ("batch", "parse+normalize, then one ingest_batch transaction"),
        ("partitions", "parse+normalize, Parquet partitions + one log transaction"),
    ):
        row = {
            "median": statistics.median(times[key]),
            "min": min(times[key]),
            "mean": statistics.mean(times[key]),
        }
        cells = "  ".join(
            f"{stat} {secs * 1e3:6.1f} ms ({secs / floor[stat]:.2f}x)" for stat, secs in row.items()
        )
        print(f"  {label:<58} {mb / row['median']:>6.1f} MB/s  {cells}")


def _nogc(fn: Callable[[bytes], object], raw: bytes) -> object:
    gc.disable()
    try:
        return fn(raw)
    finally:
        gc.enable()


if __name__ == "__main__":
    main()
