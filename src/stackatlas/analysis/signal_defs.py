"""Signal definitions: the shipped watch list (``data/signals.yaml``) plus user files.

Provenance: written by the stackatlas editors; thresholds are editorial choices, each signal's
``why`` cites the article claim it watches. Six signals ship. Users extend or replace signals
(matched by id) with a file of the same shape: ``--file PATH`` or ``signals.yaml`` in the
``STACKATLAS_ATLAS_OVERLAY`` directory. Bad files raise ``ValidationError`` with file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from stackatlas import safe_yaml
from stackatlas._io import data_path
from stackatlas.config import overlay_dir
from stackatlas.errors import Problem, ValidationError

SHIPPED = "signals.yaml"


class SignalDef(BaseModel):
    """One watched measure with its thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    measure: str
    params: dict[str, Any] = Field(default_factory=dict)
    direction: Literal["above", "below"]
    watch: float
    alert: float
    unit: str = "ratio"
    why: str = ""


def _parse(text: str, origin: str) -> list[SignalDef]:
    from stackatlas.analysis.signals import MEASURES

    root = safe_yaml.compose(text, origin)
    data = (safe_yaml.construct(root, origin) if root is not None else None) or {}
    items = data.get("signals") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValidationError(Problem(origin, 1, "signals", "expected a 'signals:' list"))
    nodes = _item_nodes(root)
    problems: list[Problem] = []
    out: list[SignalDef] = []
    for i, item in enumerate(items):
        line = nodes[i].start_mark.line + 1 if i < len(nodes) else None
        try:
            sig = SignalDef.model_validate(item)
        except PydanticError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"]) or None
                problems.append(Problem(origin, line, field, err["msg"]))
            continue
        if sig.measure not in MEASURES:
            problems.append(
                Problem(
                    origin,
                    line,
                    "measure",
                    f"unknown measure {sig.measure!r}; known: {', '.join(sorted(MEASURES))}",
                )
            )
            continue
        out.append(sig)
    if problems:
        raise ValidationError(problems)
    return out


def _item_nodes(root: yaml.Node | None) -> list[yaml.Node]:
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "signals" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return []


def load_signal_definitions(file: Path | None = None) -> list[SignalDef]:
    """Shipped signals, then the overlay directory's ``signals.yaml``, then ``file``; a later
    definition with the same id replaces the earlier one."""
    shipped = data_path(SHIPPED).read_text(encoding="utf-8")
    merged = {s.id: s for s in _parse(shipped, f"stackatlas/data/{SHIPPED}")}
    extra = []
    overlay = overlay_dir()
    if overlay is not None and (overlay / SHIPPED).is_file():
        extra.append(overlay / SHIPPED)
    if file is not None:
        extra.append(Path(file))
    for path in extra:
        text = safe_yaml.read_text(path)
        for sig in _parse(text, str(path)):
            merged[sig.id] = sig
    return list(merged.values())
