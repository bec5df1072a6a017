"""Files: atomic writes and the paths of the data shipped inside the package.

``atomic_write`` is the one way stackatlas replaces a file (SEC cache, reports, chart pages);
``DATA_DIR`` / ``data_path`` locate the package data (atlas, scenarios, ETFs, FX, economics ...)
the same way everywhere.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from importlib import resources
from pathlib import Path

DATA_DIR = Path(str(resources.files("stackatlas") / "data"))


def data_path(*parts: str) -> Path:
    """A file or folder of the shipped package data: ``data_path("fx", "annual.csv")``."""
    return DATA_DIR.joinpath(*parts)


def atomic_write(path: Path, data: bytes, mode: int | None = None, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the whole new one, never a
    truncated mix: temp file in the same folder, fsync, ``os.replace``, fsync the folder.
    ``mode`` sets the file's permissions (the temp file is private, 0o600, otherwise).
    ``durable=False`` skips the two fsyncs (a cache a power cut may lose, never half-read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if not durable:
        return
    with contextlib.suppress(OSError):  # not every platform can fsync a directory
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
