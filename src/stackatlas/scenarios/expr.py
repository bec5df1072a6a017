"""Safe arithmetic expressions over scenario parameters (evaluated with numpy, per draw).

Allowed: numbers, parameter names, ``t`` (quarter index, 0-based), ``+ - * / **``, unary
minus, and the functions ``min``, ``max``, ``clip(x, lo, hi)``. Anything else is rejected when
the scenario is loaded, so a scenario file can never run code. Expressions longer than
``MAX_CHARS`` or nested deeper than ``MAX_DEPTH`` are refused with a reason (a 3,000-term sum
or 5,000 brackets used to raise RecursionError in Python's parser).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from stackatlas.errors import excerpt

_BINOPS = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
    ast.Pow: np.power,
}
_FUNCS: dict[str, tuple[int, Callable[..., Any]]] = {
    "min": (2, np.minimum),
    "max": (2, np.maximum),
    "clip": (3, np.clip),
}
TIME = "t"
MAX_CHARS = 1000
"""Longest expression text accepted (the shipped scenarios use fewer than 60 characters)."""
MAX_DEPTH = 40
"""Deepest operator / call nesting accepted (evaluation recurses once per level)."""


@dataclass(frozen=True)
class Expr:
    text: str
    tree: ast.expr
    names: frozenset[str]

    def evaluate(self, env: Mapping[str, float | np.ndarray]) -> np.ndarray | float:
        return _eval(self.tree, env)


def parse_expr(value: object) -> Expr:
    """A number or an expression string; raises ValueError with a readable reason."""
    if isinstance(value, bool):
        raise ValueError("expected a number or an expression, got a boolean")
    if isinstance(value, int | float):
        return Expr(repr(value), ast.Constant(float(value)), frozenset())
    if not isinstance(value, str):
        raise ValueError(f"expected a number or an expression, got {type(value).__name__}")
    if len(value) > MAX_CHARS:
        raise ValueError(
            f"expression is {len(value):,} characters long, over the {MAX_CHARS:,} allowed; "
            "give a shorter formula (or a new parameter)"
        )
    try:
        tree = ast.parse(value, mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"cannot parse expression {excerpt(value)}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ValueError(f"expression {excerpt(value)} is nested too deeply to parse") from None
    names: set[str] = set()
    _check(tree, names, 1)
    return Expr(value, tree, frozenset(names))


def _check(node: ast.AST, names: set[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ValueError(f"expression is nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ValueError(f"only numbers are allowed as constants, got {node.value!r}")
    elif isinstance(node, ast.Name):
        names.add(node.id)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        _check(node.left, names, depth + 1)
        _check(node.right, names, depth + 1)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        _check(node.operand, names, depth + 1)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCS
        and not node.keywords
    ):
        if len(node.args) != _FUNCS[node.func.id][0]:
            raise ValueError(f"{node.func.id}() takes {_FUNCS[node.func.id][0]} arguments")
        for arg in node.args:
            _check(arg, names, depth + 1)
    elif isinstance(node, ast.Call):
        raise ValueError(f"only {', '.join(_FUNCS)} may be called in an expression")
    else:
        raise ValueError(f"unsupported syntax in expression: {type(node).__name__}")


def _eval(node: ast.expr, env: Mapping[str, float | np.ndarray]) -> np.ndarray | float:
    if isinstance(node, ast.Constant):
        return float(node.value)  # type: ignore[arg-type]  # _check allowed numbers only
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, env)
        return -value if isinstance(node.op, ast.USub) else value
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    return _FUNCS[node.func.id][1](*(_eval(a, env) for a in node.args))
