"""The ``stackatlas`` command line (Typer): one module per command group, shared options in
``cli.options``; ``main`` is the console-script entry point."""

from stackatlas.cli.app import main

__all__ = ["main"]
