"""Helpers shared by the CLI modules: console, JSON output and error mapping."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from stackatlas.errors import (
    CorruptStoreError,
    DataNotConfiguredError,
    NotFoundError,
    StackAtlasError,
    ValidationError,
)

console = Console()
err_console = Console(stderr=True)


def emit_json(payload: Any) -> None:
    """Write ``payload`` as indented JSON to stdout (dates ISO, numpy / pydantic handled)."""
    opts = orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    sys.stdout.write(orjson.dumps(payload, default=_default, option=opts).decode() + "\n")


def print_legend() -> None:
    """The evidence legend under a table (the same text as the web pages' footer)."""
    from stackatlas.display import LEGEND_TEXT

    console.print(f"[dim]{LEGEND_TEXT}[/]")


def _default(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json", by_alias=True)
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if isinstance(obj, float):
        return None
    raise TypeError(f"cannot serialize {type(obj).__name__}")


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn stackatlas errors into a clean message and exit code (no traceback): 2 for bad
    input (a file, option or the damaged store itself), 1 for everything else."""
    try:
        yield
    except (ValidationError, NotFoundError, DataNotConfiguredError, CorruptStoreError) as exc:
        _print_error(str(exc))
        raise typer.Exit(2) from None
    except StackAtlasError as exc:
        _print_error(str(exc))
        raise typer.Exit(1) from None


def _print_error(text: str) -> None:
    """One error message on stderr: markup escaped (keeps ``[column]``), never hard-wrapped."""
    err_console.print(f"[bold red]error:[/] {escape(text)}", highlight=False, soft_wrap=True)


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator form of ``handle_errors`` for Typer commands."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with handle_errors():
            return func(*args, **kwargs)

    return wrapper
