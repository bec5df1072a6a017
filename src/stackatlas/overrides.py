"""``KEY=VALUE`` overrides: one parser for the CLI's ``--set`` and the web forms.

Problems are located in ``OVERRIDES`` (a neutral label; the CLI shows it as its flag, ``--set``)
with the key as the column, so every front end reports a bad override the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from stackatlas.errors import Problem, ValidationError

OVERRIDES = "overrides"
"""The ``Problem.file`` of every problem in a user's overrides."""


def parse_overrides(
    items: Iterable[str | tuple[str, str]],
    parse: Callable[[str], Any] = float,
    *,
    syntax: str = "KEY=VALUE",
    label: str = OVERRIDES,
) -> dict[str, Any]:
    """``["growth_2027=0.6"]`` (or ``[("growth_2027", "0.6")]``) -> ``{"growth_2027": 0.6}``.

    Each value goes through ``parse``; an item without ``=`` or a value ``parse`` rejects is a
    problem naming ``syntax`` (what was expected), and every problem is raised at once.
    """
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for item in items:
        if isinstance(item, tuple):
            key, raw = item[0].strip(), item[1]
            shown, ok = f"{key}={raw}", bool(key)
        else:
            key, sep, raw = item.partition("=")
            key, shown, ok = key.strip(), item, bool(sep and key.strip())
        if not ok:
            problems.append(Problem(label, None, key or None, f"expected {syntax}, got {shown!r}"))
            continue
        try:
            out[key] = parse(raw.strip())
        except ValidationError as exc:
            problems += [Problem(label, p.line, p.column or key, p.message) for p in exc.problems]
        except (TypeError, ValueError):
            problems.append(Problem(label, None, key, f"cannot read {raw.strip()!r} ({syntax})"))
    if problems:
        raise ValidationError(problems)
    return out
