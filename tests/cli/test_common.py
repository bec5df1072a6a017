"""Error rendering of the shared CLI helpers."""

from __future__ import annotations

import pytest
import typer

from stackatlas.cli.common import handle_errors
from stackatlas.errors import DataUnavailableError, Problem, ValidationError


def _run(exc: Exception, capsys) -> tuple[int, str]:
    with pytest.raises(typer.Exit) as info, handle_errors():
        raise exc
    return info.value.exit_code, capsys.readouterr().err


def test_plain_validation_message_has_no_placeholder_location(capsys) -> None:
    """Regression: ``ValidationError("...")`` printed as ``error: <input>: ...``."""
    code, err = _run(ValidationError("choose one of --json and --csv"), capsys)
    assert code == 2 and err.strip() == "error: choose one of --json and --csv"


def test_located_problems_keep_file_line_and_column(capsys) -> None:
    problems = [
        Problem("p.csv", 3, "shares", "not a number: 'x'"),
        Problem("p.csv", 4, "ticker", "ticker is empty"),
    ]
    code, err = _run(ValidationError(problems), capsys)
    assert code == 2
    assert err.splitlines() == [
        "error: 2 problem(s):",
        "p.csv:3 [shares]: not a number: 'x'",
        "p.csv:4 [ticker]: ticker is empty",
    ]


def test_other_errors_exit_1(capsys) -> None:
    code, err = _run(DataUnavailableError("no prices"), capsys)
    assert code == 1 and err.strip() == "error: no prices"
