"""YAML loading that remembers where every value came from (file, line) for clear errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stackatlas import safe_yaml
from stackatlas.errors import Problem, ValidationError

PathKey = tuple[str | int, ...]


@dataclass
class MarkedDoc:
    """A parsed YAML document plus the 1-based line of each node, keyed by its path."""

    data: Any
    file: str
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, path: PathKey) -> int | None:
        """Line of ``path`` or of its nearest ancestor that has one."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)

    def problem(self, path: PathKey, message: str) -> Problem:
        field_name = ".".join(str(p) for p in path) or None
        return Problem(self.file, self.line(path), field_name, message)


def _walk(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            _walk(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines)


def load_marked(text: str, file: str) -> MarkedDoc:
    """Parse one YAML document with the safe loader (``safe_yaml``); syntax errors, aliases of
    collections and deep nesting become a ValidationError with the line."""
    node = safe_yaml.compose(text, file)
    if node is None:
        raise ValidationError(Problem(file, 1, None, "empty YAML document"))
    data = safe_yaml.construct(node, file)
    lines: dict[PathKey, int] = {}
    _walk(node, (), lines)
    return MarkedDoc(data, file, lines)


def load_marked_file(path: Path) -> MarkedDoc:
    """``load_marked`` of a file (unreadable or non-UTF-8: a located ValidationError)."""
    return load_marked(safe_yaml.read_text(path), str(path))
