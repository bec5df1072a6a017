"""The documentation site builds strictly (mkdocs-material): every page in the nav, no broken
link; the README links the pages that exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


def _nav_pages(nav: list) -> set[str]:
    pages: set[str] = set()
    for item in nav:
        for value in item.values() if isinstance(item, dict) else [item]:
            if isinstance(value, list):
                pages |= _nav_pages(value)
            else:
                pages.add(value)
    return pages


def test_every_docs_page_is_in_the_nav() -> None:
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert _nav_pages(config["nav"]) == pages


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "index.html").is_file()
    assert (tmp_path / "commands" / "infra" / "index.html").is_file()


def test_readme_links_point_at_existing_files() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if not target.startswith(("http://", "https://")):
            assert (REPO / target).exists(), target


def test_readme_stays_short() -> None:
    """The README is what it is, the two commands, commands at a glance and links (<= 200)."""
    assert len((REPO / "README.md").read_text(encoding="utf-8").splitlines()) <= 200
