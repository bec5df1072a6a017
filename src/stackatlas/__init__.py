"""stackatlas: the five-layer AI stack (energy, chips, cloud, models, applications) as data.

``Atlas``, ``load_atlas``, ``Store`` and ``StackAtlasError`` are loaded on first use, so that
``import stackatlas`` (and the command line's start-up) stays light.
"""

import typing

from stackatlas import _lazy
from stackatlas._version import __version__

if typing.TYPE_CHECKING:
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


__getattr__, __dir__ = _lazy.lazy_names(__name__, _LAZY, globals())
