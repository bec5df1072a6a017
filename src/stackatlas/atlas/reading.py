"""Reading atlas files into raw rows that remember where they came from.

CSV files are read with the ``csv`` module (header = line 1, empty cells = absent); YAML with
PyYAML, each mapping remembering its line. Nothing here validates values: that is the job of
the row models (``models.py``) and the cross-table checks (``validate.py``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel

from stackatlas import safe_yaml
from stackatlas.errors import Problem, ValidationError

LINE_KEY = "__line__"
LINES_KEY = "__lines__"


@dataclass
class RawRow:
    """One row as read: cell values (strings, or YAML values) plus its file and line."""

    values: dict[str, Any]
    file: str
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)  # YAML: line of each key

    def line_of(self, column: str | None) -> int:
        return self.key_lines.get(column, self.line) if column else self.line


def model_columns(model: type[BaseModel]) -> tuple[list[str], list[str]]:
    """(all column names, required column names) of a row model, aliases applied."""
    cols, required = [], []
    for name, info in model.model_fields.items():
        col = info.alias or name
        cols.append(col)
        if info.is_required():
            required.append(col)
    return cols, required


def read_csv(text: str, file: str, model: type[BaseModel]) -> tuple[list[RawRow], list[Problem]]:
    """Rows of a CSV file; header problems (unknown / missing columns) are reported once."""
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], []
    except csv.Error as exc:
        return [], [Problem(file, 1, None, f"unreadable CSV header: {exc}")]
    columns, required = model_columns(model)
    known = set(columns)
    for col in header:
        if col not in known:
            problems.append(
                Problem(
                    file, 1, col or None, f"unknown column {col!r} (expected: {', '.join(columns)})"
                )
            )
    seen: set[str] = set()
    for col in header:
        if col in seen and col in known:
            problems.append(Problem(file, 1, col, "column appears twice in the header"))
        seen.add(col)
    for col in required:
        if col not in seen:
            problems.append(Problem(file, 1, col, "required column is missing from the header"))
    rows: list[RawRow] = []
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(file, line, None, f"unreadable CSV row: {exc}"))
            break
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.append(
                Problem(
                    file,
                    start,
                    None,
                    f"{len(cells)} cells but the header has {len(header)} "
                    "columns (unquoted comma?)",
                )
            )
            continue
        values = {
            col: cell.strip()
            for col, cell in zip(header, cells, strict=False)
            if col in known and cell.strip() != ""
        }
        rows.append(RawRow(values, file, start))
    return rows, problems


class _LineLoader(safe_yaml.SafeLoader):
    """SafeLoader whose mappings carry their line and the line of each key."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=True)
        mapping[LINE_KEY] = node.start_mark.line + 1
        mapping[LINES_KEY] = {
            k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)
        }
        return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping
)


def read_layers_yaml(text: str, file: str) -> tuple[list[RawRow], list[Problem]]:
    """Layers of ``layers.yaml`` (a list of layer mappings, or ``{layers: [...]}``)."""
    try:
        data = safe_yaml.load(text, file, _LineLoader)
    except ValidationError as exc:
        return [], exc.problems
    if data is None:
        return [], []
    if isinstance(data, dict) and "layers" in data:
        data = data["layers"]
    if not isinstance(data, list):
        return [], [Problem(file, 1, None, "expected a list of layers")]
    rows, problems = [], []
    for item in data:
        if not isinstance(item, dict):
            problems.append(Problem(file, None, None, f"expected a layer mapping, got {item!r}"))
            continue
        rows.append(_yaml_row(item, file))
    return rows, problems


def _yaml_row(item: dict[str, Any], file: str) -> RawRow:
    """A layer row; ``values`` keep the line bookkeeping (``strip_line_keys`` drops it)."""
    return RawRow(dict(item), file, item.get(LINE_KEY, 1), dict(item.get(LINES_KEY, {})))


def strip_line_keys(value: Any) -> Any:
    """A YAML value without the line bookkeeping keys (recursively)."""
    if isinstance(value, dict):
        return {k: strip_line_keys(v) for k, v in value.items() if k not in (LINE_KEY, LINES_KEY)}
    if isinstance(value, list):
        return [strip_line_keys(v) for v in value]
    return value


def yaml_line(value: Any, loc: tuple[Any, ...], default: int) -> int:
    """The line of the most specific YAML node a pydantic error location points at."""
    line = default
    node = value
    for part in loc:
        if isinstance(node, dict):
            line = node.get(LINES_KEY, {}).get(part, node.get(LINE_KEY, line))
            if part not in node:
                break
            node = node[part]
            if isinstance(node, dict):
                line = node.get(LINE_KEY, line)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            if isinstance(node, dict):
                line = node.get(LINE_KEY, line)
        else:
            break
    return line
