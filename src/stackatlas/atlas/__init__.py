"""The curated AI-stack atlas: typed records, loader with overlays, validation, views."""

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.loader import load_atlas

__all__ = ["Atlas", "load_atlas"]
