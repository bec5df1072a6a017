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
| STACKATLAS_SQL_TIMEOUT      | seconds a read-only SQL statement may run (default 30)     |
| STACKATLAS_SEC_DEADLINE     | seconds one SEC sync may spend on the network (default 900)|

The ETO and Epoch folders can also be set in ``$STACKATLAS_HOME/config.toml``
(``[eto] dir = "..."``, ``[epoch] dir = "..."``), as can ``[sec]`` (user_agent, rate_limit);
the environment wins. stackatlas never ships either dataset (ETO is non-commercial; Epoch is
CC BY and read where the user keeps it). A data directory that is a file or cannot be created,
and a config file that is not TOML, are ValidationErrors naming the path (and line).
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

import platformdirs

from stackatlas.errors import Problem, ValidationError

APP_NAME = "stackatlas"


def home_path() -> Path:
    """The data directory's path (not created: for reading what may be there)."""
    raw = os.environ.get("STACKATLAS_HOME")
    return Path(raw).expanduser() if raw else Path(platformdirs.user_data_dir(APP_NAME))


def home_dir() -> Path:
    """The data directory (created on first use)."""
    raw = os.environ.get("STACKATLAS_HOME")
    return _directory(home_path(), "STACKATLAS_HOME" if raw else "the data directory")


def _directory(path: Path, what: str) -> Path:
    """``path`` as an existing directory (created if missing), or a ValidationError."""
    if path.exists() and not path.is_dir():
        raise ValidationError(
            Problem(
                str(path),
                None,
                None,
                f"{what} is a file, not a directory; point STACKATLAS_HOME at a directory "
                "(it is created if missing)",
            )
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(
            Problem(str(path), None, None, f"cannot create {what}: {exc.strerror or exc}")
        ) from None
    return path


def store_path() -> Path:
    """The DuckDB database file."""
    return home_dir() / "stackatlas.duckdb"


def cache_dir(name: str) -> Path:
    """A named cache folder under the data directory (e.g. ``sec``, ``prices``)."""
    return _directory(home_dir() / "cache" / name, f"the {name} cache folder")


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


def config_table(name: str) -> dict[str, Any]:
    """One table of ``$STACKATLAS_HOME/config.toml`` (empty when the file or table is absent);
    a file that is not TOML is a ``ValidationError`` naming its line. Reading never creates
    the home."""
    path = home_path() / "config.toml"
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ValidationError(
            Problem(str(path), None, None, f"cannot read config file: {exc.strerror or exc}")
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        where = re.search(r"at line (\d+)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ValidationError(
            Problem(str(path), int(where.group(1)) if where else None, None, f"not TOML: {message}")
        ) from None
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ValidationError(
            Problem(str(path), None, name, f"[{name}] must be a table of settings")
        )
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


DEFAULT_SQL_TIMEOUT = 30.0
DEFAULT_SEC_DEADLINE = 900.0


def sql_timeout() -> float | None:
    """Seconds a read-only SQL statement may run (STACKATLAS_SQL_TIMEOUT, default 30; 0 = none)."""
    return _seconds("STACKATLAS_SQL_TIMEOUT", DEFAULT_SQL_TIMEOUT)


def sec_deadline() -> float | None:
    """Seconds one SEC sync may spend fetching (STACKATLAS_SEC_DEADLINE, default 900; 0 = none)."""
    return _seconds("STACKATLAS_SEC_DEADLINE", DEFAULT_SEC_DEADLINE)


def _seconds(variable: str, default: float) -> float | None:
    """A duration from ``variable``: ``default`` when unset, None for 0 (no limit)."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise ValidationError(
            f"{variable}={raw!r}: expected a number of seconds >= 0 (0 = no limit)"
        )
    return seconds or None
