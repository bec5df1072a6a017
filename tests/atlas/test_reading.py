"""CSV / YAML reading keeps exact line numbers (property-tested with awkward cell text)."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from stackatlas.atlas.models import Group
from stackatlas.atlas.reading import read_csv, read_layers_yaml

TEXT = st.text(
    st.characters(blacklist_characters="\r\x00", blacklist_categories=("Cs",)), max_size=30
)
ROW = st.tuples(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), TEXT, TEXT, st.booleans())


@settings(max_examples=150, deadline=None)
@given(st.lists(ROW, max_size=8))
def test_csv_rows_keep_their_first_line(rows) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "name", "members", "description"])
    expected = []
    for gid, name, description, blank_before in rows:
        if blank_before:
            out.write("\n")
        line = out.getvalue().count("\n") + 1
        writer.writerow([gid, name, "nvidia", description])
        expected.append((line, gid, name.strip(), description.strip()))
    got, problems = read_csv(out.getvalue(), "groups.csv", Group)
    assert problems == []
    assert [
        (r.line, r.values["id"], r.values.get("name", ""), r.values.get("description", ""))
        for r in got
    ] == expected


def test_csv_bom_and_empty_cells() -> None:
    rows, problems = read_csv("\ufeffid,name,members,description\ng1,  G  ,,\n", "g.csv", Group)
    assert problems == []
    assert rows[0].values == {"id": "g1", "name": "G"} and rows[0].line == 2


def test_empty_files() -> None:
    assert read_csv("", "g.csv", Group) == ([], [])
    assert read_layers_yaml("", "layers.yaml") == ([], [])
    assert read_layers_yaml("# only a comment\n", "layers.yaml") == ([], [])


def test_yaml_key_lines() -> None:
    rows, problems = read_layers_yaml("layers:\n  - id: chips\n\n    level: 2\n", "l.yaml")
    assert problems == []
    assert rows[0].line == 2 and rows[0].line_of("level") == 4 and rows[0].line_of("x") == 2


def test_yaml_not_a_list() -> None:
    _, problems = read_layers_yaml("id: chips\n", "l.yaml")
    assert [p.message for p in problems] == ["expected a list of layers"]
