"""The error tree: one root, built-in bases, located problems."""

from __future__ import annotations

import pytest

from stackatlas.errors import (
    NotFoundError,
    Problem,
    RateLimitedError,
    SecAccessError,
    StackAtlasError,
    ValidationError,
)


def test_every_error_is_a_stackatlas_error_and_its_builtin() -> None:
    assert issubclass(ValidationError, ValueError) and issubclass(ValidationError, StackAtlasError)
    assert issubclass(NotFoundError, LookupError)
    assert issubclass(RateLimitedError, SecAccessError)


def test_located_problems_name_file_line_and_column() -> None:
    err = ValidationError(
        [
            Problem("a.csv", 3, "weight", "must be <= 1"),
            Problem("b.csv", 7, None, "duplicate id 'x'"),
        ]
    )
    assert str(err) == "2 problem(s):\na.csv:3 [weight]: must be <= 1\nb.csv:7: duplicate id 'x'"


def test_a_plain_message_has_no_placeholder_location() -> None:
    assert str(ValidationError("bad period 'Q5'")) == "bad period 'Q5'"
    assert str(Problem("<input>", None, "period", "bad")) == "[period] bad"


def test_not_found_lists_suggestions() -> None:
    with pytest.raises(LookupError, match=r"did you mean: nvidia\?"):
        raise NotFoundError("no company matches 'nvdia'", ["nvidia"])
