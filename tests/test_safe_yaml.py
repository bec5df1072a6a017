"""The one YAML reader: aliases of collections, deep nesting and non-UTF-8 are located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackatlas import safe_yaml
from stackatlas.errors import ValidationError

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_billion_laughs_is_refused_at_the_first_collection_alias() -> None:
    with pytest.raises(ValidationError) as err:
        safe_yaml.load(LAUGHS, "laughs.yaml")
    (problem,) = err.value.problems
    assert (problem.file, problem.line) == ("laughs.yaml", 2)
    assert "alias *a repeats a list or mapping" in problem.message


def test_alias_of_a_single_value_is_allowed() -> None:
    # the shipped economics/openai.yaml repeats one note this way
    assert safe_yaml.load("a: &n text\nb: *n\n", "x.yaml") == {"a": "text", "b": "text"}


def test_merge_key_of_a_mapping_is_refused() -> None:
    with pytest.raises(ValidationError, match="repeats a list or mapping"):
        safe_yaml.load("base: &b {x: 1}\nother:\n  <<: *b\n", "x.yaml")


@pytest.mark.parametrize(
    "text", ["[" * 5000 + "]" * 5000, "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60))]
)
def test_deep_nesting_is_a_located_error_not_recursion(text: str) -> None:
    with pytest.raises(ValidationError, match=f"nested more than {safe_yaml.MAX_DEPTH}"):
        safe_yaml.load(text, "deep.yaml")


def test_nesting_up_to_the_cap_is_read() -> None:
    depth = safe_yaml.MAX_DEPTH
    assert safe_yaml.load("[" * depth + "1" + "]" * depth, "ok.yaml") is not None


def test_python_tags_are_refused() -> None:
    with pytest.raises(ValidationError) as err:
        safe_yaml.load("x: !!python/object/apply:os.system [echo hi]\n", "tag.yaml")
    assert err.value.problems[0].line == 1


def test_non_utf8_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: ok\ntitle: Ta\u00efwan\n".encode("latin-1"))
    with pytest.raises(ValidationError) as err:
        safe_yaml.read_text(path)
    (problem,) = err.value.problems
    assert (problem.file, problem.line) == (str(path), 2)
    assert "not UTF-8" in problem.message


def test_oversized_and_unreadable_files(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" * 10)
    with pytest.raises(ValidationError, match="over the 0 MB limit"):
        safe_yaml.read_text(big, max_bytes=10)
    with pytest.raises(ValidationError, match="cannot read"):
        safe_yaml.read_text(tmp_path)  # a directory


def test_control_characters_are_a_located_error() -> None:
    # found by tests/hostile/test_fuzz.py: PyYAML's reader raised ReaderError on construction
    with pytest.raises(ValidationError) as err:
        safe_yaml.load("name: ok\ntitle: a\x00b\n", "nul.yaml")
    (problem,) = err.value.problems
    assert (problem.line, problem.message) == (
        2,
        "invalid YAML: control character U+0000 is not allowed",
    )
