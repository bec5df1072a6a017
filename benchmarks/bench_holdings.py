"""Holdings files: ``read_holdings`` on broker-shaped exports of growing size, against the csv
module reading the same bytes (the floor every reader pays), plus ticker resolution.

Run: ``python benchmarks/bench_holdings.py [--rows 1000,10000,80000]``. The files are built
from ``tests/fixtures/portfolio/brokers/fidelity_positions.csv``: its header, preamble and
footer, with the six position rows repeated under fresh tickers (50,000 rows is about 7 MB,
near the 10 MB holdings-file limit). Resolution time covers "did you mean" suggestions for
the first 50 unknown tickers (each row here has a description, the slowest case; later
unknown tickers are listed without suggestions).
"""

from __future__ import annotations

import argparse
import csv
import io
import string
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from timing import median_seconds  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "portfolio" / "brokers" / "fidelity_positions.csv"


def broker_file(rows: int) -> bytes:
    """A Fidelity-shaped export with ``rows`` position rows (unique 5-letter tickers)."""
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    head, body, tail = lines[:3], lines[3:9], lines[9:]
    out = list(head)
    letters = string.ascii_uppercase
    for i in range(rows):
        row = body[i % len(body)].split(",")
        n = i
        ticker = ""
        for _ in range(5):
            n, r = divmod(n, 26)
            ticker += letters[r]
        row[2] = ticker
        out.append(",".join(row))
    return ("\r\n".join(out + tail) + "\r\n").encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from stackatlas.atlas import load_atlas
    from stackatlas.portfolio.holdings import read_holdings
    from stackatlas.portfolio.resolve import resolve_holdings

    atlas = load_atlas()
    print(
        f"{'rows':>8} {'csv floor s':>12} {'read s':>9} {'x floor':>8} {'us/row':>7} "
        f"{'resolve s':>10}"
    )
    for rows in (int(r) for r in args.rows.split(",")):
        data = broker_file(rows)
        text = data.decode("utf-8")
        floor = median_seconds(lambda t=text: list(csv.reader(io.StringIO(t))), args.repeat)
        read = median_seconds(lambda d=data: read_holdings(d, name="f.csv"), args.repeat)
        hf = read_holdings(data, name="f.csv")
        start = time.perf_counter()
        resolve_holdings(atlas, hf.holdings)
        resolve = time.perf_counter() - start
        print(
            f"{rows:>8,} {floor:>12.4f} {read:>9.3f} {read / floor:>8.1f} "
            f"{read / rows * 1e6:>7.1f} {resolve:>10.2f}"
        )


if __name__ == "__main__":
    main()
