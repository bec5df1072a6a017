"""Results as tables: ``to_frames()``, ``to_frame()`` and their HTML view in Jupyter.

``Tabular`` is mixed into every result type that has a ``to_dict()`` and a rich view. Its
``to_frames()`` are the record lists of ``to_dict()`` (nested dicts walked, names joined with
``.``), in the order the dict gives them, the same tables ``--csv`` / ``--parquet`` / ``--xlsx``
write (``stackatlas.export`` prefers ``to_frames()``); ``to_frame()`` is the first, the main
table. A result with a better-shaped table overrides ``to_frames()`` and keeps its main table
first. ``_repr_html_`` draws the tables in a notebook with the web pages' conventions: the
evidence mark before its name, a dash for an unknown (never 0), the legend underneath.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import pandas as pd

MAX_ROWS = 25  # rows drawn per table; the frames hold them all


class Tabular:
    """``to_frames`` / ``to_frame`` / ``_repr_html_`` for a result with ``to_dict()``."""

    html_title: ClassVar[str] = ""  # the heading in a notebook (default: the class name)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Every table of the result by name, the main table first."""
        return dict_tables(self.to_dict())  # type: ignore[attr-defined]

    def to_frame(self) -> pd.DataFrame:
        """The main table (the first of ``to_frames()``); empty when there is none."""
        import pandas as pd

        frames = self.to_frames()
        return next(iter(frames.values())) if frames else pd.DataFrame()

    def _repr_html_(self) -> str:
        return html_tables(self.html_title or _words(type(self).__name__), self.to_frames())


def dict_tables(data: Any) -> dict[str, pd.DataFrame]:
    """The tables in a ``to_dict()`` payload: each list of records (or DataFrame), nested dicts
    walked, names joined with ``.``."""
    return dict(_walk(data, ""))


def _walk(data: Any, prefix: str) -> Iterator[tuple[str, pd.DataFrame]]:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        yield prefix or "rows", data
    elif isinstance(data, list) and all(isinstance(r, Mapping) for r in data):
        yield prefix or "rows", pd.DataFrame(list(data))
    elif isinstance(data, Mapping):
        for key, value in data.items():
            yield from _walk(value, f"{prefix}.{key}" if prefix else str(key))


def html_tables(title: str, frames: Mapping[str, pd.DataFrame], max_rows: int = MAX_ROWS) -> str:
    """Named tables as one HTML block: evidence marks, dashes for unknowns, the legend."""
    from stackatlas.display import LEGEND_TEXT

    parts = [f'<div class="stackatlas-result"><h4>{html.escape(title)}</h4>']
    if not frames:
        parts.append("<p>(no table)</p>")
    for name, frame in frames.items():
        parts.append(_table(name, frame, max_rows, caption=len(frames) > 1))
    parts.append(f"<p><small>{html.escape(LEGEND_TEXT)}</small></p></div>")
    return "\n".join(parts)


def _table(name: str, frame: pd.DataFrame, max_rows: int, caption: bool) -> str:
    shown = frame.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for record in shown.itertuples(index=False):
        cells = []
        for column, value in zip(shown.columns, record, strict=True):
            text, numeric = _cell(str(column), value)
            align = ' style="text-align:right"' if numeric else ""
            cells.append(f"<td{align}>{html.escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    more = len(frame) - len(shown)
    note = f"{len(frame)} rows, first {len(shown)} shown (all in .to_frames()[{name!r}])"
    title = f"<caption>{html.escape(name)}</caption>" if caption else ""
    out = f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return out + (f"<p><small>{html.escape(note)}</small></p>" if more > 0 else "")


def _cell(column: str, value: Any) -> tuple[str, bool]:
    """Display text of one cell and whether it is a number (right-aligned)."""
    from stackatlas.display import DASH, evidence_symbol, is_missing

    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value), False
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()), False
    if is_missing(value):
        return DASH, True
    if column == "evidence" or column.endswith("_evidence"):
        return f"{evidence_symbol(value)} {value}", False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        try:
            number = float(value)
            if number.is_integer() and re.search(r"year|cik|seed", column):
                return str(int(number)), True  # 2025, not 2,025
            return _number(number), True
        except (TypeError, ValueError):
            return str(value), False
    return str(value), False


def _number(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.1f}"
    if magnitude >= 1:
        return f"{value:,.2f}"
    digits = 2 - math.floor(math.log10(magnitude)) if magnitude else 0
    return f"{value:.{min(max(digits, 0), 6)}f}"


def _words(name: str) -> str:
    """``ProfitPools`` -> ``Profit pools``."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+|\d+", name.lstrip("_"))
    text = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
    return text[:1].upper() + text[1:]
