"""Numbers as brokers write them: ``$1,234.50``, ``(12.5)``, ``+8.87%``, ``1.234,56 €``.

``parse_number`` reads one cell in a given decimal style. ``decimal_style`` looks at every
amount cell of a file and decides the style: a cell such as ``1.234,56`` or ``12,5`` can only be
decimal-comma, ``1,234.56`` or ``12.5`` only decimal-point; ``1,234`` or ``1.234`` could be
either. A file with only one kind of evidence is read in that style; a file with both, or a
semicolon-separated file with only ambiguous cells, is refused with how to read it
(``--decimal comma`` / ``--decimal point``). Values must be finite and below ``MAX_AMOUNT``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

DecimalStyle = Literal["point", "comma"]
DecimalOption = Literal["auto", "point", "comma"]

MAX_AMOUNT = 1e15
"""Largest amount accepted: more than the market value of all listed equity (~1.2e14 USD), so
anything larger is a typo or an attack (1e308 values summed to inf and zeroed every weight)."""
MISSING = frozenset({"", "-", "--", "n/a", "na", "none", "null"})

_STRIP = re.compile(r"[$€£¥\s\u00a0\u202f']|usd|eur|gbp|chf|cad", re.IGNORECASE)
_COMMA_ONLY = re.compile(  # 1.234,56  12,5  0,125  12,3456  1234,5  1.234.567
    r"^[+-]?(\d{1,3}(\.\d{3})+,\d*|\d*,\d{1,2}|\d*,\d{4,}|0,\d+|\d{4,},\d+|\d{1,3}(\.\d{3}){2,})$"
)
_POINT_ONLY = re.compile(  # 1,234.56  12.5  0.125  12.3456  1234.5  1,234,567
    r"^[+-]?(\d{1,3}(,\d{3})+\.\d*|\d*\.\d{1,2}|\d*\.\d{4,}|0\.\d+|\d{4,}\.\d+|\d{1,3}(,\d{3}){2,})$"
)
_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$")


def _clean(text: str) -> tuple[str, bool]:
    """Cell text without currency marks, spaces, ``%`` and parentheses; True if negative."""
    s = _STRIP.sub("", text.strip()).rstrip("%")
    negative = s.startswith("(") and s.endswith(")")
    return s.strip("()"), negative


def parse_number(text: str, decimal: DecimalStyle = "point") -> float | None:
    """One cell as a float (blank / ``--`` / ``n/a`` -> None); ValueError on anything else,
    including non-finite values and values past ``MAX_AMOUNT``."""
    s, negative = _clean(text)
    if s.lower() in MISSING:
        return None
    s = s.replace(".", "").replace(",", ".") if decimal == "comma" else s.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", s):
        raise ValueError(text)
    value = float(s)
    if not math.isfinite(value) or abs(value) > MAX_AMOUNT:
        raise ValueError(text)
    return -value if negative else value


@dataclass(frozen=True)
class StyleEvidence:
    """First cell (line, text) proving each style, and the first ambiguous cell."""

    comma: tuple[int, str] | None = None
    point: tuple[int, str] | None = None
    ambiguous: tuple[int, str] | None = None


def style_evidence(cells: Iterable[tuple[int, str]]) -> StyleEvidence:
    """Scan (line, cell) pairs for decimal-comma, decimal-point and ambiguous numbers."""
    comma = point = ambiguous = None
    for line, text in cells:
        s, _ = _clean(text)
        if comma is None and _COMMA_ONLY.match(s):
            comma = (line, text.strip())
        elif point is None and _POINT_ONLY.match(s):
            point = (line, text.strip())
        elif ambiguous is None and _AMBIGUOUS.match(s):
            ambiguous = (line, text.strip())
        if comma and point:
            break
    return StyleEvidence(comma, point, ambiguous)


def decimal_style(
    evidence: StyleEvidence, option: DecimalOption, delimiter: str
) -> tuple[DecimalStyle, str | None]:
    """The style to read a file in and a note saying why, or ValueError saying how to read it."""
    if option != "auto":
        return option, None
    if evidence.comma and evidence.point:
        (cl, ct), (pl, pt) = evidence.comma, evidence.point
        raise ValueError(
            f"numbers mix decimal styles: {ct!r} (line {cl}) has a decimal comma, {pt!r} "
            f"(line {pl}) a decimal point; export the file with one number format, or pass "
            "--decimal comma / --decimal point to say which it uses"
        )
    if evidence.comma:
        line, text = evidence.comma
        return "comma", (
            f"numbers read with a decimal comma ({text!r} on line {line} can only be read "
            "that way); pass --decimal point if that is wrong"
        )
    if evidence.ambiguous and delimiter == ";" and not evidence.point:
        line, text = evidence.ambiguous
        raise ValueError(
            f"cannot tell the decimal style of this semicolon-separated file: {text!r} (line "
            f"{line}) is a thousand or one with three decimals; pass --decimal comma "
            "(European, 1.234,56) or --decimal point (1,234.56)"
        )
    return "point", None
