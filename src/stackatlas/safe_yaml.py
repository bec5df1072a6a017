"""The one YAML reader stackatlas uses: PyYAML's SafeLoader with hostile input refused.

Every YAML file (atlas overlay, scenarios, signals, profiles, fund and lab files) is read here,
so one set of rules holds everywhere:

- only safe tags (PyYAML ``SafeLoader``: no Python objects);
- an alias may only repeat a scalar (``note: *training``); an alias of a list or mapping is
  refused, because that is how a "billion laughs" file grows to gigabytes from a few lines;
- nesting deeper than ``MAX_DEPTH`` lists/mappings is refused before PyYAML's recursive
  composer can overflow the stack (5,000 ``[`` used to raise RecursionError);
- text must be UTF-8 (the offending line is named) and at most ``MAX_BYTES``.

Every refusal is a ``ValidationError`` naming the file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from stackatlas.errors import Problem, ValidationError

MAX_DEPTH = 40
"""Deepest list/mapping nesting accepted (the shipped files need 6)."""
MAX_BYTES = 5 * 1024 * 1024
"""Largest YAML text accepted (the largest shipped file is ~30 KB)."""


class SafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases of collections and nesting past ``MAX_DEPTH``."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is not None and not isinstance(target, yaml.ScalarNode):
                raise _refusal(
                    f"alias *{event.anchor} repeats a list or mapping; only aliases of single "
                    "values are allowed (protection against 'billion laughs' files): write the "
                    "values out",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            self._depth += 1
            try:
                if self._depth > MAX_DEPTH:
                    raise _refusal(
                        f"nested more than {MAX_DEPTH} levels deep; a stackatlas file needs "
                        "only a few levels",
                        event.start_mark,
                    )
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)


def _refusal(problem: str, mark: Any) -> yaml.composer.ComposerError:
    """A composer error at ``mark`` (PyYAML's pure or C mark), located like PyYAML's own."""
    return yaml.composer.ComposerError(None, None, problem, mark)


def yaml_problem(exc: yaml.YAMLError, file: str) -> Problem:
    """A located Problem for a PyYAML error (its line when PyYAML knows it)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    reason = getattr(exc, "problem", None) or str(exc)
    return Problem(file, line, None, f"invalid YAML: {reason}")


def decode_text(data: bytes, file: str, *, max_bytes: int = MAX_BYTES) -> str:
    """UTF-8 text of a file's bytes; size and encoding problems name the file and line."""
    if len(data) > max_bytes:
        raise _too_big(file, len(data), max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            Problem(
                file,
                line,
                None,
                f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            )
        ) from None


def _too_big(file: str, size: int, max_bytes: int) -> ValidationError:
    return ValidationError(
        Problem(
            file,
            None,
            None,
            f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit",
        )
    )


def read_text(path: Path, *, max_bytes: int = MAX_BYTES) -> str:
    """Read a YAML file as UTF-8 text (unreadable, oversized or non-UTF-8: ValidationError)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_big(str(path), size, max_bytes)
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(
            Problem(str(path), None, None, f"cannot read: {exc.strerror or exc}")
        ) from None
    return decode_text(data, str(path), max_bytes=max_bytes)


def _loader(text: str, file: str, loader: type[SafeLoader]) -> SafeLoader:
    """A loader over ``text``; PyYAML checks the characters here (NUL, control characters)."""
    try:
        return loader(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        char = exc.character
        shown = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        raise ValidationError(
            Problem(file, line, None, f"invalid YAML: control character {shown} is not allowed")
        ) from None


def _run(text: str, file: str, loader: type[SafeLoader], step: Callable[[SafeLoader], Any]) -> Any:
    """``step`` on a loader over ``text``; PyYAML errors become a located ValidationError."""
    instance = _loader(text, file, loader)
    try:
        return step(instance)
    except yaml.YAMLError as exc:
        raise ValidationError(yaml_problem(exc, file)) from None
    finally:
        instance.dispose()


def compose(text: str, file: str, loader: type[SafeLoader] = SafeLoader) -> yaml.Node | None:
    """The node tree of one YAML document (None when empty); refusals as ValidationError."""
    return _run(text, file, loader, lambda instance: instance.get_single_node())


def load(text: str, file: str, loader: type[SafeLoader] = SafeLoader) -> Any:
    """One YAML document as Python values (None when empty); refusals as ValidationError."""
    return _run(text, file, loader, lambda instance: instance.get_single_data())


def load_file(path: Path) -> Any:
    """``load`` of a file read with ``read_text``."""
    return load(read_text(path), str(path))


def construct(node: yaml.Node, file: str, loader: type[SafeLoader] = SafeLoader) -> Any:
    """Python values of an already composed node (tags resolved by ``loader``)."""
    return _run("", file, loader, lambda instance: instance.construct_document(node))
