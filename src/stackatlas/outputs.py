"""Files stackatlas writes for the user (HTML report, scenario charts): checked, then atomic.

``check_output`` refuses a path before any work is done: a directory, a device such as
``/dev/full`` (an atomic rename would replace the device node), a parent that is a file, a
folder that cannot be created or written. ``write_output`` writes atomically (temp file +
rename, so a failure leaves the previous file whole) and turns the operating system's refusal
(full device, read-only file system, permissions, quota) into one ``ValidationError`` line naming
the path, never a traceback.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from stackatlas._io import atomic_write
from stackatlas.errors import Problem, ValidationError

_REASONS = {
    errno.ENOSPC: "the device is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "it is a directory",
    errno.ENOTDIR: "a folder on its path is a file",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EFBIG: "the file is too large for the device",
}


def output_error(path: Path, exc: OSError, what: str = "output file") -> ValidationError:
    """One located line for an OS refusal to write ``path``."""
    reason = _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
    return ValidationError(Problem(str(path), None, None, f"cannot write the {what}: {reason}"))


def check_output(path: str | Path, what: str = "output file") -> Path:
    """``path`` if a file can be written there (parents created), else a ValidationError."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise ValidationError(
            Problem(
                str(target),
                None,
                None,
                f"is a directory; give a file name for the {what}, e.g. "
                f"{target / (what.replace(' ', '-') + '.html')}",
            )
        )
    if target.exists() and not target.is_file():  # a device, FIFO or socket: never replace it
        raise ValidationError(
            Problem(
                str(target),
                None,
                None,
                f"is not a regular file (a device or pipe); give a file name for the {what}",
            )
        )
    parent = target.parent
    blocker = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise output_error(target, NotADirectoryError(errno.ENOTDIR, str(blocker)), what)
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(target, exc, what) from None
    if not os.access(parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise output_error(target, PermissionError(errno.EACCES, "permission denied"), what)
    return target


def write_output(path: str | Path, data: bytes, what: str = "output file") -> Path:
    """Check ``path`` and write ``data`` there atomically (world-readable, like a page)."""
    target = check_output(path, what)
    try:
        atomic_write(target, data, mode=0o644)
    except OSError as exc:
        raise output_error(target, exc, what) from None
    return target
