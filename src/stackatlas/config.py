"""Where stackatlas keeps its files and which environment variables change that.

| variable                    | meaning                                                    |
|-----------------------------|------------------------------------------------------------|
| STACKATLAS_HOME             | data directory (store, caches); default: platformdirs      |
| STACKATLAS_ATLAS_OVERLAY    | directory of atlas files merged over the shipped atlas     |
| STACKATLAS_SEC_USER_AGENT   | "Name email@domain" sent to SEC EDGAR (required online)    |
| STACKATLAS_SEC_DIR          | folder with companyfacts/CIK##########.json (offline SEC)  |
| STACKATLAS_OFFLINE          | "1" = never touch the network                              |
| STACKATLAS_ETO_DIR          | folder of the CSET/ETO chip supply-chain CSVs (CC BY-NC)   |
| STACKATLAS_EPOCH_DIR        | folder with Epoch AI's epoch_gpu_clusters.csv (``infra``)   |

The ETO and Epoch folders can also be set in ``$STACKATLAS_HOME/config.toml``
(``[eto] dir = "..."``, ``[epoch] dir = "..."``); the environment wins. stackatlas never ships
either dataset (ETO is non-commercial; Epoch is CC BY and read where the user keeps it).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import platformdirs

from stackatlas.errors import Problem, ValidationError

APP_NAME = "stackatlas"


def home_path() -> Path:
    """The data directory's path (not created: for reading what may be there)."""
    raw = os.environ.get("STACKATLAS_HOME")
    return Path(raw).expanduser() if raw else Path(platformdirs.user_data_dir(APP_NAME))


def home_dir() -> Path:
    """The data directory (created on first use)."""
    path = home_path()
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


def config_table(name: str) -> dict:
    """One table of ``$STACKATLAS_HOME/config.toml`` (empty when the file or table is absent);
    an unreadable file is a ``ValidationError`` naming it. Reading never creates the home."""
    path = home_path() / "config.toml"
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(Problem(str(path), None, None, f"unreadable config: {exc}")) from exc
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ValidationError(Problem(str(path), None, name, "expected a table such as [eto]"))
    return table


def eto_dir() -> Path | None:
    """The CSET/ETO dataset folder: STACKATLAS_ETO_DIR, else ``[eto] dir`` in config.toml."""
    raw = os.environ.get("STACKATLAS_ETO_DIR", "").strip()
    if not raw:
        value = config_table("eto").get("dir")
        raw = str(value).strip() if value else ""
    return Path(raw).expanduser() if raw else None


def data_dir_setting(table: str, env_var: str) -> Path | None:
    """A third-party data folder from ``env_var``, else ``[table] dir`` in config.toml."""
    raw = os.environ.get(env_var, "").strip()
    if not raw:
        value = config_table(table).get("dir")
        raw = str(value).strip() if value else ""
    return Path(raw).expanduser() if raw else None
