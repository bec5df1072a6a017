"""The hostile-input suite (issue 11): every case runs the real CLI and must end with exit
code 0 or 2, no traceback, within a time bound, and nothing stored lost."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]
BOUND_SECONDS = 120.0
"""A case that runs longer than this counts as a hang (the slowest case takes a few seconds)."""


@dataclass
class Outcome:
    exit_code: int
    output: str  # stdout and stderr together


def invoke(args: Sequence[str], env: Mapping[str, str] | None = None) -> Outcome:
    """Run ``stackatlas ARGS`` in-process (Typer's CliRunner) on a worker thread; fail on a
    hang past ``BOUND_SECONDS``, a traceback or an exit code other than 0 and 2."""
    from stackatlas.cli.app import app

    box: dict[str, object] = {}

    def run() -> None:
        box["result"] = CliRunner().invoke(app, list(args), env=dict(env or {}))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(BOUND_SECONDS)
    assert not worker.is_alive(), (
        f"stackatlas {' '.join(args)} still running after {BOUND_SECONDS} s"
    )
    result = box["result"]
    exc = result.exception  # type: ignore[attr-defined]
    assert exc is None or isinstance(exc, SystemExit), f"uncaught {exc!r}"
    output = result.output  # type: ignore[attr-defined]
    assert "Traceback" not in output, output
    assert result.exit_code in (0, 2), (result.exit_code, output)  # type: ignore[attr-defined]
    return Outcome(result.exit_code, output)  # type: ignore[attr-defined]


def run_process(
    args: Sequence[str], env: Mapping[str, str] | None = None, stdout: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point (``main()``) in a child process with a bound."""
    code = "from stackatlas.cli.app import main; main()"
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, **(env or {})},
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=BOUND_SECONDS,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 2), (proc.returncode, proc.stderr)
    return proc
