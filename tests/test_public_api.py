"""Every subpackage declares its public API: ``__all__`` is sorted and equals the public names
the package defines (the httpx idiom), so nothing is exported by accident or left out."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

import stackatlas

SUBPACKAGES = sorted(info.name for info in pkgutil.iter_modules(stackatlas.__path__) if info.ispkg)


def _public(module: ModuleType) -> set[str]:
    """Names in ``dir(module)`` that are not private and not submodules (``charts`` adds its
    lazily loaded figures through ``__dir__``)."""
    return {
        name
        for name in dir(module)
        if not name.startswith("_") and not isinstance(getattr(module, name), ModuleType)
    }


def _isort_style(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then the rest (by name)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_the_packages_are_known() -> None:
    assert {"analysis", "atlas", "charts", "cli", "fundamentals", "portfolio"} <= set(SUBPACKAGES)
    assert {"scenarios", "sec", "store", "web"} <= set(SUBPACKAGES)


@pytest.mark.parametrize("name", ["stackatlas", *(f"stackatlas.{p}" for p in SUBPACKAGES)])
def test_all_equals_the_public_names(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__, f"{name} has no docstring"
    exported = module.__all__
    assert exported == sorted(exported, key=_isort_style)
    dunders = {n for n in exported if n.startswith("__")}  # __version__ may be exported
    assert set(exported) - dunders == _public(module), name
