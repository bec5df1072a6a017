"""One error tree for stackatlas.

    StackAtlasError
    ├── ValidationError (ValueError)      bad input: file, line, column, message
    │   └── AtlasValidationError          all problems found in the atlas files
    ├── NotFoundError (LookupError)       unknown company, ticker, metric, scenario ...
    ├── DataUnavailableError              needed data missing (offline, not synced)
    │   └── DataNotConfiguredError        an optional dataset's folder is not set (ETO)
    ├── StoreError                        the DuckDB store refused an operation
    │   ├── CorruptStoreError             the store file is damaged (rebuild it)
    │   └── QueryTimeoutError (TimeoutError)  read-only SQL stopped at its statement timeout
    ├── SecAccessError                    SEC EDGAR refused or failed
    │   └── RateLimitedError              HTTP 429 after all retries
    └── BusyError                         the web server's compute queue is full (503)

Callers catch ``StackAtlasError`` for "anything stackatlas raised on purpose".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class StackAtlasError(Exception):
    """Root of every error stackatlas raises on purpose."""


def excerpt(value: object, limit: int = 60) -> str:
    """``repr`` of a value for a message, cut to ``limit`` characters (hostile input can be
    megabytes long; the message stays one readable line)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


INPUT = "<input>"
"""The file a Problem names when the error came from a plain message (no file)."""


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file (line is 1-based, header = line 1)."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.file == INPUT and self.line is None:  # a plain message: no file to name
            return f"[{self.column}] {self.message}" if self.column else self.message
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" [{self.column}]"
        return f"{where}: {self.message}"


class ValidationError(StackAtlasError, ValueError):
    """Input that cannot be accepted; carries every problem found, with its location."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(INPUT, None, None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        head = f"{len(self.problems)} problem(s):" if len(self.problems) > 1 else ""
        body = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{head}\n{body}" if head else body)


class AtlasValidationError(ValidationError):
    """The atlas (shipped files plus any overlay) failed validation."""


def did_you_mean(close: Sequence[str]) -> str:
    """`` (did you mean: a, b?)`` for the close matches ``display.suggest`` found; empty if none."""
    return f" (did you mean: {', '.join(close)}?)" if close else ""


class NotFoundError(StackAtlasError, LookupError):
    """A named thing does not exist; ``suggestions`` holds close matches."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        self.suggestions = suggestions or []
        super().__init__(message + did_you_mean(self.suggestions))


class DataUnavailableError(StackAtlasError):
    """Data the operation needs is not available (not synced, offline, missing file)."""


class DataNotConfiguredError(DataUnavailableError):
    """An optional dataset the operation needs has no folder configured (e.g. CSET/ETO):
    the message says how to set one. The CLI exits 2 (a usage problem, not a failure)."""


class StoreError(StackAtlasError):
    """The embedded store refused an operation (e.g. a write through the read-only SQL path)."""


class CorruptStoreError(StoreError):
    """The store file is truncated or damaged; ``stackatlas run --rebuild`` sets it aside and
    builds a new one."""


class QueryTimeoutError(StoreError, TimeoutError):
    """A read-only SQL statement ran past its statement timeout and was interrupted."""


class SecAccessError(StackAtlasError):
    """SEC EDGAR could not be reached or refused the request."""


class RateLimitedError(SecAccessError):
    """SEC EDGAR kept answering 429 after every retry."""


class BusyError(StackAtlasError):
    """Too much CPU-heavy work is already queued; ``retry_after`` seconds is a fair wait."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message)
