"""The curated AI-stack atlas: typed records, loader with overlays, validation, views.

    load_atlas(overlay=None)       the validated Atlas (shipped files + an overlay directory)
    stack_map(atlas)               layer -> segment -> company tree with headline figures
    company_profile(atlas, name)   one company's memberships, shares, flows, figures, sources
    company_list(atlas)            every company with its layers and segments
    source_list(atlas)             every source and how many rows cite it
    atlas_summary(atlas)           row counts and the atlas version

Each view has ``to_dict`` (the ``--json`` shape) and ``__rich__``.
"""

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.companies import CompanyList, company_list
from stackatlas.atlas.loader import load_atlas
from stackatlas.atlas.views import (
    AtlasSummary,
    CompanyProfile,
    SourceList,
    StackMap,
    atlas_summary,
    company_profile,
    source_list,
    stack_map,
)

__all__ = [
    "Atlas",
    "AtlasSummary",
    "CompanyList",
    "CompanyProfile",
    "SourceList",
    "StackMap",
    "atlas_summary",
    "company_list",
    "company_profile",
    "load_atlas",
    "source_list",
    "stack_map",
]
