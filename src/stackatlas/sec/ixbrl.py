"""Numeric facts from an inline-XBRL filing (10-K / 10-Q .htm) or a plain XBRL instance (.xml).

SEC companyfacts drops every fact that carries a dimension, so segment revenue (AWS, Google
Cloud, NVIDIA Data Center) is only in the filing itself. This module reads one document into a
columnar table (``IXBRL_SCHEMA``): cik, accession, taxonomy, concept, unit, start, end, value,
dimensions, decimals, form, filed.

- Contexts (``xbrli:context``) give the entity CIK, the period (``startDate``/``endDate``, or
  ``instant`` -> start is null) and the dimensions: every ``xbrldi:explicitMember`` (and
  ``typedMember``) of the segment or scenario, as a sorted ``"Axis=Member;..."`` string (empty
  for a non-dimensional fact). Prefixes are kept as the document writes them.
- Inline facts (``ix:nonFraction``): the displayed text is read through its ``format``
  (``ixt:num-dot-decimal``, ``num-comma-decimal``, ``fixed-zero``/``zerodash``,
  ``ixt-sec:numwordsen``), times ``10**scale``, negated when ``sign="-"``; ``xsi:nil`` facts are
  skipped. Numbers go through ``Decimal`` so 130,497 x 10^6 is exact.
- Instance facts: every element with a ``contextRef`` and a ``unitRef``; the text is the value.
- Units: ``iso4217:USD`` -> ``USD``, divisions -> ``USD/shares`` (as in companyfacts).
- Inline documents repeat facts (the statements and the notes show the same number): identical
  facts are kept once, with the most precise ``decimals``. ``decimals`` is null for ``INF``.

The document does not carry its accession number or filing date; pass them in (``accession``,
``filed``), else the accession is ``doc:<document name>`` and ``filed`` null. ``form`` comes from
``dei:DocumentType``; the schema metadata keeps the document name and the ``DOC_DEI`` values
(fiscal year / period focus, registrant name). lxml parses a 2.5 MB filing in well under 0.1 s.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
from lxml import etree

from stackatlas.errors import Problem, ValidationError

IXBRL_SCHEMA = pa.schema(
    [
        ("cik", pa.int64()),
        ("accession", pa.string()),
        ("taxonomy", pa.string()),
        ("concept", pa.string()),
        ("unit", pa.string()),
        ("start", pa.date32()),
        ("end", pa.date32()),
        ("value", pa.float64()),
        ("dimensions", pa.string()),
        ("decimals", pa.int32()),
        ("form", pa.string()),
        ("filed", pa.date32()),
    ]
)

XBRLI = "http://www.xbrl.org/2003/instance"
XBRLDI = "http://xbrl.org/2006/xbrldi"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
IX_NAMESPACES = ("http://www.xbrl.org/2013/inlineXBRL", "http://www.xbrl.org/2008/inlineXBRL")
DOC_DEI = (
    "DocumentType",
    "DocumentFiscalYearFocus",
    "DocumentFiscalPeriodFocus",
    "EntityRegistrantName",
    "EntityCentralIndexKey",
)
"""Document-level dei values kept in the table's schema metadata (text as shown)."""
_SKIP_NS = {XBRLI, "http://www.xbrl.org/2003/linkbase", XBRLDI}
_WORDS = {
    w: i
    for i, w in enumerate(
        (
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        )
    )
}
_WORDS.update(
    {
        w: 10 * i
        for i, w in enumerate(
            ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), start=2
        )
    }
)
_WORDS.update({"no": 0, "none": 0})
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9}


def _words_number(raw: str) -> int:
    """English number words (``ixt-sec:numwordsen``): ``three``, ``twenty-five``,
    ``one hundred and five``, ``two thousand``."""
    total = current = 0
    tokens = re.split(r"[\s\-]+", raw.lower().strip(" ."))
    for token in (t for t in tokens if t and t != "and"):
        if token in _WORDS:
            current += _WORDS[token]
        elif token == "hundred":
            current = max(current, 1) * 100
        elif token in _SCALES:
            total += max(current, 1) * _SCALES[token]
            current = 0
        else:
            raise ValueError(f"number word {raw!r} not understood")
    return total + current


_NUMBER = re.compile(r"\d[\d\s,.'\u00a0]*")


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def parse_number(text: str, fmt: str | None) -> Decimal:
    """The number shown as ``text`` under the inline transform ``fmt`` (unsigned)."""
    name = (fmt or "").split(":")[-1].lower()
    raw = text.strip()
    if name in ("fixed-zero", "zerodash") or (not name and raw in ("-", "\u2014", "\u2013")):
        return Decimal(0)
    if name == "numwordsen":
        return Decimal(_words_number(raw))
    m = _NUMBER.search(raw)
    if m is None:
        raise ValueError(f"no digits in {raw!r}")
    digits = re.sub(r"[\s'\u00a0]", "", m.group(0)).rstrip(".,")
    if name in ("num-comma-decimal", "numcommadecimal"):
        digits = digits.replace(".", "").replace(",", ".")
    elif name in ("", "num-dot-decimal", "numdotdecimal", "numcommadot"):
        digits = digits.replace(",", "")
    else:
        raise ValueError(f"unsupported number format {fmt!r}")
    return Decimal(digits)


def _contexts(root: etree._Element) -> dict[str, tuple[int | None, str | None, str, str]]:
    """context id -> (cik, start, end, dimensions)."""
    out = {}
    for ctx in root.iter(_q(XBRLI, "context")):
        ident = ctx.find(f"{_q(XBRLI, 'entity')}/{_q(XBRLI, 'identifier')}")
        digits = ident.text.strip() if ident is not None and ident.text else ""
        cik = int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 10 else None
        period = ctx.find(_q(XBRLI, "period"))
        instant = period.findtext(_q(XBRLI, "instant")) if period is not None else None
        if instant:
            start, end = None, instant.strip()
        else:
            start = (period.findtext(_q(XBRLI, "startDate")) or "").strip() or None
            end = (period.findtext(_q(XBRLI, "endDate")) or "").strip()
        dims = []
        for member in ctx.iter(_q(XBRLDI, "explicitMember"), _q(XBRLDI, "typedMember")):
            value = (
                (member.text or "").strip()
                if member.tag.endswith("explicitMember")
                else "".join(member.itertext()).strip()
            )
            dims.append(f"{member.get('dimension')}={value}")
        out[ctx.get("id")] = (cik, start[:10] if start else None, end[:10], ";".join(sorted(dims)))
    return out


def _units(root: etree._Element) -> dict[str, str]:
    def measures(el: etree._Element | None) -> str:
        if el is None:
            return ""
        names = [(m.text or "").strip() for m in el.iter(_q(XBRLI, "measure"))]
        return "*".join(n.split(":")[-1] for n in names)  # iso4217:USD -> USD

    out = {}
    for unit in root.iter(_q(XBRLI, "unit")):
        divide = unit.find(_q(XBRLI, "divide"))
        if divide is not None:
            out[unit.get("id")] = (
                f"{measures(divide.find(_q(XBRLI, 'unitNumerator')))}/"
                f"{measures(divide.find(_q(XBRLI, 'unitDenominator')))}"
            )
        else:
            out[unit.get("id")] = measures(unit)
    return out


def _decimals(raw: str | None) -> int | None:
    if raw is None or raw.strip().upper() == "INF":
        return None
    return int(raw)


def parse_ixbrl(
    source: str | Path | bytes, *, accession: str | None = None, filed: str | date | None = None
) -> pa.Table:
    """Numeric facts of one inline-XBRL or XBRL-instance document as an ``IXBRL_SCHEMA`` table.

    Raises ``ValidationError`` naming the document (and line) for XML that cannot be parsed, a
    fact pointing at an unknown context/unit, or a number its format cannot read.
    """
    name = Path(source).name if isinstance(source, str | Path) else "<bytes>"
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    try:
        root = (
            etree.fromstring(source, parser)
            if isinstance(source, bytes)
            else etree.parse(str(source), parser).getroot()
        )
    except OSError as exc:
        raise ValidationError(Problem(name, None, None, f"cannot read: {exc}")) from exc
    except etree.XMLSyntaxError as exc:
        raise ValidationError(
            Problem(name, exc.lineno or None, None, f"not well-formed XML: {exc.msg}")
        ) from exc
    contexts, units = _contexts(root), _units(root)
    inline = root.tag.endswith("}html") or any(
        root.nsmap.get(p) in IX_NAMESPACES for p in root.nsmap
    )
    rows: dict[tuple, list] = {}
    dei: dict[str, str] = {}
    problems: list[Problem] = []

    def add(
        el: etree._Element,
        concept: str,
        text: str,
        fmt: str | None,
        scale: str | int | None,
        negative: bool,
    ) -> None:
        ctx, unit = contexts.get(el.get("contextRef")), units.get(el.get("unitRef"))
        if ctx is None or unit is None:
            what = "contextRef" if ctx is None else "unitRef"
            problems.append(
                Problem(name, el.sourceline, concept, f"unknown {what} {el.get(what)!r}")
            )
            return
        cik, start, end, dims = ctx
        try:
            number = parse_number(text, fmt).scaleb(int(scale or 0))
            value = float(-number if negative else number)
            if not math.isfinite(value):
                raise ValueError(
                    f"{text.strip()[:40]!r} scaled by 10^{scale} is not a finite number"
                )
            for day in (start, end):  # bad period dates are refused here, with the fact's line
                if day is not None:
                    date.fromisoformat(day)
        except (ValueError, InvalidOperation, OverflowError) as exc:
            problems.append(Problem(name, el.sourceline, concept, str(exc)[:200]))
            return
        key = (cik, concept, unit, start, end, dims, value)
        dec = _decimals(el.get("decimals"))
        if key in rows:  # a repeated fact: keep the most precise decimals (None = INF)
            old = rows[key][-1]
            if old is not None and (dec is None or dec > old):
                rows[key][-1] = dec
            return
        rows[key] = [dec]

    if inline:
        for ns in IX_NAMESPACES:
            for el in root.iter(_q(ns, "nonNumeric")):
                key = el.get("name", "")[4:] if el.get("name", "").startswith("dei:") else ""
                if key in DOC_DEI and key not in dei:
                    dei[key] = " ".join("".join(el.itertext()).split())
            for el in root.iter(_q(ns, "nonFraction")):
                if el.get(XSI_NIL) == "true":
                    continue
                add(
                    el,
                    el.get("name", ""),
                    "".join(el.itertext()),
                    el.get("format"),
                    el.get("scale"),
                    el.get("sign") == "-",
                )
    else:
        for el in root:
            if not isinstance(el.tag, str) or el.get("contextRef") is None:
                continue
            ns, local = el.tag[1:].split("}") if el.tag.startswith("{") else ("", el.tag)
            if ns in _SKIP_NS:
                continue
            concept = f"{el.prefix}:{local}" if el.prefix else local
            if local in DOC_DEI and concept.startswith("dei:") and local not in dei:
                dei[local] = " ".join((el.text or "").split())
            if el.get("unitRef") is None or el.get(XSI_NIL) == "true":
                continue
            text = (el.text or "").strip()
            negative = text.startswith("-")
            add(el, concept, text.lstrip("-+"), None, 0, negative)
    if problems:
        raise ValidationError(problems)
    table = _table(
        rows, accession or f"doc:{_doc_name(root, name)}", dei.get("DocumentType") or None, filed
    )
    meta = {"document": name, **{k: v for k, v in dei.items() if v}}
    return table.replace_schema_metadata({k: str(v) for k, v in meta.items()})


def _doc_name(root: etree._Element, fallback: str) -> str:
    title = root.findtext(".//{http://www.w3.org/1999/xhtml}title")
    return (title or "").strip() or fallback


def _table(
    rows: dict[tuple, list], accession: str, form: str | None, filed: str | date | None
) -> pa.Table:
    keys = list(rows)
    n = len(keys)
    cols = list(zip(*keys, strict=True)) if keys else [()] * 7
    concepts = cols[1]
    filed_d = date.fromisoformat(filed) if isinstance(filed, str) else filed
    data = {
        "cik": pa.array(cols[0], pa.int64()),
        "accession": pa.array([accession] * n, pa.string()),
        "taxonomy": pa.array([c.split(":")[0] if ":" in c else "" for c in concepts], pa.string()),
        "concept": pa.array([c.split(":")[-1] for c in concepts], pa.string()),
        "unit": pa.array(cols[2], pa.string()),
        "start": pa.array([date.fromisoformat(s) if s else None for s in cols[3]], pa.date32()),
        "end": pa.array([date.fromisoformat(e) for e in cols[4]], pa.date32()),
        "value": pa.array(cols[6], pa.float64()),
        "dimensions": pa.array(cols[5], pa.string()),
        "decimals": pa.array([rows[k][-1] for k in keys], pa.int32()),
        "form": pa.array([form] * n, pa.string()),
        "filed": pa.array([filed_d] * n, pa.date32()),
    }
    return pa.table(data, schema=IXBRL_SCHEMA)
