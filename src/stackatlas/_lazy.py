"""Names a package loads on first use (PEP 562), so importing it stays light.

    __getattr__, __dir__ = lazy_names(__name__, _LAZY, globals())

``_LAZY`` maps each public name to the module that defines it. A name is imported the first
time it is asked for and then bound in the package, so it is looked up once; ``dir()`` lists
the package's own names and the lazy ones, loaded or not.
"""

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    package: str, names: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The package's ``__getattr__`` and ``__dir__`` for ``names`` (name -> module)."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *names})

    return __getattr__, __dir__
