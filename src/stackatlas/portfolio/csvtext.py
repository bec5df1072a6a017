"""Text and rows of a user's CSV file (holdings, fund holdings, prices), read defensively.

- size is checked before reading (``MAX_FILE_BYTES``); empty, NUL-containing, UTF-16 and
  non-UTF-8 files are refused with the line of the first bad byte;
- any line ending works: ``\\n``, ``\\r\\n`` and old-Mac ``\\r`` (CR-only files used to raise
  ``_csv.Error``);
- the delimiter is ``,``, ``;`` or tab, whichever makes a header row (European exports use ``;``);
- a cell longer than the csv module's limit (131,072 characters) is a located ValidationError,
  not a bare ``_csv.Error: field larger than field limit``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from stackatlas.errors import Problem, ValidationError

MAX_FILE_BYTES = 10 * 1024 * 1024  # a holdings file is a few KB; refuse anything past 10 MB
HEADER_SCAN_LINES = 40
DELIMITERS = (",", ";", "\t")

Row = tuple[int, list[str]]
"""A CSV row with the 1-based physical line it starts on."""


def normalize_header(name: str) -> str:
    """Lower-case, trim, collapse spaces and underscores: ``Market_Value`` -> ``market value``."""
    return re.sub(r"[\s_]+", " ", name.replace("\ufeff", "")).strip().lower()


def read_text(
    path: Path | bytes, *, max_bytes: int = MAX_FILE_BYTES, name: str | None = None
) -> tuple[str, str]:
    """Text and encoding of a file (or uploaded bytes); size limit, empty file and non-UTF-8
    are ValidationErrors. The size is checked before anything is read."""
    name = name or (str(path) if isinstance(path, Path) else "<upload>")
    try:
        size = len(path) if isinstance(path, bytes) else path.stat().st_size
        if size > max_bytes:
            raise ValidationError(
                Problem(
                    name,
                    None,
                    None,
                    f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for "
                    "this kind of file; is this the right file?",
                )
            )
        raw = path if isinstance(path, bytes) else path.read_bytes()
    except OSError as exc:
        raise ValidationError(
            Problem(name, None, None, f"cannot read file: {exc.strerror or exc}")
        ) from None
    if not raw.strip():
        raise ValidationError(Problem(name, None, None, "file is empty"))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(
            Problem(name, 1, None, "file is UTF-16 encoded; save it as UTF-8 CSV and try again")
        )
    for encoding in ("utf-8", "utf-8-sig"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            error = exc
            continue
        if encoding == "utf-8" and text.startswith("\ufeff"):
            continue  # let utf-8-sig strip the byte-order mark
        if "\x00" in text:
            raise ValidationError(
                Problem(name, None, None, "file contains NUL bytes; it is not a CSV text file")
            )
        return text, encoding
    line = _line_of(raw, error.start)
    raise ValidationError(
        Problem(
            name,
            line,
            None,
            f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); "
            "tried utf-8 and utf-8-sig. Save the file as UTF-8 CSV and try again",
        )
    )


def _line_of(raw: bytes, offset: int) -> int:
    """1-based line of a byte offset, counting ``\\r\\n``, ``\\n`` and lone ``\\r`` endings."""
    head = raw[:offset]
    return head.count(b"\n") + head.replace(b"\r\n", b"").count(b"\r") + 1


def split_rows(text: str, delimiter: str = ",", *, name: str = "<input>") -> list[Row]:
    """CSV rows with their 1-based starting physical line numbers (any line ending)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[Row] = []
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            reason = str(exc)
            if "field larger than field limit" in reason:
                reason = (
                    f"a cell is longer than {csv.field_size_limit():,} characters; "
                    "this does not look like a holdings file"
                )
            raise ValidationError(Problem(name, line, None, f"unreadable CSV: {reason}")) from None
        out.append((line, row))
        line = reader.line_num + 1
    return out


def sniff_rows(
    text: str, is_header: Callable[[list[str]], bool], *, name: str = "<input>"
) -> tuple[list[Row], str]:
    """Rows split on the delimiter (``,`` ``;`` tab) under which a header row is found within
    the first ``HEADER_SCAN_LINES`` lines; ``,`` when none is."""
    first: list[Row] | None = None
    for delimiter in DELIMITERS:
        if delimiter != "," and delimiter not in text[:20_000]:
            continue
        rows = split_rows(text, delimiter, name=name)
        if first is None:
            first = rows
        if any(is_header(r) for _, r in rows[:HEADER_SCAN_LINES]):
            return rows, delimiter
    return first if first is not None else split_rows(text, ",", name=name), ","
