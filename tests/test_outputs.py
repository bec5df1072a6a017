"""Output files: bad paths and OS refusals are one located line; a failure keeps the old file."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from stackatlas import outputs
from stackatlas.errors import ValidationError


def _message(path: Path, data: bytes = b"<html>") -> str:
    with pytest.raises(ValidationError) as err:
        outputs.write_output(path, data, "report")
    (problem,) = err.value.problems
    return str(problem)


def test_directory_device_and_file_parent_are_refused(tmp_path: Path) -> None:
    assert _message(tmp_path) == (
        f"{tmp_path}: is a directory; give a file name for the report, e.g. {tmp_path}/report.html"
    )
    assert "is not a regular file (a device or pipe)" in _message(Path("/dev/full"))
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    assert _message(blocker / "sub" / "r.html").endswith("a folder on its path is a file")


@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.ENOSPC, "the device is full"), (errno.EROFS, "the file system is read-only")],
)
def test_os_refusal_is_one_line_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    target = tmp_path / "r.html"
    target.write_bytes(b"old report")

    def refuse(path: Path, data: bytes, mode: int | None = None) -> None:
        raise OSError(code, "refused")

    monkeypatch.setattr(outputs, "atomic_write", refuse)
    assert _message(target) == f"{target}: cannot write the report: {reason}"
    assert target.read_bytes() == b"old report"


def test_unwritable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # tests may run as root, where chmod does not stop writes: answer os.access as a user would
    monkeypatch.setattr(outputs.os, "access", lambda path, mode: False)
    assert _message(tmp_path / "r.html").endswith("cannot write the report: permission denied")


def test_write_output_writes_atomically(tmp_path: Path) -> None:
    target = outputs.write_output(tmp_path / "new" / "r.html", b"<html>", "report")
    assert target.read_bytes() == b"<html>" and target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["r.html"]  # no temp file left
