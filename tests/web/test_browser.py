"""A real browser against a live ``stackatlas serve``: Debian Chromium driven headless by
Playwright. Every page loads without console errors and every chart renders (plotly SVG with
data traces); the scenario form and the portfolio upload are submitted. Screenshots go to
``test-output/screenshots/``, among them the README's picture of the dashboard
(``dashboard.png``; ``make screenshot`` copies it to ``docs/images/``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
SHOTS = REPO / "test-output" / "screenshots"
PICTURE = REPO / "docs" / "images" / "dashboard.png"  # the README's and the docs home's
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = {
    "map": "/",
    "flows": "/flows",
    "pools": "/pools",
    "capex": "/capex",
    "payback": "/payback",
    "coverage": "/coverage",
    "concentration": "/concentration",
    "infra": "/infra",
    "signals": "/signals",
    "audit": "/audit",
    "scenarios": "/scenarios",
    "companies": "/companies",
    "company-nvidia": "/companies/nvidia",
    "portfolio": "/portfolio",
    "sources": "/sources",
    "api": "/api-docs",
}
CHARTS_RENDERED = """() => {
  const charts = [...document.querySelectorAll('div.chart[data-figure]')];
  return charts.every(el => el.querySelector('svg.main-svg') && el.data && el.data.length > 0);
}"""
CHART_COUNT = "() => document.querySelectorAll('div.chart[data-figure] svg.main-svg').length"

if not CHROMIUM.exists():
    pytest.skip(
        "Debian Chromium (/usr/bin/chromium) is not installed; `make test` installs it "
        "with scripts/ensure-chromium.sh where apt-get is available",
        allow_module_level=True,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``stackatlas run`` (builds the store), ``stackatlas sync --offline`` (SEC facts from
    ../shared into the store) then ``stackatlas serve`` on a free port."""
    home = tmp_path_factory.mktemp("browser-home")
    env = {**os.environ, "STACKATLAS_HOME": str(home), "STACKATLAS_OFFLINE": "1"}
    env.pop("STACKATLAS_ATLAS_OVERLAY", None)
    cli = str(Path(sys.executable).parent / "stackatlas")
    subprocess.run(
        [cli, "run", "--quiet", "--no-report"],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,  # correctness, not speed: a loaded machine is slow
    )
    if (SHARED / "sec").is_dir():  # SEC facts into the store; the server then reads only it
        subprocess.run(
            [cli, "sync", "--offline"],
            check=True,
            capture_output=True,
            timeout=600,  # correctness, not speed: a loaded machine is slow
            env={**env, "STACKATLAS_SEC_DIR": str(SHARED / "sec")},
        )
    if (SHARED / "epoch").is_dir():  # the infra page draws Epoch AI's clusters
        env["STACKATLAS_EPOCH_DIR"] = str(SHARED / "epoch")
    port = _free_port()
    cmd = [cli, "serve", "--port", str(port)]
    if (SHARED / "prices" / "recent").is_dir():
        cmd += ["--prices", str(SHARED / "prices" / "recent")]
    if (SHARED / "eto").is_dir():  # the chip supply chain (CSET/ETO, read in place)
        cmd += ["--eto", str(SHARED / "eto")]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("stackatlas serve did not come up")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if proc.stdout:
            proc.stdout.close()


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": 1366, "height": 900},
        )
        # a shared 2-core machine under load can take tens of seconds for a cold page: the
        # test checks what is drawn, not how fast (speed is benchmarks/bench_web.py's job)
        context.set_default_timeout(120_000)
        context.set_default_navigation_timeout(120_000)
        try:
            yield context.new_page()
        finally:
            context.close()


class Console:
    """Console errors and uncaught page errors seen since the last ``take``."""

    def __init__(self, page: object) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def take(self) -> list[str]:
        out, self.errors = self.errors, []
        return out


def _check_page(page: object, console: Console, name: str, min_charts: int = 0) -> int:
    page.wait_for_load_state("load")
    page.wait_for_function(CHARTS_RENDERED, timeout=60_000)
    n = page.evaluate(CHART_COUNT)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert console.take() == [], name
    assert n >= min_charts, f"{name}: {n} charts rendered"
    return n


def test_pages_forms_and_uploads_in_chromium(server: str, browser_page: object) -> None:
    page = browser_page
    console = Console(page)
    # flows: a Sankey per year with disclosed amounts (2025, 2026), the company Sankey, cycles
    expected = {"map": 1, "flows": 4, "payback": 2, "concentration": 1, "scenarios": 3}
    if (SHARED / "sec").is_dir():
        expected.update({"pools": 2, "capex": 1, "signals": 1, "audit": 1, "company-nvidia": 1})
    pages = dict(PAGES)
    if (SHARED / "eto").is_dir():
        pages |= {"supplychain": "/supplychain", "supplychain-euv": "/supplychain?input=N20"}
        expected |= {"supplychain": 1, "supplychain-euv": 1}
    for name, path in pages.items():
        response = page.goto(server + path)
        assert response is not None and response.status == 200, name
        _check_page(page, console, name, expected.get(name, 0))

    # scenario form: change a parameter, ask for Monte Carlo bands, submit, re-rendered page
    page.goto(server + "/scenarios")
    with page.expect_navigation():  # app.js reloads the form with the chosen scenario
        page.select_option("#scenario-name", "taiwan-quake")
    assert page.url.endswith("/scenarios?name=taiwan-quake")
    page.fill('input[name="param-capacity_loss"]', "0.3")
    page.fill('input[name="draws"]', "200")
    with page.expect_navigation():
        page.click("#run-scenario")
    assert "200 Monte Carlo draws" in page.content()
    assert page.input_value('input[name="param-capacity_loss"]') == "0.3"
    _check_page(page, console, "scenario-run", 3)

    # portfolio upload
    page.goto(server + "/portfolio")
    holdings = REPO / "examples" / "portfolio.csv"
    page.set_input_files('input[name="file"]', str(holdings))
    with page.expect_navigation():
        page.click("#analyze-portfolio")
    assert "Exposure by layer" in page.content()
    with_prices = (SHARED / "prices" / "recent").is_dir()
    _check_page(page, console, "portfolio-result", 3 if with_prices else 1)


def test_report_renders_offline_in_chromium(browser_page: object, tmp_path: Path) -> None:
    """The report file opens with every chart drawn and not one network request."""
    from stackatlas.web.report import build_report

    page = browser_page
    console = Console(page)
    attempts: list[str] = []

    def block(route: object) -> None:
        attempts.append(route.request.url)
        route.abort()

    page.route("http://**/*", block)
    page.route("https://**/*", block)
    report = build_report(
        tmp_path / "report.html",
        portfolio=(REPO / "tests" / "fixtures" / "web" / "weights.csv").read_bytes(),
    )
    page.goto(report.as_uri())
    n = _check_page(page, console, "report", 5)
    assert n >= 5 and attempts == []
    page.unroute("http://**/*")
    page.unroute("https://**/*")


def test_the_readme_picture_of_the_dashboard(server: str, browser_page: object) -> None:
    """The README's picture: the first screen of the stack map (nav and sunburst) in a
    1100 x 800 window, a PNG under 300 KB. Written to ``test-output/screenshots/dashboard.png``;
    with ``STACKATLAS_UPDATE_PICTURE=1`` (``make screenshot``) also to ``docs/images/``."""
    page = browser_page
    console = Console(page)
    page.set_viewport_size({"width": 1100, "height": 800})
    try:
        page.goto(server + "/")
        page.wait_for_function(CHARTS_RENDERED, timeout=60_000)
        page.wait_for_timeout(500)  # the sunburst's entry transition
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / "dashboard.png"
        page.screenshot(path=str(shot))
    finally:
        page.set_viewport_size({"width": 1366, "height": 900})
    assert console.take() == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1100, 800)
    assert len(data) < 300_000
    if os.environ.get("STACKATLAS_UPDATE_PICTURE") == "1":
        shutil.copyfile(shot, PICTURE)
