"""stackatlas: the five-layer AI stack (energy, chips, cloud, models, applications) as data."""

from stackatlas.atlas import Atlas, load_atlas
from stackatlas.errors import StackAtlasError
from stackatlas.store import Store

__all__ = ["Atlas", "StackAtlasError", "Store", "load_atlas"]
