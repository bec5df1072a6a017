"""stackatlas: the five-layer AI stack (energy, chips, cloud, models, applications) as data.

``Atlas``, ``load_atlas``, ``Store`` and ``StackAtlasError`` are loaded on first use, so that
``import stackatlas`` (and the command line's start-up) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from stackatlas._version import __version__

if TYPE_CHECKING:
    from stackatlas.atlas import Atlas, load_atlas
    from stackatlas.errors import StackAtlasError
    from stackatlas.store import Store

__all__ = ["Atlas", "StackAtlasError", "Store", "__version__", "load_atlas"]

_LAZY = {
    "Atlas": "stackatlas.atlas",
    "load_atlas": "stackatlas.atlas",
    "StackAtlasError": "stackatlas.errors",
    "Store": "stackatlas.store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stackatlas' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names (loaded or not)."""
    return sorted(__all__)
