"""A disk memo of derived results, so a warm CLI command does not redo the last one's work.

``recall(namespace, key)`` / ``remember(namespace, key, value)`` keep pickled values under
``<STACKATLAS_HOME>/cache/memo/<namespace>/``, one file per key. The file name is a SHA-256 of
``repr(key)`` and of the code fingerprint (the package version, every module's and data file's
size and modification time, and the Python, numpy, pandas and pyarrow versions), so changed
inputs or changed code never read an old answer: callers put everything the value depends on
into ``key`` (file sizes and mtimes, store counts, atlas figures). A key whose ``repr`` is not
stable across processes (an object address) is not kept.

It is a cache, never a source of truth: any failure to read or write means "compute again".
Only files the current user owns and nobody else may write are read (the folder is created
0o700, files 0o600), since unpickling a planted file would run its code. ``STACKATLAS_NO_MEMO=1``
turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import stat
import sys
from functools import cache
from pathlib import Path
from typing import Any

from stackatlas import config
from stackatlas._io import atomic_write
from stackatlas._version import __version__

_ADDRESS = re.compile(r" at 0x[0-9a-f]+")
MAX_FILES = 4096  # per namespace
MAX_BYTES = 512 * 2**20  # per namespace (a parsed 10-K is ~0.2 MB)


def enabled() -> bool:
    """False when ``STACKATLAS_NO_MEMO`` asks for no disk memo."""
    return os.environ.get("STACKATLAS_NO_MEMO", "").lower() not in {"1", "true", "yes"}


@cache
def code_fingerprint() -> str:
    """The package version, every module's and data file's (path, size, mtime), and the versions
    of Python, numpy, pandas and pyarrow (whose objects are pickled): a change to any is a new
    key."""
    import numpy
    import pandas
    import pyarrow

    root = Path(__file__).parent
    parts = [__version__, sys.version, numpy.__version__, pandas.__version__, pyarrow.__version__]
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        st = path.stat()
        parts.append(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _path(namespace: str, key: object) -> Path | None:
    text = repr(key)
    if _ADDRESS.search(text):
        return None
    digest = hashlib.sha256(f"{code_fingerprint()}\n{text}".encode()).hexdigest()
    return config.home_path() / "cache" / "memo" / namespace / f"{digest}.pickle"


def _trusted(path: Path) -> bool:
    st = path.stat()
    owner_ok = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return owner_ok and stat.S_ISREG(st.st_mode) and not st.st_mode & 0o022


def recall(namespace: str, key: object) -> Any | None:
    """The value remembered for ``key``, or None (not kept, unreadable, untrusted, disabled)."""
    if not enabled():
        return None
    path = _path(namespace, key)
    if path is None:
        return None
    try:
        if not _trusted(path):
            return None
        return pickle.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except Exception:  # a cache read that fails for any reason is a miss, and is dropped
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def remember(namespace: str, key: object, value: Any) -> None:
    """Keep ``value`` for ``key`` (best effort: a read-only home just means no memo)."""
    if not enabled():
        return
    path = _path(namespace, key)
    if path is None:
        return
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        for folder in (path.parent.parent.parent, path.parent.parent, path.parent):
            folder.mkdir(mode=0o700, exist_ok=True, parents=True)
        _prune_once(path.parent)
        atomic_write(path, data, mode=0o600, durable=False)
    except Exception:  # a value that cannot be kept is simply recomputed next time
        return


_PRUNED: set[Path] = set()


def _prune_once(folder: Path, keep: int = MAX_FILES, budget: int = MAX_BYTES) -> None:
    """Once per process and folder: past ``keep`` files or ``budget`` bytes, drop the least
    recently written files down to half of both (keys of old code or replaced files are never
    asked for again)."""
    if folder in _PRUNED:
        return
    _PRUNED.add(folder)
    entries = [(e.stat(), e.path) for e in os.scandir(folder) if e.name.endswith(".pickle")]
    total = sum(st.st_size for st, _ in entries)
    if len(entries) <= keep and total <= budget:
        return
    entries.sort(key=lambda item: item[0].st_mtime_ns)
    count = len(entries)
    for st, path in entries:
        if count <= keep // 2 and total <= budget // 2:
            break
        with contextlib.suppress(OSError):
            os.unlink(path)
        count -= 1
        total -= st.st_size


def clear() -> None:
    """Forget every remembered value (benchmarks time a cold run with it)."""
    root = config.home_path() / "cache" / "memo"
    for path in root.rglob("*.pickle") if root.is_dir() else ():
        with contextlib.suppress(OSError):
            path.unlink()
