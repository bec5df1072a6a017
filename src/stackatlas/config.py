"""Where stackatlas keeps its files and which environment variables change that.

| variable                    | meaning                                                    |
|-----------------------------|------------------------------------------------------------|
| STACKATLAS_HOME             | data directory (store, caches); default: platformdirs      |
| STACKATLAS_ATLAS_OVERLAY    | directory of atlas files merged over the shipped atlas     |
| STACKATLAS_SEC_USER_AGENT   | "Name email@domain" sent to SEC EDGAR (required online)    |
| STACKATLAS_SEC_DIR          | folder with companyfacts/CIK##########.json (offline SEC)  |
| STACKATLAS_OFFLINE          | "1" = never touch the network                              |
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "stackatlas"


def home_dir() -> Path:
    """The data directory (created on first use)."""
    raw = os.environ.get("STACKATLAS_HOME")
    path = Path(raw).expanduser() if raw else Path(platformdirs.user_data_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_path() -> Path:
    """The DuckDB database file."""
    return home_dir() / "stackatlas.duckdb"


def cache_dir(name: str) -> Path:
    """A named cache folder under the data directory (e.g. ``sec``, ``prices``)."""
    path = home_dir() / "cache" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def overlay_dir() -> Path | None:
    """The atlas overlay directory from STACKATLAS_ATLAS_OVERLAY, if set."""
    raw = os.environ.get("STACKATLAS_ATLAS_OVERLAY")
    return Path(raw).expanduser() if raw else None


def sec_user_agent() -> str | None:
    """The declared SEC identity, or None when the user has not set one."""
    value = os.environ.get("STACKATLAS_SEC_USER_AGENT", "").strip()
    return value or None


def sec_dir() -> Path | None:
    """A local folder of companyfacts files used instead of the network, if set."""
    raw = os.environ.get("STACKATLAS_SEC_DIR")
    return Path(raw).expanduser() if raw else None


def offline() -> bool:
    """True when STACKATLAS_OFFLINE asks for no network access at all."""
    return os.environ.get("STACKATLAS_OFFLINE", "").lower() in {"1", "true", "yes"}
