"""``build_report``: one self-contained HTML file with every section of the web app.

plotly.js, the page script, the style sheet and every figure's data are inlined, so the file
opens offline. The sections come from the same builders and templates as the web pages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from stackatlas.atlas import Atlas, load_atlas
from stackatlas.outputs import check_output, write_output
from stackatlas.store import Store

REPORT_SECTIONS = (
    "map",
    "flows",
    "pools",
    "capex",
    "payback",
    "coverage",
    "concentration",
    "supplychain",
    "infra",
    "signals",
    "audit",
    "scenarios",
)


def _script_safe(text: str) -> str:
    """JavaScript that cannot close its ``<script>`` element early."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def inline_assets() -> dict[str, str]:
    """plotly.js, app.js and style.css as text to inline."""
    from stackatlas.charts.theme import plotly_js
    from stackatlas.web.app import STATIC_DIR

    return {
        "plotly": _script_safe(plotly_js().decode("utf-8")),
        "app": _script_safe((STATIC_DIR / "app.js").read_text(encoding="utf-8")),
        "css": (STATIC_DIR / "style.css").read_text(encoding="utf-8").replace("</", "<\\/"),
    }


def report_html(
    *,
    atlas: Atlas | None = None,
    store: Store | None = None,
    portfolio: str | Path | bytes | None = None,
    prices_dir: str | Path | None = None,
    eto: Any = None,
) -> str:
    """The report as one HTML string (see ``build_report``)."""
    from stackatlas.atlas.views import source_list
    from stackatlas.web import sections as sec
    from stackatlas.web.render import render
    from stackatlas.web.services import build_section

    atlas = atlas or load_atlas()
    built: list[Any] = [build_section(key, atlas, store, eto) for key in REPORT_SECTIONS]
    if portfolio is not None:
        built.append(sec.portfolio_section(atlas, _portfolio(atlas, portfolio, store, prices_dir)))
    sources = sec.Section("sources", "Sources", data={"sources": source_list(atlas).sources})
    return render(
        "report.html",
        title="stackatlas report",
        sections=built,
        src_section=sources,
        atlas_version=atlas.version,
        sec_note=sec.SEC_NOTE,
        sources_href="",
        inline_assets=inline_assets(),
        error=None,
    )


def _portfolio(
    atlas: Atlas, source: str | Path | bytes, store: Store | None, prices_dir: str | Path | None
) -> Any:
    from stackatlas.portfolio.offline import analyze_holdings

    return analyze_holdings(atlas, store, source, prices_dir=prices_dir)


def build_report(
    path: str | Path,
    *,
    atlas: Atlas | None = None,
    store: Store | None = None,
    portfolio: str | Path | bytes | None = None,
    prices_dir: str | Path | None = None,
    eto: Any = None,
) -> Path:
    """Write the report to ``path`` atomically (temp file + rename) and return the path.

    ``store`` supplies SEC facts (else ``STACKATLAS_SEC_DIR``); ``portfolio`` is a holdings
    file (or bytes) added as a last chapter, priced from ``prices_dir`` or the store cache;
    ``eto`` (the CSET/ETO dataset) adds the chip supply chain and the chip-input scenarios.
    """
    check_output(path, "report")  # a bad path fails before the report is built
    html = report_html(
        atlas=atlas, store=store, portfolio=portfolio, prices_dir=prices_dir, eto=eto
    )
    return write_output(path, html.encode("utf-8"), "report")
