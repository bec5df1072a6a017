"""The msgspec fast path and the general orjson path of ``parse_companyfacts`` agree.

Bytes take the fast path (falling back to the general one when the typed decode rejects the
document); an already-decoded dict always takes the general path. Both must give the same
table for valid documents and the same error for malformed ones.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import orjson
import pytest

from stackatlas.errors import ValidationError
from stackatlas.sec.companyfacts import _parse_fast, parse_companyfacts


def _outcome(data: bytes | dict) -> tuple[str, object]:
    try:
        return "ok", parse_companyfacts(data, origin="doc.json")
    except ValidationError as exc:
        return "error", str(exc)


def _same(a: tuple[str, object], b: tuple[str, object]) -> bool:
    if a[0] != b[0]:
        return False
    return a[1].equals(b[1], check_metadata=True) if a[0] == "ok" else a[1] == b[1]


@pytest.mark.realdata
def test_shared_files_same_table_on_both_paths(shared_data: Path) -> None:
    files = sorted((shared_data / "sec" / "companyfacts").glob("CIK*.json"))
    assert files
    for path in files:
        raw = path.read_bytes()
        assert _parse_fast(raw) is not None, path  # real SEC files take the fast path
        fast = parse_companyfacts(raw)
        assert fast.equals(parse_companyfacts(orjson.loads(raw)), check_metadata=True), path


@pytest.mark.parametrize(
    "field", ["start", "end", "val", "accn", "fy", "fp", "form", "filed", "frame"]
)
@pytest.mark.parametrize(
    "value",
    [None, True, 1, 2**40, 1.5, "x", "2020-02-30", "2020-1-1", "2000-02-29", [], "", "DELETE"],
)
def test_mutated_fact_same_outcome_on_both_paths(fixtures: Path, field: str, value: object) -> None:
    doc = orjson.loads((fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes())
    mutated = copy.deepcopy(doc)
    for concepts in mutated["facts"].values():
        for body in concepts.values():
            fact = next(iter(body["units"].values()))[0]
            break
        break
    if value == "DELETE":
        fact.pop(field, None)
    else:
        fact[field] = value
    raw = json.dumps(mutated).encode()
    assert _same(_outcome(raw), _outcome(orjson.loads(raw)))


def test_fiscal_year_beyond_int64_is_a_located_error(fixtures: Path) -> None:
    doc = orjson.loads((fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes())
    for concepts in doc["facts"].values():
        for body in concepts.values():
            next(iter(body["units"].values()))[0]["fy"] = 2**63
            break
        break
    with pytest.raises(ValidationError, match="malformed facts in"):
        parse_companyfacts(json.dumps(doc).encode(), origin="doc.json")
