"""The CLI reference as Markdown, generated from the Typer app (the docs site's
``reference/cli.md``): every command, its help, usage, arguments and options with defaults and
environment variables, and a link to the page that shows it with real output. A command added
to the app appears here without anyone writing it down."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CommandDoc:
    """One leaf command: its path (``scenario run``), the click command and its context."""

    path: str
    command: Any
    context: Any


def commands(app: Any | None = None) -> list[CommandDoc]:
    """Every leaf command of the app (default: ``stackatlas``), in registration order."""
    import typer

    from stackatlas.cli.app import app as stackatlas_app

    root = typer.main.get_command(app if app is not None else stackatlas_app)
    root_ctx = root.context_class(root, info_name="stackatlas")
    return list(_walk(root, root_ctx, ()))


def _walk(command: Any, ctx: Any, path: tuple[str, ...]) -> Iterator[CommandDoc]:
    subcommands: Mapping[str, Any] | None = getattr(command, "commands", None)
    if subcommands:
        for name, sub in subcommands.items():
            if not sub.hidden:
                yield from _walk(
                    sub, sub.context_class(sub, info_name=name, parent=ctx), (*path, name)
                )
    elif path:
        yield CommandDoc(" ".join(path), command, ctx)


def anchor(path: str) -> str:
    """The heading anchor of a command (``scenario run`` -> ``stackatlas-scenario-run``)."""
    return "stackatlas-" + path.replace(" ", "-")


def cli_markdown(
    docs_dir: Path | None = None, app: Any | None = None, link_prefix: str = ""
) -> str:
    """The whole reference page. With ``docs_dir``, each command links to the first page of the
    docs whose heading names it (where its example with real output lives), as
    ``link_prefix + page``."""
    import typer

    from stackatlas.cli.app import app as stackatlas_app

    app = app if app is not None else stackatlas_app
    root = typer.main.get_command(app)
    docs = commands(app)
    pages = _example_pages(docs_dir, [d.path for d in docs]) if docs_dir else {}
    out = [
        "# CLI reference",
        "",
        "Generated from the command-line app when the site is built (every command, argument "
        "and option, with defaults and environment variables). Each command's page shows it "
        "with real output.",
        "",
        f"`stackatlas [--version] COMMAND ...`: {_first_line(root.help)}",
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    out += [
        f"| [`{d.path}`](#{anchor(d.path)}) | {_cell(_first_line(d.command.help))} |" for d in docs
    ]
    for doc in docs:
        page = pages.get(doc.path)
        out += ["", *_command_section(doc, link_prefix + page if page else None)]
    return "\n".join(out) + "\n"


def _command_section(doc: CommandDoc, page: str | None) -> list[str]:
    cmd, ctx = doc.command, doc.context
    arguments = [p for p in cmd.params if p.param_type_name == "argument"]
    options = [p for p in cmd.params if p.param_type_name == "option" and not p.hidden]
    usage = " ".join(
        ["stackatlas", doc.path, "[OPTIONS]"] + [_argument_usage(p) for p in arguments]
    )
    lines = [f"## `stackatlas {doc.path}` {{#{anchor(doc.path)}}}", ""]
    lines += [_paragraphs(cmd.help or ""), "", "```text", usage, "```"]
    if arguments:
        lines += ["", "**Arguments**", ""]
        lines += [_item(p.get_help_record(ctx), p.name.upper()) for p in arguments]
    lines += ["", "**Options**", ""]
    lines += [_item(p.get_help_record(ctx)) for p in options if p.get_help_record(ctx)]
    lines.append("- `--help`: show the help and exit.")
    if page:
        lines += ["", f"Example with real output: [{page.removeprefix('../')}]({page})."]
    return lines


def _argument_usage(param: Any) -> str:
    name = param.name.upper()
    name = f"{name}..." if param.nargs == -1 else name
    return name if param.required else f"[{name}]"


def _item(record: tuple[str, str] | None, name: str | None = None) -> str:
    opts, help_text = record if record else ("", "")
    if name is not None:  # an argument: its usage name, not ``name <str>``
        opts = name
    return f"- `{opts}`: {_inline(help_text) or '(no help)'}"


def _first_line(text: str | None) -> str:
    paragraph = _inline((text or "").split("\n\n")[0])
    first = re.split(r"(?<=[\w)%])\.\s+(?=[A-Z])", paragraph, maxsplit=1)[0]
    return first.rstrip(".")


def _paragraphs(text: str) -> str:
    return "\n\n".join(_inline(p) for p in text.strip().split("\n\n"))


def _inline(text: str) -> str:
    """One line of Markdown: whitespace folded, ``<``/``>`` and ``*``/``_`` made literal."""
    flat = " ".join(text.split())
    return flat.replace("<", "&lt;").replace(">", "&gt;").replace("*", r"\*").replace("_", r"\_")


def _cell(text: str) -> str:
    return text.replace("|", r"\|")


def _example_pages(docs_dir: Path, paths: list[str]) -> dict[str, str]:
    """Command -> the docs page (relative to ``docs_dir``) with a heading naming it, else the
    first page mentioning it (command pages first)."""
    found: dict[str, str] = {}
    pages = sorted(docs_dir.rglob("*.md"), key=lambda p: (p.parts[-2] != "commands", str(p)))
    texts = {page: page.read_text(encoding="utf-8").splitlines() for page in pages}
    for headings_only in (True, False):  # a heading naming the command, else any mention
        for page, lines in texts.items():
            if headings_only:
                lines = [line for line in lines if line.startswith("#")]
            for path in paths:
                pattern = r"stackatlas\s+" + r"\s+".join(map(re.escape, path.split())) + r"\b"
                if path not in found and any(re.search(pattern, line) for line in lines):
                    found[path] = page.relative_to(docs_dir).as_posix()
    return found
