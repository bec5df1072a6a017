"""stackatlas: the five-layer AI stack (energy, chips, cloud, models, applications) as data."""

from stackatlas._version import __version__
from stackatlas.atlas import Atlas, load_atlas
from stackatlas.errors import StackAtlasError
from stackatlas.store import Store

__all__ = ["Atlas", "StackAtlasError", "Store", "__version__", "load_atlas"]
