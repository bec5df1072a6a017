"""Atlas loading and store benchmark (shipped atlas).

Measures, median of N runs:
- ``load_atlas()`` cold (cache cleared: read, validate rows, cross-check) and cached;
  baseline in the same run: parsing the same files with ``csv`` / ``yaml.safe_load`` only
  (no models, no checks), so the ratio is the cost of typed validation.
- ``Store.load_atlas`` (every ``atlas_*`` table in one transaction, into a fresh file);
  baseline: the same Arrow tables written with plain ``CREATE TABLE AS`` in autocommit mode.
- ``Store.sql_readonly`` (parse check + rolled-back transaction) vs ``Store.query`` on the same
  SELECT.

    .venv/bin/python benchmarks/bench_atlas.py [--runs 20]
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
from collections.abc import Callable
from pathlib import Path

import yaml

from stackatlas.atlas import load_atlas
from stackatlas.atlas.loader import FILES, clear_cache, shipped_dir
from stackatlas.atlas.tables import atlas_arrow_tables
from stackatlas.store import Store
from timing import median_seconds  # benchmarks/timing.py


def median_ms(func: Callable[[], object], runs: int) -> float:
    return median_seconds(func, runs) * 1000


def parse_only() -> int:
    rows = 0
    for name in FILES:
        entry = shipped_dir().joinpath(name)
        if not entry.is_file():
            continue
        text = entry.read_text(encoding="utf-8")
        if name.endswith(".yaml"):
            rows += len(yaml.safe_load(text))
        else:
            rows += sum(1 for _ in csv.reader(io.StringIO(text))) - 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    atlas = load_atlas()
    rows = parse_only()

    def cold() -> None:
        clear_cache()
        load_atlas()

    cold_ms = median_ms(cold, runs)
    cached_ms = median_ms(load_atlas, runs)
    parse_ms = median_ms(parse_only, runs)
    print(f"atlas: {rows} rows in {len(FILES)} files (version {atlas.version})")
    print(
        f"load_atlas cold    {cold_ms:8.2f} ms   baseline parse-only {parse_ms:6.2f} ms   "
        f"ratio {cold_ms / parse_ms:5.1f}x"
    )
    print(f"load_atlas cached  {cached_ms:8.3f} ms   ratio to cold {cold_ms / cached_ms:,.0f}x")

    tables = atlas_arrow_tables(atlas)
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**6))

        def store_load() -> None:
            with Store(Path(tmp) / f"s{next(counter)}.duckdb") as store:
                store.load_atlas(atlas)

        def plain_create() -> None:
            with Store(Path(tmp) / f"p{next(counter)}.duckdb") as store:
                for name, data in tables.items():
                    store.con.register("incoming", data)
                    store.con.execute(f"CREATE TABLE atlas_{name} AS SELECT * FROM incoming")
                    store.con.unregister("incoming")

        load_ms = median_ms(store_load, max(3, runs // 4))
        plain_ms = median_ms(plain_create, max(3, runs // 4))
        print(
            f"Store.load_atlas   {load_ms:8.1f} ms   baseline autocommit CREATE {plain_ms:6.1f} "
            f"ms   ratio {load_ms / plain_ms:5.2f}x"
        )
        with Store(Path(tmp) / "q.duckdb") as store:
            store.load_atlas(atlas)
            sql = "SELECT market, sum(share) AS total FROM atlas_shares GROUP BY market"
            ro_ms = median_ms(lambda: store.sql_readonly(sql), runs)
            q_ms = median_ms(lambda: store.query(sql), runs)
        print(
            f"sql_readonly       {ro_ms:8.2f} ms   baseline Store.query {q_ms:6.2f} ms   "
            f"ratio {ro_ms / q_ms:5.2f}x"
        )


if __name__ == "__main__":
    main()
