"""How the CSET / ETO dataset is credited wherever one of its figures is shown.

The dataset is CC BY-NC 4.0: attribution required, non-commercial use only. stackatlas never
bundles it; it reads the folder the user names (``--eto DIR``, ``STACKATLAS_ETO_DIR`` or
``[eto] dir`` in ``$STACKATLAS_HOME/config.toml``).
"""

from __future__ import annotations

TITLE = "Advanced Semiconductor Supply Chain Dataset"
PUBLISHER = "CSET / Emerging Technology Observatory"
CITATION = f"{PUBLISHER}, {TITLE}"
LICENCE = "CC BY-NC 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by-nc/4.0/"
DATA_URL = "https://github.com/georgetown-cset/eto-chip-explorer"
DOCS_URL = "https://eto.tech/dataset-docs/chipexplorer"
ATLAS_SOURCE_ID = "cset-eto-chip-dataset"
"""The atlas ``sources.csv`` row the provider mapping (``eto_providers.csv``) cites."""

HOW_TO_GET = (
    f"the CSET/ETO chip supply-chain dataset is not configured. It is not shipped with "
    f"stackatlas ({LICENCE}, non-commercial); download the data folder of {DATA_URL} and "
    "point stackatlas at it with --eto DIR, STACKATLAS_ETO_DIR=DIR, or "
    '[eto] dir = "DIR" in $STACKATLAS_HOME/config.toml'
)


def credit() -> dict[str, str]:
    """The attribution block every ETO-derived result carries."""
    return {
        "citation": CITATION,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "url": DATA_URL,
        "docs": DOCS_URL,
        "note": "Figures from the dataset keep the per-row source given in provision.csv; "
        "non-commercial use only.",
    }
