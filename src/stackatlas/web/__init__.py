"""The web dashboard and JSON API (FastAPI) and the self-contained HTML report.

    create_app(store_path=None, atlas_overlay=None, ...)   the FastAPI application
    build_report(path, *, atlas=None, store=None, ...)     one HTML file, every section inlined

Pages and the report share the section builders (``web.sections``) and templates, so a number
shown in either comes from the same library call.
"""

from stackatlas.web.app import create_app
from stackatlas.web.report import build_report, report_html

__all__ = ["build_report", "create_app", "report_html"]
