"""Benchmark: inline-XBRL parsing (``parse_ixbrl``) and segment extraction on the shared filings.

Per document: size, facts kept, and medians of
- ``floor``: ``lxml.etree.parse`` alone (the XML parse every approach pays - the baseline);
- ``parse``: ``parse_ixbrl`` (parse + contexts + units + facts + dedup + Arrow table);
- ``segments``: ``filing_segments`` (parse + revenue / operating-income segment tables);
plus ``parse/floor``. The last row is a ~10 MB synthetic document: NVIDIA's 10-K with its body
repeated five times (the repeated facts are deduplicated back to the original count).

Run: .venv/bin/python benchmarks/bench_ixbrl.py [../shared/data/sec/filings]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from lxml import etree

from stackatlas.sec.ixbrl import parse_ixbrl
from stackatlas.sec.segments import filing_segments
from timing import median_seconds  # benchmarks/timing.py

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sec" / "filings"


def _floor(path: Path) -> None:
    etree.parse(str(path), etree.XMLParser(huge_tree=True, resolve_entities=False))


def _synthetic(folder: Path, out: Path, copies: int = 5) -> Path:
    text = (folder / "nvda-10-k-2025-02-26.html").read_text(encoding="ascii")
    head, rest = text.split("<body>", 1)
    body, tail = rest.rsplit("</body>", 1)
    first = body.split("</ix:header></div>", 1)  # one ix:header only
    extra = first[1] if len(first) == 2 else body
    path = out / "nvda-10-k-x5.html"
    path.write_text(head + "<body>" + body + extra * (copies - 1) + "</body>" + tail)
    return path


def main(folder: Path) -> None:
    docs = sorted(p for p in folder.glob("*") if p.suffix in (".html", ".xml"))
    parse_ixbrl(docs[0])  # warm-up
    print(
        f"{'document':<30}{'MB':>6}{'facts':>7}{'floor s':>9}{'parse s':>9}"
        f"{'segments s':>12}{'parse/floor':>13}{'MB/s':>7}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        docs.append(_synthetic(folder, Path(tmp)))
        total_mb = total_s = 0.0
        for path in docs:
            mb = path.stat().st_size / 1e6
            facts = parse_ixbrl(path).num_rows
            floor = median_seconds(lambda p=path: _floor(p))
            parse = median_seconds(lambda p=path: parse_ixbrl(p))
            seg = median_seconds(lambda p=path: filing_segments(p))
            total_mb, total_s = total_mb + mb, total_s + parse
            print(
                f"{path.name:<30}{mb:>6.2f}{facts:>7}{floor:>9.3f}{parse:>9.3f}"
                f"{seg:>12.3f}{parse / floor:>13.2f}{mb / parse:>7.1f}"
            )
    print(
        f"all documents: {total_mb:.1f} MB parsed in {total_s:.2f} s "
        f"({total_mb / total_s:.1f} MB/s)"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
