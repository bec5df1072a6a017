"""The chip layer in depth: the CSET / ETO semiconductor supply-chain dataset.

    load_eto(dir=None)            the validated dataset (``--eto`` / STACKATLAS_ETO_DIR / config)
    optional_eto(dir=None)        the dataset, or None when no folder is configured

The dataset is CC BY-NC 4.0 and never shipped: see ``citation.py``.
"""

from stackatlas.supplychain.dataset import EtoData
from stackatlas.supplychain.loader import load_eto, optional_eto

__all__ = ["EtoData", "load_eto", "optional_eto"]
