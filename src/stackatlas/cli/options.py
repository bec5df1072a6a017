"""Options shared by the commands, each defined once.

    OverlayOpt      --atlas-overlay DIR on every command that reads the atlas (``load_atlas``)
    @with_output    --json, --csv PATH|-, --parquet PATH, --xlsx PATH; the command receives
                    ``out: Output`` (tables written by ``stackatlas.export``)
    SetOpt          --set KEY=VALUE (repeatable), parsed by ``stackatlas.overrides``
    EtoOpt          --eto DIR, the CSET/ETO chip supply-chain folder (or STACKATLAS_ETO_DIR)
    ProviderOpt     --provider SPEC (repeatable): sources after the SEC ones (``make_resolver``)

A new output format is one entry in
``OUTPUT_OPTIONS``, one field of ``Output`` and one branch of ``Output.show``: every command
decorated with ``with_output`` gets it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from stackatlas.cli.common import console, emit_json, err_console
from stackatlas.errors import ValidationError
from stackatlas.overrides import OVERRIDES

if TYPE_CHECKING:
    from stackatlas.atlas import Atlas
    from stackatlas.store import Store

OverlayOpt = Annotated[
    Path | None,
    typer.Option(
        "--atlas-overlay",
        envvar="STACKATLAS_ATLAS_OVERLAY",
        help="Directory of atlas files merged over the shipped atlas.",
        file_okay=False,
        dir_okay=True,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a rich view.")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override an input, e.g. growth_2027=0.6 (repeatable); a scenario parameter also "
        "takes a distribution, e.g. capex_cut=triangular(0.1,0.3,0.6).",
    ),
]


EtoOpt = Annotated[
    Path | None,
    typer.Option(
        "--eto",
        envvar="STACKATLAS_ETO_DIR",
        metavar="DIR",
        help="Folder of the CSET/ETO chip supply-chain CSVs (CC BY-NC 4.0, not shipped; "
        "also [eto] dir in config.toml).",
        file_okay=False,
        dir_okay=True,
        show_envvar=True,
    ),
]
"""The ETO dataset folder; None falls back to config.toml, then to 'not configured'."""

ProviderOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--provider",
        metavar="SPEC",
        help="A source of company numbers after the SEC ones (repeatable): 'yahoo' (Yahoo "
        "Finance statements; pip install 'stackatlas[providers]'), 'csv:FILE' (your figures), "
        "'none'. Default: STACKATLAS_PROVIDERS or [providers] in config.toml.",
    ),
]
"""Provider specs (``stackatlas.resolver.registry``); None keeps the configured ones."""

CsvOpt = Annotated[
    str | None,
    typer.Option(
        "--csv",
        metavar="PATH|-",
        help="Write the table(s) as CSV: the main table to PATH ('-': print it), the others "
        "beside it as PATH-stem.<table>.csv.",
    ),
]
ParquetOpt = Annotated[
    Path | None,
    typer.Option(
        "--parquet",
        metavar="PATH",
        help="Write the table(s) as Parquet (main table to PATH, others beside it).",
        dir_okay=False,
    ),
]
XlsxOpt = Annotated[
    Path | None,
    typer.Option(
        "--xlsx",
        metavar="PATH",
        help="Write an Excel workbook: one sheet per table and a 'Sources' sheet.",
        dir_okay=False,
    ),
]

# parameter name -> (Typer annotation, default) of every output option (``Output`` fields)
OUTPUT_OPTIONS: dict[str, tuple[Any, Any]] = {
    "json": (JsonOpt, False),
    "csv": (CsvOpt, None),
    "parquet": (ParquetOpt, None),
    "xlsx": (XlsxOpt, None),
}


@dataclass(frozen=True)
class Output:
    """The output a command was asked for (a rich view unless a machine format is chosen)."""

    json: bool = False
    csv: str | None = None
    parquet: Path | None = None
    xlsx: Path | None = None

    @property
    def machine(self) -> bool:
        """True when a machine-readable format was chosen (no rich view, no progress bars)."""
        return any(getattr(self, f.name) for f in fields(self))

    def show(self, result: Any, payload: Any = None) -> None:
        """Print ``result``: its ``to_dict()`` (or ``payload``) as JSON, its tables as CSV /
        Parquet / Excel (``stackatlas.export``), else its rich view."""
        if self.json and self.csv == "-":
            raise ValidationError("choose one of --json and --csv - (both print to stdout)")
        if self.json:
            emit_json(result.to_dict() if payload is None else payload)
        if self.csv or self.parquet or self.xlsx:
            self._export(result, payload)
        if not self.machine:
            console.print(result)

    def _export(self, result: Any, payload: Any) -> None:
        from stackatlas import export

        tables = export.result_tables(result, payload)
        written: list[str] = []
        if self.csv:
            written += export.write_csv(tables, self.csv)
        if self.parquet:
            written += export.write_parquet(tables, self.parquet)
        if self.xlsx:
            written += export.write_xlsx(tables, self.xlsx)
        files = [w for w in written if w != "-"]
        if files:
            err_console.print(f"[dim]wrote {', '.join(files)}[/]", highlight=False)


def with_output(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the ``OUTPUT_OPTIONS`` to a command; it receives them as ``out: Output``."""
    signature = inspect.signature(func, eval_str=True)
    params = [p for p in signature.parameters.values() if p.name != "out"]
    params += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=option)
        for name, (option, default) in OUTPUT_OPTIONS.items()
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        out = Output(**{name: kwargs.pop(name, d) for name, (_, d) in OUTPUT_OPTIONS.items()})
        return func(*args, out=out, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper


@contextmanager
def set_flag() -> Iterator[None]:
    """Problems the library locates in ``overrides`` are shown as this command's ``--set``."""
    try:
        yield
    except ValidationError as exc:
        problems = [replace(p, file="--set") if p.file == OVERRIDES else p for p in exc.problems]
        raise ValidationError(problems) from None


def load_atlas(overlay: Path | None = None) -> Atlas:
    """The atlas with ``--atlas-overlay`` merged (looked up at call time, so tests can patch
    ``stackatlas.atlas.load_atlas``)."""
    from stackatlas import atlas

    return atlas.load_atlas(overlay)


def make_resolver(atlas: Atlas, store: Store | None, providers: list[str] | None) -> Any:
    """A resolver over the SEC providers, ``--provider`` specs and atlas figures; None when no
    ``--provider`` was given (the library then reads STACKATLAS_PROVIDERS / config.toml)."""
    if not providers:
        return None
    from stackatlas.resolver import Resolver, default_providers

    return Resolver(atlas, default_providers(atlas, store, providers), store=store)


def open_store() -> Store | None:
    """The store read-only when its file exists, else None (analyses then read
    ``STACKATLAS_SEC_DIR``)."""
    from stackatlas.store import Store

    return Store.open_existing()
