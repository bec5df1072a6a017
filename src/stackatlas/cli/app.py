"""The ``stackatlas`` command line: a thin Typer layer over library calls.

Each command module exposes ``register(app)``; library errors become a one-line message and a
non-zero exit code (1 = error, 2 = bad input / not found).
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import sys

import typer

app = typer.Typer(
    name="stackatlas",
    help="The five-layer AI stack as data: understand the stack, map the layers, track the "
    "capital flow.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_COMMAND_MODULES = (
    "stackatlas.cli.atlas_cmds",
    "stackatlas.cli.run_cmd",
    "stackatlas.cli.sec_cmds",
    "stackatlas.cli.segments_cmds",
    "stackatlas.cli.fundamentals_cmds",
    "stackatlas.cli.analysis_cmds",
    "stackatlas.cli.coverage_cmds",
    "stackatlas.cli.network_cmds",
    "stackatlas.cli.supplychain_cmds",
    "stackatlas.cli.infra_cmds",
    "stackatlas.cli.payback_cmds",
    "stackatlas.cli.scenario_cmds",
    "stackatlas.cli.portfolio_cmds",
    "stackatlas.cli.web_cmds",
    "stackatlas.cli.mcp_cmd",
    "stackatlas.cli.export_cmd",
)


def _print_version(value: bool) -> None:
    if value:
        from stackatlas._version import __version__

        typer.echo(f"stackatlas {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the stackatlas version and exit.",
    ),
) -> None:
    """The five-layer AI stack as data: understand the stack, map the layers, track the
    capital flow."""


for _name in _COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    """Console-script entry point. Output that cannot be written (stdout on a full device,
    a closed pipe) ends with one line on stderr and exit code 2, not a traceback."""
    code: int | str | None = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code
    except OSError as exc:
        if exc.filename is not None:  # a file of ours, not stdout: let it show
            raise
        code = _output_failed(exc)
    try:
        sys.stdout.flush()
    except OSError as exc:
        code = _output_failed(exc)
    sys.exit(code)


def _output_failed(exc: OSError) -> int:
    """Stop writing to stdout (so the interpreter's final flush stays quiet) and say why."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    if exc.errno == errno.EPIPE:  # `stackatlas ... | head`: the reader left, nothing to say
        return 0
    reason = exc.strerror or str(exc)
    with contextlib.suppress(OSError):
        sys.stderr.write(f"error: cannot write the output: {reason}\n")
    return 2
