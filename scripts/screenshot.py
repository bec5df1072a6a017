"""The dashboard picture of the README and the docs home (``docs/images/dashboard.png``).

Builds a store from the shipped atlas in a temporary home, starts ``stackatlas serve`` on a free
port and photographs the stack-map page with headless Debian Chromium (Playwright,
``/usr/bin/chromium``; no browser is downloaded). Usage: ``python scripts/screenshot.py
[OUT.png]``. The picture is the first screen only (1100 x 980 CSS pixels at scale 0.8: the
nav and the stack map), so it stays under 300 KB.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "images" / "dashboard.png"
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1100, "height": 980}
CHARTS_DRAWN = """() => [...document.querySelectorAll('div.chart[data-figure]')]
    .every(el => el.querySelector('svg.main-svg') && el.data && el.data.length > 0)"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shoot(out: Path = OUT, path: str = "/") -> Path:
    """Serve a fresh store and save a screenshot of ``path``; returns ``out``."""
    from playwright.sync_api import sync_playwright

    cli = str(Path(sys.executable).parent / "stackatlas")
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "STACKATLAS_HOME": home, "STACKATLAS_OFFLINE": "1"}
        env.pop("STACKATLAS_ATLAS_OVERLAY", None)
        build = [cli, "run", "--quiet", "--no-report"]
        subprocess.run(build, env=env, check=True, capture_output=True)
        port = _free_port()
        server = subprocess.Popen(
            [cli, "serve", "--port", str(port), "--no-warm"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page(viewport=VIEWPORT, device_scale_factor=0.8)
                page.set_default_timeout(120_000)
                page.goto(url + path)
                page.wait_for_function(CHARTS_DRAWN)
                page.wait_for_timeout(500)  # the sunburst's entry transition
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    return out


if __name__ == "__main__":
    target = shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    print(f"{target} ({target.stat().st_size / 1024:.0f} KB)")
