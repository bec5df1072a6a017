"""The payback gap in the web app, the JSON API and the report (the same library call)."""

from __future__ import annotations


def test_payback_page_api_and_report(client) -> None:
    from stackatlas.web.report import report_html

    page = client.get("/payback")
    assert page.status_code == 200
    html = page.text
    assert "What must be true" in html and "= 600 (the article: 600)" in html
    assert 'id="fig-payback-gap"' in html and 'id="fig-payback-grid"' in html
    assert "run-rate, not revenue" in html  # run-rates listed, never counted
    assert (
        "sequoia-2024-06-20" in html
        and "https://www.sequoiacap.com/article/ais-600b-question/" in html
    )
    body = client.get("/api/payback").json()
    assert body["anchor"]["revenue_needed"] == 600
    assert {p["key"] for p in body["parameters"]} >= {"useful_life_years", "cost_of_capital"}
    assert all(p["basis"] in ("sourced", "derived", "assumption") for p in body["parameters"])
    # no SEC data here (store absent, no STACKATLAS_SEC_DIR): only the article's 2026
    # projection is a vintage, flagged as a projection; never a zero for the missing years
    assert [(y["year"], y["projection"]) for y in body["years"]] == [(2026, False)] or all(
        y["needed"] > 0 for y in body["years"]
    )
    report = report_html()
    assert 'id="payback"' in report and "$600B question" in report
